import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { batchFiguresFromStdout, figuresFromStdout, jobFigures } from '../../src/bench/fio.js';
import { checkJobErrors, extractJsonText, fioArgv, fioBatchArgv, FioJobError, FioParseError, parseFioOutput, preconditionArgv } from '../../src/host/fio.js';
import { PROFILES, profileRegion, resolveProfiles, defaultProfilesFor, getProfile } from '../../src/bench/profiles.js';
import { FIGURES, FIGURE_KEYS } from '../../src/bench/figures.js';

// Fixtures were captured on the VM test bed (see test/fixtures/fio/README.md).
const FX = path.resolve('test/fixtures/fio');
const fx = (name: string) => readFileSync(path.join(FX, name), 'utf8');

test('every profile fixture parses and reports the figures its profile lists', () => {
  for (const p of PROFILES) {
    const { figures, version } = figuresFromStdout(fx(`${p.name}.out`));
    assert.equal(version, 'fio-3.33');
    for (const k of p.reports) {
      assert.equal(typeof figures[k], 'number', `${p.name}: ${k}`);
      assert.ok(Number.isFinite(figures[k]!), `${p.name}: ${k} finite`);
    }
    for (const k of p.primary) assert.ok(p.reports.includes(k), `${p.name}: primary ${k} is reported`);
  }
});

test('read-only and write-only jobs report no figures for the idle direction', () => {
  const r = figuresFromStdout(fx('rand4k-qd1-read.out')).figures;
  assert.ok(r['read.iops']! > 0);
  assert.equal(r['write.iops'], undefined);
  assert.equal(r['sync.count'], undefined);
  const w = figuresFromStdout(fx('seq1m-write.out')).figures;
  assert.equal(w['read.iops'], undefined);
  assert.ok(w['write.bw_bytes']! > 0);
});

test('fdatasync profiles: the sync section gives count and percentiles (µs), though sync.total_ios is 0', () => {
  const text = fx('pg-wal.out');
  const raw = parseFioOutput(text).jobs[0]!;
  assert.equal(raw.sync?.total_ios, 0);
  const f = jobFigures(raw);
  assert.equal(f['sync.count'], raw.sync!.lat_ns!.N);
  assert.equal(f['sync.lat_p99_us'], raw.sync!.lat_ns!.percentile!['99.000000']! / 1000);
  assert.ok(f['sync.lat_p50_us']! <= f['sync.lat_p99_us']! && f['sync.lat_p99_us']! <= f['sync.lat_p999_us']!);
  // One fdatasync per write in WAL mode.
  assert.ok(Math.abs(f['sync.count']! - raw.write!.total_ios!) <= 1);
  // everysec: one sync per 1000 writes.
  const e = figuresFromStdout(fx('redis-aof-everysec.out')).figures;
  assert.ok(e['sync.count']! >= 1 && e['sync.count']! < 10);
});

test('percentiles come from clat_ns and are converted to µs', () => {
  const j = parseFioOutput(fx('rand4k-qd1-read.out')).jobs[0]!;
  const f = jobFigures(j);
  assert.equal(f['read.clat_p50_us'], j.read!.clat_ns!.percentile!['50.000000']! / 1000);
  assert.equal(f['read.clat_p999_us'], j.read!.clat_ns!.percentile!['99.900000']! / 1000);
  assert.equal(f['read.iops'], j.read!.iops);
  assert.equal(f['cpu.usr_pct'], j.usr_cpu);
  assert.equal(f['cpu.sys_pct'], j.sys_cpu);
});

test('warnings printed before the JSON are kept and do not break parsing', () => {
  const text = fx('warning-before-json.out');
  assert.ok(!text.startsWith('{'));
  const out = parseFioOutput(text);
  assert.equal(out.jobs.length, 1);
  assert.match(out.warnings.join('\n'), /synchronous I\/O engine/);
  const { before } = extractJsonText(text);
  assert.match(before, /^note:/);
});

test('a job with error != 0 is refused, naming the job and errno', () => {
  assert.throws(
    () => figuresFromStdout(fx('job-error.out'), fx('job-error.err')),
    (e: unknown) => e instanceof FioJobError && e.errno === 22 && /misaligned/.test(e.message) && /Invalid argument/.test(e.message),
  );
  assert.throws(() => checkJobErrors(parseFioOutput(fx('job-error.out'))), FioJobError);
});

test('no JSON, or broken JSON, is a parse error that shows the text', () => {
  assert.throws(() => parseFioOutput('fio: file creation disallowed\n'), FioParseError);
  assert.throws(() => parseFioOutput(''), /no JSON/);
  assert.throws(() => parseFioOutput('{\n "jobs": [ {'), (e: unknown) => e instanceof FioParseError);
  assert.throws(() => parseFioOutput('{"x": 1}'), /no "jobs"/);
});

test('fioArgv is an argv array with json output, the profile job, and no file creation', () => {
  const p = getProfile('pg-wal')!;
  const argv = fioArgv({ name: p.name, filename: '/var/lib/postgresql/x y.dat', sizeBytes: profileRegion(p, 2 ** 30), job: p.fio, runtimeS: 5, rampS: 1, mustExist: true });
  assert.equal(argv[0], 'fio');
  assert.ok(argv.includes('--output-format=json'));
  assert.ok(argv.includes('--filename=/var/lib/postgresql/x y.dat'), 'a path with a space stays one argument');
  assert.ok(argv.includes('--size=16777216'), 'WAL uses a 16 MiB segment');
  assert.ok(argv.includes('--fdatasync=1'));
  assert.ok(argv.includes('--direct=0'));
  assert.ok(argv.includes('--allow_file_create=0'));
  assert.ok(argv.includes('--runtime=5') && argv.includes('--ramp_time=1') && argv.includes('--time_based=1'));
  const pre = preconditionArgv('pre', '/dev/vg/x', 2 ** 28);
  assert.ok(pre.includes('--rw=write') && pre.includes('--end_fsync=1') && !pre.some((a) => a.startsWith('--time_based')));
});

test('the argv of every captured fixture is what fioArgv builds today (fixtures stay in step with profiles)', () => {
  const log = fx('capture.log');
  for (const p of PROFILES) {
    const argv = fioArgv({ name: p.name, filename: '/mnt/fx/.bench.dat', sizeBytes: profileRegion(p, 256 * 2 ** 20), job: p.fio, runtimeS: 2, rampS: 0, mustExist: true });
    assert.ok(log.includes(`$ ${argv.join(' ')}  # exit 0`), `${p.name}: recapture fixtures (test/fixtures/fio/README.md)`);
  }
});

test('profiles: names unique, each with a reason and fio fields for its figures; groups expand', () => {
  const names = PROFILES.map((p) => p.name);
  assert.equal(new Set(names).size, names.length);
  for (const p of PROFILES) {
    assert.ok(p.reason.length > 30, p.name);
    for (const k of p.reports) assert.ok(FIGURES[k].fioField, k);
  }
  assert.deepEqual(resolveProfiles(['rand4k-qd1']).map((p) => p.name), ['rand4k-qd1-read', 'rand4k-qd1-write']);
  assert.deepEqual(resolveProfiles(['redis', 'pg-wal', 'redis-aof-always']).map((p) => p.name), ['pg-wal', 'redis-aof-always', 'redis-aof-everysec']);
  assert.throws(() => resolveProfiles(['pg-olpt']), /unknown profile "pg-olpt"/);
  assert.deepEqual(
    defaultProfilesFor('kafka').map((p) => p.name),
    ['seq1m-read', 'seq1m-write', 'rand4k-qd1-read', 'rand4k-qd1-write', 'kafka-append', 'kafka-catchup'],
  );
  assert.equal(defaultProfilesFor('backup').length, 4);
  assert.equal(FIGURE_KEYS.length, Object.keys(FIGURES).length);
});

test('the colleague-captured guest fio fixture (fsync) parses too, when present', () => {
  const dir = path.resolve('test/fixtures/guest');
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir).filter((n) => /fio/i.test(n))) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    if (!text.includes('"fio version"')) continue;
    const out = parseFioOutput(text);
    for (const j of out.jobs) jobFigures(j);
  }
});

test('fioBatchArgv: the runs as jobs of one fio process, each closed by --stonewall, JSON output once', () => {
  const a = fioArgv({ name: 'rand4k-qd1-read', filename: '/mnt/a/x.dat', sizeBytes: 2 ** 26, job: PROFILES[2]!.fio, runtimeS: 1, rampS: 0, mustExist: true });
  const b = preconditionArgv('precondition-raw', '/dev/vg/scratch', 2 ** 26);
  const argv = fioBatchArgv([a, b]);
  assert.deepEqual(argv.slice(0, 2), ['fio', '--output-format=json']);
  assert.equal(argv.filter((x) => x === '--output-format=json').length, 1);
  assert.deepEqual(argv.slice(2, 2 + a.length - 2), a.slice(2), 'the first job: its own options after --name=');
  assert.equal(argv.filter((x) => x === '--stonewall').length, 2);
  assert.equal(argv.at(-1), '--stonewall');
  assert.equal(argv.filter((x) => x.startsWith('--name=')).length, 2);
  assert.throws(() => fioBatchArgv([['echo', '--name=x']]), /not a fio run/);
});

test('batchFiguresFromStdout: the captured batch of eight jobs in one process → eight figure sets in job order', () => {
  const out = batchFiguresFromStdout(fx('batch-stonewall.out'), 8);
  assert.equal(out.figures.length, 8);
  assert.equal(out.version, 'fio-3.33');
  assert.equal(out.failedJob, undefined);
  for (const f of out.figures) assert.ok(f['read.iops']! > 0 && f['read.clat_p99_us']! > 0);
  // each job alone: job 1's figures are its own entry's, not a group total
  assert.equal(out.figures[0]!['read.iops'], JSON.parse(fx('batch-stonewall.out')).jobs[0].read.iops);
  assert.throws(() => batchFiguresFromStdout(fx('batch-stonewall.out'), 7), /8 jobs, the batch had 7/);
  const doc = JSON.parse(fx('batch-stonewall.out'));
  doc.jobs[3].error = 22;
  assert.deepEqual(batchFiguresFromStdout(JSON.stringify(doc), 8).failedJob, { index: 3, errno: 22 });
});
