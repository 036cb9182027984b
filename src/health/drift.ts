/**
 * Drift of mount options vs the plan, for health. The comparison itself is diff's
 * (src/facts/mount-options.ts: kernel spellings, hidden defaults, fstab-only words, atime modes), so
 * `health`, `plan` and `verify` never disagree on what "drifted" means; health only words it.
 */
import { compareMountOptions } from '../facts/mount-options.js';

/** Human descriptions of each difference; empty when the kernel's options match the plan's. */
export function mountOptionDrift(planned: string[], fstype: string, actual: string[]): string[] {
  const d = compareMountOptions(fstype, planned, actual);
  if (d.same) return [];
  return [
    ...d.missing.map((o) => `${o} missing`),
    ...d.unwanted.map((o) => `${o} set but not planned`),
    ...(d.atime ? [`atime: kernel ${d.atime.have}, plan ${d.atime.want}`] : []),
  ];
}
