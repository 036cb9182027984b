/**
 * The LVM reader's view of foreign volume groups (lvmsystemid(7)): VGs whose system ID is another
 * host's. LVM's report commands skip them unless `--foreign` is given, so the probe's fullreport
 * (host/lvm.ts) shows neither the VG nor its PVs, and their drives look like "an LVM signature and
 * nothing else". Measured on the test bed (LVM-truth sweep, case foreign-vg, lvm2 2.03.16): with such a
 * VG, `pvcreate` on its drive is refused without -ff, `vgcreate` of its name on another drive is refused
 * ("A volume group called … already exists") and lvcreate/lvextend/vgextend in it "Cannot access VG".
 *
 *   pvs --foreign --reportformat json -o pv_name,vg_name,vg_systemid
 *
 * A VG is foreign when this report lists it and the probe's fullreport does not: LVM itself decides
 * (no guess at the local system ID, whose source lvm.conf global/system_id_source may be none, uname,
 * lvmlocal, machineid or appmachineid).
 */
import { asArray, asRecord, parseToolJson, str } from './json.js';
import { HostReadError } from './env.js';

/** One foreign VG (model/host-state.ts's LvmForeignVg has the same shape). */
export interface LvmForeignVg {
  name: string;
  /** vg_systemid: the owning host's system ID. */
  systemId: string;
  pvNames: string[];
}

/** Every PV with its VG and the VG's system ID, foreign VGs included. */
export const FOREIGN_PVS_ARGV = ['pvs', '--foreign', '--reportformat', 'json', '-o', 'pv_name,vg_name,vg_systemid'];

/**
 * `pvs --foreign` JSON plus the names of the VGs the probe's fullreport showed → the foreign VGs
 * (sorted by name, PV names sorted). Throws HostReadError when the text has no "report" array.
 */
export function parseForeignVgs(text: string, visibleVgs: Iterable<string>): LvmForeignVg[] {
  const doc = asRecord(parseToolJson(text, 'pvs --foreign'));
  if (!Array.isArray(doc['report'])) throw new HostReadError('pvs --foreign: no "report" array');
  const visible = new Set(visibleVgs);
  const byName = new Map<string, LvmForeignVg>();
  for (const part of asArray(doc['report'])) {
    for (const raw of asArray(asRecord(part)['pv'])) {
      const r = asRecord(raw);
      const vg = str(r['vg_name']);
      const pv = str(r['pv_name']);
      if (!vg || !pv || visible.has(vg)) continue;
      const cur = byName.get(vg) ?? { name: vg, systemId: str(r['vg_systemid']) ?? '', pvNames: [] };
      cur.pvNames.push(pv);
      byName.set(vg, cur);
    }
  }
  return [...byName.values()].map((v) => ({ ...v, pvNames: v.pvNames.sort() })).sort((a, b) => a.name.localeCompare(b.name));
}
