import { scaleBinary } from '../model/units.js';
import type { Status } from './types.js';

/**
 * Threshold classification, most severe first.
 *
 * The spec's storage-health.sh tested `> 80` before `> 90`, so its CRITICAL branch could never run
 * (every value above 90 is also above 80). Here the critical bound is tested first, and a bound is
 * reached at equality: with warning 80 and critical 90, 79.9 → ok, 80 → warning, 89.9 → warning,
 * 90 → critical. "Critical at 90 %" then means what an operator reads: the volume has reached 90 %.
 */
export function classify(value: number, warn: number, crit: number): Status {
  if (!Number.isFinite(value)) return 'unknown';
  if (value >= crit) return 'critical';
  if (value >= warn) return 'warning';
  return 'ok';
}

/** Percent with one decimal, for messages ("85.0 %"). */
export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** Bytes in binary units, for messages and the table ("12.3 GiB"). */
export function fmtBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  const { value: v, unit, index: i } = scaleBinary(n);
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${unit}`;
}
