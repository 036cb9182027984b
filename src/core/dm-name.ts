/**
 * The device-mapper name LVM gives VG/LV: each "-" inside a name is doubled, then the two are joined
 * with "-" (lvm(8) VALID NAMES; libdm's dm_build_dm_name). /dev/mapper/<dmName> is the LV's node.
 * Kept in core (rank 0) because both the plan's name checks (model/) and the host readers (host/) use it.
 */
export function dmName(vg: string, lv: string): string {
  return `${vg.replaceAll('-', '--')}-${lv.replaceAll('-', '--')}`;
}
