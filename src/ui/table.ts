/** Tables (cli-table3) for the plan's layout; plain ASCII borders when colour is off (logs, CI). */
import Table from 'cli-table3';
import type { Layout } from '../model/capacity.js';
import type { Plan } from '../model/plan-schema.js';

const GiB = 1024 ** 3;
export function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

export function makeTable(head: string[], rows: (string | number)[][], opts: { color: boolean; align?: ('left' | 'right')[] }): string {
  const t = new Table({
    head,
    colAligns: opts.align,
    style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [], compact: true },
    chars: opts.color ? undefined : { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

/** One row per volume: the exact extents the commands use, the filesystem and the mount. */
export function layoutTable(layout: Layout, plan: Plan, color: boolean): string {
  const rows: (string | number)[][] = [];
  for (const vg of layout.vgs) {
    for (const v of vg.volumes) {
      const pv = plan.volumes.find((x) => x.name === v.name && x.vg === vg.name);
      rows.push([
        `${vg.name}/${v.name}`,
        pv?.size ?? '',
        v.thinPool ? `thin in ${v.thinPool}` : String(v.extents),
        gib(v.thinPool ? (v.virtualSizeBytes ?? v.sizeBytes) : v.sizeBytes),
        pv?.filesystem.type ?? '',
        pv?.mount?.path ?? '',
      ]);
    }
  }
  return makeTable(['volume', 'plan size', 'extents', 'size', 'fs', 'mount'], rows, { color, align: ['left', 'left', 'right', 'right', 'left', 'left'] });
}

/** "vg_jts: 953673 extents of 4 MiB — volumes 858305, reserve 95368, free 0" */
export function vgLines(layout: Layout): string[] {
  return layout.vgs.map((vg) => {
    const ext = vg.extentSizeBytes / 1024 ** 2;
    const short = vg.shortfallBytes > 0 ? `, MISSING ${gib(vg.shortfallBytes)}` : '';
    return `${vg.name}: ${vg.totalExtents} extents of ${ext} MiB (${gib(vg.totalExtents * vg.extentSizeBytes)}): volumes ${vg.usedExtents}, left free ${vg.freeExtents} (snapshot reserve ${vg.reserveExtents} = ${gib(vg.reserveExtents * vg.extentSizeBytes)})${short}`;
  });
}
