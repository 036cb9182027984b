/**
 * What a bench run's figures say: ratios to raw, the profiles' checks (e.g. p99 < 1 ms), the noise
 * between repeats, and the one-line summary. Pure functions of the results.
 */
import { FIGURES, type FigureKey } from './figures.js';
import { getProfile, type Profile } from './profiles.js';
import type { BenchResults, ProfileRun, Ratio } from './results.js';

/** A volume is as fast as the drive when its ratio to raw is at least this (the report's and bench's goal). */
export const RATIO_GOAL = 0.97;

/** Median spread of the headline figures above which a run is called noisy (the default compare band). */
export const NOISY_SPREAD_PCT = 10;

/** Each target's primary figures against the raw target's, normalised so that > 1 is better than raw. */
export function computeRatios(results: ProfileRun[], rawId: string): Ratio[] {
  const ratios: Ratio[] = [];
  for (const r of results) {
    if (r.target === rawId) continue;
    const raw = results.find((x) => x.target === rawId && x.profile === r.profile);
    const p = getProfile(r.profile);
    if (!raw || !p) continue;
    for (const fk of p.primary) {
      const a = r.summary[fk]?.median;
      const b = raw.summary[fk]?.median;
      if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) continue;
      const ratio = FIGURES[fk].better === 'lower' ? b / a : a / b;
      ratios.push({ target: r.target, profile: r.profile, figure: fk, ratio, targetMedian: a, rawMedian: b });
    }
  }
  return ratios;
}

/** Why a check on an emulated drive does not count. */
export const EMULATED_NOT_JUDGED = "not judged: the drive is emulated (QEMU/virtio), so this absolute figure is the emulator's, not a drive's";

/**
 * The profile's checks on the medians of a summary; undefined when the profile has none. The checks are
 * absolute claims about a drive (spec 1015's sub-millisecond p99): on an emulated drive
 * (`emulated`, drives.ts isEmulated) each is kept with its value but marked `notJudged`.
 */
export function checkProfile(p: Profile, summary: ProfileRun['summary'], emulated = false): ProfileRun['checks'] {
  if (!p.checks) return undefined;
  const out: NonNullable<ProfileRun['checks']> = [];
  for (const c of p.checks) {
    const v = summary[c.figure]?.median;
    if (v === undefined) continue;
    out.push({ ...c, value: v, pass: (c.max === undefined || v <= c.max) && (c.min === undefined || v >= c.min), ...(emulated ? { notJudged: EMULATED_NOT_JUDGED } : {}) });
  }
  return out;
}

/** Checks that count (`notJudged` ones left out), passed and failed. */
export function judgedChecks(r: Pick<BenchResults, 'results'>): { pass: number; fail: number; notJudged: number } {
  const all = r.results.flatMap((x) => x.checks ?? []);
  const judged = all.filter((c) => !c.notJudged);
  return { pass: judged.filter((c) => c.pass).length, fail: judged.filter((c) => !c.pass).length, notJudged: all.length - judged.length };
}

/**
 * Run-to-run noise: when the runs of a figure vary more than a comparison's default band, a ratio or
 * change inside that spread says nothing. Returns the note to show, or undefined when the run is quiet.
 */
export function noiseNote(results: ProfileRun[]): string | undefined {
  const spreads = results
    .flatMap((x) => (getProfile(x.profile)?.primary ?? []).map((f) => x.summary[f]))
    .filter((s): s is NonNullable<typeof s> => !!s && s.n > 1)
    .map((s) => s.spreadPct)
    .sort((a, b) => a - b);
  if (!spreads.length) return undefined;
  const mid = spreads[Math.floor(spreads.length / 2)]!;
  if (mid <= NOISY_SPREAD_PCT) return undefined;
  return (
    `Noisy run: the headline figures varied by a median ${mid.toFixed(0)} % (worst ${spreads[spreads.length - 1]!.toFixed(0)} %) between repeats ` +
    `(max − min over median). Ratios and changes within that spread are not conclusive; rerun on a quieter host, with a longer --runtime or more --repeat.`
  );
}

/** "3 targets × 4 profiles, checks 5 pass / 1 fail (/ N not judged (emulated drives)), lowest ratio to raw 0.962 (lv_kafka kafka-append)". */
export function summaryLine(r: BenchResults): string {
  const c = judgedChecks(r);
  const parts = [`${r.targets.length} targets × ${r.profiles.length} profiles`];
  const per = r.meta.onePerPath;
  if (per) parts.push(`one volume per I/O path: ${per.map((x) => `${x.target}${x.standsFor.length ? ` (for ${x.standsFor.join(', ')})` : ''}`).join(', ')}`);
  if (c.pass + c.fail + c.notJudged) parts.push(`checks ${c.pass} pass / ${c.fail} fail${c.notJudged ? ` / ${c.notJudged} not judged (emulated drives)` : ''}`);
  const low = [...r.ratios].sort((a, b) => a.ratio - b.ratio)[0];
  if (low) parts.push(`lowest ratio to raw ${low.ratio.toFixed(3)} (${low.target} ${low.profile})`);
  if (r.database) {
    const rw = r.database.results.find((x) => x.profile === 'pgbench-rw')?.summary['db.ops']?.median;
    parts.push(`${r.database.results.length} database tests${rw !== undefined ? ` (pgbench read-write ${rw.toFixed(1)} TPS)` : ''}`);
  }
  if (r.comparison) parts.push(`${r.comparison.regressions.length} regressions beyond ±${r.comparison.noisePct} %`);
  return parts.join(', ');
}

/** Figures that fail a profile check that counts (not `notJudged`): rehearse's bench step fails on any. */
export function failedChecks(r: Pick<BenchResults, 'results'>): { target: string; profile: string; figure: FigureKey; value: number; max?: number; min?: number; why: string }[] {
  return r.results.flatMap((x) => (x.checks ?? []).filter((c) => !c.pass && !c.notJudged).map((c) => ({ target: x.target, profile: x.profile, figure: c.figure, value: c.value, max: c.max, min: c.min, why: c.why })));
}
