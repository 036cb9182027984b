import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from './fixtures.js';
import { parseLsblk, driveKind } from '../../src/probe/lsblk.js';
import { parseFindmnt, mountDevice } from '../../src/probe/findmnt.js';
import { parseBlkidExport, blkidFilesystems } from '../../src/probe/blkid.js';
import { parsePasswd, parseGroup } from '../../src/probe/accounts.js';
import { parseQueue, parseScheduler } from '../../src/host/sysfs.js';
import { parseByIdLinks } from '../../src/probe/by-id.js';
import { parseFullReport, isSnapshot, isThinPool, isInternal, dmName } from '../../src/probe/lvm.js';

test('lsblk (host capture): one plannable drive, the root disk; zram left out', () => {
  const r = parseLsblk(fixture('host/lsblk-J-b-O.json'));
  assert.equal(r.drives.length, 1);
  const vda = r.drives[0]!;
  assert.equal(vda.path, '/dev/vda');
  assert.equal(vda.sizeBytes, 274877906944);
  assert.equal(vda.logicalSectorSize, 512);
  assert.equal(vda.physicalSectorSize, 4096);
  assert.equal(vda.kind, 'virtio');
  assert.equal(vda.discard, true);
  assert.deepEqual(vda.mountpoints, ['/']);
  assert.equal(vda.isRootDisk, true);
  assert.deepEqual(vda.partitions, []);
  assert.ok(r.tree.some((d) => d.kname === 'zram0'), 'zram is in the tree, just not a drive');
});

test('lsblk: old util-linux (strings, "mountpoint") parses the same; tree gives partitions, holders, signatures', () => {
  // Shape of util-linux 2.34 output (every value a string): built from the host capture's field names.
  const old = JSON.stringify({
    blockdevices: [
      {
        name: 'sda', kname: 'sda', path: '/dev/sda', type: 'disk', size: '500107862016', rota: '0', tran: 'sata',
        'log-sec': '512', 'phy-sec': '512', 'disc-max': '2147450880', pttype: 'gpt', fstype: null, mountpoint: null,
        children: [
          { name: 'sda1', kname: 'sda1', path: '/dev/sda1', type: 'part', size: '536870912', fstype: 'vfat', mountpoint: '/boot/efi' },
          { name: 'sda2', kname: 'sda2', path: '/dev/sda2', type: 'part', size: '499570991104', fstype: 'LVM2_member', mountpoint: null,
            children: [{ name: 'sys-root', kname: 'dm-0', path: '/dev/mapper/sys-root', type: 'lvm', size: '107374182400', fstype: 'ext4', uuid: 'u-1', mountpoint: '/' }] },
        ],
      },
      { name: 'sdb', kname: 'sdb', path: '/dev/sdb', type: 'disk', size: '4000787030016', rota: '1', tran: 'sata', mountpoint: null },
    ],
  });
  const r = parseLsblk(old);
  const [sda, sdb] = r.drives;
  assert.equal(sda!.kind, 'sata-ssd');
  assert.equal(sda!.rotational, false);
  assert.deepEqual(sda!.partitions, ['/dev/sda1', '/dev/sda2']);
  assert.deepEqual(sda!.holders, ['/dev/mapper/sys-root']);
  assert.deepEqual(sda!.signatures, ['partition table gpt']);
  assert.equal(sda!.isRootDisk, true, '/ through a partition and LVM');
  assert.equal(sdb!.kind, 'hdd');
  assert.equal(sdb!.isRootDisk, false);
  assert.deepEqual(sdb!.signatures, []);
  assert.equal(r.filesystems.find((f) => f.device === '/dev/mapper/sys-root')?.uuid, 'u-1');
});

test('driveKind covers nvme, virtio, hdd, sata-ssd, unknown', () => {
  assert.equal(driveKind({ kname: 'nvme0n1', tran: 'nvme', rota: false }), 'nvme');
  assert.equal(driveKind({ kname: 'nvme1n1' }), 'nvme');
  assert.equal(driveKind({ kname: 'vdb', rota: true }), 'virtio');
  assert.equal(driveKind({ kname: 'sdc', tran: 'sata', rota: true }), 'hdd');
  assert.equal(driveKind({ kname: 'sdc', tran: 'usb', rota: false }), 'sata-ssd');
  assert.equal(driveKind({ kname: 'xyz' }), 'unknown');
});

test('findmnt (host capture): tree flattened, options split, root first', () => {
  const m = parseFindmnt(fixture('host/findmnt-J-b.json'));
  assert.equal(m[0]!.target, '/');
  assert.equal(m[0]!.source, '/dev/vda');
  assert.equal(m[0]!.fstype, 'ext4');
  assert.ok(m[0]!.options.includes('relatime'));
  assert.ok(m.some((x) => x.target === '/proc' && x.fstype === 'proc'));
  assert.ok(m.length > 5);
  assert.equal(mountDevice('/dev/sda1[/sub]'), '/dev/sda1');
});

test('blkid -o export: records, escapes, PTTYPE; empty output (host capture) is no records', () => {
  assert.deepEqual(parseBlkidExport(fixture('host/blkid-o-export.txt')), []);
  const recs = parseBlkidExport('DEVNAME=/dev/nvme0n1\nPTUUID=abc\nPTTYPE=gpt\n\nDEVNAME=/dev/mapper/vg_jts-lv_kafka\nLABEL=my\\ data\nUUID=1234\nBLOCK_SIZE=512\nTYPE=xfs\n');
  assert.equal(recs.length, 2);
  assert.equal(recs[0]!.ptType, 'gpt');
  assert.equal(recs[1]!.label, 'my data');
  assert.deepEqual(blkidFilesystems(recs).map((f) => f.device), ['/dev/mapper/vg_jts-lv_kafka']);
});

test('passwd and group (host capture)', () => {
  const users = parsePasswd(fixture('host/passwd'));
  assert.deepEqual(users.find((u) => u.name === 'root'), { name: 'root', id: 0, gid: 0, home: '/root', shell: '/bin/bash' });
  const groups = parseGroup(fixture('host/group'));
  assert.equal(groups.find((g) => g.name === 'root')?.id, 0);
});

test('sysfs queue (host capture): scheduler list and active one, write cache, discard', () => {
  const q = JSON.parse(fixture('host/sysfs-queue.json'))['/sys/block/vda/queue'];
  const f = parseQueue(q);
  assert.deepEqual(f.schedulers, ['none', 'mq-deadline', 'kyber', 'bfq']);
  assert.equal(f.scheduler, 'mq-deadline');
  assert.equal(f.volatileWriteCache, true);
  assert.ok((f.discardMaxBytes ?? 0) > 0);
  assert.equal(parseQueue({ write_cache: 'write through\n' }).volatileWriteCache, false);
  assert.deepEqual(parseScheduler('[none] mq-deadline\n'), { schedulers: ['none', 'mq-deadline'], active: 'none' });
});

test('by-id links: grouped per kernel name, model+serial name first', () => {
  const m = parseByIdLinks(
    'nvme-eui.0001\t../../nvme0n1\nnvme-QEMU_NVMe_Ctrl_JTS0001\t../../nvme0n1\nnvme-QEMU_NVMe_Ctrl_JTS0001_1\t../../nvme0n1\nnvme-QEMU_NVMe_Ctrl_JTS0001-part1\t../../nvme0n1p1\n',
  );
  assert.deepEqual(m.get('nvme0n1'), ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS0001', '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS0001_1', '/dev/disk/by-id/nvme-eui.0001']);
  assert.deepEqual(m.get('nvme0n1p1'), ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS0001-part1']);
});

test('lvm fullreport: string values (json) and numbers (json_std) both parse', () => {
  const mk = (v: (x: number) => string | number) =>
    JSON.stringify({
      report: [
        {
          vg: [{ vg_name: 'vg_jts', vg_size: v(4000783007744), vg_free: v(1000), vg_extent_size: v(4194304), vg_extent_count: v(953673), vg_free_count: v(10) }],
          pv: [{ pv_name: '/dev/nvme0n1', vg_name: 'vg_jts', pv_size: v(4000783007744), pe_start: v(4194304) }],
          lv: [
            { lv_name: 'lv_pg', vg_name: 'vg_jts', lv_attr: '-wi-ao----', lv_size: v(858993459200), lv_read_ahead: 'auto', origin: '', pool_lv: '', data_percent: '', lv_path: '/dev/vg_jts/lv_pg' },
            { lv_name: 'snap', vg_name: 'vg_jts', lv_attr: 'swi-a-s---', lv_size: v(1073741824), lv_read_ahead: v(65536), origin: 'lv_pg', data_percent: v(12.5) },
          ],
        },
        { vg: [], pv: [{ pv_name: '/dev/sdz', vg_name: '', pv_size: v(100) }], lv: [] },
      ],
    });
  for (const s of [mk((x) => String(x)), mk((x) => x)]) {
    const r = parseFullReport(s);
    assert.equal(r.vgs[0]!.extentCount, 953673);
    assert.deepEqual(r.vgs[0]!.pvNames, ['/dev/nvme0n1']);
    assert.equal(r.pvs.find((p) => p.name === '/dev/sdz')?.vgName, '');
    const [pg, snap] = r.lvs;
    assert.equal(pg!.readAheadSectors, 'auto');
    assert.equal(pg!.origin, undefined);
    assert.equal(pg!.dmPath, '/dev/mapper/vg_jts-lv_pg');
    assert.equal(isSnapshot(pg!), false);
    assert.equal(snap!.readAheadSectors, 128);
    assert.equal(snap!.dataPercent, 12.5);
    assert.equal(isSnapshot(snap!), true);
  }
  assert.equal(isThinPool({ attr: 'twi-aotz--' }), true);
  assert.equal(isSnapshot({ attr: 'Vwi-a-tz--', origin: 'thin1' }), true);
  assert.equal(isSnapshot({ attr: 'Vwi-a-tz--' }), false);
  assert.equal(isInternal({ name: '[pool_tdata]', attr: 'Twi-ao----' }), true);
  assert.equal(isInternal({ name: 'lv_pg', attr: 'owi-aos---' }), false);
  assert.equal(dmName('vg-x', 'lv-y'), 'vg--x-lv--y');
});
