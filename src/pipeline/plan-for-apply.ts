// The plan pipeline as apply needs it: the PlanResult and the plan/state/layout it came from (safety
// checks read the probed drives). The probe runs through the given (auditing) runner.
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { runPlan } from './plan-pipeline.js';
import { fsOf, mkfsArgv } from '../diff/diff.js';
import { mountDevice } from '../probe/findmnt.js';
import type { Action } from '../model/actions.js';
import type { Plan } from '../model/plan-schema.js';
import type { ProbedState } from '../probe/types.js';
import type { PlanOutcome } from '../exec/apply.js';
import { lvDeviceNames } from '../verify/verify.js';
import { fillActions, findShortFilesystems } from './fs-fill.js';

export async function planForApply(runner: Runner, planFile: string, opts: { skipTune?: boolean } = {}): Promise<PlanOutcome> {
  const run = await runPlan({ runner, planFile, skipTune: opts.skipTune });
  if (!run.loaded || !run.state || !run.layout) {
    const f = run.result.errors;
    throw new UserError(f.map((e) => `${e.file ? `${e.file}:${e.line ?? '?'}:${e.col ?? '?'}: ` : ''}${e.field ? `${e.field}: ` : ''}${e.message}`).join('\n') || 'the plan could not be computed');
  }
  const state = run.state as ProbedState;
  const redo = await interruptedMkfs(runner, run.loaded.plan, state);
  if (redo.length) {
    // After the last LV/filesystem action and before users, directories, fstab and mounts: fstab's
    // check (findmnt --verify) and the mounts need the finished filesystem.
    const actions = run.result.actions;
    let at = 0;
    actions.forEach((a, i) => {
      if (/^(pv|vg|pool|lv|fs):/.test(a.id)) at = i + 1;
    });
    actions.splice(at, 0, ...redo);
    run.result.summary.create += redo.length;
  }
  // A grow cut between lvextend's commit and the filesystem grow: grow what is short, after the
  // mounts (online) and before the tuning actions.
  const fill = fillActions(await findShortFilesystems(runner, run.loaded.plan, state));
  if (fill.actions.length) {
    const actions = run.result.actions;
    const at = actions.findIndex((a) => a.id.startsWith('tune:'));
    actions.splice(at < 0 ? actions.length : at, 0, ...fill.actions);
    run.result.summary.change += fill.actions.length;
  }
  run.result.warnings.push(...fill.warnings);
  return { result: run.result, plan: run.loaded.plan, state, layout: run.layout, planSha256: run.planSha256 };
}

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
    const r = await runner.run(['xfs_db', '-r', '-c', 'sb 0', '-c', 'print inprogress', dev], { mutating: false, env: { LC_ALL: 'C' }, timeoutMs: 30_000 });
    if (!ok(r) || !/inprogress\s*=\s*1\b/.test(r.stdout)) continue;
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
