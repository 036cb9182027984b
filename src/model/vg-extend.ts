/**
 * What a plan's vgextend adds to a volume group that already exists.
 *
 * The diff (diff/volume-groups.ts) pvcreates each plan drive of an existing VG that is not yet one of its
 * PVs and runs `vgextend VG PV…` before any lvcreate or lvextend of that VG, so the volumes of the same
 * plan may use those extents. vgextend(8): "adds one or more PVs to a VG. This makes more space
 * available for LVs in the VG." The new PV's extents follow the same pe_start arithmetic as a new VG's
 * (lvm-extents.ts), counted at the existing VG's extent size.
 */
import type { HostState } from './host-state.js';
import { pvExtents } from './lvm-extents.js';

/** A plan drive of the VG as resolved on the host: its kernel path and its /dev/disk/by-id links. */
export interface PlannedPv {
  path: string;
  byIds: string[];
  sizeBytes: number;
}

/**
 * Extents (count, at `extentSizeBytes`) that the plan's vgextend adds to the existing VG `vgName`: the
 * sum of pvExtents() over `planned` drives that are not already a PV of that VG (a PV is matched by its
 * name being the drive's path or one of its by-id links, as the diff matches it). 0 when every planned
 * drive is already a PV of the VG.
 */
export function vgExtendExtents(vgName: string, planned: PlannedPv[], state: Pick<HostState, 'pvs'>, extentSizeBytes: number, alignmentBytes: number): number {
  let added = 0;
  for (const d of planned) {
    const ours = state.pvs.some((p) => p.vgName === vgName && (p.name === d.path || d.byIds.includes(p.name)));
    if (!ours) added += pvExtents(d.sizeBytes, extentSizeBytes, alignmentBytes);
  }
  return added;
}
