import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diskOf, driveKind, lvType, parseFindmnt, parseLsblk, parseLvmReport, snapshotInvalid } from '../../src/health/sources.js';
import { fixture } from './helpers.js';

test('lvm fullreport (lvm2 2.03.16): VG, PV and every LV with type, fill and kernel device', () => {
  const r = parseLvmReport(fixture('lvm-fullreport.json'));
  assert.deepEqual(r.vgs, [{ name: 'vg_h', sizeBytes: 17175674880, freeBytes: 14935916544, extentSizeBytes: 4194304 }]);
  assert.deepEqual(r.pvs, [{ name: '/dev/nvme0n1', vg: 'vg_h' }]);
  const by = new Map(r.lvs.map((l) => [l.name, l]));
  assert.equal(lvType(by.get('lv_data')!), 'volume');
  assert.equal(by.get('lv_data')!.majMin, '253:0');
  assert.equal(lvType(by.get('lv_data_snap')!), 'snapshot');
  assert.equal(by.get('lv_data_snap')!.dataPercent, 56.7);
  assert.equal(by.get('lv_data_snap')!.origin, 'lv_data');
  assert.equal(lvType(by.get('lv_thin')!), 'volume');
  assert.equal(lvType(by.get('lv_thin_snap')!), 'thin-snapshot');
  assert.equal(by.get('lv_thin_snap')!.majMin, undefined); // inactive: kernel major -1
  assert.equal(lvType(by.get('pool')!), 'thin-pool');
  assert.equal(by.get('pool')!.metadataPercent, 11.72);
  assert.equal(lvType(by.get('[pool_tdata]')!), 'internal');
  assert.equal(lvType(by.get('[lvol0_pmspare]')!), 'internal');
});

test('invalid snapshot: lv_snapshot_invalid "snapshot invalid" and attr state I; "unknown" on other LVs is not invalid', () => {
  const r = parseLvmReport(fixture('lvm-fullreport.json'));
  const by = new Map(r.lvs.map((l) => [l.name, l]));
  assert.equal(snapshotInvalid(by.get('lv_logs_snap')!), true);
  assert.equal(by.get('lv_logs_snap')!.attr[4], 'I');
  assert.equal(snapshotInvalid(by.get('lv_data_snap')!), false);
  assert.equal(by.get('lv_data')!.snapInvalid, false);
  // attr alone is enough (older lvm2 without the field)
  assert.equal(snapshotInvalid({ ...by.get('lv_logs_snap')!, snapInvalid: false }), true);
});

test('findmnt -J -l: kernel mount options and device numbers', () => {
  const m = parseFindmnt(fixture('findmnt.json'));
  const data = m.find((x) => x.target === '/mnt/data')!;
  assert.equal(data.source, '/dev/mapper/vg_h-lv_data');
  assert.equal(data.majMin, '253:0');
  assert.deepEqual(data.options, ['rw', 'noatime']);
  const logs = m.find((x) => x.target === '/mnt/logs')!;
  assert.ok(logs.options.includes('logbufs=8'));
});

test('lsblk -J -l: PV → whole disk, kinds, scheduler', () => {
  const b = parseLsblk(fixture('lsblk.json'));
  const nv = diskOf(b, '/dev/nvme0n1')!;
  assert.equal(nv.name, 'nvme0n1');
  assert.equal(nv.serial, 'JTS-HEALTH-0');
  assert.equal(nv.sched, 'none');
  assert.equal(driveKind(nv), 'nvme');
  const sda = b.find((x) => x.name === 'sda')!;
  assert.equal(driveKind(sda), 'hdd'); // QEMU's scsi-hd reports rotational
  // An LV's parent chain ends on the NVMe disk.
  assert.equal(diskOf(b, '/dev/mapper/vg_h-lv_data-real')?.name, 'nvme0n1');
});

test('unparsable reports name the tool', () => {
  assert.throws(() => parseLvmReport('{}'), /lvm report/);
  assert.throws(() => parseFindmnt(''), /findmnt/);
  assert.throws(() => parseLsblk('{"x":1}'), /lsblk/);
});
