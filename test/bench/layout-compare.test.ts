import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchIo } from '../support/host-run.js';
import { fixturePlan } from './helpers.js';
import { dbRunner } from './db-helpers.js';
import { runBench } from '../../src/bench/run.js';
import { layoutRatio, layoutRows, layoutVerdict, formatLayoutRatio, seedPairs } from '../../src/bench/layout-compare.js';
import { stat, summarize } from '../../src/bench/stats.js';
import type { BenchResults } from '../../src/bench/results.js';
import { renderReportHtml } from '../../src/report/html.js';
import { compareResults } from '../../src/bench/compare.js';
import { renderBenchText } from '../../src/bench/text.js';
import { databaseSection } from '../../src/report/database-html.js';

test('layoutRatio: > 1 means tuned better for throughput and latency alike; the range pairs the worst run of one side with the best of the other', () => {
  const ops = layoutRatio('db.ops', stat([40, 50, 60]), stat([100, 110, 120]))!;
  assert.equal(ops.ratio, 50 / 110);
  assert.deepEqual(ops.range, { min: 40 / 120, max: 60 / 100 });
  const p99 = layoutRatio('db.lat_p99_us', stat([2000, 3000, 4000]), stat([1000, 1500, 2000]))!;
  assert.equal(p99.ratio, 1500 / 3000, 'latency: seed ÷ tuned');
  assert.deepEqual(p99.range, { min: 1000 / 4000, max: 2000 / 2000 });
  assert.equal(layoutRatio('db.ops', stat([0]), stat([5])), undefined, 'no ratio of a zero median');
});

test('layoutVerdict: a run tells the layouts apart only when the whole range is on one side of 1, from repeated runs', () => {
  const row = (t: number[], s: number[]) => {
    const q = layoutRatio('db.ops', stat(t), stat(s))!;
    return { volume: 'v', profile: 'pgbench-rw', figure: 'db.ops' as const, tuned: 0, seed: 0, ratio: q.ratio, ...(q.range ? { range: q.range } : {}), runs: { tuned: t.length, seed: s.length } };
  };
  assert.equal(layoutVerdict(row([30, 31, 39], [45, 54, 71])), 'seed better', 'run 2 of docs/bench.md: pgbench-rw 0.568 (0.436–0.857)');
  assert.equal(layoutVerdict(row([14, 12, 28], [23, 10, 8.5])), 'not conclusive (noise)', 'run 1: 1.366 (0.527–3.282)');
  assert.equal(layoutVerdict(row([200, 210], [100, 110])), 'default better');
  assert.equal(layoutVerdict(row([532], [2612])), 'not conclusive (1 run)', 'pg_test_fsync runs once');
});

/** A bench over the fixture volume and a "seed" directory with the same workload: both measured alike. */
async function twoLayouts(): Promise<BenchResults> {
  const r = dbRunner();
  // The seed layout's directory: a fake mount point beside the fixture volume (findmnt.out is the fixture's).
  r.dirs.add('/mnt/fx/seed');
  r.statfsTable.set('/mnt/fx/seed', r.statfsTable.get('/mnt/fx')!);
  return runBench(benchIo(r), {
    plan: { plan: fixturePlan(), file: 'plan.yaml', text: 'version: 1\n' },
    profiles: ['rand4k-qd1-read'],
    dirs: [{ path: '/mnt/fx/seed', workload: 'postgresql', id: 'seed:lv_fs', label: 'seed-literal lv_fs' }],
    runtimeS: 3,
    repeat: 2,
    sizeBytes: 64 * 2 ** 20,
    database: { runtimeS: 3, redisRequests: 100 },
  });
}

test('layoutRows: the database tests of both layouts (bench --database on the captured outputs) give tuned ÷ seed rows on ops/s and p99, beside the fio rows', async () => {
  const res = await twoLayouts();
  const seedDb = res.database!.results.filter((x) => x.target === 'seed:lv_fs').map((x) => x.profile);
  assert.deepEqual(seedDb, ['pg_test_fsync', 'pgbench-rw', 'pgbench-select'], 'the seed directory got the PostgreSQL tests');
  // Make the seed side's pgbench read-write twice as fast in every run (barrier=0 would).
  const s = res.database!.results.find((x) => x.target === 'seed:lv_fs' && x.profile === 'pgbench-rw')!;
  s.runs = s.runs.map((f) => ({ ...f, 'db.ops': f['db.ops']! * 2 }));
  s.summary = summarize(s.runs);
  assert.deepEqual(seedPairs(res), [{ tuned: 'lv_fs', seed: 'seed:lv_fs' }], 'a saved run names its pairs by the seed: prefix');
  const rows = layoutRows(res, seedPairs(res));
  const db = rows.filter((x) => x.source === 'database');
  assert.deepEqual(
    db.map((x) => `${x.profile} ${x.figure}`),
    ['pg_test_fsync db.ops', 'pgbench-rw db.ops', 'pgbench-rw db.lat_p99_us', 'pgbench-select db.ops', 'pgbench-select db.lat_p99_us'],
    'pg_test_fsync has no p99 (it prints an average): only its ops/s',
  );
  const rw = db.find((x) => x.profile === 'pgbench-rw' && x.figure === 'db.ops')!;
  assert.equal(rw.ratio, 0.5);
  assert.deepEqual(rw.runs, { tuned: 2, seed: 2 });
  assert.ok(rw.range!.min <= 0.5 && rw.range!.max >= 0.5);
  assert.equal(db.find((x) => x.profile === 'pgbench-rw' && x.figure === 'db.lat_p99_us')!.ratio, 1, 'same captured log on both sides');
  // The fio rows: the profiles both sides ran, on their headline figures.
  const fio = rows.filter((x) => x.source === 'fio');
  assert.ok(fio.some((x) => x.profile === 'pg-wal' && x.figure === 'write.iops' && x.ratio === 1));
  assert.ok(rows.every((x) => x.volume === 'lv_fs'));
  assert.match(formatLayoutRatio(rw), /^0\.500 \(0\.\d{3}–0\.\d{3}\)$/);
  assert.equal(formatLayoutRatio(db[0]!), db[0]!.ratio.toFixed(3), 'pg_test_fsync ran once per side: no range');
});

test('the report shows the database layout ratios with their range in the Databases section, and the layout table carries them too', async () => {
  const res = await twoLayouts();
  res.meta.emulated = true;
  res.layoutComparison = { note: 'tuned ÷ seed', omitted: [], rows: layoutRows(res, [{ tuned: 'lv_fs', seed: 'seed:lv_fs' }]) };
  const html = renderReportHtml({ results: res, chartJs: '', generatedAt: 'x' });
  const db = databaseSection(res);
  assert.match(db, /<h3 id="databases-layout">Default layout ÷ the specs' literal layout<\/h3>/);
  assert.match(db, /<td>lv_fs<\/td><td>pgbench-rw<\/td><td>ops\/s<\/td><td>41\.4<\/td><td>41\.4<\/td><td>1\.000 \(1\.000–1\.000\)<\/td><td>0 % \/ 0 %<\/td><td>not conclusive \(noise\)<\/td>/);
  assert.match(db, /<td>pg_test_fsync<\/td><td>ops\/s<\/td>.*?<td>not conclusive \(1 run\)<\/td>/);
  assert.match(db, /only ratios measured within this run, and orders of magnitude, carry meaning/);
  assert.ok(html.includes(db), 'the section is in the report');
  // The whole-layout table lists the database rows beside the fio profiles.
  const layout = html.slice(html.indexOf('<h2 id="layout">'), html.indexOf('<h2 id="databases">'));
  assert.match(layout, /<td>pgbench-select<\/td>/);
  assert.match(layout, /<td>pg-wal<\/td>/);
});

test('compared with a baseline: the database ÷ fio and default ÷ seed-literal ratios of both runs side by side, in the text and the report', async () => {
  const base = await twoLayouts();
  base.layoutComparison = { note: '', omitted: [], rows: layoutRows(base, [{ tuned: 'lv_fs', seed: 'seed:lv_fs' }]) };
  const cur = structuredClone(base);
  const rwRow = cur.layoutComparison!.rows.find((x) => x.profile === 'pgbench-rw' && x.figure === 'db.ops')!;
  rwRow.ratio = 0.8;
  cur.database!.ratios.find((x) => x.target === 'lv_fs' && x.database === 'pgbench-rw')!.ratio *= 2;
  const c = compareResults(cur, base, { baselineName: 'run1' });
  const layout = c.ratios!.find((x) => x.kind === 'default ÷ seed-literal' && x.test === 'pgbench-rw' && x.of === 'db.ops')!;
  assert.deepEqual([layout.baseline, layout.current], [1, 0.8]);
  assert.ok(Math.abs(layout.changePct + 20) < 1e-9);
  assert.ok(layout.baselineRange && layout.currentRange, 'ranges kept');
  const fio = c.ratios!.find((x) => x.kind === 'database ÷ fio' && x.target === 'lv_fs' && x.test === 'pgbench-rw')!;
  assert.equal(fio.of, 'pg-wal');
  assert.equal(fio.changePct, 100);
  cur.comparison = c;
  const text = renderBenchText(cur);
  assert.match(text, /ratio default ÷ seed-literal lv_fs pgbench-rw ops\/s: 1\.000 → 0\.800 \(-20\.0 %\)/);
  assert.match(text, /ratio database ÷ fio lv_fs pgbench-rw ÷ pg-wal: 0\.038 → 0\.076 \(\+100\.0 %\)/);
  for (const l of text.split('\n')) assert.ok(l.length <= 80, `longer than 80: ${l}`);
  const html = renderReportHtml({ results: cur, chartJs: '', generatedAt: 'x' });
  assert.match(html, /<h3 id="comparison-ratios">Ratios against the baseline<\/h3>/);
  assert.match(html, /<td>default ÷ seed-literal<\/td><td>lv_fs<\/td><td>pgbench-rw<\/td><td>ops\/s<\/td><td>1\.000 \(1\.000–1\.000\)<\/td><td>0\.800 \(1\.000–1\.000\)<\/td><td>-20\.0 %<\/td>/);
  // Documents without ratios: nothing added.
  assert.equal(compareResults(await twoLayouts(), await twoLayouts()).ratios?.some((x) => x.kind === 'default ÷ seed-literal') ?? false, false);
});
