/**
 * Sizes and durations as the snapshot policies write them. Kept local to the snapshot module (the
 * plan-wide size arithmetic lives with the model); the rules are the plan file's own: KiB/MiB/GiB/TiB
 * and LVM's k/m/g/t (either case) are base 2, KB/MB/GB/TB are base 10, "N%" is a share of a base
 * the caller names (the origin for a COW size, the VG for the reserve). Absolute sizes are the one
 * grammar of core/size.ts (a bare number is refused, as in the rest of the plan).
 */

import { scaleBinary } from '../model/units.js';
import { parseSize } from '../model/units.js';

/** Bytes of a size spec; "N%" is taken of `percentOf`. */
export function sizeBytes(text: string, percentOf: number): number {
  // Absolute sizes read exactly as the rest of the plan (src/model/units.ts); "N%" of the given base.
  const pct = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (pct) {
    const p = Number(pct[1]);
    if (!(p > 0)) throw new Error(`size "${text}": a percentage must be above 0`);
    return Math.ceil((percentOf * p) / 100);
  }
  const s = parseSize(text);
  if (s.kind !== 'bytes') throw new Error(`size "${text}": "rest" is not a snapshot size`);
  return s.bytes;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** "30m", "2h", "1d", "1w", "90s", "0" → milliseconds. */
export function parseDurationMs(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$/.exec(s);
  if (!m) throw new Error(`duration "${text}": expected a number with s, m, h, d or w (e.g. "30m", "2h", "1d")`);
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]! * 1000);
}

/** Round bytes up to whole extents. */
export function toExtents(bytes: number, extentSize: number): number {
  return Math.ceil(bytes / extentSize);
}

export function fmtBytes(n: number): string {
  const neg = n < 0;
  const { value: v, unit, index: i } = scaleBinary(Math.abs(n));
  const t = i === 0 ? String(v) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${neg ? '-' : ''}${t} ${unit}`;
}

export function fmtAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d${String(h % 24).padStart(2, '0')}h`;
}
