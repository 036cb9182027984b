/**
 * LVM integrity checks of health: a PV the VG metadata names but no device carries (`[unknown]`,
 * pv_missing), a partial VG (vg_attr[3] 'p'), a partial LV (lv_attr[8] 'p', lv_health_status "partial"),
 * an exported VG (vg_attr[2] 'x'), and a plan drive that is not on the host. Each is CRITICAL and says
 * what is affected and what to do. Pure: evaluate.ts calls it with what collect.ts gathered.
 *
 * Facts: vgs(8) vg_attr bit 4 "(p)artial: one or more physical volumes belonging to the volume group are
 * missing from the system", bit 3 "e(x)ported"; lvs(8) lv_attr bit 9 "(p)artial"; lvmraid(7)/lvm(8)
 * "Missing PVs": I/O to the missing extents fails, and LVM refuses metadata changes to a VG with a
 * missing PV ("Cannot change VG … while PVs are missing") until the PV returns or
 * `vgreduce --removemissing` drops it (and the LVs on it). Seen on the real kernel in case
 * 06-missing-pv (lvm2 2.03.16: `lvm fullreport` exits 0, PV `[unknown]`, vg_attr wz-pn-, lv_attr -wi-a---p-).
 */
import type { Plan } from '../model/plan-schema.js';
import type { HBlock, HLv, LvmReport } from './sources.js';
import type { Check } from './types.js';

export interface VgIntegrity {
  /** PVs the metadata names that no device carries. */
  missingPvs: number;
  partial: boolean;
  exported: boolean;
  /** Devices the missing PVs were last written to (from LVM's warnings), when it said. */
  lastSeenOn: string[];
  /** Plan drives of this VG not found on the host (their plan id and identity). */
  absentDrives: string[];
  /** LVs (in scope) with extents on a missing PV. */
  partialLvs: string[];
}

/** lv_attr bit 9 (index 8) 'p', or lv_health_status "partial". */
export function lvPartial(lv: Pick<HLv, 'attr' | 'healthStatus'>): boolean {
  return lv.attr[8] === 'p' || lv.healthStatus === 'partial';
}

/** LVM's warnings "VG X is missing PV UUID (last written to /dev/Y)." → devices per VG. */
export function lastWrittenTo(warnings: string[] | undefined, vg: string): string[] {
  const out: string[] = [];
  for (const w of warnings ?? []) {
    const m = /VG (\S+) is missing PV \S+ \(last written to (\S+?)\)/.exec(w);
    if (m && m[1] === vg && !out.includes(m[2]!)) out.push(m[2]!);
  }
  return out;
}

function describeDrive(d: Plan['drives'][number]): string {
  const id = d.serial ? `serial ${d.serial}` : d.wwn ? `WWN ${d.wwn}` : d.byId ? d.byId : d.path ? d.path : '?';
  return `${d.id} (${id})`;
}

/**
 * The integrity checks for the VGs in scope, and per VG what was found (for the report and Prometheus).
 * `blocks`: lsblk of the PVs in scope (the disks present under them), undefined when lsblk failed.
 * A plan drive counts as absent only in a VG that misses a PV and when no present disk has its serial
 * (a drive not yet added to the VG is the plan's business, not health's).
 */
export function lvmIntegrityChecks(
  plan: Plan | undefined,
  lvm: LvmReport,
  blocks: HBlock[] | undefined,
  vgNames: string[],
): { checks: Check[]; byVg: Map<string, VgIntegrity> } {
  const checks: Check[] = [];
  const byVg = new Map<string, VgIntegrity>();
  const serials = new Set((blocks ?? []).filter((b) => b.type === 'disk' && b.serial).map((b) => b.serial!.trim()));
  for (const name of vgNames) {
    const vg = lvm.vgs.find((v) => v.name === name);
    if (!vg) continue; // vg_free says "not found"
    const missingList = lvm.pvs.filter((p) => p.vg === name && p.missing);
    const missingPvs = Math.max(vg.missingPvCount ?? 0, missingList.length);
    const partial = vg.attr?.[3] === 'p' || missingPvs > 0;
    const exported = vg.attr?.[2] === 'x';
    const lastSeenOn = lastWrittenTo(lvm.warnings, name);
    const partialLvs = lvm.lvs.filter((l) => l.vg === name && !l.name.startsWith('[') && lvPartial(l)).map((l) => l.name);
    const planned = plan?.volumeGroups.find((v) => v.name === name);
    const absent =
      partial && planned && blocks
        ? planned.drives
            .map((id) => plan!.drives.find((d) => d.id === id))
            .filter((d): d is Plan['drives'][number] => !!d && !(d.serial && serials.has(d.serial.trim())))
        : [];
    const info: VgIntegrity = { missingPvs, partial, exported, lastSeenOn, absentDrives: absent.map(describeDrive), partialLvs };
    byVg.set(name, info);
    const labels = { vg: name };
    if (exported)
      checks.push({
        kind: 'vg_exported',
        subject: name,
        status: 'critical',
        labels,
        message: `VG ${name} is exported (vg_attr ${vg.attr}): its LVs cannot be activated or changed on this host. If the drives belong here, run \`vgimport ${name}\` then \`vgchange -ay ${name}\`.`,
      });
    if (partial) {
      const where = lastSeenOn.length ? ` (last written to ${lastSeenOn.join(', ')})` : '';
      const lvs = partialLvs.length ? `; partial LVs: ${partialLvs.join(', ')} — reads and writes to their extents on the missing PV fail with I/O errors` : '; no LV has extents on it';
      checks.push({
        kind: 'vg_partial',
        subject: name,
        status: 'critical',
        labels,
        value: missingPvs,
        message:
          `VG ${name} is partial (vg_attr ${vg.attr ?? '?'}): ${missingPvs || 'a'} PV${missingPvs === 1 ? '' : 's'} missing${where}${lvs}. ` +
          `LVM refuses to change the VG (lvcreate, lvextend, snapshots) until then. What to do: put the drive back (check \`nvme list\`, dmesg, the slot) and run \`vgchange -ay ${name}\`; ` +
          `if it is dead, stop the partial LVs' users, restore them from backup, and \`vgreduce --removemissing ${name}\` (drops the LVs that were on it).`,
      });
      for (const d of absent)
        checks.push({
          kind: 'drive_absent',
          subject: d.id,
          status: 'critical',
          labels: { vg: name, drive: d.id },
          message: `plan drive ${describeDrive(d)} of VG ${name} is not on the host: no disk under the VG's PVs has its identity, and LVM misses ${missingPvs || 'a'} PV${where}. Reseat or replace it (then vgextend/restore), see vg_partial.`,
        });
    }
    for (const lv of partialLvs)
      checks.push({
        kind: 'lv_partial',
        subject: `${name}/${lv}`,
        status: 'critical',
        labels: { vg: name, lv },
        message: `LV ${name}/${lv} is partial (lv_attr ${lvm.lvs.find((l) => l.vg === name && l.name === lv)?.attr ?? '?'}): part of its extents were on the missing PV of ${name}; I/O there fails. Stop its users; bring the drive back, or restore ${lv} from backup after \`vgreduce --removemissing ${name}\`.`,
      });
  }
  return { checks, byVg };
}
