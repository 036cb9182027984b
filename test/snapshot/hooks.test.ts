import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPlanText, PlanError } from '../../src/model/load-plan.js';
import { PlanSchema, type Plan } from '../../src/model/plan-schema.js';
import { planCreate, defaultPolicy } from '../../src/snapshot/create.js';
import { parseLvsJson, parseVgsJson, type VgRow } from '../../src/snapshot/lvm-report.js';
import { createSets } from '../../src/snapshot/set-create.js';
import { FREEZE_PROOF, freezeDecision } from '../../src/snapshot/freeze.js';
import { withHooks, type ResolvedHook } from '../../src/snapshot/hooks.js';
import { pgHolderSql } from '../../src/snapshot/hooks-builtin.js';
import { actFor } from '../support/host-run.js';
import { FakeRunner } from '../support/fake-runner.js';
import { snapFixture } from './fixtures.js';

const MiB = 1024 * 1024;
const lvs = parseLvsJson(snapFixture('lvs-fresh.json'));
const vgs: VgRow[] = parseVgsJson(snapFixture('vgs.json')).map((v) => ({ ...v, freeBytes: 4096 * MiB, freeExtents: 1024 }));
const NOW = new Date('2026-11-21T13:00:00Z');
const OFF = { threshold: 100, percent: 20, monitoring: false };
const noSleep = async () => undefined;

const planText = (sets: string) => `version: 1
drives: [{ id: d0, serial: S0 }]
volumeGroups: [{ name: vg_t, drives: [d0] }]
volumes:
  - { name: lv_pg, vg: vg_t, size: 1GiB, workload: postgresql, snapshot: { set: db } }
  - { name: lv_kafka, vg: vg_t, size: 1GiB, workload: kafka, snapshot: { set: db } }
snapshotSets:
${sets}`;

function loadErr(text: string): string {
  try {
    loadPlanText(text, 'p.yaml');
  } catch (e) {
    if (e instanceof PlanError) return e.message;
    throw e;
  }
  return '';
}


/** lv_pg mounted ext4 at /srv/pg and lv_kafka XFS at /srv/ka, as findmnt reads them. */
function pgKafkaMounts() {
  const pg = lvs.find((l) => l.name === 'lv_pg')!;
  const ka = lvs.find((l) => l.name === 'lv_kafka')!;
  return [
    { target: '/srv/pg', source: pg.path, fstype: 'ext4', options: 'rw', majMin: pg.majMin ?? '' },
    { target: '/srv/ka', source: ka.path, fstype: 'xfs', options: 'rw', majMin: ka.majMin ?? '' },
  ];
}

test('hooks schema: argv arrays with a timeout; a shell string, sh -c, builtin+commands and an unused set are refused at file:line:col', () => {
  const ok = loadPlanText(planText('  - name: db\n    hooks:\n      - { name: flush, pre: [/usr/local/bin/flush, --all], post: [/usr/local/bin/thaw] }\n      - { builtin: postgresql, timeoutS: 30 }'), 'p.yaml');
  assert.deepEqual(ok.plan.snapshotSets[0]!.hooks[0]!.pre, ['/usr/local/bin/flush', '--all']);
  assert.equal(ok.plan.snapshotSets[0]!.hooks[0]!.timeoutS, 60);
  assert.equal(ok.plan.snapshotSets[0]!.freeze, 'auto');
  assert.match(loadErr(planText('  - name: db\n    hooks:\n      - { pre: "/usr/bin/flush --all && sync" }')), /p\.yaml:10:\d+: snapshotSets\[0\]\.hooks\[0\]\.pre: expected array/);
  assert.match(loadErr(planText('  - name: db\n    hooks:\n      - { pre: [sh, -c, "flush; sync"] }')), /shell string.*argv arrays/);
  assert.match(loadErr(planText('  - name: db\n    hooks:\n      - { pre: ["flush --all"] }')), /one word .*argv arrays, never shell strings/);
  assert.match(loadErr(planText('  - name: db\n    hooks:\n      - { builtin: redis, pre: [/bin/true] }')), /either builtin: redis or pre\/post/);
  assert.match(loadErr(planText('  - name: db\n    hooks:\n      - { name: x }')), /needs pre and\/or post/);
  assert.match(loadErr(planText('  - name: nightly\n    hooks: []')), /p\.yaml:8:\d+: snapshotSets\[0\]\.name: no volume's snapshot\.set is "nightly" \(sets used: db\)/);
  assert.match(loadErr(planText('  - name: db\n    hooks:\n      - { pre: [/bin/true], timeoutS: 0 }')), /timeoutS/);
});

const hook = (name: string, log: string[], preOk = true): ResolvedHook => ({
  set: 's',
  name,
  pre: async () => (log.push(`pre ${name}`), { ok: preOk, error: preOk ? undefined : 'boom' }),
  post: async () => (log.push(`post ${name}`), { ok: true }),
  describe: { timeoutS: 1 },
});

test('withHooks: pre in order, body, post in reverse; a failed pre skips the body and later hooks, the started posts still run', async () => {
  const r = new FakeRunner({ now: NOW });
  const ctx = { runner: r, act: actFor(r), sleep: noSleep, stamp: 'x' };
  const log: string[] = [];
  const ok = await withHooks(ctx, [hook('a', log), hook('b', log)], async () => (log.push('body'), 7));
  assert.equal(ok.body, 7);
  assert.deepEqual(log, ['pre a', 'pre b', 'body', 'post b', 'post a']);
  log.length = 0;
  const bad = await withHooks(ctx, [hook('a', log), hook('b', log, false), hook('c', log)], async () => (log.push('body'), 7));
  assert.equal(bad.body, undefined);
  assert.match(bad.skipped!, /pre hook b of set s failed: boom; no snapshot taken/);
  assert.deepEqual(log, ['pre a', 'pre b', 'post b', 'post a']);
  log.length = 0;
  await assert.rejects(withHooks(ctx, [hook('a', log)], async () => { throw new Error('lvcreate died'); }), /lvcreate died/);
  assert.deepEqual(log, ['pre a', 'post a'], 'the post hook runs when the body throws');
});

function planOf(sets: unknown): Plan {
  return PlanSchema.parse({
    version: 1,
    drives: [{ id: 'd0', serial: 'S0' }],
    volumeGroups: [{ name: 'vg_t', drives: ['d0'] }],
    volumes: [
      { name: 'lv_pg', vg: 'vg_t', size: '1GiB', workload: 'postgresql', snapshot: { set: 'db' } },
      { name: 'lv_kafka', vg: 'vg_t', size: '1GiB', workload: 'kafka', snapshot: { set: 'db' } },
    ],
    snapshotSets: sets,
  });
}
const targets = [
  { vg: 'vg_t', lv: 'lv_pg', policy: { ...defaultPolicy(), size: '64MiB', set: 'db' }, workload: 'postgresql' as const },
  { vg: 'vg_t', lv: 'lv_kafka', policy: { ...defaultPolicy(), size: '64MiB', set: 'db' }, workload: 'kafka' as const },
];

test('create with hooks: pre/post run by the executor with the timeout; the post hook runs when a snapshot fails; guarantees per volume', async () => {
  const plan = planOf([{ name: 'db', hooks: [{ name: 'flush', pre: ['/usr/local/bin/flush'], post: ['/usr/local/bin/unflush', '--now'], timeoutS: 7 }] }]);
  const cp = planCreate(targets, { lvs, vgs }, { now: NOW, autoextend: OFF });
  assert.deepEqual(cp.refusals, []);
  const r = new FakeRunner({ now: NOW, files: { '/proc/sys/kernel/osrelease': '6.1.0-57-amd64\n' } });
  r.on(['/usr/local/bin/flush'], { stdout: '' }).on(['/usr/local/bin/unflush'], { stdout: '' });
  r.on((a) => a[0] === 'lvcreate' && a.at(-1) === 'vg_t/lv_kafka', { exitCode: 5, stderr: 'Insufficient free space' });
  r.on((a) => a[0] === 'lvcreate' && a.at(-1) === 'vg_t/lv_pg', {});
  const res = await createSets({ runner: r, act: actFor(r), sleep: noSleep }, plan, cp, lvs, [], false);
  const argv = r.mutatingCalls.map((c) => c.argv[0]);
  assert.deepEqual(argv, ['/usr/local/bin/flush', 'lvcreate', 'lvcreate', '/usr/local/bin/unflush']);
  assert.equal(r.mutatingCalls[0]!.opts?.timeoutMs, 7000);
  assert.deepEqual(res.post.map((p) => [p.hook, p.ok]), [['flush', true]]);
  assert.deepEqual(res.guarantees.map((g) => [g.origin, g.guarantee]), [['lv_pg', 'crash-consistent'], ['lv_kafka', 'none']]);
  assert.match(res.guarantees[0]!.why, /kernel 6\.1 refuses a snapshot of a frozen filesystem/);
});

test('create with hooks: a failing pre hook (timeout) takes no snapshot, its post still runs', async () => {
  const plan = planOf([{ name: 'db', hooks: [{ name: 'slow', pre: ['/usr/local/bin/slow'], post: ['/usr/local/bin/after'], timeoutS: 1 }] }]);
  const cp = planCreate(targets, { lvs, vgs }, { now: NOW, autoextend: OFF });
  const r = new FakeRunner({ now: NOW, files: { '/proc/sys/kernel/osrelease': '6.1.0-57-amd64\n' } });
  r.on(['/usr/local/bin/slow'], { exitCode: 124, stderr: 'killed' }).on(['/usr/local/bin/after'], {});
  const res = await createSets({ runner: r, act: actFor(r), sleep: noSleep }, plan, cp, lvs, [], false);
  assert.deepEqual(r.mutatingCalls.map((c) => c.argv[0]), ['/usr/local/bin/slow', '/usr/local/bin/after']);
  assert.equal(res.run, undefined);
  assert.match(res.skipped!, /pre hook slow of set db failed/);
  assert.ok(res.guarantees.every((g) => g.guarantee === 'none'));
});

test('freeze: never on kernel 6.1 (measured refusal), never for an unproven kernel; on a proven one every filesystem is thawed even when lvcreate fails', async () => {
  assert.equal(freezeDecision('auto', '6.1.0-57-amd64', ['/a', '/b']).freeze, false);
  assert.match(freezeDecision('auto', '9.9.0', ['/a', '/b']).reason, /not proven/);
  assert.equal(freezeDecision('never', '6.1.0', ['/a', '/b']).freeze, false);
  assert.match(freezeDecision('auto', '6.1.0', ['/', '/b']).reason, /holds what this run writes/);
  FREEZE_PROOF.push({ release: '0.test.', ok: true, fact: 'test' });
  try {
    assert.equal(freezeDecision('auto', '0.test.1', ['/a', '/b']).freeze, true);
    const plan = planOf([{ name: 'db', hooks: [] }]);
    const cp = planCreate(targets, { lvs, vgs }, { now: NOW, autoextend: OFF });
    const r = new FakeRunner({ now: NOW, files: { '/proc/sys/kernel/osrelease': '0.test.1\n' } });
    r.on(['fsfreeze'], {}).on((a) => a[0] === 'lvcreate' && a.at(-1) === 'vg_t/lv_pg', {}).on((a) => a[0] === 'lvcreate' && a.at(-1) === 'vg_t/lv_kafka', { exitCode: 5 });
    const mounts = pgKafkaMounts();
    const res = await createSets({ runner: r, act: actFor(r), sleep: noSleep }, plan, cp, lvs, mounts, false);
    assert.deepEqual(r.mutatingCalls.map((c) => c.argv.join(' ').replace(/ --name .*/, '')), [
      'fsfreeze --freeze /srv/pg',
      'fsfreeze --freeze /srv/ka',
      'lvcreate --snapshot --extents 16',
      'lvcreate --snapshot --extents 16',
      'fsfreeze --unfreeze /srv/ka',
      'fsfreeze --unfreeze /srv/pg',
    ]);
    assert.equal(res.guarantees[0]!.guarantee, 'frozen-together');
  } finally {
    FREEZE_PROOF.pop();
  }
});

/**
 * The PostgreSQL backup session as PostgreSQL 15.18 ran it (fixtures/pg15-backup-stop.copy: the stop file
 * its COPY wrote, data_directory /tmp/misc14-pg/data, start segment …02, stop LSN 0/3000050 in …03), with
 * the two 16 MiB segments in pg_wal; cp and sync act on the fake files. `drop` leaves a segment out.
 */
function pgSession(r: FakeRunner, o: { drop?: string; short?: string } = {}): void {
  const seg = 16 * 1024 * 1024;
  for (const n of ['000000010000000000000002', '000000010000000000000003']) if (n !== o.drop) r.files.set(`/tmp/misc14-pg/data/pg_wal/${n}`, 'w'.repeat(n === o.short ? seg - 1 : seg));
  r.on(['runuser'], (argv) => {
    const dir = /TO '([^']+)\/start_lsn'/.exec(argv.join(' '))![1]!;
    r.files.set(`${dir}/start_lsn`, '0/2000028\n');
    r.files.set(`${dir}/stop`, snapFixture('pg15-backup-stop.copy'));
    return { stdout: '' };
  });
  r.on(['cp'], (argv) => {
    const dst = argv[argv.length - 1]!;
    for (const src of argv.slice(3, -1)) {
      const f = r.files.get(src);
      if (f === undefined) return { exitCode: 1, stderr: `cp: cannot stat '${src}': No such file or directory` };
      r.files.set(dst + src.split('/').pop(), f);
    }
    return {};
  });
  r.on(['sync'], {});
}

test('built-in hooks: redis BGSAVE waited for through LASTSAVE; postgresql holds one session from pg_backup_start to pg_backup_stop and keeps the label', async () => {
  const plan = planOf([{ name: 'db', hooks: [{ builtin: 'postgresql', timeoutS: 5 }, { builtin: 'redis', socket: '/run/redis/redis.sock', timeoutS: 5 }] }]);
  const cp = planCreate(targets, { lvs, vgs }, { now: NOW, autoextend: OFF });
  const r = new FakeRunner({ now: NOW, files: { '/proc/sys/kernel/osrelease': '6.1.0-57-amd64\n' } });
  let lastsave = 100;
  r.on(['redis-cli', '-s', '/run/redis/redis.sock', 'LASTSAVE'], () => ({ stdout: `${lastsave}\n` }));
  r.on(['redis-cli', '-s', '/run/redis/redis.sock', 'BGSAVE'], () => ((lastsave = 200), { stdout: 'Background saving started\n' }));
  r.on(['redis-cli', '-s', '/run/redis/redis.sock', 'INFO'], { stdout: 'rdb_bgsave_in_progress:0\r\nrdb_last_bgsave_status:ok\r\n' });
  r.on(['chown'], {});
  pgSession(r);
  r.on((a) => a[0] === 'lvcreate', {});
  const res = await createSets({ runner: r, act: actFor(r), sleep: noSleep }, plan, cp, lvs, [], false);
  assert.deepEqual(res.pre.map((p) => [p.hook, p.ok]), [['postgresql', true], ['redis', true]]);
  assert.equal(res.pre[0]!.facts!.startLsn, '0/2000028');
  const pgPost = res.post.find((p) => p.hook === 'postgresql')!;
  assert.equal(pgPost.ok, true, pgPost.error);
  assert.equal(pgPost.facts!.startWalFile, '000000010000000000000002');
  const pgLabel = pgPost.facts!.label!;
  const pgBackupLabel = pgPost.facts!.backupLabel!;
  assert.match(r.files.get(pgPost.facts!.backupLabel!)!, /^START WAL LOCATION: 0\/2000028/);
  const session = r.calls.filter((c) => c.argv[0] === 'runuser');
  assert.equal(session.length, 1, 'pg_backup_start and pg_backup_stop in one psql run (one session)');
  assert.ok(session[0]!.argv.some((a) => a.includes('pg_backup_start')) && session[0]!.argv.some((a) => a.includes('pg_backup_stop(true)')));
  assert.equal(res.guarantees.find((g) => g.origin === 'lv_pg')!.guarantee, 'database-backup');
  // the WAL the backup needs, kept beside the label: …02 (START WAL LOCATION) through …03 (pg_walfile_name(0/3000050))
  const walDir = `/var/lib/jts-storage/backup-labels/${pgPost.facts!.label}.wal`;
  assert.deepEqual(pgPost.facts, { ...pgPost.facts, stopLsn: '0/3000050', stopWalFile: '000000010000000000000003', walDir, walFiles: '000000010000000000000002..000000010000000000000003', walCount: '2', walBytes: String(2 * 16 * 1024 * 1024) });
  assert.equal(r.files.get(`${walDir}/000000010000000000000003`)!.length, 16 * 1024 * 1024);
  const cpCall = r.calls.find((c) => c.argv[0] === 'cp')!.argv;
  assert.deepEqual(cpCall, ['cp', '--preserve=mode,timestamps', '--', '/tmp/misc14-pg/data/pg_wal/000000010000000000000002', '/tmp/misc14-pg/data/pg_wal/000000010000000000000003', `${walDir}/`]);
  assert.match(res.guarantees.find((g) => g.origin === 'lv_pg')!.why, /WAL 000000010000000000000002\.\.000000010000000000000003 \(2 segment\(s\)\) kept in \/var\/lib\/jts-storage\/backup-labels\/jts-db-.*\.wal, backup_label /);
  // the set records which snapshots the backup belongs to: restore finds it by that record, not by time
  const record = `/var/lib/jts-storage/backup-labels/${pgLabel}.snapshots`;
  const ids = res.run!.created.filter((c) => c.ok && c.item.set === 'db').map((c) => `${c.item.vg}/${c.item.name}`);
  assert.ok(ids.length >= 2);
  assert.equal(r.files.get(record), ids.map((x) => `${x}\n`).join(''));
  assert.match(res.guarantees.find((g) => g.origin === 'lv_pg')!.why, /; recorded in \/var\/lib\/jts-storage\/backup-labels\/jts-db-\d{8}T\d{6}Z\.snapshots/);
  const { keptPgBackup } = await import('../../src/snapshot/backup-record.js');
  for (const id of ids) assert.deepEqual(await keptPgBackup(r, id), { backupLabel: pgBackupLabel, walDir, found: 'recorded' });
  // the session ended only after the copy: `copied` is made after cp
  const order = r.calls.map((c) => c.argv[0]);
  assert.ok(order.indexOf('cp') < order.lastIndexOf('sync'));
  assert.equal(res.guarantees.find((g) => g.origin === 'lv_kafka')!.guarantee, 'crash-consistent');
  assert.throws(() => pgHolderSql("/tmp/x'; DROP", 'l', 1), /unsafe/);
});

test('postgresql hook: the session waits for `go` on ONE field of pg_stat_file (a row IS NOT NULL is false while creation is null)', () => {
  // Measured on PostgreSQL 15.x: with go present, `pg_stat_file(go, true) IS NOT NULL` gives false
  // (creation is null on Linux) and `(pg_stat_file(go, true)).modification IS NOT NULL` gives true.
  // The row form made every drill's backup session wait out its bound (the db-drill.vm hang).
  const [, , wait, stop] = pgHolderSql('/run/x/lab', 'lab', 2);
  assert.match(wait!, /\(pg_stat_file\('\/run\/x\/lab\/go', true\)\)\.modification IS NOT NULL/);
  assert.doesNotMatch(wait!, /pg_stat_file\([^)]*\) IS NOT NULL/);
  assert.match(wait!, /1\.\.40 LOOP/);
  assert.match(stop!, /pg_backup_stop\(true\)/);
});

test('postgresql hook: a WAL segment missing or short → the post phase fails naming it, the volume is crash-consistent, and the session still ends (copied)', async () => {
  for (const [o, re] of [
    [{ drop: '000000010000000000000003' }, /keeping the WAL: cp: cannot stat '\/tmp\/misc14-pg\/data\/pg_wal\/000000010000000000000003'/],
    [{ short: '000000010000000000000002' }, /000000010000000000000002: 16777215 bytes, expected 16777216 \(wal_segment_size\)/],
  ] as const) {
    const plan = planOf([{ name: 'db', hooks: [{ builtin: 'postgresql', timeoutS: 5 }] }]);
    const cp = planCreate(targets, { lvs, vgs }, { now: NOW, autoextend: OFF });
    const r = new FakeRunner({ now: NOW, files: { '/proc/sys/kernel/osrelease': '6.1.0-57-amd64\n' } });
    r.on(['chown'], {});
    pgSession(r, o);
    r.on((a) => a[0] === 'lvcreate', {});
    const res = await createSets({ runner: r, act: actFor(r), sleep: noSleep }, plan, cp, lvs, [], false);
    const post = res.post.find((p) => p.hook === 'postgresql')!;
    assert.equal(post.ok, false);
    assert.match(post.error!, re);
    const g = res.guarantees.find((x) => x.origin === 'lv_pg')!;
    assert.equal(g.guarantee, 'crash-consistent');
    assert.match(g.why, /its end failed .*not a usable backup/);
    assert.ok([...r.dirs].some((d) => /\/copied$/.test(d)), 'the session was let go');
  }
});

test('WAL names: the range from the start segment through pg_walfile_name(stop LSN), across a log boundary; bad input refused', async () => {
  const { walRange, parseWalName, parseLsn, parseBackupStop, labelStart } = await import('../../src/snapshot/pg-wal.js');
  const MB16 = 16 * 1024 * 1024;
  assert.deepEqual(walRange('0000000100000000000000FE', '000000010000000100000001', MB16), ['0000000100000000000000FE', '0000000100000000000000FF', '000000010000000100000000', '000000010000000100000001']);
  // 1 GiB segments: 4 per log
  assert.deepEqual(walRange('000000020000000000000003', '000000020000000100000000', 1024 ** 3), ['000000020000000000000003', '000000020000000100000000']);
  assert.equal(parseWalName('000000010000000000000003', MB16).segno, Math.floor(parseLsn('0/3000050') / MB16));
  assert.throws(() => walRange('000000010000000000000003', '000000010000000000000002', MB16), /before the start/);
  assert.throws(() => walRange('000000010000000000000003', '000000020000000000000004', MB16), /timeline changed/);
  assert.throws(() => parseWalName('000000010000000000000100', MB16), /beyond 256 per log/);
  assert.throws(() => parseWalName('00000001000000000000003', MB16), /not a WAL segment name/);
  const stop = parseBackupStop(snapFixture('pg15-backup-stop.copy'));
  assert.equal(stop.dataDirectory, '/tmp/misc14-pg/data');
  assert.equal(stop.walSegmentBytes, MB16);
  assert.deepEqual(labelStart(stop.labelText), { lsn: '0/2000028', file: '000000010000000000000002' });
  assert.match(stop.labelText, /^LABEL: jts-dbs-20261130T234600Z$/m);
  assert.throws(() => parseBackupStop('0/3000050\tx\n'), /not 5 fields/);
});

test('postgresql hook SQL: a temporary slot first (its failure is a notice, not an error), pg_walfile_name of the stop LSN, the session waits for `copied`', () => {
  const sql = pgHolderSql('/run/x/jts-db-1', 'jts-db-20261130T000000Z', 2);
  assert.equal(sql.length, 5);
  assert.match(sql[0]!, /pg_create_physical_replication_slot\('jts_db_20261130t000000z', true, true\); EXCEPTION WHEN OTHERS THEN RAISE NOTICE/);
  assert.match(sql[3]!, /pg_walfile_name\(lsn\).*FROM pg_backup_stop\(true\)\) TO '\/run\/x\/jts-db-1\/stop'/);
  assert.match(sql[4]!, /\(pg_stat_file\('\/run\/x\/jts-db-1\/copied', true\)\)\.modification IS NOT NULL/);
});

test('freeze decision: no kernel is listed as safe without a measurement; on 6.1 and on an unlisted kernel each mounted volume of the set says it is crash-consistent alone and why, and nothing is frozen', async () => {
  assert.deepEqual(FREEZE_PROOF.filter((p) => p.ok), [], 'a kernel is marked safe only with a measurement (lvcreate of an fsfrozen origin in the sandbox)');
  for (const [release, why] of [
    ['6.1.0-57-amd64', /^this volume alone \(lvcreate freezes it\); not frozen together: kernel 6\.1 refuses a snapshot of a frozen filesystem \(dm suspend: Device or resource busy; measured/],
    ['6.12.9-amd64', /^this volume alone \(lvcreate freezes it\); not frozen together: kernel 6\.12\.9-amd64 is not proven to snapshot a frozen filesystem/],
  ] as const) {
    const plan = planOf([{ name: 'db', hooks: [] }]);
    const cp = planCreate(targets, { lvs, vgs }, { now: NOW, autoextend: OFF });
    const r = new FakeRunner({ now: NOW, files: { '/proc/sys/kernel/osrelease': `${release}\n` } });
    r.on((a) => a[0] === 'lvcreate', {});
    const mounts = pgKafkaMounts();
    const res = await createSets({ runner: r, act: actFor(r), sleep: noSleep }, plan, cp, lvs, mounts, false);
    assert.ok(!r.calls.some((c) => c.argv[0] === 'fsfreeze'), release);
    assert.equal(res.guarantees.length, cp.items.length);
    for (const g of res.guarantees) {
      assert.equal(g.guarantee, 'crash-consistent', `${release} ${g.origin}`);
      assert.match(g.why, why, `${release} ${g.origin}`);
    }
  }
});

test('restore names the PostgreSQL backup kept with the set: the label nearest the snapshot\'s stamp (≤ 10 min), its WAL directory', async () => {
  const { keptPgBackup } = await import('../../src/snapshot/backup-record.js');
  const L = '/var/lib/jts-storage/backup-labels';
  const r = new FakeRunner({ files: { [`${L}/jts-drill-20261201T000115Z.backup_label`]: 'x', [`${L}/jts-drill-20261201T000115Z.wal/000000010000000000000002`]: 'w', [`${L}/jts-drill-20261130T230000Z.backup_label`]: 'x', [`${L}/jts-other-20261201T000118Z.backup_label`]: 'x' } });
  r.dirs.add(`${L}/jts-drill-20261201T000115Z.wal`);
  assert.deepEqual(await keptPgBackup(r, 'vg_t/lv_pg.snap.drill.20261201T000118Z'), { backupLabel: `${L}/jts-drill-20261201T000115Z.backup_label`, walDir: `${L}/jts-drill-20261201T000115Z.wal`, found: 'nearest in time' });
  assert.equal(await keptPgBackup(r, 'vg_t/lv_pg.snap.drill.20261201T020000Z'), undefined, 'none within 10 minutes');
  assert.equal(await keptPgBackup(r, 'vg_t/lv_pg'), undefined, 'not one of our snapshot names');
  assert.equal(await keptPgBackup(new FakeRunner(), 'vg_t/lv_pg.snap.drill.20261201T000118Z'), undefined, 'no label directory');
});

test('restore: a set\'s record wins over time — the recorded label even when another is nearer; a label recorded for other snapshots is never matched by time', async () => {
  const { keptPgBackup } = await import('../../src/snapshot/backup-record.js');
  const L = '/var/lib/jts-storage/backup-labels';
  // Two sets of "drill" 2 s apart (a retry): the nearer label by time is the other set's.
  const r = new FakeRunner({
    files: {
      [`${L}/jts-drill-20261201T000100Z.backup_label`]: 'x',
      [`${L}/jts-drill-20261201T000100Z.snapshots`]: 'vg_t/lv_pg.snap.drill.20261201T000104Z\nvg_t/lv_rd.snap.drill.20261201T000104Z\n',
      [`${L}/jts-drill-20261201T000103Z.backup_label`]: 'x',
      [`${L}/jts-drill-20261201T000103Z.snapshots`]: 'vg_t/lv_pg.snap.drill.20261201T000107Z\n',
      [`${L}/jts-drill-20261201T000103Z.wal/000000010000000000000002`]: 'w',
    },
  });
  r.dirs.add(`${L}/jts-drill-20261201T000103Z.wal`);
  assert.deepEqual(await keptPgBackup(r, 'vg_t/lv_pg.snap.drill.20261201T000104Z'), { backupLabel: `${L}/jts-drill-20261201T000100Z.backup_label`, found: 'recorded' }, 'its record, though 000103Z is nearer in time');
  assert.deepEqual(await keptPgBackup(r, 'lv_rd.snap.drill.20261201T000104Z'), { backupLabel: `${L}/jts-drill-20261201T000100Z.backup_label`, found: 'recorded' }, 'a name without its VG');
  assert.equal((await keptPgBackup(r, 'vg_t/lv_pg.snap.drill.20261201T000107Z'))!.walDir, `${L}/jts-drill-20261201T000103Z.wal`);
  assert.equal(await keptPgBackup(r, 'vg_other/lv_pg.snap.drill.20261201T000104Z'), undefined, 'same name in another VG: both labels are recorded for other snapshots');
  assert.equal(await keptPgBackup(r, 'vg_t/lv_pg.snap.drill.20261201T000105Z'), undefined, 'no record names it and every label near it is recorded for others');
});
