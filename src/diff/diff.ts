/**
 * Desired (plan + exact layout) vs what is there (probed or described) → ordered actions made of the
 * exact commands apply will run. Pure: no Runner, no clock.
 *
 * Order (each action lists the ids it depends on):
 *   pv → vg → thin pool → lv → mkfs → groups → users → mkdir → fstab → mount → chown/chmod
 * Owner, group and mode belong to the mounted filesystem's root, so they come after the mount.
 *
 * What the diff never does: destroy an LV the plan does not name (a warning says it is there), touch
 * a snapshot, shrink anything (an error finding, never an action), or reformat silently: a filesystem
 * change on an LV that has one is a `replace` action marked destructive, which apply refuses unless
 * explicitly allowed. An applied host plans to zero actions (see mount-options.ts for the mount part).
 */
import type { LoadedPlan } from '../model/load-plan.js';
import type { DriveInfo, HostState, LvInfo } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Action, Finding, Step } from '../model/actions.js';
import type { Plan, Volume } from '../model/plan-schema.js';
import { desiredFstabEntries, fstabConflicts, findManagedBlocks, mergeManagedBlock } from '../render/fstab-format.js';
import { isInternal, isSnapshot, isThinPool, dmName } from '../probe/lvm.js';
import { mountDevice } from '../probe/findmnt.js';
import type { ProbedFs, ProbedState } from '../probe/types.js';
import { compareMountOptions } from '../facts/mount-options.js';
import { effectiveReadAhead } from '../model/workload-defaults.js';

export const FSTAB_PATH = '/etc/fstab';
export const FSTAB_VERIFY_ARGV = ['findmnt', '--verify', '--tab-file', '{file}'];

export interface DiffResult {
  actions: Action[];
  /** Facts the diff found: shrink refused, unmanaged LVs, a path mounted from elsewhere… */
  findings: Finding[];
}

export function diffPlan(loaded: LoadedPlan, state: HostState, layout: Layout): Action[] {
  return diffPlanDetailed(loaded, state, layout).actions;
}

/** Order of phases; actions are emitted phase by phase, in plan order within a phase. */
const PHASES = ['pv', 'vg', 'pool', 'lv', 'fs', 'group', 'user', 'dir', 'fstab', 'mount', 'perm'] as const;
type Phase = (typeof PHASES)[number];

const GiB = 1024 ** 3;
function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(2).replace(/\.00$/, '')} GiB`;
}

/** Size argument for LVM in its own base-2 units, exact: 4194304 → "4m", 5000 → "5000b". */
export function lvmSizeArg(bytes: number): string {
  for (const [u, m] of [
    ['t', 1024 ** 4],
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (bytes % m === 0) return `${bytes / m}${u}`;
  }
  return `${bytes}b`;
}

function exec(argv: string[], extra: Partial<Extract<Step, { type: 'exec' }>> = {}): Step {
  return { type: 'exec', argv, mutating: true, ...extra };
}

/** The path commands use for a drive: the plan's by-id, else the first by-id link, else the kernel name. */
export function stableDrivePath(planDrive: Plan['drives'][number] | undefined, info: DriveInfo): string {
  if (planDrive?.byId && (info.byIds.length === 0 || info.byIds.includes(planDrive.byId))) return planDrive.byId;
  return info.byIds[0] ?? info.path;
}

/** Every name a host may use for an LV's block device. */
function lvAliases(vg: string, lv: string, info?: LvInfo): string[] {
  const a = [`/dev/${vg}/${lv}`, `/dev/mapper/${dmName(vg, lv)}`];
  if (info?.path) a.push(info.path);
  if (info?.dmPath) a.push(info.dmPath);
  return [...new Set(a)];
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

function modeBits(mode: string): number {
  return parseInt(mode, 8) & 0o7777;
}

export function diffPlanDetailed(loaded: LoadedPlan, state: HostState, layout: Layout): DiffResult {
  const plan = loaded.plan;
  const st = state as ProbedState;
  const findings: Finding[] = [];
  const byPhase = new Map<Phase, Action[]>(PHASES.map((p) => [p, []]));
  const ids = new Set<string>();
  const add = (phase: Phase, a: Action) => {
    if (ids.has(a.id)) return;
    ids.add(a.id);
    byPhase.get(phase)!.push(a);
  };
  const find = (rule: string, severity: Finding['severity'], message: string, path: (string | number)[], source?: string) => {
    const loc = loaded.locate(path);
    findings.push({ rule, severity, message, source, file: loaded.file, line: loc?.line, col: loc?.col, field: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') });
  };

  /** Extents this plan draws from each existing VG's free space (new LVs, pools, growth). */
  const drawn = new Map<string, number>();
  const draw = (vg: string, n: number) => drawn.set(vg, (drawn.get(vg) ?? 0) + n);

  // ---------------------------------------------------------------- PVs and VGs
  /** vg name → id of the action after which the VG exists with all its PVs (or undefined: already). */
  const vgReady = new Map<string, string[]>();
  plan.volumeGroups.forEach((vg, vgIndex) => {
    const vgl = layout.vgs.find((l) => l.name === vg.name);
    const existing = state.vgs.find((x) => x.name === vg.name);
    const pvPaths: string[] = [];
    const pvDeps: string[] = [];
    const newPvPaths: string[] = [];
    let unmatched = false;
    vg.drives.forEach((driveId, di) => {
      const info = layout.drives.get(driveId);
      const planDrive = plan.drives.find((d) => d.id === driveId);
      if (!info) {
        unmatched = true;
        return;
      }
      const path = stableDrivePath(planDrive, info);
      const pv = state.pvs.find((p) => p.name === info.path || info.byIds.includes(p.name) || p.name === path);
      if (pv && pv.vgName === vg.name) return; // already ours
      pvPaths.push(path);
      // A root drive is refused by resolveLayout (JTS-DRIVE-ROOT); the action still shows what would run.
      if (pv && pv.vgName === '') {
        // An orphan PV (pvcreate done, vgcreate not yet): continue from there.
        newPvPaths.push(path);
        return;
      }
      const contents: string[] = [];
      for (const p of info.partitions) contents.push(`partition ${p}`);
      for (const s of info.signatures) if (!(s === 'LVM2_member' && pv)) contents.push(`signature ${s}`);
      if (pv && pv.vgName) contents.push(`PV of volume group ${pv.vgName}`);
      const id = `pv:${driveId}:create`;
      const steps: Step[] = [exec(['pvcreate', '--dataalignment', lvmSizeArg(vgl?.dataAlignmentBytes ?? 4 * 1024 ** 2), path])];
      const a: Action = {
        id,
        kind: contents.length ? 'replace' : 'create',
        resource: `pv ${driveId}`,
        summary: `physical volume on ${path} (${info.path}, ${gib(info.sizeBytes)})`,
        steps,
        dependsOn: [],
      };
      if (contents.length) {
        a.destructive = { forcedBy: `drive ${driveId} is not blank`, loses: contents.join('; ') };
        find(
          'DIFF-DRIVE-NOT-BLANK',
          'warning',
          `drive ${driveId} (${info.path}) is not blank: ${contents.join('; ')}. Apply refuses to touch it unless run with --allow-destroy ${driveId}`,
          ['volumeGroups', vgIndex, 'drives', di],
        );
      }
      add('pv', a);
      pvDeps.push(id);
      newPvPaths.push(path);
    });
    if (unmatched) {
      // resolveLayout reported the drive (JTS-DRIVE-NOT-FOUND); without it the VG's commands are unknown.
      vgReady.set(vg.name, []);
      return;
    }
    if (!existing) {
      const id = `vg:${vg.name}:create`;
      add('vg', {
        id,
        kind: 'create',
        resource: `vg ${vg.name}`,
        summary: `volume group ${vg.name} on ${newPvPaths.length} drive(s), extent size ${lvmSizeArg(vgl?.extentSizeBytes ?? 4 * 1024 ** 2)}${vgl ? `, ${vgl.totalExtents} extents` : ''}`,
        steps: [exec(['vgcreate', '-s', lvmSizeArg(vgl?.extentSizeBytes ?? 4 * 1024 ** 2), vg.name, ...newPvPaths])],
        dependsOn: pvDeps,
      });
      vgReady.set(vg.name, [id]);
      return;
    }
    // A different extent size on an existing VG is resolveLayout's finding (JTS-VG-EXTENT); it computes with the VG's own.
    const extra = existing.pvNames.filter((p) => !vg.drives.some((d) => {
      const info = layout.drives.get(d);
      return info && (info.path === p || info.byIds.includes(p));
    }));
    if (extra.length) {
      find('DIFF-VG-EXTRA-PV', 'warning', `volume group ${vg.name} also has PV(s) the plan does not name: ${extra.join(', ')}. They stay (jts-storage never reduces a VG)`, ['volumeGroups', vgIndex, 'drives']);
    }
    if (newPvPaths.length) {
      const id = `vg:${vg.name}:extend`;
      add('vg', {
        id,
        kind: 'change',
        resource: `vg ${vg.name}`,
        summary: `add ${newPvPaths.join(', ')} to volume group ${vg.name}`,
        steps: [exec(['vgextend', vg.name, ...newPvPaths])],
        dependsOn: pvDeps,
      });
      vgReady.set(vg.name, [id]);
    } else vgReady.set(vg.name, []);
  });

  // ---------------------------------------------------------------- thin pools
  const poolReady = new Map<string, string[]>(); // "vg/pool" → deps
  for (const vg of plan.volumeGroups) {
    const vgl = layout.vgs.find((l) => l.name === vg.name);
    vg.thinPools.forEach((tp) => {
      const key = `${vg.name}/${tp.name}`;
      const pl = vgl?.thinPools.find((p) => p.name === tp.name);
      const have = state.lvs.find((l) => l.vgName === vg.name && l.name === tp.name);
      const deps = vgReady.get(vg.name) ?? [];
      if (!pl || !vgl) {
        poolReady.set(key, deps);
        return;
      }
      if (!have) {
        const id = `pool:${key}:create`;
        const argv = ['lvcreate', '--type', 'thin-pool', '-l', String(pl.extents)];
        if (pl.metadataExtents > 0) argv.push('--poolmetadatasize', lvmSizeArg(pl.metadataExtents * vgl.extentSizeBytes));
        argv.push('-n', tp.name, '--yes', vg.name);
        // LVM also allocates a pool metadata spare (lvol0_pmspare) the size of the metadata, once per VG.
        draw(vg.name, pl.extents + pl.metadataExtents * (state.lvs.some((l) => l.vgName === vg.name && /pmspare/.test(l.name)) ? 1 : 2));
        add('pool', { id, kind: 'create', resource: `pool ${key}`, summary: `thin pool ${key}, ${pl.extents} extents (${gib(pl.extents * vgl.extentSizeBytes)})`, steps: [exec(argv)], dependsOn: deps });
        poolReady.set(key, [id]);
        return;
      }
      const haveExt = Math.round(have.sizeBytes / vgl.extentSizeBytes);
      if (haveExt < pl.extents) {
        const id = `pool:${key}:extend`;
        draw(vg.name, pl.extents - haveExt);
        add('pool', { id, kind: 'change', resource: `pool ${key}`, summary: `grow thin pool ${key} ${haveExt} → ${pl.extents} extents`, steps: [exec(['lvextend', '-l', String(pl.extents), `${vg.name}/${tp.name}`])], dependsOn: deps });
        poolReady.set(key, [id]);
        return;
      }
      poolReady.set(key, []);
    });
  }

  // ---------------------------------------------------------------- LVs, filesystems
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
    // readAhead: auto means the workload's default (model/workload-defaults.ts), which may itself be LVM's auto.
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

  // LVs in the plan's VGs that the plan does not name: never destroyed.
  for (const vg of plan.volumeGroups) {
    const pools = new Set(vg.thinPools.map((p) => p.name));
    for (const lv of state.lvs.filter((l) => l.vgName === vg.name)) {
      if (planned.has(`${lv.vgName}/${lv.name}`) || pools.has(lv.name) || isSnapshot(lv) || isInternal(lv)) continue;
      const vgIndex = plan.volumeGroups.indexOf(vg);
      find('DIFF-UNMANAGED-LV', 'warning', `${lv.vgName}/${lv.name} (${gib(lv.sizeBytes)}) is in volume group ${vg.name} but not in the plan: it is left untouched (jts-storage never removes a volume)`, ['volumeGroups', vgIndex, 'name']);
    }
  }

  // Existing VGs: what the plan draws must fit in what is free NOW (LVs outside the plan, snapshots
  // and thin pools hold extents the layout's arithmetic may not know of).
  plan.volumeGroups.forEach((vg, vgIndex) => {
    const have = state.vgs.find((x) => x.name === vg.name);
    const need = drawn.get(vg.name) ?? 0;
    if (!have || need <= 0) return;
    const vgl = layout.vgs.find((l) => l.name === vg.name);
    // Thin volumes draw from their pool, not from the VG: not counted.
    const others = state.lvs.filter((l) => l.vgName === vg.name && !planned.has(`${l.vgName}/${l.name}`) && l.attr[0] !== 'V' && !isInternal(l));
    const ext = have.extentSizeBytes || 1;
    const othersTxt = others.length ? `; outside the plan: ${others.map((l) => `${l.name} ${Math.round(l.sizeBytes / ext)}`).join(', ')} extents` : '';
    if (need > have.freeExtentCount) {
      find('DIFF-VG-NO-FREE', 'error', `volume group ${vg.name} has ${have.freeExtentCount} free extents (${gib(have.freeExtentCount * ext)}); this plan needs ${need} (${gib(need * ext)}), ${need - have.freeExtentCount} more than free${othersTxt}. Reduce the sizes (or a "rest" volume) or remove what is not needed`, ['volumeGroups', vgIndex, 'name']);
    } else if (vgl && have.freeExtentCount - need < vgl.reserveExtents) {
      find('DIFF-VG-RESERVE-SHORT', 'warning', `after this plan volume group ${vg.name} keeps ${have.freeExtentCount - need} free extents (${gib((have.freeExtentCount - need) * ext)}), less than the snapshot reserve of ${vgl.reserveExtents}${othersTxt}`, ['volumeGroups', vgIndex, 'reserve']);
    }
  });

  // ---------------------------------------------------------------- groups and users
  const knownUsers = st.passwd ? new Map(st.passwd.map((u) => [u.name, u])) : undefined;
  const knownGroups = st.groupEntries ? new Map(st.groupEntries.map((g) => [g.name, g])) : undefined;
  const userNames = state.users ? new Set(state.users) : knownUsers ? new Set(knownUsers.keys()) : undefined;
  const groupNames = state.groups ? new Set(state.groups) : knownGroups ? new Set(knownGroups.keys()) : undefined;
  const groupAction = new Map<string, string>();
  const userAction = new Map<string, string>();
  const wantGroups: { name: string; path: (string | number)[] }[] = [];
  plan.groups.forEach((g, i) => wantGroups.push({ name: g, path: ['groups', i] }));
  plan.users.forEach((u, i) => wantGroups.push({ name: u.group ?? u.name, path: ['users', i, u.group ? 'group' : 'name'] }));
  for (const g of wantGroups) {
    if (g.name === 'root' || groupAction.has(g.name)) continue;
    if (groupNames?.has(g.name)) continue;
    const id = `group:${g.name}:create`;
    const sys = !plan.users.some((u) => (u.group ?? u.name) === g.name && !u.system);
    add('group', { id, kind: 'create', resource: `group ${g.name}`, summary: `${sys ? 'system ' : ''}group ${g.name}`, steps: [exec(['groupadd', ...(sys ? ['--system'] : []), g.name])], dependsOn: [] });
    groupAction.set(g.name, id);
  }
  plan.users.forEach((u) => {
    if (u.name === 'root' || userNames?.has(u.name)) return;
    const group = u.group ?? u.name;
    const home = u.home ?? plan.volumes.find((v) => v.mount?.owner === u.name)?.mount?.path ?? '/nonexistent';
    const id = `user:${u.name}:create`;
    const argv = ['useradd'];
    if (u.system) argv.push('--system');
    argv.push('--no-create-home', '--shell', u.shell, '--home-dir', home, '--gid', group, u.name);
    add('user', { id, kind: 'create', resource: `user ${u.name}`, summary: `${u.system ? 'system ' : ''}user ${u.name} (group ${group}, home ${home}, shell ${u.shell})`, steps: [exec(argv)], dependsOn: groupAction.has(group) ? [groupAction.get(group)!] : [] });
    userAction.set(u.name, id);
  });
  // Owners the plan uses but neither declares nor finds on the host.
  plan.volumes.forEach((v, vi) => {
    if (!v.mount) return;
    if (userNames && v.mount.owner !== 'root' && !userNames.has(v.mount.owner) && !userAction.has(v.mount.owner)) {
      find('DIFF-UNKNOWN-OWNER', 'error', `owner ${v.mount.owner} of ${v.mount.path} is not a user on the host and not in the plan's users`, ['volumes', vi, 'mount', 'owner']);
    }
    if (groupNames && v.mount.group !== 'root' && !groupNames.has(v.mount.group) && !groupAction.has(v.mount.group)) {
      find('DIFF-UNKNOWN-GROUP', 'error', `group ${v.mount.group} of ${v.mount.path} is not a group on the host and not in the plan's users or groups`, ['volumes', vi, 'mount', 'group']);
    }
  });

  // ---------------------------------------------------------------- mount points
  const dirAction = new Map<string, string>();
  const mountTargets: { path: string; vi?: number; ni?: number }[] = [
    ...plan.volumes.flatMap((v, vi) => (v.mount && !['swap', 'none'].includes(v.filesystem.type) ? [{ path: v.mount.path, vi }] : [])),
    ...plan.networkMounts.map((n, ni) => ({ path: n.path, ni })),
  ];
  for (const t of mountTargets) {
    const known = st.paths?.[t.path];
    const mounted = state.mounts.some((m) => m.target === t.path);
    if (mounted || (known && known.isDirectory)) continue;
    if (known && !known.isDirectory) {
      find('DIFF-MOUNT-PATH-NOT-DIR', 'error', `${t.path} exists and is not a directory`, t.vi !== undefined ? ['volumes', t.vi, 'mount', 'path'] : ['networkMounts', t.ni!, 'path']);
      continue;
    }
    const id = `dir:${t.path}:create`;
    add('dir', { id, kind: 'create', resource: `dir ${t.path}`, summary: `mount point ${t.path}`, steps: [{ type: 'mkdir', path: t.path, mode: 0o755 }], dependsOn: [] });
    dirAction.set(t.path, id);
  }

  // ---------------------------------------------------------------- fstab
  let fstabId: string | undefined;
  const oldFstab = state.fstab ?? '';
  const entries = desiredFstabEntries(plan, new Map());
  try {
    const conflicts = fstabConflicts(oldFstab, entries);
    for (const c of conflicts) find('DIFF-FSTAB-CONFLICT', 'error', `${FSTAB_PATH}:${c.line}: "${c.text.trim()}": ${c.reason}. Remove that line (or comment it out) so the managed block is the only one`, ['volumes']);
    const next = mergeManagedBlock(oldFstab, entries);
    if (next !== oldFstab) {
      fstabId = `fstab:${FSTAB_PATH}:write`;
      const hadBlock = findManagedBlocks(oldFstab).length > 0;
      const deps = [...[...fsDone.values()].flatMap((f) => f.deps), ...dirAction.values()];
      add('fstab', {
        id: fstabId,
        kind: hadBlock ? 'change' : 'create',
        resource: `file ${FSTAB_PATH}`,
        summary: `${hadBlock ? 'rewrite' : 'add'} the jts-storage block of ${FSTAB_PATH} (${entries.length} entries; the rest of the file is kept)`,
        steps: [{ type: 'write-file', path: FSTAB_PATH, content: next, mode: 0o644, backup: true, verifyArgv: FSTAB_VERIFY_ARGV }],
        dependsOn: [...new Set(deps)],
      });
    }
  } catch (e) {
    find('DIFF-FSTAB-MARKERS', 'error', `${FSTAB_PATH}: ${(e as Error).message}`, ['volumes']);
  }

  // ---------------------------------------------------------------- mounts and ownership
  const mountDeps = (path: string, extra: string[]) => [...extra, ...(dirAction.has(path) ? [dirAction.get(path)!] : []), ...(fstabId ? [fstabId] : [])];
  plan.volumes.forEach((v, vi) => {
    const key = `${v.vg}/${v.name}`;
    if (skipped.has(key)) return;
    const fsInfo = fsDone.get(key) ?? { deps: lvDone.get(key) ?? [], fresh: false };
    if (v.filesystem.type === 'swap') {
      if (fsInfo.fresh) add('mount', { id: `swap:${key}:on`, kind: 'create', resource: `swap ${key}`, summary: `activate swap on /dev/${key}`, steps: [exec(['swapon', `/dev/${key}`])], dependsOn: mountDeps('', fsInfo.deps) });
      return;
    }
    if (!v.mount || v.filesystem.type === 'none') return;
    const m = v.mount;
    const have = state.lvs.find((l) => l.vgName === v.vg && l.name === v.name);
    const live = state.mounts.find((x) => x.target === m.path);
    let mountId: string | undefined;
    if (live && !lvAliases(v.vg, v.name, have).includes(mountDevice(live.source))) {
      find('DIFF-MOUNT-TAKEN', 'error', `${m.path} is already a mount of ${live.source} (${live.fstype}); unmount it or choose another path`, ['volumes', vi, 'mount', 'path']);
      return;
    }
    if (!live || fsInfo.fresh) {
      mountId = `mount:${m.path}:create`;
      const steps: Step[] = [exec(['mount', m.path])];
      const known = st.paths?.[m.path];
      if (known?.entries && !live) {
        find('DIFF-MOUNT-HIDES-FILES', 'warning', `${m.path} already holds ${known.entries} entr${known.entries === 1 ? 'y' : 'ies'} on the filesystem below: mounting ${key} there hides them (move them first if they matter)`, ['volumes', vi, 'mount', 'path']);
      }
      add('mount', { id: mountId, kind: 'create', resource: `mount ${m.path}`, summary: `mount /dev/${key} at ${m.path} (options from ${FSTAB_PATH})`, steps, dependsOn: mountDeps(m.path, fsInfo.deps) });
    } else {
      const cmp = compareMountOptions(v.filesystem.type, m.options, live.options);
      if (!cmp.same) {
        const what = [...cmp.missing.map((o) => `+${o}`), ...cmp.unwanted.map((o) => `-${o}`), ...(cmp.atime ? [`${cmp.atime.have} → ${cmp.atime.want}`] : [])].join(', ');
        if (cmp.remountOptions) {
          mountId = `mount:${m.path}:remount`;
          add('mount', {
            id: mountId,
            kind: 'change',
            resource: `mount ${m.path}`,
            summary: `mount options of ${m.path} differ (${what}): remount`,
            steps: [exec(['mount', '-o', ['remount', ...cmp.remountOptions].join(','), m.path])],
            dependsOn: fstabId ? [fstabId] : [],
          });
        } else {
          find(
            'DIFF-REMOUNT-INSUFFICIENT',
            'warning',
            `mount options of ${m.path} differ (${what}); ${cmp.notRemountable.join(', ')} cannot change with mount -o remount on ${v.filesystem.type}: stop the service using ${m.path}, then umount ${m.path} && mount ${m.path} (fstab is updated by this plan)`,
            ['volumes', vi, 'mount', 'options'],
            v.filesystem.type === 'xfs' ? 'xfs(5): most XFS options are fixed at mount time; remount changes ro/rw and inode32/64 only' : 'ext4(5): data= and journal options cannot change on remount',
          );
        }
      }
    }
    // Owner / group / mode of the mounted filesystem's root.
    const st0 = st.paths?.[m.path];
    const uid = knownUsers?.get(m.owner)?.id ?? (m.owner === 'root' ? 0 : undefined);
    const gid = knownGroups?.get(m.group)?.id ?? (m.group === 'root' ? 0 : undefined);
    const wantMode = modeBits(m.mode);
    const steps: Step[] = [];
    const whyOwner = !live || fsInfo.fresh || !st0 || uid === undefined || gid === undefined || st0.uid !== uid || st0.gid !== gid;
    const whyMode = !live || fsInfo.fresh || !st0 || (st0.mode & 0o7777) !== wantMode;
    if (whyOwner) steps.push(exec(['chown', `${m.owner}:${m.group}`, m.path]));
    if (whyMode) steps.push(exec(['chmod', m.mode.padStart(4, '0'), m.path]));
    if (steps.length) {
      const deps = [...(mountId ? [mountId] : []), ...(userAction.has(m.owner) ? [userAction.get(m.owner)!] : []), ...(groupAction.has(m.group) ? [groupAction.get(m.group)!] : [])];
      const change = live && !fsInfo.fresh && st0;
      add('perm', {
        id: `perm:${m.path}:set`,
        kind: change ? 'change' : 'create',
        resource: `perm ${m.path}`,
        summary: change
          ? `${m.path}: ${whyOwner ? `owner ${st0.uid}:${st0.gid} → ${m.owner}:${m.group}` : ''}${whyOwner && whyMode ? ', ' : ''}${whyMode ? `mode ${(st0.mode & 0o7777).toString(8).padStart(4, '0')} → ${m.mode.padStart(4, '0')}` : ''}`
          : `${m.path}: owner ${m.owner}:${m.group}, mode ${m.mode.padStart(4, '0')} (root of the mounted filesystem)`,
        steps,
        dependsOn: deps,
      });
    }
  });
  plan.networkMounts.forEach((n, ni) => {
    const live = state.mounts.find((x) => x.target === n.path);
    if (live) {
      if (live.source !== n.source) find('DIFF-MOUNT-TAKEN', 'error', `${n.path} is already a mount of ${live.source} (${live.fstype}); the plan wants ${n.source}`, ['networkMounts', ni, 'path']);
      return;
    }
    add('mount', {
      id: `mount:${n.path}:create`,
      kind: 'create',
      resource: `mount ${n.path}`,
      summary: `mount ${n.type} ${n.source} at ${n.path} (${n.tier} tier)`,
      // A NAS that does not answer must not hang apply: bounded.
      steps: [exec(['mount', n.path], { timeoutMs: 120_000 })],
      dependsOn: mountDeps(n.path, []),
    });
  });

  const actions = PHASES.flatMap((p) => byPhase.get(p)!);
  return { actions, findings };
}

/** The filesystem the state knows on an LV, under any of its device names. */
export function fsOf(state: HostState, vg: string, lv: string, info?: LvInfo): ProbedFs | undefined {
  const names = lvAliases(vg, lv, info);
  return (state.filesystems as ProbedFs[]).find((f) => names.includes(f.device));
}

