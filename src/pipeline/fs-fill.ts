/**
 * A filesystem smaller than its LV: what a grow interrupted between its two halves leaves behind.
 * `lvextend -r` commits the LV's new size to the VG metadata first and only then runs fsadm
 * (resize2fs / xfs_growfs); a power cut in between (test/vm/apply-powercut.vm.test.ts) leaves an LV
 * at the plan's size with the old filesystem on it. The diff sees the LV at its size and plans
 * nothing, so apply reads each existing filesystem's own size (superblock) and grows the short ones;
 * verify reports a short filesystem as drift.
 *
 * One read per formatted volume (`tune2fs -l`, `xfs_info`: both read-only, mounted or not), the same
 * calls verify makes; only on the apply path, like the interrupted-mkfs check.
 */
import type { Runner } from '../core/runner.js';
import type { Action, Finding } from '../model/actions.js';
import type { Plan, Volume } from '../model/plan-schema.js';
import type { LvInfo } from '../model/host-state.js';
import type { ProbedState } from '../probe/types.js';
import { fsOf } from '../diff/diff.js';
import { FS_FILL_SLACK_BYTES, isShort } from '../verify/fs-info.js';
import { ext4Bytes, readExt4, readXfs, xfsBytes } from '../host/fs-info.js';

export { FS_FILL_SLACK_BYTES, isShort };

/** The filesystem's own size in bytes from its superblock (host/fs-info.ts), or undefined when the tool cannot say. */
export async function filesystemBytes(runner: Runner, type: 'ext4' | 'xfs', dev: string): Promise<number | undefined> {
  if (type === 'ext4') {
    const r = await readExt4(runner, dev);
    return r.ok ? ext4Bytes(r.value) : undefined;
  }
  const r = await readXfs(runner, dev);
  return r.ok ? xfsBytes(r.value) : undefined;
}

export interface ShortFilesystem {
  volume: Volume;
  lv: LvInfo;
  lvBytes: number;
  fsBytes: number;
}

/** Planned ext4/XFS volumes whose LV exists with the plan's filesystem on it, but the filesystem is short. */
export async function findShortFilesystems(runner: Runner, plan: Plan, state: ProbedState): Promise<ShortFilesystem[]> {
  const out: ShortFilesystem[] = [];
  for (const v of plan.volumes) {
    const type = v.filesystem.type;
    if (type !== 'ext4' && type !== 'xfs') continue;
    const lv = state.lvs.find((l) => l.vgName === v.vg && l.name === v.name);
    if (!lv || fsOf(state, v.vg, v.name, lv)?.type !== type) continue;
    const fsBytes = await filesystemBytes(runner, type, `/dev/${v.vg}/${v.name}`);
    if (fsBytes !== undefined && isShort(lv.sizeBytes, fsBytes)) out.push({ volume: v, lv, lvBytes: lv.sizeBytes, fsBytes });
  }
  return out;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

/**
 * One action per short filesystem, to run after the mounts (both tools grow a mounted filesystem
 * online; an unmounted ext4 needs a forced check before resize2fs). An XFS that the plan does not
 * mount cannot be grown without mounting it: a warning says what to do instead.
 */
export function fillActions(short: ShortFilesystem[]): { actions: Action[]; warnings: Finding[] } {
  const actions: Action[] = [];
  const warnings: Finding[] = [];
  for (const s of short) {
    const v = s.volume;
    const dev = `/dev/${v.vg}/${v.name}`;
    const why = `the filesystem on ${dev} is ${mib(s.fsBytes)}, ${mib(s.lvBytes - s.fsBytes)} short of its LV (${mib(s.lvBytes)}): an earlier grow stopped after lvextend`;
    const mountPath = v.mount?.path;
    let steps: Action['steps'];
    if (v.filesystem.type === 'ext4') {
      steps = mountPath
        ? [{ type: 'exec', argv: ['resize2fs', dev], mutating: true}]
        : [
            { type: 'exec', argv: ['e2fsck', '-f', '-p', dev], mutating: true },
            { type: 'exec', argv: ['resize2fs', dev], mutating: true},
          ];
    } else if (mountPath) {
      steps = [{ type: 'exec', argv: ['xfs_growfs', mountPath], mutating: true}];
    } else {
      warnings.push({ rule: 'JTS-FS-SHORT', severity: 'warning', message: `${why}; XFS grows only while mounted: mount it and run xfs_growfs on the mount point` });
      continue;
    }
    actions.push({
      id: `fs:${v.vg}/${v.name}:fill`,
      kind: 'change',
      resource: `fs ${v.vg}/${v.name}`,
      summary: `${why}; grow it to fill the LV${mountPath ? ' (online)' : ''}`,
      steps,
      // Runs after the mounts (apply inserts it after the storage and mount actions).
      dependsOn: [],
    });
  }
  return { actions, warnings };
}
