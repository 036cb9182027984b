/**
 * The tuned default layout ÷ the specs' literal layout (examples/seed-literal.yaml), from ONE bench run
 * that measured both on identical drives (bench/layout-ratio.ts): per volume, per fio profile on its
 * headline figures, and per database test (`bench --database`) on ops/s and p99 latency.
 */
import { FIGURES, type FigureKey } from './figures.js';
import { getProfile } from './profiles.js';
import type { BenchResults, LayoutComparison } from './results.js';
import type { Stat } from './stats.js';

export type LayoutRow = LayoutComparison['rows'][number];

/** The database figures compared across layouts: throughput and the tail a client waits for. */
export const DB_LAYOUT_FIGURES: readonly FigureKey[] = ['db.ops', 'db.lat_p99_us'];

/**
 * tuned ÷ seed on one figure, normalised so that > 1 means the tuned layout is better (latency:
 * seed ÷ tuned), with the range over the runs' pairings: the worst run of the tuned side against the
 * best of the seed side, and the reverse. Undefined when either median is not > 0.
 */
export function layoutRatio(figure: FigureKey, tuned: Stat, seed: Stat): { ratio: number; range?: { min: number; max: number } } | undefined {
  if (!(tuned.median > 0) || !(seed.median > 0)) return undefined;
  const higher = FIGURES[figure].better !== 'lower';
  const r = (t: number, s: number) => (higher ? t / s : s / t);
  const ratio = r(tuned.median, seed.median);
  if (!(tuned.min > 0) || !(seed.min > 0)) return { ratio };
  // Higher is better: worst = tuned.min ÷ seed.max. Lower is better: worst = seed.min ÷ tuned.max.
  const lo = higher ? r(tuned.min, seed.max) : r(tuned.max, seed.min);
  const hi = higher ? r(tuned.max, seed.min) : r(tuned.min, seed.max);
  return { ratio, range: { min: lo, max: hi } };
}

/**
 * Every tuned ÷ seed row of one run: for each pair (tuned volume name, seed target id), each fio profile
 * both sides ran (on the profile's headline figures) and each database test both sides ran (ops/s, p99).
 * Rows keep each side's median, the ratio, its range over the runs and both spreads (percent).
 */
export function layoutRows(r: BenchResults, pairs: readonly { tuned: string; seed: string }[]): LayoutRow[] {
  const rows: LayoutRow[] = [];
  for (const p of pairs) {
    for (const sr of r.results.filter((x) => x.target === p.seed)) {
      const tr = r.results.find((x) => x.target === p.tuned && x.profile === sr.profile);
      if (tr) rows.push(...rowsOf(p.tuned, sr.profile, getProfile(sr.profile)?.primary ?? [], tr.summary, sr.summary, 'fio'));
    }
    for (const sr of r.database?.results.filter((x) => x.target === p.seed) ?? []) {
      const tr = r.database!.results.find((x) => x.target === p.tuned && x.profile === sr.profile);
      if (tr) rows.push(...rowsOf(p.tuned, sr.profile, DB_LAYOUT_FIGURES, tr.summary, sr.summary, 'database'));
    }
  }
  return rows;
}

function rowsOf(
  volume: string,
  profile: string,
  figures: readonly FigureKey[],
  t: Partial<Record<FigureKey, Stat>>,
  s: Partial<Record<FigureKey, Stat>>,
  source: 'fio' | 'database',
): LayoutRow[] {
  const out: LayoutRow[] = [];
  for (const f of figures) {
    const a = t[f];
    const b = s[f];
    const q = a && b ? layoutRatio(f, a, b) : undefined;
    if (!a || !b || !q) continue;
    out.push({
      volume,
      profile,
      figure: f,
      source,
      tuned: a.median,
      seed: b.median,
      ratio: q.ratio,
      ...(q.range ? { range: q.range } : {}),
      runs: { tuned: a.n, seed: b.n },
      spreadPct: { tuned: a.spreadPct, seed: b.spreadPct },
    });
  }
  return out;
}

/** "0.412 (0.351–0.480)": the ratio with its range over the runs when both sides ran more than once. */
export function formatLayoutRatio(x: LayoutRow): string {
  const multi = x.range && (x.runs ? x.runs.tuned > 1 && x.runs.seed > 1 : true);
  return multi ? `${x.ratio.toFixed(3)} (${x.range!.min.toFixed(3)}–${x.range!.max.toFixed(3)})` : x.ratio.toFixed(3);
}

/** The (tuned, seed) target pairs of a layout-ratio run: each `seed:NAME` target with the volume NAME. */
export function seedPairs(r: Pick<BenchResults, 'targets'>): { tuned: string; seed: string }[] {
  return r.targets
    .filter((t) => t.id.startsWith('seed:') && r.targets.some((v) => v.id === t.id.slice(5)))
    .map((t) => ({ tuned: t.id.slice(5), seed: t.id }));
}

/**
 * Whether one run tells the layouts apart on this row: only when both sides ran more than once and the
 * whole range is on one side of 1 ('default better' above, 'seed better' below); a range containing 1
 * is 'not conclusive (noise)', a side measured once 'not conclusive (1 run)' (its noise is unknown).
 */
export function layoutVerdict(x: LayoutRow): 'default better' | 'seed better' | 'not conclusive (noise)' | 'not conclusive (1 run)' {
  if (!x.range || (x.runs && (x.runs.tuned < 2 || x.runs.seed < 2))) return 'not conclusive (1 run)';
  if (x.range.min > 1) return 'default better';
  if (x.range.max < 1) return 'seed better';
  return 'not conclusive (noise)';
}
