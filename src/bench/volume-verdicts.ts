/**
 * The answer per volume: "is it as fast as the drive?". For each volume × profile (workload) the
 * profile's primary figures as ratios to the raw side (the ratios of computeRatios, verdicts.ts), each
 * with the range its repeats allow (min…max of both sides, stats.ts), and one verdict. Pure.
 *
 * A ratio is conclusive only when both sides were run at least twice and its whole range lies on one
 * side of RATIO_GOAL: a single run has no known noise, and a range across the goal is inside the noise.
 */
import { FIGURES, type FigureKey } from './figures.js';
import type { BenchResults, Ratio } from './results.js';
import type { Stat } from './stats.js';
import { RATIO_GOAL } from './verdicts.js';

export type VerdictKind = 'as-fast' | 'slower' | 'not-conclusive';

export interface RatioVerdict {
  target: string;
  profile: string;
  figure: FigureKey;
  /** Median ratio, normalised so that ≥ 1 is as fast as raw or faster (Ratio.ratio). */
  ratio: number;
  /** The ratio's range over the repeats: worst and best pairing of the two sides' min and max. */
  low: number;
  high: number;
  /** Fewer repeats of the two sides. */
  runs: number;
  kind: VerdictKind;
  /** Why not conclusive: a side ran once, or the range crosses the goal. */
  why?: '1 run' | 'noise';
}

export interface CellVerdict extends RatioVerdict {
  /** Each primary figure's verdict; the cell's own fields are its headline figure's. */
  figures: RatioVerdict[];
  /** "as fast as the drive" | "slower by 12 %" | "not conclusive (noise)" | "not conclusive (1 run)". */
  text: string;
}

/** Ratio range from the two sides' run ranges; a non-positive bound gives the widest range (0…∞). */
export function ratioRange(figure: FigureKey, target: Stat, raw: Stat): { low: number; high: number } {
  const [num, den] = FIGURES[figure].better === 'lower' ? [raw, target] : [target, raw];
  if (!(num.min > 0 && den.min > 0)) return { low: 0, high: Number.POSITIVE_INFINITY };
  return { low: num.min / den.max, high: num.max / den.min };
}

/** The verdict of one ratio, with the Stats of the results it was computed from. */
export function ratioVerdict(r: Pick<BenchResults, 'results' | 'rawTarget'>, x: Ratio): RatioVerdict {
  const stat = (t: string) => r.results.find((y) => y.target === t && y.profile === x.profile)?.summary[x.figure];
  const a = stat(x.target);
  const b = stat(r.rawTarget ?? 'raw');
  const runs = Math.min(a?.n ?? 1, b?.n ?? 1);
  const { low, high } = a && b ? ratioRange(x.figure, a, b) : { low: x.ratio, high: x.ratio };
  const base = { target: x.target, profile: x.profile, figure: x.figure, ratio: x.ratio, low, high, runs };
  if (runs < 2) return { ...base, kind: 'not-conclusive', why: '1 run' };
  if (low >= RATIO_GOAL) return { ...base, kind: 'as-fast' };
  if (high < RATIO_GOAL) return { ...base, kind: 'slower' };
  return { ...base, kind: 'not-conclusive', why: 'noise' };
}

export function verdictText(v: Pick<RatioVerdict, 'kind' | 'ratio' | 'why'>): string {
  if (v.kind === 'as-fast') return 'as fast as the drive';
  if (v.kind === 'slower') return `slower by ${Math.max(1, Math.round((1 - v.ratio) * 100))} %`;
  return `not conclusive (${v.why ?? 'noise'})`;
}

/**
 * One verdict per volume × profile that has ratios, in the order of the results' targets and profiles.
 * The cell is "slower" when any primary figure is conclusively slower (the headline is the slowest of
 * those), "as fast" when all are conclusively as fast, else not conclusive (headline: lowest ratio).
 */
export function volumeVerdicts(r: Pick<BenchResults, 'results' | 'rawTarget' | 'ratios' | 'targets' | 'profiles'>): CellVerdict[] {
  const out: CellVerdict[] = [];
  for (const t of r.targets) {
    for (const p of r.profiles) {
      const figures = r.ratios.filter((x) => x.target === t.id && x.profile === p.name).map((x) => ratioVerdict(r, x));
      if (!figures.length) continue;
      const slower = figures.filter((f) => f.kind === 'slower').sort((a, b) => a.ratio - b.ratio);
      const lowest = [...figures].sort((a, b) => a.ratio - b.ratio)[0]!;
      const head: RatioVerdict = slower[0] ?? (figures.every((f) => f.kind === 'as-fast') ? lowest : { ...lowest, kind: 'not-conclusive', why: figures.find((f) => f.why === '1 run') ? '1 run' : 'noise' });
      out.push({ ...head, figures, text: verdictText(head) });
    }
  }
  return out;
}
