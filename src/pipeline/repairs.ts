/**
 * Repairs: actions the diff cannot see because the LVM and blkid view says "done", found by reading
 * superblocks on the live host (read-only). `plan` and `apply` both add them (runPlan), so `plan`
 * shows every action apply will run:
 *  - a mkfs.xfs interrupted midway (superblock flagged `inprogress`): wipe and mkfs again;
 *  - a filesystem short of its LV (a grow cut between lvextend's commit and fsadm): grow it
 *    (src/pipeline/fs-fill.ts).
 * Planning offline against described drives (--drives) cannot read superblocks: runPlan says so.
 */
import { readXfsInprogress } from '../host/fs-info.js';
import type { Runner } from '../core/runner.js';
import type { Action, Finding } from '../model/actions.js';
import type { Plan } from '../model/plan-schema.js';
import type { ProbedState } from '../probe/types.js';
import { fsOf, mkfsArgv } from '../diff/diff.js';
import { mountDevice } from '../probe/findmnt.js';
import { lvDeviceNames } from '../verify/verify.js';
import { fillActions, findShortFilesystems } from './fs-fill.js';

/**
 * mkfs.xfs writes its superblock early, flagged `inprogress`, and clears the flag last: an XFS
 * mkfs killed midway leaves a signature blkid reports (so the diff sees "xfs, nothing to do") on a
 * filesystem that cannot mount. For each planned XFS volume that is not mounted, ask xfs_db
 * (read-only); `inprogress = 1` means mkfs never finished, so nothing was ever stored there: run it
 * again. Any other answer (or a failing xfs_db) leaves the volume alone — a damaged filesystem that
 * may hold data is never reformatted by apply.
 */
export async function interruptedMkfs(runner: Runner, plan: Plan, state: ProbedState): Promise<Action[]> {
  const out: Action[] = [];
  for (const v of plan.volumes) {
    if (v.filesystem.type !== 'xfs') continue;
    const lv = state.lvs.find((l) => l.vgName === v.vg && l.name === v.name);
    if (!lv) continue;
    const fs = fsOf(state, v.vg, v.name, lv);
    if (fs?.type !== 'xfs') continue;
    const names = lvDeviceNames(v.vg, v.name, lv);
    if (state.mounts.some((m) => names.includes(mountDevice(m.source)))) continue;
    const dev = `/dev/${v.vg}/${v.name}`;
    if ((await readXfsInprogress(runner, dev)) !== true) continue;
    const argv = mkfsArgv(v, dev);
    if (!argv) continue;
    out.push({
      id: `fs:${v.vg}/${v.name}:finish`,
      kind: 'create',
      resource: `fs ${v.vg}/${v.name}`,
      summary: `xfs filesystem on ${dev}: an earlier mkfs.xfs was interrupted (superblock flagged inprogress); run it again`,
      steps: [
        { type: 'exec', argv: ['wipefs', '--all', dev], mutating: true },
        { type: 'exec', argv, mutating: true, progress: 'mkfs' },
      ],
      dependsOn: [],
    });
  }
  return out;
}

/**
 * Insert the repairs into the diff's storage actions, in place: a redone mkfs after the last
 * pv/vg/pool/lv/fs action (before users, directories, fstab and mounts: findmnt --verify and the
 * mounts need the finished filesystem); a grow at the end of the storage actions (after the mounts:
 * online), i.e. before the tuning actions that come after them. Returns the warnings (an XFS the plan
 * does not mount cannot be grown).
 */
export async function addRepairs(runner: Runner, plan: Plan, state: ProbedState, actions: Action[]): Promise<Finding[]> {
  const redo = await interruptedMkfs(runner, plan, state);
  if (redo.length) {
    let at = 0;
    actions.forEach((a, i) => {
      if (/^(pv|vg|pool|lv|fs):/.test(a.id)) at = i + 1;
    });
    actions.splice(at, 0, ...redo);
  }
  const fill = fillActions(await findShortFilesystems(runner, plan, state));
  if (fill.actions.length) {
    const at = actions.findIndex((a) => a.id.startsWith('tune:'));
    actions.splice(at < 0 ? actions.length : at, 0, ...fill.actions);
  }
  return fill.warnings;
}

/** The info line of an offline plan: repairs need the live superblocks. */
export const OFFLINE_REPAIRS_NOTE: Finding = {
  rule: 'JTS-REPAIRS-OFFLINE',
  severity: 'info',
  message:
    'planned against described drives: superblocks cannot be read, so the repairs apply adds on the host itself (re-running an interrupted mkfs.xfs, growing a filesystem short of its LV) are not shown; `plan` on the host shows them',
};
