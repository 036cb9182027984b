import { FIGURES, type FigureKey } from './figures.js';
import type { BenchResults } from './results.js';

/**
 * Compare a run with a saved baseline: the change of each median, and a regression flag when it is
 * worse by more than the noise band. Run-to-run noise on the test bed was about 4 % (benchmark-method.md),
 * so the default band is 10 %: smaller changes are reported but not flagged.
 */
export const DEFAULT_NOISE_PCT = 10;

export interface FigureChange {
  target: string;
  profile: string;
  figure: FigureKey;
  baseline: number;
  current: number;
  /** (current − baseline) / baseline, percent, signed as measured. */
  changePct: number;
  /** Percent better (+) or worse (−), whatever the figure's direction. */
  betterPct: number;
  regression: boolean;
  improvement: boolean;
  /** Either side's spread exceeds the band: the flag is less certain. */
  noisy: boolean;
}

export interface Comparison {
  baselineName?: string;
  baselineCreatedAt: string;
  noisePct: number;
  changes: FigureChange[];
  regressions: FigureChange[];
  improvements: FigureChange[];
  /** target/profile pairs in one run but not the other. */
  onlyInBaseline: string[];
  onlyInCurrent: string[];
}

export function compareResults(current: BenchResults, baseline: BenchResults, opts: { noisePct?: number; baselineName?: string } = {}): Comparison {
  const noisePct = opts.noisePct ?? DEFAULT_NOISE_PCT;
  const key = (t: string, p: string) => `${t} / ${p}`;
  const base = new Map(baseline.results.map((r) => [key(r.target, r.profile), r]));
  const cur = new Map(current.results.map((r) => [key(r.target, r.profile), r]));
  const changes: FigureChange[] = [];
  for (const [k, c] of cur) {
    const b = base.get(k);
    if (!b) continue;
    for (const fk of Object.keys(c.summary) as FigureKey[]) {
      const info = FIGURES[fk];
      if (!info || info.better === 'none') continue;
      const cs = c.summary[fk];
      const bs = b.summary[fk];
      if (!cs || !bs || !(bs.median > 0)) continue;
      const changePct = ((cs.median - bs.median) / bs.median) * 100;
      const betterPct = info.better === 'higher' ? changePct : -changePct;
      // CPU percentages near zero swing by large relative amounts for no reason: not flagged.
      const flaggable = info.unit !== '%';
      changes.push({
        target: c.target,
        profile: c.profile,
        figure: fk,
        baseline: bs.median,
        current: cs.median,
        changePct,
        betterPct,
        regression: flaggable && betterPct < -noisePct,
        improvement: flaggable && betterPct > noisePct,
        noisy: cs.spreadPct > noisePct || bs.spreadPct > noisePct,
      });
    }
  }
  return {
    baselineName: opts.baselineName,
    baselineCreatedAt: baseline.createdAt,
    noisePct,
    changes,
    regressions: changes.filter((c) => c.regression),
    improvements: changes.filter((c) => c.improvement),
    onlyInBaseline: [...base.keys()].filter((k) => !cur.has(k)),
    onlyInCurrent: [...cur.keys()].filter((k) => !base.has(k)),
  };
}
