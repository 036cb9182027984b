/**
 * What a bench run's figures say: ratios to raw, the profiles' checks (e.g. p99 < 1 ms), the noise
 * between repeats, and the one-line summary. Pure functions of the results.
 */
import { FIGURES, type FigureKey } from './figures.js';
import { getProfile, type Profile } from './profiles.js';
import type { BenchResults, ProfileRun, Ratio } from './results.js';

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

/** The profile's checks on the medians of a summary; undefined when the profile has none. */
export function checkProfile(p: Profile, summary: ProfileRun['summary']): ProfileRun['checks'] {
  if (!p.checks) return undefined;
  const out: NonNullable<ProfileRun['checks']> = [];
  for (const c of p.checks) {
    const v = summary[c.figure]?.median;
    if (v === undefined) continue;
    out.push({ ...c, value: v, pass: (c.max === undefined || v <= c.max) && (c.min === undefined || v >= c.min) });
  }
  return out;
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

/** "3 targets × 4 profiles, checks 5 pass / 1 fail, lowest ratio to raw 0.962 (lv_kafka kafka-append)". */
export function summaryLine(r: BenchResults): string {
  const checks = r.results.flatMap((x) => x.checks ?? []);
  const parts = [`${r.targets.length} targets × ${r.profiles.length} profiles`];
  if (checks.length) parts.push(`checks ${checks.filter((c) => c.pass).length} pass / ${checks.filter((c) => !c.pass).length} fail`);
  const low = [...r.ratios].sort((a, b) => a.ratio - b.ratio)[0];
  if (low) parts.push(`lowest ratio to raw ${low.ratio.toFixed(3)} (${low.target} ${low.profile})`);
  if (r.comparison) parts.push(`${r.comparison.regressions.length} regressions beyond ±${r.comparison.noisePct} %`);
  return parts.join(', ');
}

/** Figures that fail a profile check (used by the command for its exit status and summary). */
export function failedChecks(r: Pick<BenchResults, 'results'>): { target: string; profile: string; figure: FigureKey; value: number; why: string }[] {
  return r.results.flatMap((x) => (x.checks ?? []).filter((c) => !c.pass).map((c) => ({ target: x.target, profile: x.profile, figure: c.figure, value: c.value, why: c.why })));
}
