/**
 * What the snapshot commands need to know about LVs and VGs, read from `lvs`/`vgs --reportformat json`
 * (exact bytes with `--units b --nosuffix`, binary fields as 0/1 with `--binary`). One call each.
 */
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { TAG_KEEP, TAG_SCHED, TAG_SNAP, TAG_DRILL, parseSnapshotName, setFromTags } from './names.js';

export const LV_FIELDS = [
  'vg_name',
  'lv_name',
  'lv_attr',
  'lv_size',
  'origin',
  'origin_size',
  'pool_lv',
  'data_percent',
  'metadata_percent',
  'snap_percent',
  'lv_time',
  'lv_tags',
  'lv_uuid',
  'lv_path',
  'lv_active_locally',
  'lv_snapshot_invalid',
  'lv_merging',
  'lv_skip_activation',
  'lv_device_open',
  'vg_extent_size',
  'lv_kernel_major',
  'lv_kernel_minor',
] as const;

export const VG_FIELDS = ['vg_name', 'vg_size', 'vg_free', 'vg_extent_size', 'vg_extent_count', 'vg_free_count'] as const;

export function lvsArgv(extra: string[] = []): string[] {
  // -a: a snapshot being merged becomes a hidden LV ("[name]"); without -a it would seem gone.
  return ['lvs', '-a', '--reportformat', 'json', '--units', 'b', '--nosuffix', '--binary', '-o', LV_FIELDS.join(','), ...extra];
}
export function vgsArgv(): string[] {
  return ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', VG_FIELDS.join(',')];
}

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
}

export interface VgRow {
  name: string;
  sizeBytes: number;
  freeBytes: number;
  extentSizeBytes: number;
  extentCount: number;
  freeExtents: number;
}

/** lvm prints JSON after possible warnings on some versions: parse from the first "{". */
function parseJson(text: string, what: string): unknown {
  const i = text.indexOf('{');
  if (i < 0) throw new Error(`${what}: no JSON in output`);
  return JSON.parse(text.slice(i));
}

function rows(json: unknown, key: 'lv' | 'vg'): Record<string, string>[] {
  const rep = (json as { report?: Record<string, Record<string, string>[]>[] }).report ?? [];
  return rep.flatMap((r) => r[key] ?? []);
}

const num = (s: string | undefined): number | undefined => (s === undefined || s.trim() === '' ? undefined : Number(s));
const bin = (s: string | undefined): boolean => s === '1';

/** "2026-11-21 12:00:00 +0000" (lvm's default report/time_format) → Date. */
export function parseLvTime(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const off = (m[7] === '-' ? -1 : 1) * (+m[8]! * 60 + +m[9]!) * 60000;
  return new Date(utc - off);
}

export function parseLvsJson(text: string): LvRow[] {
  return rows(parseJson(text, 'lvs'), 'lv').map((r) => ({
    vg: r.vg_name ?? '',
    name: (r.lv_name ?? '').replace(/^\[(.*)\]$/, '$1'),
    hidden: /^\[.*\]$/.test(r.lv_name ?? ''),
    attr: r.lv_attr ?? '',
    sizeBytes: Number(r.lv_size ?? 0),
    origin: r.origin || undefined,
    originSizeBytes: num(r.origin_size),
    pool: r.pool_lv || undefined,
    dataPercent: num(r.data_percent),
    metadataPercent: num(r.metadata_percent),
    snapPercent: num(r.snap_percent),
    time: parseLvTime(r.lv_time),
    tags: (r.lv_tags ?? '').split(',').filter(Boolean),
    uuid: r.lv_uuid ?? '',
    path: r.lv_path || `/dev/${r.vg_name}/${r.lv_name}`,
    active: bin(r.lv_active_locally),
    snapInvalid: bin(r.lv_snapshot_invalid),
    merging: bin(r.lv_merging),
    skipActivation: bin(r.lv_skip_activation),
    deviceOpen: bin(r.lv_device_open),
    extentSizeBytes: Number(r.vg_extent_size ?? 0),
    majMin: Number(r.lv_kernel_major ?? -1) >= 0 && Number(r.lv_kernel_minor ?? -1) >= 0 && r.lv_kernel_major !== '' ? `${r.lv_kernel_major}:${r.lv_kernel_minor}` : undefined,
  }));
}

export function parseVgsJson(text: string): VgRow[] {
  return rows(parseJson(text, 'vgs'), 'vg').map((r) => ({
    name: r.vg_name ?? '',
    sizeBytes: Number(r.vg_size ?? 0),
    freeBytes: Number(r.vg_free ?? 0),
    extentSizeBytes: Number(r.vg_extent_size ?? 0),
    extentCount: Number(r.vg_extent_count ?? 0),
    freeExtents: Number(r.vg_free_count ?? 0),
  }));
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
      fillPercent: classic ? (valid ? (l.snapPercent ?? l.dataPercent) : 100) : pool?.dataPercent,
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
  const [l, v] = [await runner.run(lvsArgv()), await runner.run(vgsArgv())];
  if (!ok(l)) throw new UserError(`lvs failed (exit ${l.exitCode}): ${l.stderr.trim() || l.stdout.trim()}`);
  if (!ok(v)) throw new UserError(`vgs failed (exit ${v.exitCode}): ${v.stderr.trim() || v.stdout.trim()}`);
  const lvs = parseLvsJson(l.stdout);
  return { lvs, vgs: parseVgsJson(v.stdout), snapshots: snapshotsFrom(lvs) };
}

/** Find an LV by "VG/LV", or by bare LV name when it is unique across VGs. */
export function findLv(lvs: LvRow[], ref: string): LvRow {
  const ref2 = ref.replace(/^\/dev\//, '').replace(/^mapper\//, '');
  const hits = ref2.includes('/') ? lvs.filter((l) => `${l.vg}/${l.name}` === ref2) : lvs.filter((l) => l.name === ref2);
  if (hits.length === 0) throw new UserError(`no logical volume "${ref}"`);
  if (hits.length > 1) throw new UserError(`"${ref}" is ambiguous: ${hits.map((h) => `${h.vg}/${h.name}`).join(', ')}; give VG/LV`);
  return hits[0]!;
}
