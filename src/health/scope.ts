/**
 * Health's inputs and scope: the gathered facts (Got, HostReports, HealthInputs), the thresholds of the
 * plan, and which VGs, volumes and drives a health run looks at (buildScope). Pure; split out of
 * evaluate.ts, which decides the checks.
 */
import type { Plan, Volume, HealthSchema } from '../model/plan-schema.js';
import { DEFAULT_HEALTH } from './defaults.js';
import { disksOf, dmName, driveKind, lvType, type HBlock, type HLv, type HMount, type LvmReport } from './sources.js';
import type { DriveHealth } from './types.js';

/** A gathered fact, or why it could not be gathered (becomes UNKNOWN with that reason). */
export type Got<T> = { ok: true; value: T; note?: string } | { ok: false; reason: string };

export interface StatfsValue {
  totalBytes: number;
  freeBytes: number;
  availBytes: number;
  totalInodes: number;
  freeInodes: number;
}

export interface SmartValue {
  health: DriveHealth;
  source: 'nvme-cli' | 'smartctl';
}

/** Phase 1: the host-wide reports, one call per tool. */
export interface HostReports {
  lvm: Got<LvmReport>;
  mounts: Got<HMount[]>;
  blocks: Got<HBlock[]>;
}

/** Phase 2: per mounted volume and per drive (statfs is a syscall; SMART is one call per drive). */
export interface HealthInputs extends HostReports {
  statfs: Map<string, Got<StatfsValue>>;
  smart: Map<string, Got<SmartValue>>;
}

export type HealthThresholds = ReturnType<typeof HealthSchema.parse>;

export function thresholdsOf(plan: Plan | undefined): HealthThresholds {
  return plan?.health ?? DEFAULT_HEALTH;
}

interface VolumeScope {
  vg: string;
  lv: string;
  planned?: Volume;
  info?: HLv;
  /** The mount of this LV health reads: at the plan's path when it is there, else the first found. */
  mount?: HMount;
  /** What occupies the plan's mount path when it is not this LV. */
  intruder?: HMount;
}

export interface Scope {
  vgNames: string[];
  volumes: VolumeScope[];
  /** Disks under the scope's PVs (or every real disk when LVM could not be read). */
  drives: HBlock[];
}

function mountDev(source: string): string {
  const i = source.indexOf('[');
  return i > 0 ? source.slice(0, i) : source;
}

export function mountIsLv(m: HMount, lv: HLv): boolean {
  if (lv.majMin && m.majMin) return lv.majMin === m.majMin;
  const dev = mountDev(m.source);
  return dev === `/dev/mapper/${dmName(lv.vg, lv.name)}` || dev === `/dev/${lv.vg}/${lv.name}`;
}

/** The VG names in scope: the plan's, or every VG LVM reports. */
export function scopeVgNames(plan: Plan | undefined, lvm: LvmReport | undefined): string[] {
  return plan ? plan.volumeGroups.map((v) => v.name) : (lvm?.vgs.map((v) => v.name) ?? []);
}

/** Device paths of the PVs of those VGs (a missing PV, "[unknown]", has none). */
export function scopePvs(vgNames: string[], lvm: LvmReport): string[] {
  const vgSet = new Set(vgNames);
  return [...new Set(lvm.pvs.filter((p) => vgSet.has(p.vg) && p.name.startsWith('/dev/')).map((p) => p.name))];
}

/** Which VGs, volumes and drives this run looks at. Shared by collect (what to statfs/query) and evaluate. */
export function buildScope(plan: Plan | undefined, r: HostReports): Scope {
  const lvm = r.lvm.ok ? r.lvm.value : undefined;
  const mounts = r.mounts.ok ? r.mounts.value : [];
  const vgNames = scopeVgNames(plan, lvm);
  const vgSet = new Set(vgNames);
  const volumes: VolumeScope[] = [];
  // Indexes, so a host with hundreds of volumes and mounts costs one pass over each list.
  const lvByKey = new Map<string, HLv>();
  for (const l of lvm?.lvs ?? []) if (!lvByKey.has(`${l.vg}/${l.name}`)) lvByKey.set(`${l.vg}/${l.name}`, l);
  // The last mount of a target is the one on top (the one a process sees).
  const topAt = new Map<string, HMount>();
  const byMajMin = new Map<string, number[]>();
  const byDev = new Map<string, number[]>();
  mounts.forEach((m, i) => {
    topAt.set(m.target, m);
    const push = (map: Map<string, number[]>, k: string) => (map.get(k) ?? map.set(k, []).get(k)!).push(i);
    if (m.majMin) push(byMajMin, m.majMin);
    push(byDev, mountDev(m.source));
  });
  /** The mounts of an LV, in mount-table order: mountIsLv over the table, through the indexes. */
  const mountsOf = (lv: HLv): HMount[] => {
    const idx = new Set<number>(lv.majMin ? (byMajMin.get(lv.majMin) ?? []) : []);
    for (const dev of [`/dev/mapper/${dmName(lv.vg, lv.name)}`, `/dev/${lv.vg}/${lv.name}`])
      for (const i of byDev.get(dev) ?? []) if (!lv.majMin || !mounts[i]!.majMin) idx.add(i);
    return [...idx].sort((a, b) => a - b).map((i) => mounts[i]!);
  };
  const attach = (s: VolumeScope) => {
    const want = s.planned?.mount?.path;
    const atPath = want ? topAt.get(want) : undefined;
    if (!s.info) {
      // LVM unreadable: the filesystem at the plan's path is still worth measuring.
      if (!lvm && atPath) s.mount = atPath;
      return s;
    }
    s.mount = atPath && mountIsLv(atPath, s.info) ? atPath : mountsOf(s.info)[0];
    if (atPath && !mountIsLv(atPath, s.info)) s.intruder = atPath;
    return s;
  };
  if (plan) {
    for (const v of plan.volumes) volumes.push(attach({ vg: v.vg, lv: v.name, planned: v, info: lvByKey.get(`${v.vg}/${v.name}`) }));
  } else if (lvm) {
    for (const l of lvm.lvs) if (vgSet.has(l.vg) && lvType(l) === 'volume') volumes.push(attach({ vg: l.vg, lv: l.name, info: l }));
  }
  let drives: HBlock[] = [];
  if (r.blocks.ok) {
    const blocks = r.blocks.value;
    if (lvm) {
      const seen = new Set<string>();
      for (const pv of scopePvs(vgNames, lvm)) {
        for (const d of disksOf(blocks, pv)) {
          if (seen.has(d.name)) continue;
          seen.add(d.name);
          drives.push(d);
        }
      }
    } else {
      drives = blocks.filter((b) => b.type === 'disk' && ['nvme', 'sata-ssd', 'hdd'].includes(driveKind(b)));
    }
  }
  return { vgNames, volumes, drives };
}

/** Which drives get a SMART query, and with which tool first. Virtio disks have no SMART. */
export function smartTool(b: HBlock): 'nvme' | 'smartctl' | undefined {
  const k = driveKind(b);
  if (k === 'nvme') return 'nvme';
  if (k === 'virtio') return undefined;
  return 'smartctl';
}
