import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diskOf, disksOf, driveKind, lvType, parseFindmnt, parseLsblk, parseLvmReport, snapshotInvalid } from '../../src/health/sources.js';
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

test('lsblk -s of the PVs: each PV down to its whole disk(s), through partitions and dm layers; LVs not listed', () => {
  const b = parseLsblk(fixture('lsblk-pvs.json'), { inverse: true });
  assert.deepEqual(disksOf(b, '/dev/nvme0n1').map((d) => [d.name, d.serial, d.sched]), [['nvme0n1', 'JTS-HEALTH-0', 'none']]);
  // dm device on sda1 on sda (as dm-crypt on a partition would be).
  assert.deepEqual(disksOf(b, '/dev/mapper/jts_stack').map((d) => d.name), ['sda']);
  assert.deepEqual(disksOf(b, '/dev/sda1').map((d) => d.name), ['sda']);
  assert.equal(diskOf(b, '/dev/mapper/jts_stack')?.name, 'sda');
  // The LVs on nvme0n1 hold it, they are not below it: -s does not list them.
  assert.equal(b.filter((x) => x.type === 'lvm').length, 0);
  assert.deepEqual(disksOf(b, '/dev/nvme9n9'), []);
  // The flat full listing gives the same answer through PKNAME.
  const full = parseLsblk(fixture('lsblk.json'));
  assert.deepEqual(disksOf(full, '/dev/mapper/vg_h-lv_data-real').map((d) => d.name), ['nvme0n1']);
});

test('disksOf on a hand-made tree (no md in the test bed): a device on several disks, an md mirror as PV, gives every disk', () => {
  const tree = JSON.stringify({
    blockdevices: [{ name: 'md0', kname: 'md0', path: '/dev/md0', type: 'raid1', children: [{ name: 'nvme0n1', kname: 'nvme0n1', type: 'disk' }, { name: 'nvme1n1', kname: 'nvme1n1', type: 'disk' }] }],
  });
  assert.deepEqual(disksOf(parseLsblk(tree, { inverse: true }), '/dev/md0').map((d) => d.name), ['nvme0n1', 'nvme1n1']);
});

test('unparsable reports name the tool', () => {
  assert.throws(() => parseLvmReport('{}'), /lvm report/);
  assert.throws(() => parseFindmnt(''), /findmnt/);
  assert.throws(() => parseLsblk('{"x":1}'), /lsblk/);
});
