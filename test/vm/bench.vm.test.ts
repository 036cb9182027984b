import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInSandbox } from '../../src/sandbox/index.js';
import { parseResults } from '../../src/bench/results.js';

/**
 * Issue 8 on a real kernel, in ONE boot (test/bench/vm-scenario.ts is the guest side): the default
 * plan applied on a 4 TB NVMe image, fio profiles on three of its mounted volumes (ext4, XFS, ext4)
 * and on a scratch LV, JSON results saved, a compare, the HTML report, the raw-drive refusal, and no
 * test file or scratch LV left behind. Short runtimes and few profiles (every fio start costs seconds under TCG): this checks that it
 * works, not how fast.
 */
test('bench on the test bed: default plan applied, profiles on mounted volumes, scratch-LV ratios, report, cleanup', { timeout: 1_200_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-bench-vm-'));
  const res = await runInSandbox(['node', resolve('dist/test/bench/vm-scenario.js'), out], {
    outDir: out,
    timeoutS: 1140,
    expectWriteBytes: 3 * 1024 ** 3,
  });
  const f = (n: string) => (existsSync(join(out, n)) ? readFileSync(join(out, n), 'utf8') : '');
  const rc = (n: string) => Number(f(`${n}.rc`).trim());
  const why = (n: string) => `${n}: rc ${f(`${n}.rc`).trim()}\n${f(`${n}.out`).slice(0, 2000)}\n${f(`${n}.err`).slice(-3000)}`;
  assert.equal(f('done').trim(), 'done', `guest scenario did not finish (exit ${res.exitCode}):\n${res.output.slice(-3000)}\n${res.consoleTail.slice(-2000)}`);

  await t.test('the default plan was applied by the product (not the by-hand fallback)', () => {
    assert.equal(f('apply-fallback'), '', why('apply'));
  });

  await t.test('bench: JSON results for each volume and the scratch LV, medians of 2 runs, ratios', () => {
    assert.equal(rc('bench'), 0, why('bench'));
    const r = parseResults(f('bench.out'), 'bench.out');
    assert.deepEqual(r.targets.map((x) => x.id).sort(), ['lv_kafka', 'lv_postgres', 'lv_redis', 'raw']);
    assert.equal(r.targets.find((x) => x.id === 'lv_kafka')!.fstype, 'xfs');
    assert.equal(r.targets.find((x) => x.id === 'lv_postgres')!.fstype, 'ext4');
    assert.equal(r.targets.find((x) => x.id === 'raw')!.kind, 'scratch-lv');
    assert.equal(r.results.length, 2 * 4);
    for (const x of r.results) {
      assert.equal(x.runs.length, 2, `${x.target} ${x.profile}`);
      const p = r.profiles.find((y) => y.name === x.profile)!;
      for (const k of p.primary) assert.ok(x.summary[k]!.median > 0, `${x.target} ${x.profile} ${k}`);
    }
    const wal = r.results.find((x) => x.target === 'lv_postgres' && x.profile === 'pg-wal')!;
    assert.ok(wal.summary['sync.count']!.median > 0, 'fdatasync latencies from the sync section');
    assert.ok(wal.summary['sync.lat_p99_us']!.median > 0);
    assert.equal(r.firstWrite.length, 4);
    assert.ok(r.ratios.some((x) => x.target === 'lv_postgres' && x.profile === 'rand4k-qd1-read' && x.figure === 'read.iops'));
    assert.ok(r.ratios.every((x) => x.ratio > 0));
    assert.equal(r.meta.emulated, true);
    assert.ok(r.meta.drives.some((d) => d.serial === 'JTS-NVME-0'));
    assert.match(r.meta.planHash!, /^sha256:/);
    assert.ok(existsSync(join(out, 'vm1.json')), 'saved under --results-dir');
    assert.equal(r.health?.available, true, 'health from the health module at the time of the run');
  });

  await t.test('a raw drive holding data is refused before anything is written', () => {
    assert.equal(rc('raw-refused'), 1, why('raw-refused'));
    assert.match(f('raw-refused.err'), /refused, the device is not blank.*LVM2_member/);
  });

  await t.test('compare against the saved run: changes per figure, none flagged with a wide band', () => {
    assert.equal(rc('compare'), 0, why('compare'));
    const r = parseResults(f('compare.out'), 'compare.out');
    assert.ok(r.comparison!.changes.length > 0);
    assert.equal(r.comparison!.regressions.length, 0);
  });

  await t.test('report: one HTML file written from the saved results', () => {
    assert.equal(rc('report'), 0, why('report'));
    const html = f('report.html');
    assert.match(html, /Chart\.js v4/);
    assert.match(html, /lv_postgres/);
  });

  await t.test('bench --database: pg_test_fsync, pgbench (rw, select-only) and redis-benchmark (always, everysec) on their volumes, ratios to fio, nothing left', () => {
    assert.equal(rc('dbbench'), 0, why('dbbench'));
    const r = parseResults(f('dbbench.out'), 'dbbench.out');
    const d = r.database!;
    const run = (tg: string, p: string) => d.results.find((x) => x.target === tg && x.profile === p);
    assert.equal(run('lv_postgres', 'pg_test_fsync')!.runs.length, 1);
    assert.ok(run('lv_postgres', 'pg_test_fsync')!.summary['db.ops']!.median > 0);
    for (const p of ['pgbench-rw', 'pgbench-select']) {
      const x = run('lv_postgres', p)!;
      assert.equal(x.runs.length, 2, p);
      assert.ok(x.summary['db.ops']!.median > 0, p);
      assert.ok(x.summary['db.lat_p50_us']!.median <= x.summary['db.lat_p99_us']!.median, p);
    }
    for (const p of ['redis-set-always', 'redis-get-always', 'redis-set-everysec', 'redis-get-everysec']) {
      const x = run('lv_redis', p)!;
      assert.equal(x.runs.length, 2, p);
      assert.ok(x.summary['db.ops']!.median > 0 && x.summary['db.lat_p99_us']!.median > 0, p);
    }
    for (const [tg, db, prof] of [['lv_postgres', 'pg_test_fsync', 'pg-wal'], ['lv_postgres', 'pgbench-rw', 'pg-wal'], ['lv_redis', 'redis-set-always', 'redis-aof-always']]) {
      const x = d.ratios.find((y) => y.target === tg && y.database === db)!;
      assert.equal(x.predictedBy.profile, prof);
      assert.ok(x.ratio > 0, `${tg} ${db}`);
    }
    assert.ok(r.results.some((x) => x.target === 'lv_redis' && x.profile === 'redis-aof-always'), 'the predicting fio profile was added');
    assert.equal(d.settings.pgbenchScale, 1);
    assert.match(d.versions.pgbench ?? '', /^15\./);
    assert.deepEqual(JSON.parse(f('db-leftover.json')), []);
    // The figures of this run, for docs/bench.md (stderr of the test run).
    process.stderr.write(`bench --database figures: ${JSON.stringify({ results: d.results.map((x) => ({ t: x.target, p: x.profile, s: x.summary })), ratios: d.ratios.map((x) => [x.target, x.database, x.ratio]) })}\n`);
  });

  await t.test('no test file and no scratch LV left behind', () => {
    assert.deepEqual(JSON.parse(f('leftover.json')), []);
    assert.doesNotMatch(f('lvs.out'), /jts_bench_scratch/);
    assert.match(f('lvs.out'), /lv_postgres/);
  });
});
