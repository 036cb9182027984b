import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPlanText, type LoadedPlan } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout, type Layout } from '../../src/model/capacity.js';
import type { HostState, LvInfo } from '../../src/model/host-state.js';
import { desiredFstabEntries, mergeManagedBlock } from '../../src/render/fstab-format.js';
import { dmName } from '../../src/probe/lvm.js';
import type { ProbedState } from '../../src/probe/types.js';

export function repoFile(rel: string): string {
  return fileURLToPath(new URL(`../../../${rel}`, import.meta.url));
}
export function readRepo(rel: string): string {
  return readFileSync(repoFile(rel), 'utf8');
}
export function loadPlan(rel = 'plans/jts.yaml', edit?: (text: string) => string): LoadedPlan {
  const t = readRepo(rel);
  return loadPlanText(edit ? edit(t) : t, rel);
}
export function described(rel = 'examples/drives/4tb-nvme.yaml'): HostState {
  return parseDrivesFile(readRepo(rel), rel);
}
export function layoutOf(loaded: LoadedPlan, state: HostState): Layout {
  return resolveLayout(loaded.plan, state, loaded);
}

/** What the kernel shows for a mount made from these fstab options (ext4 / xfs, as on Debian 12's 6.1). */
export function kernelOptions(fstype: string, opts: string[]): string[] {
  const kept = opts.filter((o) => o !== 'defaults' && o !== 'nofail' && !o.startsWith('x-'));
  const atime = kept.includes('noatime') ? 'noatime' : 'relatime';
  const rest = kept.filter((o) => !['noatime', 'relatime'].includes(o));
  if (fstype === 'xfs') return ['rw', ...rest.filter((o) => ['nodev', 'nosuid', 'noexec'].includes(o)), atime, 'attr2', 'inode64', ...rest.filter((o) => !['nodev', 'nosuid', 'noexec'].includes(o)), 'noquota'];
  return ['rw', ...rest.filter((o) => ['nosuid', 'nodev', 'noexec'].includes(o)), atime, ...rest.filter((o) => !['nodev', 'nosuid', 'noexec'].includes(o))];
}

const UIDS: Record<string, number> = { root: 0, postgres: 101, clickhouse: 102, kafka: 103, mongodb: 104, redis: 105 };
const GIDS: Record<string, number> = { root: 0, backup: 34, postgres: 101, clickhouse: 102, kafka: 103, mongodb: 104, redis: 105 };

/**
 * The state a probe reads on a host where `loaded` has been applied to the described drive exactly:
 * PV/VG/LVs at the layout's extents, filesystems, mounts with the kernel's own option spelling,
 * the managed fstab block, users, groups and the mount roots' owner and mode.
 */
export function appliedState(loaded: LoadedPlan, base: HostState, layout: Layout): ProbedState {
  const plan = loaded.plan;
  const s: ProbedState = structuredClone(base) as ProbedState;
  s.source = 'probe';
  for (const vg of layout.vgs) {
    const drivePaths = vg.pvs.map((p) => p.path);
    for (const p of vg.pvs) s.pvs.push({ name: p.path, vgName: vg.name, sizeBytes: p.sizeBytes, peStartBytes: p.peStartBytes });
    for (const d of s.drives) if (drivePaths.includes(d.path)) d.signatures = ['LVM2_member'];
    // Thick volumes, thin pools (data + metadata) and the pool metadata spare: what LVM allocates.
    const used = vg.volumes.filter((v) => !v.thinPool).reduce((a, v) => a + v.extents, 0) + vg.thinPools.reduce((a, p) => a + p.extents + p.metadataExtents, 0) + (vg.pmspareExtents ?? 0);
    s.vgs.push({
      name: vg.name,
      extentSizeBytes: vg.extentSizeBytes,
      extentCount: vg.totalExtents,
      freeExtentCount: vg.totalExtents - used,
      sizeBytes: vg.totalExtents * vg.extentSizeBytes,
      freeBytes: (vg.totalExtents - used) * vg.extentSizeBytes,
      pvNames: drivePaths,
    });
    for (const p of vg.thinPools) {
      const tp = plan.volumeGroups.find((x) => x.name === vg.name)!.thinPools.find((x) => x.name === p.name)!;
      // As `lvm fullreport` shows a pool (the probe's report leaves out the hidden _tmeta/_tdata/pmspare).
      s.lvs.push({ vgName: vg.name, name: p.name, sizeBytes: p.extents * vg.extentSizeBytes, attr: 'twi-aotz--', path: '', dataPercent: 0.5, metadataPercent: 1.2, active: true, ...(tp.autoextend ? { profile: `jts-${vg.name}-${p.name}` } : {}) });
    }
    for (const v of vg.volumes) {
      const pv = plan.volumes.find((x) => x.name === v.name && x.vg === vg.name)!;
      const lv: LvInfo = {
        vgName: vg.name,
        name: v.name,
        sizeBytes: v.thinPool ? (v.virtualSizeBytes ?? v.sizeBytes) : v.extents * vg.extentSizeBytes,
        attr: v.thinPool ? 'Vwi-aotz--' : '-wi-ao----',
        ...(v.thinPool ? { poolLv: v.thinPool } : {}),
        readAheadSectors: pv.readAhead,
        path: `/dev/${vg.name}/${v.name}`,
        dmPath: `/dev/mapper/${dmName(vg.name, v.name)}`,
        active: true,
      };
      s.lvs.push(lv);
      if (pv.filesystem.type !== 'none') s.filesystems.push({ device: lv.dmPath!, type: pv.filesystem.type, label: pv.filesystem.label, uuid: `uuid-${v.name}` });
      if (pv.mount) s.mounts.push({ target: pv.mount.path, source: lv.dmPath!, fstype: pv.filesystem.type, options: [...kernelOptions(pv.filesystem.type, pv.mount.options), 'seclabel'] });
    }
  }
  s.fstab = mergeManagedBlock('# /etc/fstab\nUUID=abc / ext4 errors=remount-ro 0 1\n', desiredFstabEntries(plan, new Map()));
  s.passwd = Object.entries(UIDS).map(([name, id]) => ({ name, id, gid: GIDS[name] }));
  s.groupEntries = Object.entries(GIDS).map(([name, id]) => ({ name, id }));
  s.users = s.passwd.map((u) => u.name);
  s.groups = s.groupEntries.map((g) => g.name);
  s.paths = {};
  for (const v of plan.volumes) if (v.mount) s.paths[v.mount.path] = { uid: UIDS[v.mount.owner]!, gid: GIDS[v.mount.group]!, mode: parseInt(v.mount.mode, 8), isDirectory: true };
  return s;
}
