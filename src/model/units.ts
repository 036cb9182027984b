/**
 * Byte arithmetic and formatting of the model. The size grammar itself is core/size.ts (one grammar
 * for every size the tool reads: plan, drives files, snapshot policies, the sandbox's --drive); it is
 * re-exported here for the model's callers.
 */
export { parseSize, parseBytes, trySize, SizeError, type SizeSpec, type SizeOptions } from '../core/size.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
export const GB = 1e9;

function fmt2(n: number): string {
  return n.toFixed(2).replace(/\.00$/, '');
}

/** "3725.29 GiB (4000 GB)": binary first (LVM's unit), decimal after (the drive label's unit). */
export function formatBytes(bytes: number): string {
  return `${formatBinary(bytes)} (${formatDecimal(bytes)})`;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * The largest base-2 unit (up to `maxUnit`) in which |bytes| is at least 1: the one scaling loop
 * behind every byte formatter of the tool; callers choose their own digits.
 */
export function scaleBinary(bytes: number, maxUnit: (typeof BINARY_UNITS)[number] = 'PiB'): { value: number; unit: string; index: number } {
  const last = BINARY_UNITS.indexOf(maxUnit);
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < last) {
    v /= 1024;
    i++;
  }
  return { value: v, unit: BINARY_UNITS[i]!, index: i };
}

/** Largest base-2 unit with a value >= 1, 2 decimals. */
export function formatBinary(bytes: number): string {
  const { value, unit } = scaleBinary(bytes);
  // GiB is the unit people compare with lvs output: keep GiB up to 10 TiB.
  if (unit === 'TiB' && Math.abs(bytes) < 10 * 1024 ** 4) return `${fmt2(bytes / GiB)} GiB`;
  return `${fmt2(value)} ${unit}`;
}

/** Short form for messages and tables: "186 GiB", "1.5 TiB", "512 B" (up to TiB). */
export function formatBinaryShort(bytes: number): string {
  const { value, unit, index } = scaleBinary(bytes, 'TiB');
  return `${value >= 100 || index === 0 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}

export function formatDecimal(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  if (units[i] === 'TB' && Math.abs(bytes) < 10e12) return `${fmt2(bytes / GB)} GB`;
  return `${fmt2(v)} ${units[i]}`;
}

/** Round a byte count up to 0.01 GiB / 0.01 GB for "missing" amounts, so a shortfall is never understated. */
export function formatShortfall(bytes: number): string {
  const gib = Math.ceil((bytes / GiB) * 100) / 100;
  const gb = Math.ceil((bytes / GB) * 100) / 100;
  return `${gib.toFixed(2)} GiB (${gb.toFixed(2)} GB)`;
}

/** Parse a read-ahead / sector count etc.: LVM-style "k"-suffixed sizes like "64k" or "256KiB" to bytes. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (BigInt(n) & (BigInt(n) - 1n)) === 0n;
}

/** ceil(a / b) for non-negative integers. */
export function ceilDiv(a: number, b: number): number {
  return Number((BigInt(a) + BigInt(b) - 1n) / BigInt(b));
}
export function floorDiv(a: number, b: number): number {
  return Number(BigInt(a) / BigInt(b));
}

/** Parse a short duration ("30m", "2h", "7d", "1w") to seconds; undefined when invalid. */
export function parseDuration(text: string): number | undefined {
  const m = /^([0-9]+)\s*(s|m|min|h|d|w)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult: Record<string, number> = { s: 1, '': 1, m: 60, min: 60, h: 3600, d: 86400, w: 604800 };
  return n * (mult[m[2] ?? ''] ?? 1);
}
