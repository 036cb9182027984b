/**
 * The diff for logical volumes (create, grow, read-ahead; shrink refused) and their filesystems
 * (mkfs, reformat marked destructive, label). Pure: no Runner, no clock.
 */
import type { HostState, LvInfo } from '../model/host-state.js';
import type { Step } from '../model/actions.js';
import type { Volume } from '../model/plan-schema.js';
import { isInternal, isSnapshot, isThinPool } from '../probe/lvm.js';
import { mountDevice } from '../probe/findmnt.js';
import type { ProbedFs } from '../probe/types.js';
import { effectiveReadAhead } from '../facts/readahead-defaults.js';
import { type DiffContext, exec, gib, lvAliases, lvmSizeArg } from './context.js';
import type { VolumeGroupsReady } from './volume-groups.js';

/** What later phases need to know of each volume ("vg/lv" keys). */
export interface VolumesDone {
  /** deps after which the LV exists at its size */
  lvDone: Map<string, string[]>;
  /** deps after which the filesystem exists; fresh: made by this plan */
  fsDone: Map<string, { deps: string[]; fresh: boolean }>;
  /** every volume the plan names */
  planned: Set<string>;
  /** volumes without room computed (a capacity error says why): nothing stacked on them */
  skipped: Set<string>;
}

/** mkfs argv exactly from the plan's options (nothing added: rehearse may change them and says so). */
export function mkfsArgv(v: Volume, device: string): string[] | undefined {
  const fs = v.filesystem;
  const t = fs.type;
  if (t === 'ext4' || t === 'ext3' || t === 'ext2') {
    const a = [`mkfs.${t}`];
    if (fs.label) a.push('-L', fs.label);
    if (fs.features.length) a.push('-O', fs.features.join(','));
    if (fs.extended.length) a.push('-E', fs.extended.join(','));
    if (fs.reservedPercent !== undefined) a.push('-m', String(fs.reservedPercent));
    if (fs.inodeRatio !== undefined) a.push('-i', String(fs.inodeRatio));
    a.push(device);
    return a;
  }
  if (t === 'xfs') {
    const a = ['mkfs.xfs'];
    if (fs.label) a.push('-L', fs.label);
    // For XFS the plan's features are metadata options (-m crc=1,reflink=1…).
    if (fs.features.length) a.push('-m', fs.features.join(','));
    if (fs.data.length) a.push('-d', fs.data.join(','));
    if (fs.log.length) a.push('-l', fs.log.join(','));
    a.push(device);
    return a;
  }
  if (t === 'swap') {
    const a = ['mkswap'];
    if (fs.label) a.push('-L', fs.label);
    a.push(device);
    return a;
  }
  if (t === 'none') return undefined;
  // Any other type the plan may name (btrfs…): mkfs.TYPE with the label; its options are lint's business.
  const a = [`mkfs.${t}`];
  if (fs.label) a.push('-L', fs.label);
  a.push(device);
  return a;
}

/** lvcreate / lvextend / lvchange -r per volume, then mkfs, reformat or relabel of its filesystem. */
export function diffVolumes(ctx: DiffContext, { vgReady, poolReady }: VolumeGroupsReady): VolumesDone {
  const { plan, state, layout, add, find, draw } = ctx;
  const lvDone = new Map<string, string[]>(); // "vg/lv" → deps after which the LV exists at its size
  const fsDone = new Map<string, { deps: string[]; fresh: boolean }>();
  const planned = new Set(plan.volumes.map((v) => `${v.vg}/${v.name}`));
  const skipped = new Set<string>();
  plan.volumes.forEach((v, vi) => {
    const key = `${v.vg}/${v.name}`;
    const vgl = layout.vgs.find((l) => l.name === v.vg);
    const vl = vgl?.volumes.find((x) => x.name === v.name);
    const dev = `/dev/${v.vg}/${v.name}`;
    const have = state.lvs.find((l) => l.vgName === v.vg && l.name === v.name);
    const baseDeps = v.thinPool ? (poolReady.get(`${v.vg}/${v.thinPool}`) ?? []) : (vgReady.get(v.vg) ?? []);
    if (!vgl || !vl || (!v.thinPool && vl.extents <= 0)) {
      // No room computed (a capacity error says why): no lvcreate -l 0, and nothing stacked on it.
      skipped.add(key);
      lvDone.set(key, baseDeps);
      return;
    }
    if (have && (isSnapshot(have) || isThinPool(have) || isInternal(have))) {
      find('DIFF-LV-NAME-TAKEN', 'error', `${key} exists on the host as a ${isSnapshot(have) ? 'snapshot' : isThinPool(have) ? 'thin pool' : 'internal LV'} (lv_attr ${have.attr}), not a plain volume: rename the volume in the plan`, ['volumes', vi, 'name']);
      lvDone.set(key, baseDeps);
      return;
    }
    // readAhead: auto means the workload's default (facts/readahead-defaults.ts), which may itself be LVM's auto.
    const ra = String(effectiveReadAhead(v));
    let lvDeps = baseDeps;
    let fresh = false;
    if (!have) {
      fresh = true;
      const id = `lv:${key}:create`;
      if (!v.thinPool) draw(v.vg, vl.extents);
      const argv = vl.thinPool || v.thinPool
        ? ['lvcreate', '--type', 'thin', '-V', lvmSizeArg(vl.virtualSizeBytes ?? vl.sizeBytes), '--thinpool', (vl.thinPool ?? v.thinPool)!, '-n', v.name, '-r', ra, '--wipesignatures', 'y', '--yes', v.vg]
        : ['lvcreate', '-l', String(vl.extents), '-n', v.name, '-r', ra, '--wipesignatures', 'y', '--yes', v.vg];
      add('lv', {
        id,
        kind: 'create',
        resource: `lv ${key}`,
        summary: `logical volume ${key}: ${v.thinPool ? `thin, virtual ${gib(vl.virtualSizeBytes ?? vl.sizeBytes)}` : `${vl.extents} extents = ${gib(vl.sizeBytes)}`}${v.size ? ` (plan: ${v.size})` : ''}, read-ahead ${ra}`,
        steps: [exec(argv)],
        dependsOn: baseDeps,
      });
      lvDeps = [id];
    } else {
      const ext = vgl.extentSizeBytes;
      const wantBytes = v.thinPool ? (vl.virtualSizeBytes ?? vl.sizeBytes) : vl.extents * ext;
      const haveExt = Math.round(have.sizeBytes / ext);
      const wantExt = Math.ceil(wantBytes / ext);
      const hasFs = !!fsOf(state, v.vg, v.name, have)?.type;
      if (haveExt < wantExt) {
        const id = `lv:${key}:extend`;
        if (!v.thinPool) draw(v.vg, wantExt - haveExt);
        const argv = v.thinPool ? ['lvextend', '-L', lvmSizeArg(wantExt * ext)] : ['lvextend', '-l', String(wantExt)];
        // -r grows the filesystem with the LV (fsadm: resize2fs / xfs_growfs, online when mounted).
        if (hasFs) argv.push('-r');
        argv.push(dev);
        add('lv', { id, kind: 'change', resource: `lv ${key}`, summary: `grow ${key} ${gib(have.sizeBytes)} → ${gib(wantExt * ext)}${hasFs ? ' and its filesystem (online)' : ''}`, steps: [exec(argv)], dependsOn: baseDeps });
        lvDeps = [id];
      } else if (haveExt > wantExt) {
        find(
          'DIFF-SHRINK-REFUSED',
          'error',
          `${key} is ${gib(have.sizeBytes)} (${haveExt} extents) on the host; the plan asks ${gib(wantExt * ext)} (${wantExt} extents). Shrinking is refused: XFS cannot shrink, ext4 only unmounted, and data past the new end would be lost. Keep the current size in the plan`,
          ['volumes', vi, 'size'],
          'xfs_growfs(8): "XFS file systems cannot be shrunk"; resize2fs(8): shrinking requires an unmounted filesystem',
        );
      }
      const haveRa = have.readAheadSectors;
      if (haveRa !== undefined && String(haveRa) !== ra) {
        const id = `lv:${key}:readahead`;
        add('lv', { id, kind: 'change', resource: `lv ${key}`, summary: `read-ahead of ${key} ${haveRa} → ${ra} (512-byte sectors)`, steps: [exec(['lvchange', '-r', ra, dev])], dependsOn: lvDeps });
      }
    }
    lvDone.set(key, lvDeps);

    // Filesystem
    const fsType = v.filesystem.type;
    const curFs = fresh ? undefined : fsOf(state, v.vg, v.name, have);
    const argv = mkfsArgv(v, dev);
    if (fsType === 'none') {
      if (curFs?.type) find('DIFF-FS-UNWANTED', 'warning', `${key} holds a ${curFs.type} filesystem but the plan says filesystem.type none: it is left as it is`, ['volumes', vi, 'filesystem', 'type']);
      fsDone.set(key, { deps: lvDeps, fresh: false });
      return;
    }
    if (!curFs?.type) {
      const id = `fs:${key}:create`;
      add('fs', { id, kind: 'create', resource: `fs ${key}`, summary: `${fsType} filesystem on ${dev}${v.filesystem.label ? ` labelled ${v.filesystem.label}` : ''}`, steps: [exec(argv!, { progress: 'mkfs' })], dependsOn: lvDeps });
      fsDone.set(key, { deps: [id], fresh: true });
      return;
    }
    if (curFs.type !== fsType) {
      const id = `fs:${key}:replace`;
      const mounted = state.mounts.find((m) => lvAliases(v.vg, v.name, have).includes(mountDevice(m.source)));
      const used = curFs.usedBytes !== undefined ? `${gib(curFs.usedBytes)} used` : mounted ? 'usage unknown' : `not mounted, usage unknown, LV ${gib(have?.sizeBytes ?? 0)}`;
      const steps: Step[] = [];
      if (mounted) steps.push(exec(['umount', mounted.target]));
      steps.push(exec(['wipefs', '--all', dev]));
      steps.push(exec(argv!, { progress: 'mkfs' }));
      add('fs', {
        id,
        kind: 'replace',
        resource: `fs ${key}`,
        summary: `reformat ${dev} as ${fsType} (now ${curFs.type})`,
        steps,
        destructive: { forcedBy: `filesystem.type ${curFs.type} → ${fsType}`, loses: `all data on ${dev} (${used})` },
        dependsOn: lvDeps,
      });
      fsDone.set(key, { deps: [id], fresh: true });
      return;
    }
    // Same type: only the label can change without mkfs (features need dumpe2fs/xfs_info: rehearse/verify check them).
    const wantLabel = v.filesystem.label;
    if (wantLabel !== undefined && (curFs.label ?? '') !== wantLabel) {
      const id = `fs:${key}:label`;
      const mounted = state.mounts.find((m) => lvAliases(v.vg, v.name, have).includes(mountDevice(m.source)));
      const step =
        fsType === 'xfs'
          ? mounted
            ? exec(['xfs_io', '-c', `label -s ${wantLabel}`, mounted.target])
            : exec(['xfs_admin', '-L', wantLabel, dev])
          : fsType === 'swap'
            ? exec(['swaplabel', '-L', wantLabel, dev])
            : exec(['e2label', dev, wantLabel]);
      add('fs', { id, kind: 'change', resource: `fs ${key}`, summary: `label of ${dev} "${curFs.label ?? ''}" → "${wantLabel}"`, steps: [step], dependsOn: lvDeps });
    }
    fsDone.set(key, { deps: lvDeps, fresh: false });
  });
  return { lvDone, fsDone, planned, skipped };
}

/** The filesystem the state knows on an LV, under any of its device names. */
export function fsOf(state: HostState, vg: string, lv: string, info?: LvInfo): ProbedFs | undefined {
  const names = lvAliases(vg, lv, info);
  return (state.filesystems as ProbedFs[]).find((f) => names.includes(f.device));
}

