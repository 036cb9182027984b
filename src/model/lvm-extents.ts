/**
 * LVM's extent arithmetic, exact (lvm2 2.03): where a PV's data starts, how many extents it gives,
 * what `-l N%VG` takes, and the thin pool metadata LVM would size. The sources of each rule are in
 * the header of capacity.ts, which builds the layout from these.
 */
import { ceilDiv, floorDiv, MiB } from './units.js';

/** Page size: where the first metadata area starts (x86-64, arm64 with 4K pages). */
export const PV_MDA_START = 4096;
/** lvm2 2.03 default metadata area size: 1 MiB − page size, so pe_start defaults to 1 MiB. */
export const PV_DEFAULT_MDA_SIZE = MiB - PV_MDA_START;

/** pe_start of a PV made with `pvcreate --dataalignment <alignment>` (bytes). */
export function peStartBytes(alignmentBytes: number, opts: { mdaSizeBytes?: number; alignmentOffsetBytes?: number; pageSize?: number } = {}): number {
  const mdaStart = opts.pageSize ?? PV_MDA_START;
  const mdaEnd = mdaStart + (opts.mdaSizeBytes ?? (opts.pageSize ? MiB - opts.pageSize : PV_DEFAULT_MDA_SIZE));
  const align = alignmentBytes > 0 ? alignmentBytes : MiB;
  return ceilDiv(mdaEnd, align) * align + (opts.alignmentOffsetBytes ?? 0);
}

/** Extents a whole-device PV gives. */
export function pvExtents(deviceBytes: number, extentBytes: number, alignmentBytes: number): number {
  const usable = floorDiv(deviceBytes, 512) * 512 - peStartBytes(alignmentBytes);
  return usable <= 0 ? 0 : floorDiv(usable, extentBytes);
}

/** lvcreate -l N%VG */
export function percentExtents(percent: number, totalExtents: number): number {
  // Exact for decimals: N is scaled to an integer before multiplying (lvm2 keeps percents as fixed point too).
  const scaled = BigInt(Math.round(percent * 1e6));
  return Number((scaled * BigInt(totalExtents)) / 100000000n);
}

/**
 * Thin pool metadata estimate (bytes): 64 bytes per chunk, 2 MiB … 16 GiB. With a given chunk size
 * (lvcreate --chunksize) that chunk; else lvm2's "generic" chunk policy (64 KiB, doubled until the
 * metadata is at most 128 MiB).
 */
export function thinMetadataBytes(poolBytes: number, chunkBytes?: number): number {
  let chunk = chunkBytes ?? 64 * 1024;
  const maxOptimal = 128 * MiB;
  let meta = Math.ceil(poolBytes / chunk) * 64;
  while (chunkBytes === undefined && meta > maxOptimal && chunk < 1024 * MiB) {
    chunk *= 2;
    meta = Math.ceil(poolBytes / chunk) * 64;
  }
  return Math.min(Math.max(meta, 2 * MiB), 16 * 1024 * MiB);
}
