/**
 * `lvm fullreport --reportformat json --units b --nosuffix` → PVs, VGs, LVs.
 *
 * fullreport's default columns are minimal (pv_name,vg_name…), so each subreport's columns are named
 * with `--configreport <sub> -o …`. Sizes are bytes (`--units b --nosuffix`); LVM prints them as
 * strings in "json" and as numbers in "json_std": json-values.ts reads both. The report has one
 * element per VG (its pv/lv/seg lists), plus one for PVs in no VG (orphans).
 */
import type { LvInfo, PvInfo, VgInfo } from '../model/host-state.js';
import { asArray, asRecord, num, parseToolJson, str } from './json-values.js';

export const VG_FIELDS = ['vg_name', 'vg_uuid', 'vg_attr', 'vg_size', 'vg_free', 'vg_extent_size', 'vg_extent_count', 'vg_free_count', 'pv_count', 'lv_count'];
export const PV_FIELDS = ['pv_name', 'pv_uuid', 'vg_name', 'pv_size', 'pv_free', 'pe_start', 'dev_size', 'pv_attr'];
export const LV_FIELDS = [
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
];

/**
 * `lvm fullreport` in JSON with byte units, one field list per report section; pvseg/seg are trimmed
 * to one column (nobody reads them). Shared by the probe and health so both read LVM the same way.
 */
export function fullreportArgv(fields: { vg: string[]; pv: string[]; lv: string[] }, opts: { all?: boolean } = {}): string[] {
  const argv = ['lvm', 'fullreport', '--reportformat', 'json', '--units', 'b', '--nosuffix'];
  if (opts.all) argv.push('-a');
  for (const [section, cols] of [['vg', fields.vg], ['pv', fields.pv], ['lv', fields.lv], ['pvseg', ['pv_name']], ['seg', ['lv_name']]] as const) {
    argv.push('--configreport', section, '-o', cols.join(','));
  }
  return argv;
}

/** The one LVM call of the probe. */
export const FULLREPORT_ARGV = fullreportArgv({ vg: VG_FIELDS, pv: PV_FIELDS, lv: LV_FIELDS });

export interface LvmState {
  pvs: PvInfo[];
  vgs: VgInfo[];
  lvs: LvInfo[];
}

/** /dev/mapper name of an LV: "-" inside VG or LV names is doubled (device-mapper's escaping). */
export function dmName(vg: string, lv: string): string {
  return `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
}

/** lv_read_ahead in bytes (or "auto") → 512-byte sectors (or "auto"). */
function readAhead(v: unknown): number | 'auto' | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (s === 'auto') return 'auto';
  const n = num(s);
  return n === undefined ? undefined : Math.round(n / 512);
}

export function parseFullReport(json: string): LvmState {
  const doc = asRecord(parseToolJson(json, 'lvm fullreport'));
  const pvs: PvInfo[] = [];
  const vgs: VgInfo[] = [];
  const lvs: LvInfo[] = [];
  const seenPv = new Set<string>();
  for (const part of asArray(doc['report'])) {
    const p = asRecord(part);
    for (const raw of asArray(p['vg'])) {
      const r = asRecord(raw);
      const name = str(r['vg_name']);
      if (!name) continue;
      vgs.push({
        name,
        sizeBytes: num(r['vg_size']) ?? 0,
        freeBytes: num(r['vg_free']) ?? 0,
        extentSizeBytes: num(r['vg_extent_size']) ?? 0,
        extentCount: num(r['vg_extent_count']) ?? 0,
        freeExtentCount: num(r['vg_free_count']) ?? 0,
        pvNames: [],
      });
    }
    for (const raw of asArray(p['pv'])) {
      const r = asRecord(raw);
      const name = str(r['pv_name']);
      if (!name || seenPv.has(name)) continue;
      seenPv.add(name);
      pvs.push({ name, vgName: str(r['vg_name']) ?? '', sizeBytes: num(r['pv_size']) ?? num(r['dev_size']) ?? 0, peStartBytes: num(r['pe_start']) });
    }
    for (const raw of asArray(p['lv'])) {
      const r = asRecord(raw);
      const name = str(r['lv_name']);
      const vgName = str(r['vg_name']);
      if (!name || !vgName) continue;
      const attr = str(r['lv_attr']) ?? '';
      const tags = str(r['lv_tags']);
      const dataPercent = num(r['data_percent']) ?? num(r['snap_percent']);
      lvs.push({
        vgName,
        name,
        sizeBytes: num(r['lv_size']) ?? 0,
        attr,
        origin: str(r['origin']),
        poolLv: str(r['pool_lv']),
        dataPercent,
        metadataPercent: num(r['metadata_percent']),
        readAheadSectors: readAhead(r['lv_read_ahead']),
        // Hidden LVs ([lv_tmeta], [lvol0_pmspare]) have no /dev path: lv_path is empty for them.
        path: str(r['lv_path']) ?? `/dev/${vgName}/${name}`,
        dmPath: str(r['lv_dm_path']) ?? `/dev/mapper/${dmName(vgName, name)}`,
        uuid: str(r['lv_uuid']),
        time: str(r['lv_time']),
        tags: tags ? tags.split(',') : [],
        active: str(r['lv_active']) !== undefined ? str(r['lv_active']) === 'active' : attr[4] === 'a',
        // lv_attr[4] (state): I = invalid snapshot, S = invalid suspended snapshot.
        snapInvalid: attr[4] === 'I' || attr[4] === 'S' ? true : undefined,
      });
    }
  }
  for (const vg of vgs) vg.pvNames = pvs.filter((p) => p.vgName === vg.name).map((p) => p.name).sort();
  return { pvs, vgs, lvs };
}

/** lv_attr[0] volume type: s/S = classic snapshot, t = thin pool, V = thin volume (a thin snapshot has an origin). */
export function isSnapshot(lv: Pick<LvInfo, 'attr' | 'origin'>): boolean {
  const t = lv.attr[0];
  if (t === 's' || t === 'S') return true;
  return t === 'V' && !!lv.origin;
}

export function isThinPool(lv: Pick<LvInfo, 'attr'>): boolean {
  return lv.attr[0] === 't';
}

/**
 * Hidden internal LVs: names in brackets ([pool_tdata], [lvol0_pmspare]) or lv_attr[0] of a RAID or
 * mirror image (i/I), mirror log (l), thin/VDO pool data (T/D) or pool metadata and spare (e).
 * Note 'o' (origin: an LV with snapshots) is a normal volume.
 */
export function isInternal(lv: Pick<LvInfo, 'name' | 'attr'>): boolean {
  return lv.name.startsWith('[') || ['i', 'I', 'l', 'T', 'D', 'e'].includes(lv.attr[0] ?? '-');
}
