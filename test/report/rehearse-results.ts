import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseResults, type BenchResults } from '../../src/bench/results.js';
import { summarize } from '../../src/bench/stats.js';
import { computeRatios } from '../../src/bench/verdicts.js';

/** The bench results two real rehearsals kept (test/fixtures/report/README.md): single runs each. */
export function rehearsalResults(which: '1900' | '1947'): BenchResults {
  const file = path.resolve(`test/fixtures/report/rehearse-${which}.bench.json`);
  return parseResults(readFileSync(file, 'utf8'), file);
}

/**
 * The two rehearsals' runs taken as two repeats of one run (same plan, drives and profiles; each
 * ratio's pair was measured in the same run): medians, spreads and ratios recomputed with bench's own
 * summarize() and computeRatios(). Gives real ranges: some ratios conclusively slower, some not.
 */
export function twoRehearsalsAsRepeats(): BenchResults {
  const a = rehearsalResults('1900');
  const m = rehearsalResults('1947');
  for (const x of m.results) {
    const y = a.results.find((z) => z.target === x.target && z.profile === x.profile)!;
    x.runs = [...y.runs, ...x.runs];
    x.summary = summarize(x.runs);
  }
  m.ratios = computeRatios(m.results, m.rawTarget!);
  m.meta = { ...m.meta, repeat: 2 };
  m.name = 'two-rehearsals';
  return m;
}
