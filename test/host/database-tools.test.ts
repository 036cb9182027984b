import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parsePgTestFsync, parsePgbenchLog, parsePgbenchSummary, percentile, pgTestFsyncFdatasync, pgbenchRunArgv, scratchServerConf, initdbArgv,
} from '../../src/host/postgresql.js';
import { parseRedisBenchmarkCsv, redisBenchmarkArgv, redisServerArgv } from '../../src/host/redis.js';

// Captured in the sandbox (PostgreSQL 15.18, redis-benchmark 7.0.15): test/fixtures/database/capture.sh.
const fx = (n: string) => readFileSync(`test/fixtures/database/${n}`, 'utf8');

test('pg_test_fsync: every method under its section; fdatasync of one 8 kB write; n/a kept without a figure', () => {
  const lines = parsePgTestFsync(fx('pg_test_fsync.out'));
  assert.equal(lines.length, 5 + 5 + 5 + 2 + 1);
  assert.deepEqual(pgTestFsyncFdatasync(lines), { section: 'one 8kB write', method: 'fdatasync', opsPerSec: 368.872, usPerOp: 2711 });
  assert.deepEqual(lines.find((l) => l.method === 'fsync_writethrough'), { section: 'one 8kB write', method: 'fsync_writethrough' });
  assert.equal(lines.find((l) => l.section === 'two 8kB writes' && l.method === 'fdatasync')!.opsPerSec, 78.839);
  assert.equal(lines.find((l) => l.method === '16 *  1kB open_sync writes')!.usPerOp, 173818);
  assert.equal(lines.find((l) => l.section === 'non-write descriptor' && l.method === 'write, close, fsync')!.opsPerSec, 64.532);
  assert.equal(lines.find((l) => l.section === 'non-synced')!.opsPerSec, 19106.005);
  assert.equal(pgTestFsyncFdatasync(parsePgTestFsync('')), undefined);
});

test('pgbench: the closing report by its line names, read-write and select-only', () => {
  assert.deepEqual(parsePgbenchSummary(fx('pgbench-rw.out')), { tps: 41.449966, latencyAvgMs: 48.251, transactions: 199, failed: 0, scale: 1, clients: 2 });
  assert.equal(parsePgbenchSummary(fx('pgbench-ro.out')).tps, 540.381214);
  assert.deepEqual(parsePgbenchSummary('pgbench: error: connection to server failed\n'), { tps: undefined, latencyAvgMs: undefined, transactions: undefined, failed: undefined, scale: undefined, clients: undefined });
});

test('pgbench -l log: one latency per transaction (µs), the same count as the report; p50/p99 by nearest rank', () => {
  const rw = parsePgbenchLog(fx('pgbench-rw.log'));
  assert.equal(rw.latenciesUs.length, 199);
  assert.equal(rw.notCompleted, 0);
  assert.equal(rw.latenciesUs[0], 126598);
  // The mean of the log is pgbench's own "latency average" (48.251 ms) within a millisecond.
  const mean = rw.latenciesUs.reduce((a, b) => a + b, 0) / rw.latenciesUs.length / 1000;
  assert.ok(Math.abs(mean - 48.251) < 1, `mean ${mean}`);
  const ro = parsePgbenchLog(fx('pgbench-ro.log'));
  assert.equal(ro.latenciesUs.length, 2640);
  assert.ok(percentile(ro.latenciesUs, 50) <= percentile(ro.latenciesUs, 99));
  assert.deepEqual(parsePgbenchLog('0 1 failed 0 1796080665 675716\n0 2 1200 0 1796080665 675717\n'), { latenciesUs: [1200], notCompleted: 1 });
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([5, 1, 4, 2, 3], 99), 5);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('redis-benchmark --csv: columns by header name, ms as printed', () => {
  const always = parseRedisBenchmarkCsv(fx('redis-benchmark-always.csv'));
  assert.deepEqual(always[0], { test: 'SET', rps: 297.66, avgMs: 13.177, p50Ms: 8.039, p95Ms: 28.719, p99Ms: 150.911, maxMs: 262.399 });
  assert.equal(always[1]!.test, 'GET');
  const everysec = parseRedisBenchmarkCsv(fx('redis-benchmark-everysec.csv'));
  assert.equal(everysec[0]!.rps, 2232.14);
  assert.throws(() => parseRedisBenchmarkCsv('SET: 297.66 requests per second\n'), /no header line/);
});

test('argv: the scratch servers are durable (synchronous_commit=on, fsync=on) and local only; pgbench logs per transaction', () => {
  const conf = scratchServerConf('/run/x', 5438);
  assert.match(conf, /^synchronous_commit = on$/m);
  assert.match(conf, /^fsync = on$/m);
  assert.match(conf, /^listen_addresses = ''$/m);
  assert.deepEqual(initdbArgv('/v/data').slice(0, 5), ['runuser', '-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/initdb']);
  const a = pgbenchRunArgv({ socketDir: '/run/x', port: 5438, user: 'postgres', db: 'postgres' }, { selectOnly: true, clients: 1, seconds: 3, logPrefix: '/run/x/p' });
  assert.ok(a.includes('-S') && a.includes('-l') && a.includes('--log-prefix=/run/x/p'));
  const s = redisServerArgv({ socket: '/run/x/r.sock', dir: '/v/r', appendfsync: 'always', logFile: '/run/x/l', pidFile: '/run/x/p' });
  assert.deepEqual(s.slice(s.indexOf('--appendfsync'), s.indexOf('--appendfsync') + 2), ['--appendfsync', 'always']);
  assert.ok(redisBenchmarkArgv({ socket: '/s', tests: ['set', 'get'], requests: 10, clients: 1 }).includes('--csv'));
});
