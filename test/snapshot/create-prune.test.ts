import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCreate, executeCreate, defaultPolicy, type CreateTarget } from '../../src/snapshot/create.js';
import { parseLvsJson, parseVgsJson, snapshotsFrom, type VgRow } from '../../src/snapshot/lvm-report.js';
import { planPrune } from '../../src/snapshot/prune.js';
import { setActivationSettings } from '../../src/snapshot/autoextend.js';
import { selectTargets, reserveMap } from '../../src/snapshot/plan-targets.js';
import { PlanSchema } from '../../src/model/plan-schema.js';
import { actFor } from '../support/host-run.js';
import { FakeRunner } from '../support/fake-runner.js';
import { snapFixture } from './fixtures.js';

const MiB = 1024 * 1024;
const lvs = parseLvsJson(snapFixture('lvs-fresh.json'));
const vgs = parseVgsJson(snapFixture('vgs.json'));
const NOW = new Date('2026-11-21T13:00:00Z');
const OFF = { threshold: 100, percent: 20, monitoring: true };
const ON = { threshold: 70, percent: 20, monitoring: true };
const vgWithFree = (free: number): VgRow[] => vgs.map((v) => ({ ...v, freeBytes: free, freeExtents: free / v.extentSizeBytes }));
const t = (lv: string, p: Partial<ReturnType<typeof defaultPolicy>> = {}): CreateTarget => ({ vg: 'vg_t', lv, policy: { ...defaultPolicy(), ...p }, workload: 'postgresql' });

test('create: classic size as % of origin, rounded up to whole extents; argv with tags, no shell', () => {
  const p = planCreate([t('lv_pg', { size: '10%', set: 'databases' })], { lvs, vgs: vgWithFree(4096 * MiB) }, { now: NOW, autoextend: OFF });
  assert.deepEqual(p.refusals, []);
  const i = p.items[0]!;
  assert.equal(i.name, 'lv_pg.snap.databases.20261121T130000Z');
  assert.equal(i.extents, 26); // 10% of 1 GiB = 102.4 MiB → 26 × 4 MiB
  assert.equal(i.cowBytes, 26 * 4 * MiB);
  assert.deepEqual(i.argv, ['lvcreate', '--snapshot', '--extents', '26', '--name', i.name, '--addtag', 'jts-snap', '--addtag', 'jts-set:databases', 'vg_t/lv_pg']);
  assert.match(i.consistency, /pg_backup_start/);
});

test('create: refuses with the numbers when the VG is short', () => {
  const p = planCreate([t('lv_pg', { size: '512MiB' }), t('lv_kafka', { size: '512MiB' })], { lvs, vgs: vgWithFree(600 * MiB) }, { now: NOW, autoextend: OFF });
  assert.equal(p.refusals.length, 1);
  assert.match(p.refusals[0]!, /need 1\.00 GiB .*only 600 MiB is free/);
});

test('create: refuses when the autoextend headroom would not fit', () => {
  // 512 MiB new + existing classic snapshots (8 MiB + 100 MiB) each needing +20% once.
  const p = planCreate([t('lv_pg', { size: '512MiB' })], { lvs, vgs: vgWithFree(600 * MiB) }, { now: NOW, autoextend: ON });
  assert.equal(p.space[0]!.headroomBytes, (4 + 20 + 104) * MiB);
  assert.match(p.refusals.join('\n'), /dmeventd needs to extend every classic snapshot once/);
  const ok = planCreate([t('lv_pg', { size: '512MiB' })], { lvs, vgs: vgWithFree(700 * MiB) }, { now: NOW, autoextend: ON });
  assert.deepEqual(ok.refusals, []);
});

test('create: the plan reserve is the snapshot budget; --beyond-reserve accepts going past it', () => {
  const reserve = new Map([['vg_t', 200 * MiB]]);
  const p = planCreate([t('lv_pg', { size: '100MiB' })], { lvs, vgs: vgWithFree(4096 * MiB) }, { now: NOW, autoextend: OFF, reserveBytes: reserve });
  // existing 8 + 100 MiB classic + 100 new = 208 MiB > 200 MiB
  assert.match(p.refusals.join('\n'), /more than the plan's reserve of 200 MiB/);
  const q = planCreate([t('lv_pg', { size: '100MiB' })], { lvs, vgs: vgWithFree(4096 * MiB) }, { now: NOW, autoextend: OFF, reserveBytes: reserve, beyondReserve: true });
  assert.deepEqual(q.refusals, []);
  assert.match(q.notes.join('\n'), /accepted with --beyond-reserve/);
});

test('create: thin snapshots need a thin origin, take no VG space, no size argument', () => {
  const p = planCreate([{ vg: 'vg_t', lv: 'lv_thin', policy: { ...defaultPolicy(), type: 'thin' } }], { lvs, vgs: vgWithFree(0) }, { now: NOW, autoextend: ON, set: 'nightly' });
  assert.deepEqual(p.refusals, []);
  assert.deepEqual(p.items[0]!.argv, ['lvcreate', '--snapshot', '--name', 'lv_thin.snap.nightly.20261121T130000Z', '--addtag', 'jts-snap', '--addtag', 'jts-set:nightly', 'vg_t/lv_thin']);
  const bad = planCreate([t('lv_pg', { type: 'thin' })], { lvs, vgs }, { now: NOW, autoextend: OFF });
  assert.match(bad.refusals[0]!, /not a thin volume/);
  const full = planCreate([{ vg: 'vg_t', lv: 'lv_thin', policy: { ...defaultPolicy(), type: 'thin', critFillPercent: 2 } }], { lvs, vgs }, { now: NOW, autoextend: OFF });
  assert.match(full.refusals[0]!, /thin pool vg_t\/pool is 2\.39% full/);
});

test('create: refuses snapshots of snapshots, unknown volumes, name clashes, bad set names', () => {
  const p = planCreate(
    [t('lv_pg.snap.databases.20261121T120000Z'), t('nope'), t('lv_kafka', { set: 'a.b' })],
    { lvs, vgs },
    { now: NOW, autoextend: OFF },
  );
  assert.equal(p.refusals.length, 3);
  const clash = planCreate([t('lv_pg', { set: 'databases' })], { lvs, vgs: vgWithFree(4096 * MiB) }, { now: new Date('2026-11-21T12:00:00Z'), autoextend: OFF });
  assert.match(clash.refusals[0]!, /already exists/);
});

test('create: runs one lvcreate per volume, mutating, stops at the first failure', async () => {
  const p = planCreate([t('lv_pg'), t('lv_kafka')], { lvs, vgs: vgWithFree(4096 * MiB) }, { now: NOW, autoextend: OFF, set: 's' });
  const r = new FakeRunner().on(['lvcreate'], (argv) => (argv.includes('vg_t/lv_kafka') ? { exitCode: 5, stderr: 'Volume group "vg_t" has insufficient free space' } : {}));
  const run = await executeCreate(r, actFor(r), p, false);
  assert.equal(run.created.length, 2);
  assert.equal(run.created[0]!.ok, true);
  assert.equal(run.created[1]!.ok, false);
  assert.match(run.created[1]!.error!, /insufficient/);
  assert.ok(r.calls.every((c) => c.opts?.mutating));
});

test('plan targets: volumes with policies, --set filter, reserve in bytes', () => {
  const plan = PlanSchema.parse({
    version: 1,
    drives: [{ id: 'd', serial: 'S' }],
    volumeGroups: [{ name: 'vg_t', drives: ['d'], reserve: '10%' }],
    volumes: [
      { name: 'lv_pg', vg: 'vg_t', size: '1GiB', workload: 'postgresql', snapshot: { size: '5%', set: 'databases' } },
      { name: 'lv_kafka', vg: 'vg_t', size: '1GiB', workload: 'kafka', snapshot: { set: 'logs' } },
      { name: 'lv_thin', vg: 'vg_t', size: '1GiB' },
    ],
  });
  assert.deepEqual(selectTargets(plan, lvs, []).map((x) => x.lv), ['lv_pg', 'lv_kafka']);
  assert.deepEqual(selectTargets(plan, lvs, [], { set: 'databases' }).map((x) => x.lv), ['lv_pg']);
  const named = selectTargets(plan, lvs, ['lv_thin', 'vg_t/lv_pg'], { size: '1GiB' });
  assert.equal(named[0]!.policy.type, 'thin', 'no policy: thin for a thin volume');
  assert.equal(named[1]!.policy.size, '1GiB');
  assert.equal(named[1]!.workload, 'postgresql');
  assert.equal(reserveMap(plan, vgs)!.get('vg_t'), Math.ceil(vgs[0]!.sizeBytes * 0.1));
});

test('prune: per origin policy, only jts snapshots, mounted ones kept', () => {
  const snaps = snapshotsFrom(parseLvsJson(snapFixture('lvs-invalid.json')));
  const retention = { keepLast: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, minAge: '0h' };
  const pp = planPrune(snaps, (_vg, origin) => (origin === 'lv_thin' ? undefined : retention), { now: NOW });
  assert.deepEqual(pp.unmanagedOrigins, ['vg_t/lv_thin']);
  const pg = pp.decisions.find((d) => d.origin === 'lv_pg')!;
  assert.equal(pg.action, 'lost', 'an invalidated snapshot is LOST, never silently pruned');
  const k = pp.decisions.find((d) => d.origin === 'lv_kafka')!;
  assert.equal(k.action, 'keep');
});

test('lvm.conf edit: replaces keys in the activation section, adds missing, keeps the rest', () => {
  const conf = [
    'config {',
    '\tcheck = 1',
    '}',
    'activation {',
    '\t# snapshot_autoextend_threshold = 70',
    '\tudev_sync = 1',
    '\tsnapshot_autoextend_threshold = 100',
    '\tnested {',
    '\t\tsnapshot_autoextend_percent = 5',
    '\t}',
    '}',
    'devices { }',
    '',
  ].join('\n');
  const out = setActivationSettings(conf, { snapshot_autoextend_threshold: 70, snapshot_autoextend_percent: 20 });
  const lines = out.split('\n');
  assert.ok(lines.includes('\tsnapshot_autoextend_threshold = 70'));
  assert.ok(lines.includes('\t# snapshot_autoextend_threshold = 70'), 'comments untouched');
  assert.ok(lines.includes('\t\tsnapshot_autoextend_percent = 5'), 'nested sections untouched');
  assert.ok(lines.includes('\tsnapshot_autoextend_percent = 20'));
  assert.ok(lines.indexOf('\tsnapshot_autoextend_percent = 20') < lines.indexOf('devices { }'));
  assert.equal(setActivationSettings(out, { snapshot_autoextend_threshold: 70, snapshot_autoextend_percent: 20 }), out, 'idempotent');
  const none = setActivationSettings('global {\n}\n', { snapshot_autoextend_threshold: 80 });
  assert.match(none, /activation \{\n.*\n\tsnapshot_autoextend_threshold = 80\n\}\n$/);
});

test('create: a VG at its LV limit (max_lv) refuses the set before any lvcreate, and says how out', () => {
  // LVM-truth sweep (lv-count-limit): "Maximum number of logical volumes (2) reached" for a snapshot too.
  const limited = (max: number, count: number): VgRow[] => vgWithFree(4096 * MiB).map((v) => ({ ...v, maxLv: max, lvCount: count }));
  const two = [t('lv_pg', { size: '10%' }), t('lv_kafka', { size: '10%' })];
  const p = planCreate(two, { lvs, vgs: limited(5, 4) }, { now: NOW, autoextend: OFF });
  assert.equal(p.refusals.length, 1);
  assert.match(p.refusals[0]!, /vg_t allows 5 LVs \(max_lv\) and has 4: 2 snapshots would make 6.*vgchange -l 0 vg_t/);
  assert.deepEqual(planCreate(two, { lvs, vgs: limited(6, 4) }, { now: NOW, autoextend: OFF }).refusals, []);
  assert.deepEqual(planCreate(two, { lvs, vgs: limited(0, 40) }, { now: NOW, autoextend: OFF }).refusals, [], '0 = unlimited');
});
