import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LSBLK_HEALTH_ARGV, lsblkPvArgv, parseLsblkJson, readLsblk, walkDevices } from '../../src/host/lsblk.js';
import { parseWipefsJson } from '../../src/host/wipefs.js';
import { BLKID_ARGV, parseBlkidExport } from '../../src/host/blkid.js';
import { FakeRunner } from '../support/fake-runner.js';
import { capture } from './fixtures.js';

test('lsblk -J -b -O (guest capture): a tree of typed devices; mountpoints as a list', () => {
  const tree = parseLsblkJson(capture('fixtures/guest/lsblk-J-b-O.json'));
  const nvme = tree.find((d) => d.kname === 'nvme0n1')!;
  assert.equal(nvme.type, 'disk');
  assert.ok(nvme.sizeBytes > 0 && typeof nvme.rota === 'boolean');
  let n = 0;
  walkDevices(nvme, (d) => {
    n++;
    assert.ok(Array.isArray(d.mountpoints) && !d.mountpoints.includes(''));
  });
  assert.ok(n > 1, 'holders below the drive');
  assert.ok(nvme.children.every((c) => c.parent === nvme.path));
});

test('lsblk -s (health capture): inverse tree; util-linux < 2.37 strings and "mountpoint" read too', () => {
  const inv = parseLsblkJson(capture('health/fixtures/lsblk-pvs.json'));
  assert.ok(inv.length >= 1);
  const old = parseLsblkJson(JSON.stringify({ blockdevices: [{ name: 'sda', type: 'disk', rota: '1', size: '4000787030016', mountpoint: '/srv' }] }))[0]!;
  assert.deepEqual([old.rota, old.sizeBytes, old.mountpoints, old.tran, old.majMin], [true, 4000787030016, ['/srv'], undefined, undefined]);
  assert.throws(() => parseLsblkJson('{}'), /lsblk: no "blockdevices" array/);
});

test('readLsblk: LC_ALL=C, exit 64 with a report is read when lenient, missing util-linux named', async () => {
  const fx = JSON.parse(capture('health/fixtures/lsblk-pvs-missing.json.argv')) as { exitCode: number; stderr: string };
  const r = new FakeRunner().on(['lsblk'], { exitCode: fx.exitCode, stderr: fx.stderr, stdout: capture('health/fixtures/lsblk-pvs-missing.json') });
  const got = await readLsblk(r, lsblkPvArgv(['/dev/nvme0n1', '/dev/gone']), { lenient: true });
  assert.ok(got.devices.length >= 1);
  assert.match(got.note!, /lsblk failed \(exit 64\)/);
  assert.equal(r.calls[0]!.opts?.env?.LC_ALL, 'C');
  await assert.rejects(readLsblk(new FakeRunner(), LSBLK_HEALTH_ARGV), /^Error: lsblk is not installed \(Debian package util-linux\)$|lsblk is not installed \(Debian package util-linux\)/);
});

test('wipefs --no-act --json (bench captures): signatures; an empty list or no output at all = none', () => {
  assert.deepEqual(parseWipefsJson(capture('fixtures/fio/wipefs-pv.out')), [{ device: 'nvme0n1', type: 'LVM2_member', offset: '0x218' }]);
  assert.deepEqual(parseWipefsJson(capture('fixtures/fio/wipefs-blank.out')), []);
  assert.deepEqual(parseWipefsJson(''), []);
});

test('blkid -o export (guest capture): one record per device; escaped values; -p <dev>; a record without DEVNAME takes the device asked for', () => {
  assert.deepEqual(BLKID_ARGV, ['blkid', '-o', 'export']);
  const recs = parseBlkidExport(capture('fixtures/guest/blkid-o-export.txt'));
  assert.ok(recs.length > 1 && recs.every((r) => r.device.startsWith('/dev/')));
  const p = parseBlkidExport(capture('fixtures/guest/blkid-p-o-export-lv_redis.txt'), '/dev/vg_jts/lv_redis');
  assert.equal(p.length, 1);
  assert.equal(p[0]!.type, 'ext4');
  assert.equal(parseBlkidExport('LABEL=my\\ data\nTYPE=xfs\nDEVNAME=/dev/x\n')[0]!.label, 'my data');
  assert.equal(parseBlkidExport('TYPE=xfs\n', '/dev/y')[0]!.device, '/dev/y');
});
