/** Tables (cli-table3) for the plan's layout; plain ASCII borders when colour is off (logs, CI). */
import { makeTable } from '../core/columns.js';
import type { Layout } from '../model/capacity.js';
import type { Plan } from '../model/plan-schema.js';

const GiB = 1024 ** 3;
export function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

export { fitColumns, makeTable } from '../core/columns.js';

/**
 * One row per thin pool and per volume: the exact extents the commands use (a thin volume: "in POOL",
 * its GiB are virtual), the size in GiB, the filesystem and the mount. With one VG the volume column holds the LV name alone (the VG line below the table names
 * the VG), so the table fits 80 columns; longer cells wrap inside their column.
 */
export function layoutTable(layout: Layout, plan: Plan, color: boolean, width?: number): string {
  const rows: (string | number)[][] = [];
  const oneVg = layout.vgs.length === 1;
  for (const vg of layout.vgs) {
    // thin pools first: their extents are what the VG gives; their thin volumes below say "in POOL"
    for (const tp of vg.thinPools) {
      const pp = plan.volumeGroups.find((x) => x.name === vg.name)?.thinPools.find((x) => x.name === tp.name);
      rows.push([oneVg ? tp.name : `${vg.name}/${tp.name}`, pp?.size ?? '', String(tp.extents), ((tp.extents * vg.extentSizeBytes) / GiB).toFixed(2), '', '(thin pool)']);
    }
    for (const v of vg.volumes) {
      const pv = plan.volumes.find((x) => x.name === v.name && x.vg === vg.name);
      const bytes = v.thinPool ? (v.virtualSizeBytes ?? v.sizeBytes) : v.sizeBytes;
      rows.push([
        oneVg ? v.name : `${vg.name}/${v.name}`,
        pv?.size ?? '',
        v.thinPool ? `in ${v.thinPool}` : String(v.extents),
        (bytes / GiB).toFixed(2),
        pv?.filesystem.type ?? '',
        pv?.mount?.path ?? '',
      ]);
    }
  }
  const head = [oneVg ? `volume (${layout.vgs[0]!.name})` : 'volume', 'plan', 'extents', 'GiB', 'fs', 'mount'];
  return makeTable(head, rows, { color, width, align: ['left', 'left', 'right', 'right', 'left', 'left'] });
}

/** "vg_jts: 953673 extents of 4 MiB — volumes 858305, reserve 95368, free 0" */
export function vgLines(layout: Layout): string[] {
  return layout.vgs.map((vg) => {
    const ext = vg.extentSizeBytes / 1024 ** 2;
    const short = vg.shortfallBytes > 0 ? `, MISSING ${gib(vg.shortfallBytes)}` : '';
    return `${vg.name}: ${vg.totalExtents} extents of ${ext} MiB (${gib(vg.totalExtents * vg.extentSizeBytes)}): volumes ${vg.usedExtents}, left free ${vg.freeExtents} (snapshot reserve ${vg.reserveExtents} = ${gib(vg.reserveExtents * vg.extentSizeBytes)})${short}`;
  });
}
