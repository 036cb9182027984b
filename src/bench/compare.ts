import { FIGURES, type FigureKey } from './figures.js';
import type { BenchResults } from './results.js';
import type { Stat } from './stats.js';
import { compareRatios, type RatioChange } from './ratio-compare.js';

/**
 * Compare a run with a saved baseline: the change of each median, and a regression flag when it is
 * worse by more than the noise band. Run-to-run noise on the test bed was about 4 % (benchmark-method.md),
 * so the default band is 10 %: smaller changes are reported but not flagged. A change beyond the band is
 * flagged only when it is conclusive (changeInconclusive): repeated runs on both sides whose ranges do
 * not overlap.
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
  /** Worse by more than the band AND conclusive (see `inconclusive`): the only change that counts (bench exits 2). */
  regression: boolean;
  /** Better by more than the band AND conclusive. */
  improvement: boolean;
  /** Either side's spread exceeds the band. */
  noisy: boolean;
  /**
   * Set when the change is beyond the band but says nothing: '1 run' (a side has a single run, so its
   * noise is unknown) or 'noise' (the runs of the two sides overlap: the change is inside their spread).
   */
  inconclusive?: 'noise' | '1 run';
}

export interface Comparison {
  baselineName?: string;
  baselineCreatedAt: string;
  noisePct: number;
  changes: FigureChange[];
  regressions: FigureChange[];
  improvements: FigureChange[];
  /** The in-run ratios (database ÷ fio, default ÷ seed-literal layout) of both documents side by side (ratio-compare.ts). */
  ratios?: RatioChange[];
  /** target/profile pairs in one run but not the other. */
  onlyInBaseline: string[];
  onlyInCurrent: string[];
}

/**
 * Why a change beyond the band is still not conclusive, or undefined when it is: a side measured once
 * has no known noise ('1 run'); sides whose run ranges (min…max of the repeats, stats.ts) overlap
 * differ by less than their own run-to-run spread ('noise').
 */
export function changeInconclusive(current: Stat, baseline: Stat): FigureChange['inconclusive'] {
  if (current.n < 2 || baseline.n < 2) return '1 run';
  return current.min <= baseline.max && baseline.min <= current.max ? 'noise' : undefined;
}

export function compareResults(current: BenchResults, baseline: BenchResults, opts: { noisePct?: number; baselineName?: string } = {}): Comparison {
  const noisePct = opts.noisePct ?? DEFAULT_NOISE_PCT;
  const key = (t: string, p: string) => `${t} / ${p}`;
  // fio profiles and the database tests (bench --database) alike: one run per target and name.
  const runsOf = (r: BenchResults) => [...r.results, ...(r.database?.results ?? [])];
  const base = new Map(runsOf(baseline).map((r) => [key(r.target, r.profile), r]));
  const cur = new Map(runsOf(current).map((r) => [key(r.target, r.profile), r]));
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
      const beyond = flaggable && Math.abs(betterPct) > noisePct;
      const inconclusive = beyond ? changeInconclusive(cs, bs) : undefined;
      changes.push({
        target: c.target,
        profile: c.profile,
        figure: fk,
        baseline: bs.median,
        current: cs.median,
        changePct,
        betterPct,
        regression: beyond && !inconclusive && betterPct < 0,
        improvement: beyond && !inconclusive && betterPct > 0,
        noisy: cs.spreadPct > noisePct || bs.spreadPct > noisePct,
        ...(inconclusive ? { inconclusive } : {}),
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
    ...(() => {
      const ratios = compareRatios(current, baseline);
      return ratios.length ? { ratios } : {};
    })(),
    onlyInBaseline: [...base.keys()].filter((k) => !cur.has(k)),
    onlyInCurrent: [...cur.keys()].filter((k) => !base.has(k)),
  };
}

/**
 * One change in words: "REGRESSION" / "improved" (conclusive, beyond the band), "worse by 96 % — not
 * conclusive (noise)" (beyond the band, inside the runs' spread or from single runs), or "within ±10 %".
 */
export function changeVerdict(c: FigureChange, noisePct: number): { kind: 'regression' | 'improvement' | 'not-conclusive' | 'within-band'; text: string } {
  if (c.regression) return { kind: 'regression', text: 'REGRESSION' };
  if (c.improvement) return { kind: 'improvement', text: 'improved' };
  if (c.inconclusive) return { kind: 'not-conclusive', text: `${c.betterPct < 0 ? 'worse' : 'better'} by ${Math.abs(c.betterPct).toFixed(0)} % — not conclusive (${c.inconclusive})` };
  return { kind: 'within-band', text: `within ±${noisePct} %` };
}
