/**
 * The probe's view of LVM: host/lvm.ts's report (`lvm fullreport`, PROBE_FULLREPORT_ARGV) mapped to
 * host-state.ts's PvInfo, VgInfo and LvInfo. A size LVM did not print is 0 here (the probe's types
 * need a number); a percentage it did not print, or printed in a non-C locale, is undefined (unknown).
 */
import type { LvInfo, PvInfo, VgInfo } from '../model/host-state.js';
import { dmName, parseLvmJson, PROBE_FULLREPORT_ARGV } from '../host/lvm.js';

export { dmName, isInternal, isSnapshot, isThinPool } from '../host/lvm.js';

/** The one LVM call of the probe. */
export const FULLREPORT_ARGV = PROBE_FULLREPORT_ARGV;

export interface LvmState {
  pvs: PvInfo[];
  vgs: VgInfo[];
  lvs: LvInfo[];
}

/** lv_read_ahead in bytes (or "auto") → 512-byte sectors (or "auto"). */
function readAheadSectors(v: number | 'auto' | undefined): number | 'auto' | undefined {
  return v === undefined || v === 'auto' ? v : Math.round(v / 512);
}

/** `lvm fullreport` JSON → PVs, VGs (with their PV names) and LVs. Throws HostReadError on unreadable output. */
export function parseFullReport(json: string): LvmState {
  const rep = parseLvmJson(json, 'lvm fullreport');
  const pvs: PvInfo[] = rep.pvs.map((p) => ({ name: p.name, vgName: p.vgName, sizeBytes: p.sizeBytes ?? p.devSizeBytes ?? 0, peStartBytes: p.peStartBytes, ...(p.missing ? { missing: true } : {}) }));
  const vgs: VgInfo[] = rep.vgs.map((v) => ({
    name: v.name,
    sizeBytes: v.sizeBytes ?? 0,
    freeBytes: v.freeBytes ?? 0,
    extentSizeBytes: v.extentSizeBytes ?? 0,
    extentCount: v.extentCount ?? 0,
    freeExtentCount: v.freeExtentCount ?? 0,
    pvNames: pvs.filter((p) => p.vgName === v.name).map((p) => p.name).sort(),
    // Only when it says something (exported / partial): the usual "wz--n-" is not carried.
    ...(v.attr && (v.attr[2] === 'x' || v.attr[3] === 'p') ? { attr: v.attr } : {}),
    // Limits only when set (0 = unlimited, the default): the usual VG carries none of these.
    ...(v.maxLv ? { maxLv: v.maxLv, lvCount: v.lvCount ?? 0 } : {}),
    ...(v.maxPv ? { maxPv: v.maxPv, pvCount: v.pvCount ?? 0 } : {}),
  }));
  const lvs: LvInfo[] = rep.lvs.map((l) => ({
    vgName: l.vg,
    name: l.hidden ? `[${l.name}]` : l.name,
    sizeBytes: l.sizeBytes ?? 0,
    attr: l.attr,
    origin: l.origin,
    poolLv: l.pool,
    ...(l.profile ? { profile: l.profile } : {}),
    dataPercent: l.dataPercent ?? l.snapPercent,
    metadataPercent: l.metadataPercent,
    readAheadSectors: readAheadSectors(l.readAhead),
    // Hidden LVs ([lv_tmeta], [lvol0_pmspare]) have no /dev path: lv_path is empty for them.
    path: l.path ?? `/dev/${l.vg}/${l.name}`,
    dmPath: l.dmPath ?? `/dev/mapper/${dmName(l.vg, l.name)}`,
    uuid: l.uuid,
    time: l.timeText,
    tags: l.tags,
    active: l.active ?? l.attr[4] === 'a',
    // lv_attr[4] (state): I = invalid snapshot, S = invalid suspended snapshot.
    snapInvalid: l.attr[4] === 'I' || l.attr[4] === 'S' ? true : undefined,
  }));
  return { pvs, vgs, lvs };
}
