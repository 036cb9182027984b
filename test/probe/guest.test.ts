import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from './fixtures.js';
import { guestRunner } from './guest-runner.js';
import { probeHost } from '../../src/probe/probe.js';
import { parseFullReport, isSnapshot, isThinPool } from '../../src/probe/lvm.js';
import { parseLsblk } from '../../src/probe/lsblk.js';
import { parseFindmnt } from '../../src/probe/findmnt.js';
import { parseByIdLinks } from '../../src/probe/by-id.js';
import { compareMountOptions } from '../../src/facts/mount-options.js';
import type { ProbedState } from '../../src/probe/types.js';

test('guest fullreport (the probe\'s own argv, run in the sandbox): VG, PV, LVs, snapshot, thin pool', () => {
  const r = parseFullReport(fixture('guest/probe-fullreport.json'));
  const vg = r.vgs[0]!;
  assert.equal(vg.name, 'vg_jts');
  assert.equal(vg.extentCount, 953673, 'the measured figure of seed-defects.md');
  assert.equal(vg.extentSizeBytes, 4194304);
  assert.deepEqual(vg.pvNames, ['/dev/nvme0n1']);
  assert.equal(r.pvs[0]!.peStartBytes, 4194304);
  assert.equal(r.lvs.length, 10);
  const snap = r.lvs.find((l) => l.name === 'lv_redis_snap_20261121')!;
  assert.equal(isSnapshot(snap), true);
  assert.equal(snap.origin, 'lv_redis');
  assert.equal(snap.dataPercent, 4.68);
  assert.equal(isThinPool(r.lvs.find((l) => l.name === 'tp_snap')!), true);
  const scratch = r.lvs.find((l) => l.name === 'lv_scratch')!;
  assert.equal(scratch.poolLv, 'tp_snap');
  assert.equal(isSnapshot(scratch), false);
  const redis = r.lvs.find((l) => l.name === 'lv_redis')!;
  assert.equal(redis.attr[0], 'o', 'an origin is a plain volume');
  assert.equal(redis.readAheadSectors, 'auto');
  assert.equal(redis.sizeBytes, 50000297984);
  assert.equal(redis.time, '2026-11-21 23:47:51 +0000');
});

test('guest lsblk: the NVMe drive, its holders and signature; by-id prefers the serial name', () => {
  const r = parseLsblk(fixture('guest/lsblk-J-b-O.json'));
  const d = r.drives.find((x) => x.path === '/dev/nvme0n1')!;
  assert.equal(d.kind, 'nvme');
  assert.equal(d.sizeBytes, 4_000_000_000_000);
  assert.equal(d.serial, 'JTS-NVME-0');
  assert.ok(d.signatures.includes('LVM2_member'));
  assert.ok(d.holders.includes('/dev/mapper/vg_jts-lv_redis'));
  assert.equal(d.isRootDisk, false);
  assert.ok(d.mountpoints.includes('/var/lib/redis'));
  assert.equal(r.filesystems.find((f) => f.device === '/dev/mapper/vg_jts-lv_mongodb')?.type, 'xfs');
  const links = parseByIdLinks(fixture('guest/by-id-find.txt'));
  assert.equal(links.get('nvme0n1')![0], '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0');
  assert.match(links.get('nvme0n1')!.at(-1)!, /lvm-pv-uuid-/, 'content-derived link last');
});

test('guest findmnt: live options of the real kernel match what the plan asked (noatime), with its additions', () => {
  const m = parseFindmnt(fixture('guest/findmnt-J-b.json'));
  const mongo = m.find((x) => x.target === '/var/lib/mongodb')!;
  assert.equal(mongo.source, '/dev/mapper/vg_jts-lv_mongodb');
  // capture.sh mounted with -o noatime: the kernel shows attr2, inode64, logbufs=8, logbsize=32k, noquota.
  assert.equal(compareMountOptions('xfs', ['defaults', 'noatime', 'nofail', 'x-systemd.device-timeout=30s'], mongo.options).same, true, mongo.options.join(','));
  const scratch = m.find((x) => x.target === '/srv/scratch')!;
  assert.equal(compareMountOptions('ext4', ['defaults', 'noatime', 'discard'], scratch.options).same, true, 'stripe=16 is the kernel\'s');
  assert.deepEqual(compareMountOptions('ext4', ['noatime'], scratch.options).unwanted, ['discard']);
});

test('probe of the guest: seven tool calls, write cache and scheduler from sysfs, filesystems merged', async () => {
  const r = guestRunner();
  const s = (await probeHost(r, { paths: ['/var/lib/redis'] })) as ProbedState;
  assert.equal(r.calls.length, 7);
  assert.deepEqual(s.probeWarnings, []);
  assert.equal(s.kernelRelease, '6.1.0-56-amd64');
  const d = s.drives.find((x) => x.path === '/dev/nvme0n1')!;
  assert.equal(d.volatileWriteCache, true);
  assert.deepEqual(d.schedulers, ['none', 'mq-deadline']);
  assert.equal(d.scheduler, 'none');
  assert.equal(d.byIds[0], '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0');
  assert.equal(s.lvs.length, 10);
  assert.equal(s.filesystems.find((f) => f.device === '/dev/mapper/vg_jts-lv_redis')?.label, 'jts_redis');
  assert.match(s.fstab ?? '', /BEGIN jts-storage managed block/);
});
