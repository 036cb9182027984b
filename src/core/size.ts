/**
 * The one size grammar of the tool: plan files, drives files, snapshot policies and the sandbox's
 * `--drive` read sizes here (docs/plan-format.md "Sizes"). Pure; no imports.
 *
 * Sizes exactly as LVM reads them, plus the decimal units a human plan may use.
 *
 * - `KiB MiB GiB TiB PiB EiB`, and LVM's own one-letter units `k m g t p e` (either case), are base 2:
 *   lvm(8)/pvcreate(8) "Size[UNIT]": "Input units are always treated as base two values, regardless of
 *   capitalization, e.g. 'k' and 'K' both refer to 1024". So the specs' `200G` is 200 GiB.
 * - `KB MB GB TB PB EB` (and `kB`) are base 10: 1 GB = 1,000,000,000 bytes. LVM has no input unit for these;
 *   the plan converts them to bytes and the layout rounds up to whole extents, as `lvcreate -L` does.
 * - `s`/`S` is a 512-byte sector, `b`/`B` a byte. A bare number ("1073741824", 0.5) is refused: LVM reads it
 *   as MiB, a reader as bytes, and a plan file should never depend on a command's default unit. (A JS number
 *   passed by code, e.g. a drives file's sizeBytes, is bytes.)
 * - `N%` (N may have decimals) is a share of the volume group's extents; `rest` takes what is left.
 *
 * Arithmetic is done in BigInt so fractions like "1.5TiB" or "0.1GB" are exact; fractional bytes round up.
 */

export type SizeSpec =
  | { kind: 'bytes'; bytes: number; text: string }
  | { kind: 'percent'; percent: number; text: string }
  | { kind: 'rest'; text: string };

const KI = 1024n;
const UNIT_MULTIPLIERS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  s: 512n,
  k: KI,
  m: KI ** 2n,
  g: KI ** 3n,
  t: KI ** 4n,
  p: KI ** 5n,
  e: KI ** 6n,
  kib: KI,
  mib: KI ** 2n,
  gib: KI ** 3n,
  tib: KI ** 4n,
  pib: KI ** 5n,
  eib: KI ** 6n,
  kb: 10n ** 3n,
  mb: 10n ** 6n,
  gb: 10n ** 9n,
  tb: 10n ** 12n,
  pb: 10n ** 15n,
  eb: 10n ** 18n,
};

export class SizeError extends Error {}

const SIZE_RE = /^([0-9]+)(?:\.([0-9]+))?\s*([A-Za-z]*)$/;
const PERCENT_RE = /^([0-9]+(?:\.[0-9]+)?)\s*%(?:VG)?$/;

/** Unit key for the multiplier table: one-letter units are case-insensitive (LVM); two- and three-letter ones keep KB/GB vs KiB. */
function unitKey(u: string): string | undefined {
  if (u.length <= 1) return u.toLowerCase();
  const l = u.toLowerCase();
  if (/^[kmgtpe]ib$/.test(l)) return l;
  if (/^[kmgtpe]b$/.test(l)) {
    // "Kb"/"kb" are ambiguous (kilobits); accept KB, kB, MB, GB, TB, PB, EB only.
    if (u[1] !== 'B') return undefined;
    return l;
  }
  return undefined;
}

/** How a string of digits without a unit is read: refused (plan files, the default) or as bytes. */
export interface SizeOptions {
  /**
   * 'bytes' only where the consumer's own convention is bytes and says so in its help: the sandbox's
   * `--drive 4000000000000` (QEMU's `-drive size=` is in bytes). Plan files never use it.
   */
  bareNumber?: 'refused' | 'bytes';
}

/**
 * Parse a size; throws SizeError with a message saying what is accepted.
 * Shape: "800GiB" | "800GB" | "1.5TiB" | "200g" | "20%" | "rest" → SizeSpec (bytes are exact, whole,
 * fractional bytes round up). Source of the units: lvm(8) "Size[UNIT]", IEC 80000-13 for KiB…EiB.
 */
export function parseSize(input: string | number, opts: SizeOptions = {}): SizeSpec {
  const text = String(input).trim();
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input <= 0) throw new SizeError(`size ${input} must be a positive whole number of bytes`);
    return { kind: 'bytes', bytes: input, text };
  }
  if (text === '') throw new SizeError('size is empty; write e.g. "800GiB", "800GB", "20%" or "rest"');
  if (text.toLowerCase() === 'rest') return { kind: 'rest', text };
  if (text.startsWith('-')) throw new SizeError(`size "${text}" is negative; sizes must be greater than zero`);
  const pm = PERCENT_RE.exec(text);
  if (pm) {
    const percent = Number(pm[1]);
    if (!(percent > 0)) throw new SizeError(`size "${text}" is zero; a share of the VG must be greater than 0%`);
    if (percent > 100) throw new SizeError(`size "${text}" is more than 100% of the volume group`);
    return { kind: 'percent', percent, text };
  }
  const m = SIZE_RE.exec(text);
  if (!m) {
    throw new SizeError(
      `size "${text}" is not understood; write a number and a unit: KiB/MiB/GiB/TiB (base 2, also LVM's k/m/g/t), ` +
        `KB/MB/GB/TB (base 10), "N%" of the VG, or "rest"`,
    );
  }
  const [, intPart, fracPart = '', unitRaw = ''] = m;
  if (/^0*$/.test(intPart! + fracPart)) throw new SizeError(`size "${text}" is zero; sizes must be greater than zero`);
  if (unitRaw === '' && opts.bareNumber === 'bytes') {
    if (fracPart !== '') throw new SizeError(`size "${text}": not a whole number of bytes`);
    const b = BigInt(intPart!);
    if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new SizeError(`size "${text}" is too large`);
    return { kind: 'bytes', bytes: Number(b), text };
  }
  if (unitRaw === '')
    throw new SizeError(
      `size "${text}" has no unit; write e.g. "${text}GiB" (base 2, also LVM's g), "${text}GB" (base 10), "${text}MiB", "N%" of the VG or "rest". ` +
        `A bare number is refused because LVM reads it as MiB and a reader as bytes: the tool will not guess`,
    );
  const key = unitKey(unitRaw);
  const mult = key === undefined ? undefined : UNIT_MULTIPLIERS[key];
  if (mult === undefined) {
    throw new SizeError(
      `size "${text}": unknown unit "${unitRaw}"; use KiB/MiB/GiB/TiB (base 2, also LVM's k/m/g/t), KB/MB/GB/TB (base 10), s (512-byte sectors) or b (bytes)`,
    );
  }
  const scale = 10n ** BigInt(fracPart.length);
  const num = BigInt(intPart! + fracPart) * mult;
  let bytes = num / scale;
  if (num % scale !== 0n) bytes += 1n; // fractional bytes round up
  if (bytes <= 0n) throw new SizeError(`size "${text}" is zero; sizes must be greater than zero`);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new SizeError(`size "${text}" is too large`);
  return { kind: 'bytes', bytes: Number(bytes), text };
}

/** Like parseSize but returns the error message instead of throwing. */
export function trySize(input: string | number, opts: SizeOptions = {}): { ok: true; size: SizeSpec } | { ok: false; message: string } {
  try {
    return { ok: true, size: parseSize(input, opts) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** Parse a size that must be absolute bytes (no %, no rest): extent sizes, alignments. */
export function parseBytes(input: string | number, opts: SizeOptions = {}): number {
  const s = parseSize(input, opts);
  if (s.kind !== 'bytes') throw new SizeError(`"${s.text}" must be an absolute size (e.g. "4MiB"), not ${s.kind === 'rest' ? '"rest"' : 'a percentage'}`);
  return s.bytes;
}

