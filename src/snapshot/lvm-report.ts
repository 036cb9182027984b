/**
 * What the snapshot commands need to know about LVs and VGs, read by host/lvm.ts from `lvs`/`vgs
 * --reportformat json` (exact bytes with `--units b --nosuffix`, binary fields as 0/1 with `--binary`,
 * LC_ALL=C). One call each.
 */
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { lvsArgv, parseLvmJson, parseLvTime, readLvmReport, vgsArgv, SNAPSHOT_LV_FIELDS, SNAPSHOT_VG_FIELDS, type LvmLv, type LvmVg } from '../host/lvm.js';
import { TAG_KEEP, TAG_SCHED, TAG_SNAP, TAG_DRILL, parseSnapshotName, setFromTags } from './names.js';

export { lvsArgv, vgsArgv, parseLvTime };
export const LV_FIELDS = SNAPSHOT_LV_FIELDS;
export const VG_FIELDS = SNAPSHOT_VG_FIELDS;

export interface LvRow {
  vg: string;
  name: string;
  /** Hidden LV (lvs -a shows it as "[name]"): pool internals, a snapshot being merged. */
  hidden: boolean;
  attr: string;
  sizeBytes: number;
  origin?: string;
  originSizeBytes?: number;
  pool?: string;
  dataPercent?: number;
  metadataPercent?: number;
  snapPercent?: number;
  /** lv_time: creation time as LVM recorded it. */
  time?: Date;
  tags: string[];
  uuid: string;
  path: string;
  active: boolean;
  snapInvalid: boolean;
  merging: boolean;
  skipActivation: boolean;
  deviceOpen: boolean;
  extentSizeBytes: number;
  /** "254:3" when active (matches findmnt's MAJ:MIN), else undefined. */
  majMin?: string;
  /** Numeric fields LVM printed that are not C-locale numbers (`snap_percent="31,48"`): those figures are unknown. */
  unreadable?: string[];
}

export interface VgRow {
  name: string;
  sizeBytes: number;
  freeBytes: number;
  extentSizeBytes: number;
  extentCount: number;
  freeExtents: number;
  /** lv_count and max_lv (vgcreate -l; 0 or absent = unlimited): every snapshot is one more LV. */
  lvCount?: number;
  maxLv?: number;
}

/** host/lvm.ts's row in the snapshot commands' shape. */
export function lvRow(l: LvmLv): LvRow {
  return {
    vg: l.vg,
    name: l.name,
    hidden: l.hidden,
    attr: l.attr,
    sizeBytes: l.sizeBytes ?? 0,
    origin: l.origin,
    originSizeBytes: l.originSizeBytes,
    pool: l.pool,
    dataPercent: l.dataPercent,
    metadataPercent: l.metadataPercent,
    snapPercent: l.snapPercent,
    time: l.time,
    tags: l.tags,
    uuid: l.uuid ?? '',
    path: l.path ?? `/dev/${l.vg}/${l.name}`,
    active: l.active ?? false,
    snapInvalid: l.snapshotInvalid ?? false,
    merging: l.merging ?? false,
    skipActivation: l.skipActivation ?? false,
    deviceOpen: l.deviceOpen ?? false,
    extentSizeBytes: l.extentSizeBytes ?? 0,
    majMin: l.majMin,
    ...(l.unreadable.length ? { unreadable: l.unreadable } : {}),
  };
}

function vgRow(v: LvmVg): VgRow {
  return {
    name: v.name,
    sizeBytes: v.sizeBytes ?? 0,
    freeBytes: v.freeBytes ?? 0,
    extentSizeBytes: v.extentSizeBytes ?? 0,
    extentCount: v.extentCount ?? 0,
    freeExtents: v.freeExtentCount ?? 0,
    ...(v.maxLv ? { maxLv: v.maxLv, lvCount: v.lvCount ?? 0 } : {}),
  };
}

export function parseLvsJson(text: string): LvRow[] {
  return parseLvmJson(text, 'lvs').lvs.map(lvRow);
}

export function parseVgsJson(text: string): VgRow[] {
  return parseLvmJson(text, 'vgs').vgs.map(vgRow);
}

export type SnapshotKind = 'classic' | 'thin';

export interface SnapshotInfo {
  vg: string;
  name: string;
  /** VG/LV */
  id: string;
  origin: string;
  kind: SnapshotKind;
  /** Made by jts-storage (tag jts-snap). Others are listed but never pruned. */
  managed: boolean;
  set?: string;
  time?: Date;
  sizeBytes: number;
  originSizeBytes?: number;
  /** Classic: COW fill %. Thin: the pool's data fill % (what running out would hit). */
  fillPercent?: number;
  /** Set when fillPercent is unknown: why (not reported, or LVM printed it in a non-C locale). */
  fillUnknown?: string;
  pool?: string;
  /** False for an invalidated classic snapshot: its data is LOST. */
  valid: boolean;
  merging: boolean;
  active: boolean;
  scheduled: boolean;
  pinned: boolean;
  drill: boolean;
  attr: string;
  tags: string[];
  path: string;
}

/**
 * Snapshots among the LV rows. lv_attr[0]: s = classic snapshot, S = merging classic snapshot,
 * V = thin volume (a thin snapshot is a thin volume with an origin); lv_attr[4] (state): I = invalid
 * snapshot, S = invalid suspended snapshot, m/M = snapshot merge failed.
 */
export function snapshotsFrom(lvs: LvRow[]): SnapshotInfo[] {
  const byId = new Map(lvs.map((l) => [`${l.vg}/${l.name}`, l]));
  const out: SnapshotInfo[] = [];
  for (const l of lvs) {
    const t0 = l.attr[0];
    const classic = t0 === 's' || t0 === 'S';
    const thin = t0 === 'V' && !!l.origin;
    if (!classic && !thin) continue;
    const state = l.attr[4];
    const valid = classic ? !l.snapInvalid && state !== 'I' && state !== 'S' : true;
    const parsed = parseSnapshotName(l.name);
    const pool = l.pool ? byId.get(`${l.vg}/${l.pool}`) : undefined;
    const fillPercent = classic ? (valid ? (l.snapPercent ?? l.dataPercent) : 100) : pool?.dataPercent;
    const src = classic ? l : pool;
    const fillUnknown =
      fillPercent !== undefined ? undefined : src?.unreadable?.length ? `LVM printed ${src.unreadable.join(', ')}, not a C-locale number` : classic ? 'LVM reports no fill (inactive?)' : 'the thin pool reports no data fill';
    out.push({
      vg: l.vg,
      name: l.name,
      id: `${l.vg}/${l.name}`,
      origin: l.origin ?? parsed?.origin ?? '?',
      kind: classic ? 'classic' : 'thin',
      managed: l.tags.includes(TAG_SNAP),
      set: setFromTags(l.tags) ?? parsed?.set,
      time: parsed?.time ?? l.time,
      sizeBytes: l.sizeBytes,
      originSizeBytes: l.originSizeBytes,
      fillPercent,
      ...(fillUnknown ? { fillUnknown } : {}),
      pool: l.pool,
      valid,
      merging: t0 === 'S' || l.merging,
      active: l.active,
      scheduled: l.tags.includes(TAG_SCHED),
      pinned: l.tags.includes(TAG_KEEP),
      drill: l.tags.includes(TAG_DRILL),
      attr: l.attr,
      tags: l.tags,
      path: l.path,
    });
  }
  return out.sort((a, b) => a.vg.localeCompare(b.vg) || a.origin.localeCompare(b.origin) || (a.time?.getTime() ?? 0) - (b.time?.getTime() ?? 0));
}

export interface LvmState {
  lvs: LvRow[];
  vgs: VgRow[];
  snapshots: SnapshotInfo[];
}

export async function readLvm(runner: Runner): Promise<LvmState> {
  let l, v;
  try {
    l = await readLvmReport(runner, lvsArgv());
    v = await readLvmReport(runner, vgsArgv());
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const lvs = l.lvs.map(lvRow);
  return { lvs, vgs: v.vgs.map(vgRow), snapshots: snapshotsFrom(lvs) };
}

/** Find an LV by "VG/LV", or by bare LV name when it is unique across VGs. */
export function findLv(lvs: LvRow[], ref: string): LvRow {
  const ref2 = ref.replace(/^\/dev\//, '').replace(/^mapper\//, '');
  const hits = ref2.includes('/') ? lvs.filter((l) => `${l.vg}/${l.name}` === ref2) : lvs.filter((l) => l.name === ref2);
  if (hits.length === 0) throw new UserError(`no logical volume "${ref}"`);
  if (hits.length > 1) throw new UserError(`"${ref}" is ambiguous: ${hits.map((h) => `${h.vg}/${h.name}`).join(', ')}; give VG/LV`);
  return hits[0]!;
}
