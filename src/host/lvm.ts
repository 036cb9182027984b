/**
 * The LVM reader: every argv the product reads LVM with, and the one typed parse of their JSON.
 *
 *   lvm fullreport --reportformat json --units b --nosuffix [-a] --configreport <sec> -o …   (probe, health)
 *   lvs -a --reportformat json --units b --nosuffix --binary -o …                             (snapshot)
 *   vgs --reportformat json --units b --nosuffix -o …                                         (snapshot, bench)
 *   lvs --reportformat json --units b --nosuffix -o … (read-ahead)                           (tune)
 *
 * All run through runTool (LC_ALL=C: lvm2 calls setlocale(LC_ALL, "") and, in its "json" format,
 * prints percentages with the locale's radix, "31,48" under fi_FI). Sizes are bytes (`--units b
 * --nosuffix`); "json" prints values as strings, "json_std" (lvm2 2.03.x) as numbers: both read.
 * A field the running lvm2 does not know, an empty value or a localized number is `undefined`
 * (unknown), never NaN; `unreadable` names the fields that were present but not a C-locale number.
 */
import type { Runner } from '../core/runner.js';
import { dmName } from '../core/dm-name.js';
import { HostReadError, runFailure, runTool } from './env.js';
import { asArray, asRecord, num, parseToolJson, str } from './json.js';

export { dmName };

// ---- argv -------------------------------------------------------------------------------------

/** The probe's fields (host-state.ts: PvInfo, VgInfo, LvInfo). */
export const PROBE_VG_FIELDS = ['vg_name', 'vg_uuid', 'vg_attr', 'vg_size', 'vg_free', 'vg_extent_size', 'vg_extent_count', 'vg_free_count', 'pv_count', 'lv_count', 'max_lv', 'max_pv'];
export const PROBE_PV_FIELDS = ['pv_name', 'pv_uuid', 'vg_name', 'pv_size', 'pv_free', 'pe_start', 'dev_size', 'pv_attr'];
export const PROBE_LV_FIELDS = [
  'lv_name',
  'vg_name',
  'lv_uuid',
  'lv_path',
  'lv_dm_path',
  'lv_attr',
  'lv_size',
  'origin',
  'pool_lv',
  'data_percent',
  'metadata_percent',
  'snap_percent',
  'lv_read_ahead',
  'lv_kernel_read_ahead',
  'lv_time',
  'lv_tags',
  'lv_active',
  'lv_profile',
];

/**
 * `lvm fullreport` in JSON with byte units, one field list per report section (fullreport's default
 * columns are minimal); pvseg/seg are trimmed to one column (nobody reads them). The report has one
 * element per VG (its pv/lv lists), plus one for PVs in no VG (orphans).
 */
export function fullreportArgv(fields: { vg: string[]; pv: string[]; lv: string[] }, opts: { all?: boolean } = {}): string[] {
  const argv = ['lvm', 'fullreport', '--reportformat', 'json', '--units', 'b', '--nosuffix'];
  if (opts.all) argv.push('-a');
  for (const [section, cols] of [['vg', fields.vg], ['pv', fields.pv], ['lv', fields.lv], ['pvseg', ['pv_name']], ['seg', ['lv_name']]] as const) {
    argv.push('--configreport', section, '-o', cols.join(','));
  }
  return argv;
}

/** The probe's one LVM call. */
export const PROBE_FULLREPORT_ARGV = fullreportArgv({ vg: PROBE_VG_FIELDS, pv: PROBE_PV_FIELDS, lv: PROBE_LV_FIELDS });

/** Health's one LVM call: hidden LVs too (-a: pool data/metadata, a merging snapshot). */
export const HEALTH_FULLREPORT_ARGV = fullreportArgv(
  {
    // A missing PV shows as pv_name "[unknown]" and a partial LV as lv_attr[8] 'p' with these fields
    // already (health/lvm-integrity.ts); vg_attr, vg_missing_pv_count, pv_missing and lv_health_status
    // are read too when present (case 06's capture has them).
    vg: 'vg_name,vg_size,vg_free,vg_extent_size'.split(','),
    pv: 'pv_name,vg_name'.split(','),
    lv: 'vg_name,lv_name,lv_size,lv_attr,origin,pool_lv,data_percent,metadata_percent,lv_snapshot_invalid,lv_kernel_major,lv_kernel_minor'.split(','),
  },
  { all: true },
);

/** The snapshot commands' LV fields (snapshot/lvm-report.ts). */
export const SNAPSHOT_LV_FIELDS = [
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
export const SNAPSHOT_VG_FIELDS = ['vg_name', 'vg_size', 'vg_free', 'vg_extent_size', 'vg_extent_count', 'vg_free_count', 'lv_count', 'max_lv'] as const;

/** `lvs -a … --binary`: -a because a snapshot being merged becomes a hidden LV ("[name]"); binary fields as 0/1. */
export function lvsArgv(extra: string[] = []): string[] {
  return ['lvs', '-a', '--reportformat', 'json', '--units', 'b', '--nosuffix', '--binary', '-o', SNAPSHOT_LV_FIELDS.join(','), ...extra];
}
export function vgsArgv(): string[] {
  return ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', SNAPSHOT_VG_FIELDS.join(',')];
}

/** tune's read-ahead view: configured (lv_read_ahead) and live (lv_kernel_read_ahead) read-ahead of every LV. */
export const LVS_READAHEAD_ARGV = [
  'lvs',
  '--reportformat',
  'json',
  '--units',
  'b',
  '--nosuffix',
  '-o',
  'vg_name,lv_name,lv_attr,lv_read_ahead,lv_kernel_read_ahead,lv_kernel_major,lv_kernel_minor',
];

/** bench's scratch LV: free bytes per VG. */
export const VGS_FREE_ARGV = ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_free'];

// ---- typed parse ------------------------------------------------------------------------------

export interface LvmVg {
  name: string;
  uuid?: string;
  sizeBytes?: number;
  freeBytes?: number;
  extentSizeBytes?: number;
  extentCount?: number;
  freeExtentCount?: number;
  /** vg_attr (vgs(8)): [2] x = exported, [3] p = partial (a PV missing). */
  attr?: string;
  /** vg_missing_pv_count. */
  missingPvCount?: number;
  /** lv_count (visible LVs: a thin pool is one, its hidden data/metadata LVs are not) and pv_count. */
  lvCount?: number;
  pvCount?: number;
  /** max_lv / max_pv: the VG's limits (vgcreate -l/-p, vgchange -l/-p); 0 = unlimited (vgs(8)). */
  maxLv?: number;
  maxPv?: number;
}

export interface LvmPv {
  name: string;
  /** "" for an orphan PV (in no VG). */
  vgName: string;
  sizeBytes?: number;
  devSizeBytes?: number;
  freeBytes?: number;
  peStartBytes?: number;
  /** pv_attr (pvs(8)): [0] a allocatable / d duplicate / u used, [1] x exported, [2] m missing. */
  attr?: string;
  /** pv_missing, pv_attr[2] m, or the name "[unknown]": the VG names this PV but no device carries it. */
  missing?: boolean;
}

export interface LvmLv {
  /** "" only when the report has neither vg_name nor lv_full_name. */
  vg: string;
  /** Without the brackets of a hidden LV. */
  name: string;
  /** Hidden LV (`lvs -a` prints "[name]"): pool internals, a snapshot being merged. */
  hidden: boolean;
  attr: string;
  sizeBytes?: number;
  origin?: string;
  originSizeBytes?: number;
  pool?: string;
  /** lv_profile: the LVM metadata profile attached to the LV (a thin pool's autoextend settings). */
  profile?: string;
  dataPercent?: number;
  metadataPercent?: number;
  snapPercent?: number;
  /** lv_read_ahead: "auto" or bytes. */
  readAhead?: number | 'auto';
  /** lv_kernel_read_ahead in bytes; undefined when inactive (-1). */
  kernelReadAheadBytes?: number;
  /** lv_time as printed ("2026-11-21 12:00:00 +0000"). */
  timeText?: string;
  /** lv_time parsed. */
  time?: Date;
  tags: string[];
  uuid?: string;
  /** lv_path ("" for hidden LVs in lvm2: undefined then). */
  path?: string;
  dmPath?: string;
  /** From lv_active_locally (binary) or lv_active ("active"); undefined when neither was asked. */
  active?: boolean;
  snapshotInvalid?: boolean;
  merging?: boolean;
  skipActivation?: boolean;
  deviceOpen?: boolean;
  extentSizeBytes?: number;
  /** "253:3" when active (matches findmnt's MAJ:MIN and /sys/block/dm-3). */
  majMin?: string;
  kernelMinor?: number;
  /** lv_health_status: "partial", "refresh needed", "mismatches exist"; undefined when "" or not asked. */
  healthStatus?: string;
  /** Fields present in the report but not readable as a C-locale number, with the text: `data_percent="31,48"`. */
  unreadable: string[];
}

export interface LvmReport {
  vgs: LvmVg[];
  pvs: LvmPv[];
  lvs: LvmLv[];
}

/**
 * LVM binary fields print "" or the field's name ("snapshot invalid") by default, 0/1 with --binary,
 * and -1 or "unknown" where the field does not apply (lv_snapshot_invalid of a non-snapshot, lvm2
 * 2.03.16). Undefined when the field is absent (not asked, or an older lvm2 without it).
 */
function flag(r: Record<string, unknown>, key: string): boolean | undefined {
  if (!(key in r)) return undefined;
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s !== '' && s !== '0' && s !== '-1' && s !== 'unknown';
}

/** "2026-11-21 12:00:00 +0000" (lvm's default report/time_format) → Date; undefined for anything else. */
export function parseLvTime(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const off = (m[7] === '-' ? -1 : 1) * (+m[8]! * 60 + +m[9]!) * 60000;
  return new Date(utc - off);
}

/**
 * Any LVM JSON report (`lvm fullreport`, `lvs`, `vgs`, `pvs`, "json" or "json_std") → typed rows. Every
 * `report[*]` section is merged; a VG or PV listed in several sections is kept once.
 * Throws HostReadError when there is no JSON object or no "report" array.
 */
export function parseLvmJson(text: string, what = 'lvm report'): LvmReport {
  const doc = asRecord(parseToolJson(text, what));
  if (!Array.isArray(doc['report'])) throw new HostReadError(`${what}: no "report" array`);
  const out: LvmReport = { vgs: [], pvs: [], lvs: [] };
  const seenVg = new Set<string>();
  const seenPv = new Set<string>();
  for (const part of asArray(doc['report'])) {
    const p = asRecord(part);
    for (const raw of asArray(p['vg'])) {
      const r = asRecord(raw);
      const name = str(r['vg_name']);
      if (!name || seenVg.has(name)) continue;
      seenVg.add(name);
      out.vgs.push({
        name,
        uuid: str(r['vg_uuid']),
        sizeBytes: num(r['vg_size']),
        freeBytes: num(r['vg_free']),
        extentSizeBytes: num(r['vg_extent_size']),
        extentCount: num(r['vg_extent_count']),
        freeExtentCount: num(r['vg_free_count']),
        ...(str(r['vg_attr']) !== undefined ? { attr: str(r['vg_attr']) } : {}),
        ...(num(r['vg_missing_pv_count']) !== undefined ? { missingPvCount: num(r['vg_missing_pv_count']) } : {}),
        ...(num(r['lv_count']) !== undefined ? { lvCount: num(r['lv_count']) } : {}),
        ...(num(r['pv_count']) !== undefined ? { pvCount: num(r['pv_count']) } : {}),
        ...(num(r['max_lv']) !== undefined ? { maxLv: num(r['max_lv']) } : {}),
        ...(num(r['max_pv']) !== undefined ? { maxPv: num(r['max_pv']) } : {}),
      });
    }
    for (const raw of asArray(p['pv'])) {
      const r = asRecord(raw);
      const name = str(r['pv_name']);
      if (!name || seenPv.has(name)) continue;
      seenPv.add(name);
      const pvAttr = str(r['pv_attr']);
      const missing = flag(r, 'pv_missing') || pvAttr?.[2] === 'm' || name === '[unknown]';
      out.pvs.push({
        name,
        vgName: str(r['vg_name']) ?? '',
        sizeBytes: num(r['pv_size']),
        devSizeBytes: num(r['dev_size']),
        freeBytes: num(r['pv_free']),
        peStartBytes: num(r['pe_start']),
        ...(pvAttr !== undefined ? { attr: pvAttr } : {}),
        ...(missing ? { missing: true } : {}),
      });
    }
    for (const raw of asArray(p['lv'])) {
      const lv = parseLvRow(asRecord(raw));
      if (lv) out.lvs.push(lv);
    }
  }
  return out;
}

const NUMERIC_LV_FIELDS = ['lv_size', 'origin_size', 'data_percent', 'metadata_percent', 'snap_percent', 'vg_extent_size', 'lv_kernel_major', 'lv_kernel_minor'];

function parseLvRow(r: Record<string, unknown>): LvmLv | undefined {
  const rawName = str(r['lv_name']);
  // `-o lv_all` has no vg_name: lv_full_name is "VG/LV".
  const vg = str(r['vg_name']) ?? str(r['lv_full_name'])?.split('/')[0] ?? '';
  if (!rawName) return undefined;
  const hidden = /^\[.*\]$/.test(rawName);
  const name = hidden ? rawName.slice(1, -1) : rawName;
  const unreadable: string[] = [];
  for (const k of NUMERIC_LV_FIELDS) {
    const s = str(r[k]);
    if (s !== undefined && num(s) === undefined) unreadable.push(`${k}="${s}"`);
  }
  const maj = num(r['lv_kernel_major']);
  const min = num(r['lv_kernel_minor']);
  const ra = str(r['lv_read_ahead']);
  const kra = num(r['lv_kernel_read_ahead']);
  const timeText = str(r['lv_time']);
  const tags = str(r['lv_tags']);
  const activeText = str(r['lv_active']);
  const active = 'lv_active_locally' in r ? flag(r, 'lv_active_locally') : activeText !== undefined ? activeText === 'active' : undefined;
  return {
    vg,
    name,
    hidden,
    attr: str(r['lv_attr']) ?? '',
    sizeBytes: num(r['lv_size']),
    origin: str(r['origin']),
    originSizeBytes: num(r['origin_size']),
    pool: str(r['pool_lv']),
    ...(str(r['lv_profile']) ? { profile: str(r['lv_profile']) } : {}),
    dataPercent: num(r['data_percent']),
    metadataPercent: num(r['metadata_percent']),
    snapPercent: num(r['snap_percent']),
    readAhead: ra === 'auto' ? 'auto' : num(ra),
    kernelReadAheadBytes: kra !== undefined && kra >= 0 ? kra : undefined,
    timeText,
    time: parseLvTime(timeText),
    tags: tags ? tags.split(',').filter(Boolean) : [],
    uuid: str(r['lv_uuid']),
    path: str(r['lv_path']),
    dmPath: str(r['lv_dm_path']),
    active,
    snapshotInvalid: flag(r, 'lv_snapshot_invalid'),
    merging: flag(r, 'lv_merging'),
    skipActivation: flag(r, 'lv_skip_activation'),
    deviceOpen: flag(r, 'lv_device_open'),
    extentSizeBytes: num(r['vg_extent_size']),
    majMin: maj !== undefined && min !== undefined && maj >= 0 && min >= 0 ? `${maj}:${min}` : undefined,
    kernelMinor: min !== undefined && min >= 0 ? min : undefined,
    ...(str(r['lv_health_status']) ? { healthStatus: str(r['lv_health_status']) } : {}),
    unreadable,
  };
}

// ---- reading ------------------------------------------------------------------------------------

/**
 * Run one LVM report argv (TOOL_ENV) and parse it. LVM exits non-zero for a partial problem (a PV
 * missing, one unreadable device) and still reports the rest: with `lenient` the report is read and
 * `note` says why it may be partial. Throws HostReadError (one line: not installed with its Debian
 * package, timed out, exited N, unreadable JSON) otherwise.
 */
export async function readLvmReport(
  runner: Runner,
  argv: string[],
  opts: { timeoutMs?: number; lenient?: boolean } = {},
): Promise<LvmReport & { note?: string }> {
  const r = await runTool(runner, argv, { timeoutMs: opts.timeoutMs ?? 60_000 });
  const f = runFailure(r);
  const what = argv[0] === 'lvm' ? 'lvm fullreport' : argv[0]!;
  if (f && (!opts.lenient || r.notFound || r.timedOut)) throw new HostReadError(f);
  try {
    return { ...parseLvmJson(r.stdout, what), note: f };
  } catch (e) {
    throw new HostReadError(f ?? (e as Error).message);
  }
}

// ---- lv_attr ------------------------------------------------------------------------------------

/** lv_attr[0] volume type: s/S = classic snapshot, t = thin pool, V = thin volume (a thin snapshot has an origin). lvs(8) NOTES. */
export function isSnapshot(lv: { attr: string; origin?: string }): boolean {
  const t = lv.attr[0];
  if (t === 's' || t === 'S') return true;
  return t === 'V' && !!lv.origin;
}

export function isThinPool(lv: { attr: string }): boolean {
  return lv.attr[0] === 't';
}

/**
 * Hidden internal LVs: names in brackets ([pool_tdata], [lvol0_pmspare]) or lv_attr[0] of a RAID or
 * mirror image (i/I), mirror log (l), thin/VDO pool data (T/D) or pool metadata and spare (e).
 * Note 'o' (origin: an LV with snapshots) is a normal volume.
 */
export function isInternal(lv: { name: string; attr: string }): boolean {
  return lv.name.startsWith('[') || ['i', 'I', 'l', 'T', 'D', 'e'].includes(lv.attr[0] ?? '-');
}
