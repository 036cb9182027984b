/**
 * Mount-option drift worded for verify: one item per difference. The comparison itself is the one in
 * src/facts/mount-options.ts (kernel spellings, hidden defaults, fstab-only words, atime modes), the
 * same that decides plan's remounts and health's drift, so the three never disagree.
 */
import { compareMountOptions, kernelSpelling, optionName } from '../facts/mount-options.js';

export interface OptionMismatch {
  /** The plan's option as written (or the live option that is set but not planned). */
  option: string;
  /** What the plan expects when it is not `option` itself ("(not set)" for an unwanted live option). */
  expected?: string;
  /** The kernel's option of the same name or atime mode; absent when the kernel shows none. */
  found?: string;
}

/**
 * Options of `expected` (the plan's, fstab spelling) that the kernel's `found` list (findmnt) does not
 * honour, in the plan's order, then live options only a user sets that the plan does not ask for.
 * Empty exactly when compareMountOptions says `same`.
 */
export function mountOptionMismatches(fstype: string, expected: string[], found: string[]): OptionMismatch[] {
  const d = compareMountOptions(fstype, expected, found);
  if (d.same) return [];
  const out: OptionMismatch[] = [];
  const missing = new Set(d.missing);
  const unwanted = new Set(d.unwanted);
  const liveByName = new Map<string, string>();
  for (const o of found) {
    const k = kernelSpelling(fstype, o);
    if (k !== undefined && k.includes('=')) liveByName.set(optionName(k), k);
  }
  const atimeWords = expected.filter((o) => o === 'noatime' || o === 'relatime' || o === 'strictatime');
  const lastAtime = atimeWords[atimeWords.length - 1];
  let atimeSaid = false;
  for (const raw of expected) {
    if (d.atime && raw === lastAtime && !atimeSaid) {
      out.push({ option: raw, found: d.atime.have });
      atimeSaid = true;
      continue;
    }
    const k = kernelSpelling(fstype, raw);
    if (k === undefined || !missing.has(k)) continue;
    missing.delete(k);
    const same = liveByName.get(optionName(k));
    if (same !== undefined) {
      unwanted.delete(same);
      out.push({ option: raw, found: same });
    } else out.push({ option: raw });
  }
  if (d.atime && !atimeSaid) out.push({ option: d.atime.want, found: d.atime.have });
  for (const u of unwanted) out.push({ option: u, expected: '(not set)', found: u });
  return out;
}
