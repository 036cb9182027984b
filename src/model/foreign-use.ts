/**
 * What an existing VG holds outside the plan (LVs it does not name, classic snapshots' copy-on-write
 * space, foreign thin pools and hidden LVs), from LVM's own extent counts.
 */
import type { Plan } from './plan-schema.js';
import type { HostState, LvInfo } from './host-state.js';
import { ceilDiv } from './units.js';

/** An LV (or the hidden LVs together) holding extents of an existing VG outside the plan. */
export interface ForeignLv {
  name: string;
  extents: number;
  kind: 'snapshot' | 'thin-pool' | 'volume' | 'hidden';
}

/** Hidden internal LVs: [pool_tdata], [lvol0_pmspare], RAID/mirror images and logs, pool data/metadata. */
function isHiddenLv(lv: Pick<LvInfo, 'name' | 'attr'>): boolean {
  return lv.name.startsWith('[') || ['i', 'I', 'l', 'T', 'D', 'e'].includes(lv.attr[0] ?? '-');
}

/**
 * Extents an existing VG holds outside the plan. From LVM's own figures, so nothing is guessed:
 *   held = vg_extent_count − vg_free_count (everything allocated, hidden LVs included);
 *   the plan's own existing LVs (its volumes, its thin pools' data) are subtracted by name;
 *   thin volumes (lv_attr V) hold no VG extents (they live in their pool) and are skipped;
 *   hidden extents (pool metadata, the metadata spare, mirror logs: not in the probe's report) are
 *   what is held beyond the visible LVs; the plan's own pools' metadata and the spare, which the
 *   layout already counts, are taken off them.
 * Classic snapshots (lv_attr s) are foreign even when their origin is in the plan: their
 * copy-on-write space is drawn from the VG.
 */
export function foreignUse(
  plan: Plan,
  vgName: string,
  planPools: string[],
  state: HostState,
  vgInfo: { extentCount: number; freeExtentCount: number },
  extentSize: number,
  layoutPools: { name: string; metadataExtents: number }[],
  layoutPmspare: number,
): { extents: number; lvs: ForeignLv[] } {
  const planVols = new Set(plan.volumes.filter((v) => v.vg === vgName).map((v) => v.name));
  const pools = new Set(planPools);
  const lvs: ForeignLv[] = [];
  let visible = 0;
  let planPoolsExisting = 0;
  let planPoolMeta = 0;
  for (const lv of state.lvs) {
    if (lv.vgName !== vgName || lv.attr[0] === 'V' || isHiddenLv(lv)) continue;
    const e = ceilDiv(lv.sizeBytes, extentSize);
    visible += e;
    const kind = lv.attr[0] === 's' || lv.attr[0] === 'S' ? 'snapshot' : lv.attr[0] === 't' ? 'thin-pool' : 'volume';
    if (kind === 'thin-pool' && pools.has(lv.name)) {
      planPoolsExisting++;
      planPoolMeta += layoutPools.find((p) => p.name === lv.name)?.metadataExtents ?? 0;
      continue;
    }
    if (kind === 'volume' && planVols.has(lv.name)) continue;
    lvs.push({ name: lv.name, extents: e, kind });
  }
  const held = Math.max(0, vgInfo.extentCount - vgInfo.freeExtentCount);
  const hiddenAll = Math.max(0, held - visible);
  // The probe's report does not list hidden LVs, so their owner is known only when one side has no pool:
  // no plan pool on the host → all hidden extents are foreign; no foreign pool → all are the plan's.
  // Both → the plan's share is taken as the layout says (metadata of its pools + the spare).
  const foreignPools = lvs.some((l) => l.kind === 'thin-pool');
  const hidden = planPoolsExisting === 0 ? hiddenAll : !foreignPools ? 0 : Math.max(0, hiddenAll - planPoolMeta - layoutPmspare);
  if (hidden > 0) lvs.push({ name: 'hidden (pool metadata, spare)', extents: hidden, kind: 'hidden' });
  return { extents: lvs.reduce((a, l) => a + l.extents, 0), lvs };
}
