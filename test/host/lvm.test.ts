import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  dmName,
  HEALTH_FULLREPORT_ARGV,
  isInternal,
  isSnapshot,
  isThinPool,
  lvsArgv,
  LVS_READAHEAD_ARGV,
  parseLvmJson,
  PROBE_FULLREPORT_ARGV,
  readLvmReport,
  vgsArgv,
  VGS_FREE_ARGV,
} from '../../src/host/lvm.js';
import { HostReadError } from '../../src/host/env.js';
import { FakeRunner } from '../support/fake-runner.js';
import { capture, testPath } from './fixtures.js';

test('argv: every LVM read is JSON in bytes; the captures were made with these exact argv', () => {
  for (const argv of [PROBE_FULLREPORT_ARGV, HEALTH_FULLREPORT_ARGV, lvsArgv(), vgsArgv(), LVS_READAHEAD_ARGV, VGS_FREE_ARGV]) {
    assert.deepEqual(argv.slice(argv.indexOf('--reportformat'), argv.indexOf('--reportformat') + 2), ['--reportformat', 'json']);
    assert.ok(argv.includes('--units') && argv.includes('b') && argv.includes('--nosuffix'), argv.join(' '));
  }
  // The health capture was made with an earlier field list: each of its fields is still asked for.
  const health = JSON.parse(capture('health/fixtures/lvm-fullreport.json.argv')) as { argv: string[] };
  const fields = (argv: string[]) => argv.flatMap((a, i) => (argv[i - 1] === '-o' ? a.split(',').map((f) => `${argv[i - 2]}:${f}`) : []));
  const now = new Set(fields(HEALTH_FULLREPORT_ARGV));
  for (const f of fields(health.argv)) assert.ok(now.has(f), f);
  assert.deepEqual(health.argv.slice(0, 8), HEALTH_FULLREPORT_ARGV.slice(0, 8));
});

test('fullreport (sandbox capture of the probe argv): VGs, PVs, LVs typed; sizes in bytes', () => {
  const r = parseLvmJson(capture('fixtures/guest/probe-fullreport.json'));
  assert.ok(r.vgs.length >= 1 && r.pvs.length >= 1 && r.lvs.length >= 1);
  for (const vg of r.vgs) assert.ok(Number.isInteger(vg.sizeBytes) && Number.isInteger(vg.extentSizeBytes));
  for (const lv of r.lvs) {
    assert.ok(Number.isInteger(lv.sizeBytes), `${lv.vg}/${lv.name}`);
    assert.deepEqual(lv.unreadable, []);
  }
  assert.equal(new Set(r.pvs.map((p) => p.name)).size, r.pvs.length, 'a PV listed in several sections is kept once');
});

test('lvs -a --binary (snapshot capture): hidden names without brackets, binary flags, lv_time, majMin', () => {
  const all = parseLvmJson(capture('fixtures/guest/lvs-a-lv_all-b.json'), 'lvs').lvs;
  const tdata = all.find((l) => l.name === 'tp_snap_tdata')!;
  assert.equal(tdata.hidden, true, '"[tp_snap_tdata]" is hidden, named without brackets');
  assert.equal(isInternal({ ...tdata, name: `[${tdata.name}]` }), true);
  const fresh = parseLvmJson(capture('snapshot/fixtures/lvs-fresh.json'), 'lvs').lvs;
  const snap = fresh.find((l) => isSnapshot(l))!;
  assert.equal(typeof snap.snapPercent, 'number');
  assert.ok(snap.time instanceof Date && !Number.isNaN(snap.time.getTime()));
  assert.equal(typeof snap.active, 'boolean');
  assert.equal(snap.snapshotInvalid, false);
  assert.match(fresh.find((l) => l.active)!.majMin ?? '', /^\d+:\d+$/);
});

test('lvs -o lv_all (no vg_name): the VG comes from lv_full_name; read-ahead "auto" or bytes', () => {
  const r = parseLvmJson(capture('fixtures/guest/lvs-a-lv_all-b.json'), 'lvs');
  const b = r.lvs.find((l) => l.name === 'lv_backup')!;
  assert.equal(b.vg, 'vg_jts');
  assert.equal(b.readAhead, 'auto');
  assert.equal(b.kernelReadAheadBytes, 256 * 512);
  assert.equal(b.majMin, '253:5');
});

test('a decimal-comma report (the 05-lvm-locale case localized): the percentages are unknown and say why, never NaN', () => {
  const c = testPath('fixtures/field/05-lvm-locale/lvs.json');
  const localized = readFileSync(c, 'utf8').replace(/"(\d+)\.(\d{2})"/g, '"$1,$2"');
  const lvs = parseLvmJson(localized, 'lvs').lvs;
  const pg = lvs.find((l) => l.name.startsWith('lv_pg.snap'))!;
  assert.equal(pg.snapPercent, undefined);
  assert.equal(pg.dataPercent, undefined);
  assert.deepEqual(pg.unreadable, ['data_percent="91,50"', 'snap_percent="91,50"']);
  for (const l of lvs) for (const v of Object.values(l)) assert.ok(!(typeof v === 'number' && Number.isNaN(v)), `${l.name}: NaN`);
  assert.equal(pg.sizeBytes, 104857600, 'integers have no radix: still read');
});

test('fields an older lvm2 lacks are unknown (undefined), not a crash', () => {
  const old = JSON.stringify({ report: [{ lv: [{ vg_name: 'vg', lv_name: 'lv', lv_attr: '-wi-a-----', lv_size: '1073741824' }], vg: [{ vg_name: 'vg' }] }] });
  const r = parseLvmJson(old);
  assert.deepEqual([r.lvs[0]!.active, r.lvs[0]!.snapshotInvalid, r.lvs[0]!.merging, r.lvs[0]!.majMin, r.lvs[0]!.dataPercent], [undefined, undefined, undefined, undefined, undefined]);
  assert.deepEqual([r.vgs[0]!.sizeBytes, r.vgs[0]!.freeBytes], [undefined, undefined]);
  // json_std (lvm2 2.03.x) prints numbers, not strings.
  const std = parseLvmJson(JSON.stringify({ report: [{ lv: [{ vg_name: 'vg', lv_name: 's', lv_attr: 'swi-a-s---', lv_size: 104857600, snap_percent: 31.48 }] }] }));
  assert.equal(std.lvs[0]!.snapPercent, 31.48);
  assert.throws(() => parseLvmJson('{}'), /no "report" array/);
});

test('readLvmReport: runs with LC_ALL=C; missing lvm2 is one line with the package; a partial report is read when lenient', async () => {
  const r = new FakeRunner().on(['vgs'], { stdout: capture('snapshot/fixtures/vgs.json') });
  const v = await readLvmReport(r, vgsArgv());
  assert.ok(v.vgs.length >= 1);
  assert.equal(r.calls[0]!.opts?.env?.LC_ALL, 'C');
  await assert.rejects(readLvmReport(new FakeRunner(), lvsArgv()), (e: unknown) => e instanceof HostReadError && (e as Error).message === 'lvs is not installed (Debian package lvm2)');
  const partial = new FakeRunner().on(['lvm'], { exitCode: 5, stdout: capture('health/fixtures/lvm-fullreport.json'), stderr: '  WARNING: Couldn\'t find device with uuid x.\n  Failed to find physical volume "/dev/sdz".\n' });
  await assert.rejects(readLvmReport(partial, HEALTH_FULLREPORT_ARGV), /lvm fullreport failed \(exit 5\): Failed to find physical volume/);
  const got = await readLvmReport(partial, HEALTH_FULLREPORT_ARGV, { lenient: true });
  assert.ok(got.lvs.length > 0);
  assert.match(got.note!, /exit 5/);
});

test('dmName, lv_attr readers', () => {
  assert.equal(dmName('vg-a', 'lv-b'), 'vg--a-lv--b');
  assert.equal(isThinPool({ attr: 'twi-aotz--' }), true);
  assert.equal(isSnapshot({ attr: 'Vwi-a-tz--', origin: 'lv' }), true);
  assert.equal(isSnapshot({ attr: 'Vwi-a-tz--' }), false);
  assert.equal(isInternal({ name: '[pool_tdata]', attr: 'Twi-ao----' }), true);
});
