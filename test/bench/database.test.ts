import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchIo } from '../support/host-run.js';
import { fixturePlan } from './helpers.js';
import { runBench } from '../../src/bench/run.js';
import { runDatabaseBench, pgbenchScaleFor, DB_BENCH_RUN_DIR } from '../../src/bench/database.js';
import { renderBenchText } from '../../src/bench/text.js';
import { renderDatabaseText } from '../../src/bench/database-text.js';
import { databaseSection } from '../../src/report/database-html.js';
import { computeDbRatios } from '../../src/bench/database-ratios.js';
import { compareResults } from '../../src/bench/compare.js';
import type { BenchTarget } from '../../src/bench/results.js';

import { dbRunner } from './db-helpers.js';

const plan = () => ({ plan: fixturePlan(), file: 'plan.yaml', text: 'version: 1\n' });

test('bench --database on a PostgreSQL volume: pg_test_fsync, pgbench rw + select-only with p50/p99 from its log, ratio to fio pg-wal, all removed', async () => {
  const r = dbRunner();
  const res = await runBench(benchIo(r), {
    plan: plan(),
    profiles: ['rand4k-qd1-read'],
    runtimeS: 3,
    repeat: 2,
    sizeBytes: 64 * 2 ** 20,
    database: { runtimeS: 3, redisRequests: 100 },
  });
  // pg-wal was added to the PostgreSQL volume (the ratios divide by it), beside the named profile.
  assert.deepEqual(res.results.map((x) => x.profile).sort(), ['pg-wal', 'rand4k-qd1-read']);
  const d = res.database!;
  assert.deepEqual(d.results.map((x) => `${x.target} ${x.profile} ${x.runs.length}`), ['lv_fs pg_test_fsync 1', 'lv_fs pgbench-rw 2', 'lv_fs pgbench-select 2']);
  assert.equal(d.settings.pgbenchScale, 4, '64 MiB at 16 MiB per scale unit');
  const fsync = d.results[0]!.summary;
  assert.equal(fsync['db.ops']!.median, 368.872);
  assert.equal(fsync['db.lat_avg_us']!.median, 2711);
  const rw = d.results[1]!.summary;
  assert.equal(rw['db.ops']!.median, 41.449966);
  assert.equal(rw['db.lat_avg_us']!.median, 48251);
  assert.ok(rw['db.lat_p50_us']!.median > 0 && rw['db.lat_p50_us']!.median < rw['db.lat_p99_us']!.median);
  const pgwal = res.results.find((x) => x.profile === 'pg-wal')!.summary['write.iops']!.median;
  const ratio = d.ratios.find((x) => x.database === 'pgbench-rw')!;
  assert.equal(ratio.predictedBy.profile, 'pg-wal');
  assert.equal(ratio.ratio, 41.449966 / pgwal);
  assert.equal(d.ratios.find((x) => x.database === 'pg_test_fsync')!.ratio, 368.872 / pgwal);
  assert.equal(d.ratios.some((x) => x.database === 'pgbench-select'), false, 'select-only has no disk prediction');
  // Durable commits: the scratch server's settings as written.
  const conf = [...r.files.entries()].find(([k]) => k.endsWith('/postgresql.auto.conf'))![1];
  assert.match(conf, /^synchronous_commit = on$/m);
  // The server stopped, the cluster and the pg_test_fsync file removed, the pgbench logs removed.
  const argvs = r.mutatingCalls.map((c) => c.argv.join(' '));
  assert.ok(argvs.some((a) => /pg_ctl -D \/mnt\/fx\/\.jts-storage-bench-pg\/data -m fast -w -t 300 stop/.test(a)));
  assert.ok(argvs.includes('rm -rf --one-file-system -- /mnt/fx/.jts-storage-bench-pg'));
  assert.ok(argvs.includes('rm -f -- /mnt/fx/.jts-storage-bench-pg_test_fsync.dat'));
  assert.equal([...r.files.keys()].filter((k) => k.startsWith(`${DB_BENCH_RUN_DIR}/pgbench-`)).length, 0);
  assert.match(res.summary, /3 database tests \(pgbench read-write 41\.4 TPS\)/);
  // The text at 80 columns.
  const text = renderBenchText(res);
  for (const l of renderDatabaseText(res)) for (const x of l.split('\n')) assert.ok(x.length <= 80, `longer than 80: ${x}`);
  assert.match(text, /│ lv_fs +│ pgbench-rw +│ 41\.4 /);
  assert.match(text, /database ÷ what fio predicts/);
  // Compared with a baseline like the fio figures: the database tests are matched by name.
  const cmp = compareResults(res, res);
  // The report's Databases section: every test and every ratio.
  const html = databaseSection(res);
  assert.match(html, /<h2 id="databases">Databases<\/h2>/);
  assert.equal((html.match(/<td>pgbench-rw<\/td>/g) ?? []).length, 1);
  assert.match(html, /<td>0\.0\d\d<\/td>/);
  assert.ok(cmp.changes.some((c) => c.profile === 'pgbench-rw' && c.figure === 'db.ops' && c.changePct === 0));
});

test('bench --database on a Redis volume: appendfsync always then everysec, SET/GET from --csv, ratios to redis-aof-always and always', async () => {
  const r = dbRunner();
  r.dirs.add('/var/lib/redis');
  const t: BenchTarget = { id: 'lv_redis', kind: 'volume', label: 'lv_redis', tier: 'hot', workload: 'redis', mountPath: '/var/lib/redis' };
  const d = await runDatabaseBench(benchIo(r), [t], { runtimeS: 2, repeat: 1, sizeBytes: 2 ** 30, redisRequests: 100 });
  assert.deepEqual(d.results.map((x) => x.profile), ['redis-set-always', 'redis-get-always', 'redis-set-everysec', 'redis-get-everysec']);
  const set = d.results[0]!.summary;
  assert.equal(set['db.ops']!.median, 297.66);
  assert.equal(set['db.lat_p99_us']!.median, 150911);
  assert.equal(d.versions.redisBenchmark, 'redis-benchmark 7.0.15');
  d.ratios = computeDbRatios({ results: [] }, d);
  const ev = d.ratios.find((x) => x.database === 'redis-set-everysec')!;
  assert.equal(ev.ratio, 2232.14 / 297.66);
  const server = r.mutatingCalls.filter((c) => c.argv.includes('redis-server')).map((c) => c.argv[c.argv.indexOf('--appendfsync') + 1]);
  assert.deepEqual(server, ['always', 'everysec']);
  assert.equal(r.mutatingCalls.filter((c) => c.argv.includes('SHUTDOWN')).length, 2);
  assert.ok(r.mutatingCalls.some((c) => c.argv.join(' ') === 'rm -rf --one-file-system -- /var/lib/redis/.jts-storage-bench-redis'));
});

test('bench --database: no PostgreSQL or Redis volume selected is a note, nothing run; the pgbench scale fits the budget', async () => {
  const r = dbRunner();
  const t: BenchTarget = { id: 'lv_kafka', kind: 'volume', label: 'lv_kafka', tier: 'hot', workload: 'kafka', mountPath: '/var/lib/kafka' };
  const d = await runDatabaseBench(benchIo(r), [t], { runtimeS: 2, repeat: 1, sizeBytes: 2 ** 30, redisRequests: 100 });
  assert.equal(d.results.length, 0);
  assert.match(d.notes[0]!, /no selected volume has the workload postgresql or redis/);
  assert.equal(r.mutatingCalls.length, 0);
  assert.equal(pgbenchScaleFor(2 ** 30), 50);
  assert.equal(pgbenchScaleFor(2 ** 20), 1);
  assert.equal(pgbenchScaleFor(2 ** 30, 7), 7);
});

test('bench --database --dry-run: every step listed (initdb, pgbench, servers), none run', async () => {
  const r = dbRunner();
  const io = benchIo(r, { dryRun: true });
  const t: BenchTarget = { id: 'lv_fs', kind: 'volume', label: 'lv_fs', tier: 'hot', workload: 'postgresql', mountPath: '/mnt/fx' };
  const d = await runDatabaseBench(io, [t], { runtimeS: 2, repeat: 1, sizeBytes: 2 ** 30, redisRequests: 100 });
  assert.equal(d.results.length, 0);
  assert.equal(r.mutatingCalls.length, 0);
  const lines = io.act.dryRunLines().join('\n');
  assert.match(lines, /pg_test_fsync -s 1 -f \/mnt\/fx\/\.jts-storage-bench-pg_test_fsync\.dat/);
  assert.match(lines, /initdb -D \/mnt\/fx\/\.jts-storage-bench-pg\/data/);
  assert.match(lines, /pgbench -S -n -c 1/);
});
