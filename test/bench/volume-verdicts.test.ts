import { test } from 'node:test';
import assert from 'node:assert/strict';
import { volumeVerdicts, ratioRange, verdictText } from '../../src/bench/volume-verdicts.js';
import { changeVerdict, compareResults } from '../../src/bench/compare.js';
import { summarize, stat } from '../../src/bench/stats.js';
import { computeRatios } from '../../src/bench/verdicts.js';
import { fixtureResults } from '../report/fixture-results.js';
import { rehearsalResults, twoRehearsalsAsRepeats } from '../report/rehearse-results.js';

test('a single-run ratio is never conclusive, however far from 1 (real rehearsal: lowest 0.561)', () => {
  const r = rehearsalResults('1900');
  const cells = volumeVerdicts(r);
  assert.equal(cells.length, 14); // 7 volumes × 2 workloads
  assert.ok(cells.every((c) => c.kind === 'not-conclusive' && c.why === '1 run' && c.text === 'not conclusive (1 run)'));
  assert.ok(r.ratios.some((x) => x.ratio < 0.6));
});

test('repeated runs: conclusive only when the whole range is on one side of 0.97 (real runs as two repeats)', () => {
  const cells = volumeVerdicts(twoRehearsalsAsRepeats());
  const by = (t: string, p: string) => cells.find((c) => c.target === t && c.profile === p)!;
  // lv_kafka's write p99 ratio ranges 0.561 … 1.038: inside the noise.
  const kafka = by('lv_kafka', 'rand4k-qd1-write');
  assert.equal(kafka.text, 'not conclusive (noise)');
  assert.ok(kafka.low < 0.97 && kafka.high > 0.97);
  // lv_backup's write IOPS ranges 0.797 … 0.885: conclusively slower.
  const backup = by('lv_backup', 'rand4k-qd1-write');
  assert.equal(backup.kind, 'slower');
  assert.match(backup.text, /^slower by \d+ %$/);
  assert.ok(backup.high < 0.97);
  for (const c of cells) {
    if (c.kind === 'slower') assert.ok(c.figures.some((f) => f.high < 0.97));
    if (c.kind === 'not-conclusive') assert.ok(c.figures.every((f) => f.kind !== 'slower'));
  }
});

test('as fast as the drive: two runs, whole range ≥ 0.97; a volume at half the speed is slower by 50 %', async () => {
  const r = await fixtureResults();
  const cells = volumeVerdicts(r);
  assert.equal(cells.find((c) => c.profile === 'seq1m-read')!.text, 'as fast as the drive');
  const half = structuredClone(r);
  const x = half.results.find((y) => y.target === 'lv_fs' && y.profile === 'seq1m-read')!;
  x.runs = x.runs.map((f) => ({ ...f, 'read.bw_bytes': f['read.bw_bytes']! / 2 }));
  x.summary = summarize(x.runs);
  half.ratios = computeRatios(half.results, half.rawTarget!);
  assert.equal(volumeVerdicts(half).find((c) => c.profile === 'seq1m-read')!.text, 'slower by 50 %');
});

test('ratio range: latency is raw ÷ volume, so the range flips; zero bounds give the widest range', () => {
  assert.deepEqual(ratioRange('read.iops', stat([80, 100]), stat([100, 125])), { low: 80 / 125, high: 1 });
  assert.deepEqual(ratioRange('read.clat_p99_us', stat([200, 250]), stat([100, 125])), { low: 100 / 250, high: 125 / 200 });
  assert.deepEqual(ratioRange('read.iops', stat([0, 1]), stat([1, 2])), { low: 0, high: Infinity });
  assert.equal(verdictText({ kind: 'slower', ratio: 0.996 }), 'slower by 1 %');
});

test('a big drop inside the noise is not a regression; beyond the band and apart it is', async () => {
  // Single runs on both sides (the real rehearsals): nothing is flagged, whatever the change.
  const c1 = compareResults(rehearsalResults('1947'), rehearsalResults('1900'), { baselineName: '1900' });
  assert.equal(c1.regressions.length, 0);
  assert.equal(c1.improvements.length, 0);
  const beyond = c1.changes.filter((x) => x.inconclusive);
  assert.ok(beyond.length > 0 && beyond.every((x) => x.inconclusive === '1 run'));
  assert.match(changeVerdict(beyond[0]!, 10).text, /^(worse|better) by \d+ % — not conclusive \(1 run\)$/);
  // A −96 % drop whose runs overlap the baseline's (runs 4 and 100 vs 90 and 110): noise, not REGRESSION.
  const base = await fixtureResults();
  delete base.comparison;
  const now = structuredClone(base);
  const set = (r: typeof base, vals: number[]) => {
    const x = r.results.find((y) => y.target === 'lv_fs' && y.profile === 'rand4k-qd1-read')!;
    x.runs = x.runs.map((f, i) => ({ ...f, 'read.iops': vals[i]! }));
    x.summary = summarize(x.runs);
  };
  set(base, [90, 110]);
  set(now, [4, 100]);
  const drop = compareResults(now, base).changes.find((x) => x.target === 'lv_fs' && x.profile === 'rand4k-qd1-read' && x.figure === 'read.iops')!;
  assert.ok(drop.betterPct < -45);
  assert.equal(drop.regression, false);
  assert.equal(drop.inconclusive, 'noise');
  assert.match(changeVerdict(drop, 10).text, /not conclusive \(noise\)/);
  // Apart: 4 and 5 vs 90 and 110: a regression.
  set(now, [4, 5]);
  const real = compareResults(now, base).changes.find((x) => x.target === 'lv_fs' && x.profile === 'rand4k-qd1-read' && x.figure === 'read.iops')!;
  assert.equal(real.regression, true);
  assert.equal(changeVerdict(real, 10).text, 'REGRESSION');
});
