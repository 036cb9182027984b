import { benchIo } from '../support/host-run.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBench } from '../../src/bench/run.js';
import { compareResults } from '../../src/bench/compare.js';
import { summarize } from '../../src/bench/stats.js';
import { loadResults, saveResults, resultsPath, latestResults } from '../../src/bench/results.js';
import type { BenchResults } from '../../src/bench/results.js';
import { benchRunner, fixturePlan } from './helpers.js';

async function baseline(): Promise<BenchResults> {
  return runBench(benchIo(benchRunner()), {
    plan: { plan: fixturePlan(), file: 'plan.yaml', text: 'x' },
    profiles: ['rand4k-qd1', 'pg-wal'],
    runtimeS: 2,
    repeat: 2,
    sizeBytes: 2 ** 28,
  });
}

/** The same results with one figure made worse by `factor` in every run. */
function inject(r: BenchResults, profile: string, figure: 'read.iops' | 'sync.lat_p99_us', factor: number): BenchResults {
  const c = structuredClone(r);
  const x = c.results.find((y) => y.profile === profile)!;
  x.runs = x.runs.map((f) => ({ ...f, [figure]: f[figure]! * factor }));
  x.summary = summarize(x.runs);
  return c;
}

test('compare: identical runs show no change and no regression', async () => {
  const b = await baseline();
  const c = compareResults(b, b);
  assert.ok(c.changes.length > 10);
  assert.ok(c.changes.every((x) => x.changePct === 0));
  assert.equal(c.regressions.length, 0);
  assert.equal(c.noisePct, 10);
});

test('compare flags an injected regression beyond the noise band, in the right direction per figure', async () => {
  const b = await baseline();
  // IOPS down 20 %: a regression. p99 sync latency up 30 %: a regression.
  const worse = inject(inject(b, 'rand4k-qd1-read', 'read.iops', 0.8), 'pg-wal', 'sync.lat_p99_us', 1.3);
  const c = compareResults(worse, b, { baselineName: 'before' });
  const flagged = c.regressions.map((x) => `${x.profile}:${x.figure}`).sort();
  assert.deepEqual(flagged, ['pg-wal:sync.lat_p99_us', 'rand4k-qd1-read:read.iops']);
  const iops = c.regressions.find((x) => x.figure === 'read.iops')!;
  assert.ok(Math.abs(iops.changePct + 20) < 1e-9);
  assert.ok(Math.abs(iops.betterPct + 20) < 1e-9);
  const lat = c.regressions.find((x) => x.figure === 'sync.lat_p99_us')!;
  assert.ok(Math.abs(lat.changePct - 30) < 1e-9 && Math.abs(lat.betterPct + 30) < 1e-9);
  // The reverse is an improvement, not a regression.
  const back = compareResults(b, worse);
  assert.equal(back.regressions.length, 0);
  assert.equal(back.improvements.length, 2);
  // Within the band: reported, not flagged. A wider band swallows the 20 %.
  assert.equal(compareResults(inject(b, 'rand4k-qd1-read', 'read.iops', 0.95), b).regressions.length, 0);
  assert.deepEqual(compareResults(worse, b, { noisePct: 25 }).regressions.map((x) => x.figure), ['sync.lat_p99_us']);
});

test('compare lists target/profile pairs present on one side only', async () => {
  const b = await baseline();
  const c = structuredClone(b);
  c.results = c.results.filter((x) => x.profile !== 'pg-wal');
  const cmp = compareResults(c, b);
  assert.deepEqual(cmp.onlyInBaseline, ['lv_fs / pg-wal']);
  assert.deepEqual(cmp.onlyInCurrent, []);
});

test('save and load results by name in the results dir; newest wins for report', async () => {
  const b = await baseline();
  const r = benchRunner();
  const p = await saveResults(r, b, 'before', '/var/lib/jts-storage/bench');
  assert.equal(p, '/var/lib/jts-storage/bench/before.json');
  const later = { ...b, createdAt: '2030-01-01T00:00:00.000Z' };
  await saveResults(r, later, 'after', '/var/lib/jts-storage/bench');
  const back = await loadResults(r, 'before', '/var/lib/jts-storage/bench');
  assert.deepEqual(back, JSON.parse(JSON.stringify(b)));
  assert.equal((await latestResults(r, '/var/lib/jts-storage/bench'))!.file, '/var/lib/jts-storage/bench/after.json');
  assert.equal(resultsPath('./x.json', '/d'), './x.json');
  assert.throws(() => resultsPath('bad name', '/d'), /results name/);
  await assert.rejects(loadResults(r, 'nope', '/d'), /no saved bench results at \/d\/nope.json/);
  r.files.set('/d/x.json', '{"schema":"other"}');
  await assert.rejects(loadResults(r, '/d/x.json', '/d'), /not a jts-storage bench results file/);
});
