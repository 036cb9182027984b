import { FIGURE_KEYS, type FigureKey, type Figures } from './figures.js';

/** Median and spread of repeated runs: the figure reported is the median, the spread says how far to trust it. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
  /** (max − min) / median, in percent; 0 for a single run. */
  spreadPct: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function stat(values: readonly number[]): Stat {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, n: values.length, spreadPct: values.length > 1 && m !== 0 ? ((max - min) / Math.abs(m)) * 100 : 0 };
}

/** Per figure, the stat over the runs that reported it. */
export function summarize(runs: readonly Figures[]): Partial<Record<FigureKey, Stat>> {
  const out: Partial<Record<FigureKey, Stat>> = {};
  for (const k of FIGURE_KEYS) {
    const vals = runs.map((r) => r[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (vals.length) out[k] = stat(vals);
  }
  return out;
}
