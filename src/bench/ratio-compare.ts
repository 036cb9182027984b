/**
 * The ratios of a run against a saved baseline's: the database ÷ fio ratios (database-ratios.ts) and the
 * tuned ÷ seed-literal layout ratios (layout-compare.ts). Each ratio is measured within one run, so it
 * survives the host's drift between runs better than any absolute figure; comparing it with the
 * baseline's says whether the same proportion held. No flag: a ratio has no noise band of its own (its
 * range over the runs, when known, is kept beside it).
 */
import type { FigureKey } from './figures.js';
import type { BenchResults } from './results.js';

export interface RatioChange {
  kind: 'database ÷ fio' | 'default ÷ seed-literal';
  /** The volume (target id) the ratio belongs to. */
  target: string;
  /** database ÷ fio: the database test; layout: the fio profile or database test. */
  test: string;
  /** database ÷ fio: what it is divided by ("pg-wal"); layout: the figure compared. */
  of: string;
  baseline: number;
  current: number;
  /** (current − baseline) / baseline, percent. */
  changePct: number;
  baselineRange?: { min: number; max: number };
  currentRange?: { min: number; max: number };
}

/** Every ratio present in both documents, matched by volume, test and figure; in the current run's order. */
export function compareRatios(current: BenchResults, baseline: BenchResults): RatioChange[] {
  const out: RatioChange[] = [];
  const change = (b: number, c: number) => ((c - b) / b) * 100;
  for (const c of current.database?.ratios ?? []) {
    const b = baseline.database?.ratios.find((x) => x.target === c.target && x.database === c.database && x.predictedBy.profile === c.predictedBy.profile);
    if (b && b.ratio > 0) out.push({ kind: 'database ÷ fio', target: c.target, test: c.database, of: c.predictedBy.profile, baseline: b.ratio, current: c.ratio, changePct: change(b.ratio, c.ratio) });
  }
  for (const c of current.layoutComparison?.rows ?? []) {
    const b = baseline.layoutComparison?.rows.find((x) => x.volume === c.volume && x.profile === c.profile && x.figure === c.figure);
    if (!b || !(b.ratio > 0)) continue;
    out.push({
      kind: 'default ÷ seed-literal',
      target: c.volume,
      test: c.profile,
      of: c.figure satisfies FigureKey,
      baseline: b.ratio,
      current: c.ratio,
      changePct: change(b.ratio, c.ratio),
      ...(b.range ? { baselineRange: b.range } : {}),
      ...(c.range ? { currentRange: c.range } : {}),
    });
  }
  return out;
}
