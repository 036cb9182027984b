import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lvNameProblem, parseSnapshotName, setNameProblem, snapshotName, stamp, tagsFor } from '../../src/snapshot/names.js';
import { parseLvsJson, parseVgsJson, snapshotsFrom, parseLvTime } from '../../src/snapshot/lvm-report.js';
import { parseFindmnt, mountsOf, snapshotMountOptions } from '../../src/snapshot/mount.js';
import { parseKeyValues } from '../../src/snapshot/autoextend.js';
import { snapFixture } from './fixtures.js';

test('names: set + UTC stamp, parsed back', () => {
  const n = snapshotName('lv_postgres', 'databases', new Date('2026-11-21T12:03:04.567+01:00'));
  assert.equal(n, 'lv_postgres.snap.databases.20261121T110304Z');
  assert.equal(lvNameProblem(n, 'vg_jts'), undefined);
  const p = parseSnapshotName(n)!;
  assert.equal(p.origin, 'lv_postgres');
  assert.equal(p.set, 'databases');
  assert.equal(p.time.toISOString(), '2026-11-21T11:03:04.000Z');
  assert.equal(parseSnapshotName('lv.with.dots.snap.s1.20261121T110304Z')!.origin, 'lv.with.dots');
  assert.equal(parseSnapshotName('lv_postgres'), undefined);
  assert.equal(stamp(new Date('2026-01-02T03:04:05Z')), '20260102T030405Z');
});

test('names: LVM rules (reserved prefix, substrings, characters, lengths)', () => {
  assert.match(lvNameProblem('snapshot1')!, /snapshot/);
  assert.match(lvNameProblem('snapshots.snap.x.20261121T110304Z')!, /snapshot/);
  assert.equal(lvNameProblem('lv_snapshot.snap.x.20261121T110304Z'), undefined, '"snapshot" is reserved as a prefix only');
  assert.match(lvNameProblem('pvmove0')!, /pvmove/);
  assert.match(lvNameProblem('a_tmeta.snap.x.1')!, /_tmeta/);
  assert.match(lvNameProblem('a b')!, /space/);
  assert.match(lvNameProblem('-a')!, /'-'/);
  assert.ok(lvNameProblem('x'.repeat(120), 'vg_jts'));
  assert.equal(setNameProblem('databases'), undefined);
  assert.ok(setNameProblem('a.b'), 'dots separate name parts');
  assert.ok(setNameProblem(''));
  assert.ok(setNameProblem('x'.repeat(40)));
  assert.deepEqual(tagsFor('s', { scheduled: true, keep: true }), ['jts-snap', 'jts-set:s', 'jts-sched', 'jts-keep']);
});

test('lvs JSON (captured): classic, thin and invalidated snapshots', () => {
  const fresh = snapshotsFrom(parseLvsJson(snapFixture('lvs-fresh.json')));
  assert.equal(fresh.length, 3);
  const pg = fresh.find((s) => s.origin === 'lv_pg')!;
  assert.equal(pg.kind, 'classic');
  assert.equal(pg.valid, true);
  assert.equal(pg.managed, true);
  assert.equal(pg.set, 'databases');
  assert.equal(pg.sizeBytes, 8388608);
  assert.equal(pg.time!.toISOString(), '2026-11-21T12:00:00.000Z', 'time from the name');
  const kafka = fresh.find((s) => s.origin === 'lv_kafka')!;
  assert.equal(kafka.pinned, true);
  const thin = fresh.find((s) => s.kind === 'thin')!;
  assert.equal(thin.origin, 'lv_thin');
  assert.equal(thin.pool, 'pool');
  assert.equal(thin.fillPercent, 2.39, 'a thin snapshot reports its pool fill');
  assert.equal(thin.active, false, 'thin snapshots carry the activation skip flag');

  const inv = snapshotsFrom(parseLvsJson(snapFixture('lvs-invalid.json')));
  const pgInv = inv.find((s) => s.origin === 'lv_pg')!;
  assert.equal(pgInv.valid, false);
  assert.equal(pgInv.attr, 'swi-I-s---');
  assert.equal(inv.find((s) => s.origin === 'lv_kafka')!.valid, true);

  const rows = parseLvsJson(snapFixture('lvs-fresh.json'));
  assert.equal(rows.find((r) => r.name === 'lv_pg')!.majMin, '253:0');
  assert.equal(rows.find((r) => r.name === 'lv_thin.snap.databases.20261121T120000Z')!.majMin, undefined);
  assert.equal(rows.find((r) => r.name === 'lv_thin.snap.databases.20261121T120000Z')!.skipActivation, true);
  const vgs = parseVgsJson(snapFixture('vgs.json'));
  assert.equal(vgs[0]!.name, 'vg_t');
  assert.equal(vgs[0]!.extentSizeBytes, 4194304);
});

test('lv_time with offsets', () => {
  assert.equal(parseLvTime('2026-11-21 23:47:39 +0000')!.toISOString(), '2026-11-21T23:47:39.000Z');
  assert.equal(parseLvTime('2026-11-21 23:47:39 +0130')!.toISOString(), '2026-11-21T22:17:39.000Z');
  assert.equal(parseLvTime('garbage'), undefined);
});

test('findmnt JSON (captured) and matching an LV by MAJ:MIN', () => {
  const mounts = parseFindmnt(snapFixture('findmnt.json'));
  const rows = parseLvsJson(snapFixture('lvs-invalid.json'));
  const pg = rows.find((r) => r.name === 'lv_pg')!;
  assert.deepEqual(mountsOf(pg, mounts).map((m) => m.target), ['/mnt/pg']);
});

test('snapshot mount options', () => {
  assert.deepEqual(snapshotMountOptions('ext4'), ['ro', 'nodev', 'nosuid', 'noexec']);
  assert.deepEqual(snapshotMountOptions('xfs'), ['ro', 'nodev', 'nosuid', 'noexec', 'nouuid']);
  assert.deepEqual(snapshotMountOptions('ext4', true), ['ro', 'nodev', 'nosuid', 'noexec', 'noload']);
  assert.deepEqual(snapshotMountOptions('xfs', true), ['ro', 'nodev', 'nosuid', 'noexec', 'nouuid', 'norecovery']);
});

test('lvmconfig key=value (captured)', () => {
  const kv = parseKeyValues(snapFixture('lvmconfig.txt'));
  assert.equal(kv.snapshot_autoextend_threshold, '100');
  assert.equal(kv.snapshot_autoextend_percent, '20');
  assert.equal(kv.monitoring, '1');
});
