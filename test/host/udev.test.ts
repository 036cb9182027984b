import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUdevDb, readUdevDb, UDEV_EXPORT_DB_ARGV } from '../../src/host/udev.js';
import { FakeRunner } from '../support/fake-runner.js';
import { capture } from './fixtures.js';

const DB = capture('fixtures/host/udevadm-export-db.txt');

test('udevadm info --export-db (sandbox capture): kernel name, by-id links and the identity properties per device', () => {
  const devs = parseUdevDb(DB);
  assert.deepEqual(devs.map((d) => d.sysname), ['nvme0n1', 'vda', 'sda', 'dm-0']);
  const nvme = devs[0]!;
  assert.equal(nvme.env.ID_SERIAL_SHORT, 'JTS-NVME-0');
  assert.equal(nvme.env.ID_SERIAL, 'QEMU_NVMe_Ctrl_JTS-NVME-0_1');
  assert.equal(nvme.env.ID_WWN, 'nvme.1b36-4a54532d4e564d452d30-51454d55204e564d65204374726c-00000001');
  assert.ok(nvme.links.includes('disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0'));
  // virtio-blk: the serial is only in ID_SERIAL
  assert.equal(devs[1]!.env.ID_SERIAL, 'VIRT1');
  assert.equal(devs[1]!.env.ID_SERIAL_SHORT, undefined);
  assert.equal(devs[2]!.env.ID_SERIAL_SHORT, 'SCSI1');
  const dm = devs[3]!;
  assert.deepEqual([dm.env.DM_NAME, dm.env.DM_VG_NAME, dm.env.DM_LV_NAME], ['vg-big', 'vg', 'big']);
  assert.ok(dm.links.includes('mapper/vg-big'));
});

test('older udevadm without M: lines: the sysname is the last part of the devpath; a missing udevadm is one line', async () => {
  const devs = parseUdevDb(DB.replace(/^M: .*\n/gm, ''));
  assert.deepEqual(devs.map((d) => d.sysname), ['nvme0n1', 'vda', 'sda', 'dm-0']);
  const r = new FakeRunner();
  r.on(UDEV_EXPORT_DB_ARGV, { notFound: true, exitCode: 127 });
  await assert.rejects(readUdevDb(r), /udevadm is not installed \(Debian package udev\)/);
  r.on(UDEV_EXPORT_DB_ARGV, { stdout: DB });
  assert.equal((await readUdevDb(r)).length, 4);
});
