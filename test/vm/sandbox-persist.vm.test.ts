/**
 * Kept images (three boots on the same disks): data written in one boot is read back in the next;
 * then a power cut in the middle of writes, and a boot that mounts (journal/log replay) and repairs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

test('kept images: write, read back in a second boot, power cut mid-write, mount + repair in a third', { timeout: 1_800_000 }, async () => {
  const imageDir = mkdtempSync(join(tmpdir(), 'jts-vm-persist-'));
  const token = `persist-${process.pid}-${Date.now()}`;
  // A small drive keeps mkfs and repair quick under emulation; the mechanism is the same at 4 TB.
  const base: SandboxOptions = { imageDir, keep: true, drives: [{ sizeBytes: 16e9, serial: 'JTS-PERSIST' }], timeoutS: 400 };
  try {
    // Boot 1: LVM + ext4 + XFS, a file with the token on each, clean unmount.
    const b1 = await runInSandbox(
      [
        'sh', '-ec',
        [
          'pvcreate -q /dev/nvme0n1', 'vgcreate -q vg_p /dev/nvme0n1',
          'lvcreate -q -y -n lv_e -L 2g vg_p', 'lvcreate -q -y -n lv_x -L 2g vg_p',
          'mkfs.ext4 -q -E lazy_itable_init=1 /dev/vg_p/lv_e', 'mkfs.xfs -q /dev/vg_p/lv_x',
          'mkdir -p /mnt/e /mnt/x', 'mount /dev/vg_p/lv_e /mnt/e', 'mount /dev/vg_p/lv_x /mnt/x',
          `echo ${token} > /mnt/e/token`, `echo ${token} > /mnt/x/token`,
          'umount /mnt/e /mnt/x', 'vgchange -q -an vg_p', 'echo boot1-done',
        ].join('\n'),
      ],
      base,
    );
    assert.equal(b1.exitCode, 0, b1.output + b1.consoleTail);
    assert.match(b1.output, /boot1-done/);
    const images = readdirSync(imageDir);
    assert.equal(images.length, 1, 'the image is kept');
    const img = join(imageDir, images[0]!);
    assert.equal(statSync(img).size, 16e9, 'exact size');
    assert.ok(statSync(img).blocks * 512 < 2e9, 'sparse: costs what was written');

    // Boot 2: the token is there; then write continuously and cut the power in the middle.
    const b2 = await runInSandbox(
      [
        'sh', '-c',
        [
          'vgchange -q -ay vg_p >/dev/null', 'mkdir -p /mnt/e /mnt/x',
          'mount /dev/vg_p/lv_e /mnt/e && mount /dev/vg_p/lv_x /mnt/x || exit 9',
          'echo "read-e:$(cat /mnt/e/token)"', 'echo "read-x:$(cat /mnt/x/token)"',
          'i=0; while :; do i=$((i+1));',
          '  dd if=/dev/urandom of=/mnt/e/f$i bs=64k count=16 status=none; dd if=/dev/urandom of=/mnt/x/f$i bs=64k count=16 status=none;',
          '  [ $i -eq 8 ] && echo POWER-CUT-NOW; done',
        ].join('\n'),
      ],
      { ...base, powerCut: { onMarker: 'POWER-CUT-NOW' } },
    );
    assert.match(b2.output, new RegExp(`read-e:${token}`), b2.output + b2.consoleTail);
    assert.match(b2.output, new RegExp(`read-x:${token}`));
    assert.equal(b2.powerCut, true, 'QEMU was killed at the marker');
    assert.equal(b2.exitCode, 137);

    // Boot 3: mount (journal and log replay), the token survived, then offline checks/repairs.
    const b3 = await runInSandbox(
      [
        'sh', '-c',
        [
          'vgchange -q -ay vg_p >/dev/null', 'mkdir -p /mnt/e /mnt/x',
          'mount /dev/vg_p/lv_e /mnt/e || exit 11', 'mount /dev/vg_p/lv_x /mnt/x || exit 12',
          'echo "after-e:$(cat /mnt/e/token)"', 'echo "after-x:$(cat /mnt/x/token)"',
          'umount /mnt/e /mnt/x',
          'e2fsck -f -y /dev/vg_p/lv_e; rc=$?; echo "e2fsck-rc:$rc"; [ $rc -le 1 ] || exit 13',
          'xfs_repair /dev/vg_p/lv_x; rc=$?; echo "xfs_repair-rc:$rc"; [ $rc -eq 0 ] || exit 14',
          'echo repaired',
        ].join('\n'),
      ],
      base,
    );
    assert.equal(b3.exitCode, 0, b3.output + b3.consoleTail);
    assert.match(b3.output, new RegExp(`after-e:${token}`));
    assert.match(b3.output, new RegExp(`after-x:${token}`));
    assert.match(b3.output, /repaired/);
  } finally {
    rmSync(imageDir, { recursive: true, force: true });
  }
});
