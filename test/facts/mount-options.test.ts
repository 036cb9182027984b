import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMountOptions, desiredAtime, liveAtime } from '../../src/facts/mount-options.js';

test('ext4: fstab-only words, hidden defaults and kernel additions are not drift', () => {
  const d = compareMountOptions('ext4', ['defaults', 'noatime', 'nofail', 'x-systemd.device-timeout=30s', 'data=ordered', 'commit=5', 'barrier=1'], ['rw', 'noatime', 'seclabel', 'errors=remount-ro', 'stripe=16']);
  assert.equal(d.same, true, JSON.stringify(d));
});

test('ext4: barrier=0 is the kernel\'s nobarrier; commit=30 must show; a missing one is remountable', () => {
  assert.equal(compareMountOptions('ext4', ['noatime', 'barrier=0', 'commit=30'], ['rw', 'noatime', 'nobarrier', 'commit=30']).same, true);
  const d = compareMountOptions('ext4', ['noatime', 'commit=30'], ['rw', 'noatime']);
  assert.deepEqual(d.missing, ['commit=30']);
  assert.deepEqual(d.remountOptions, ['commit=30']);
});

test('ext4: data= cannot change on remount; unwanted discard is undone with nodiscard', () => {
  const d = compareMountOptions('ext4', ['noatime', 'data=writeback'], ['rw', 'noatime']);
  assert.equal(d.remountOptions, undefined);
  assert.deepEqual(d.notRemountable, ['data=writeback']);
  const u = compareMountOptions('ext4', ['noatime'], ['rw', 'noatime', 'discard', 'commit=30']);
  assert.deepEqual(u.unwanted.sort(), ['commit=30', 'discard']);
  assert.deepEqual(u.remountOptions!.sort(), ['commit=0', 'nodiscard']);
});

test('xfs: attr2, inode64, noquota, logbufs defaults tolerated; logbsize spelled in k', () => {
  assert.equal(compareMountOptions('xfs', ['defaults', 'noatime', 'logbufs=8', 'logbsize=262144'], ['rw', 'noatime', 'attr2', 'inode64', 'logbufs=8', 'logbsize=256k', 'noquota']).same, true);
  assert.equal(compareMountOptions('xfs', ['noatime'], ['rw', 'noatime', 'attr2', 'inode64', 'logbufs=8', 'logbsize=32k', 'noquota']).same, true);
  const d = compareMountOptions('xfs', ['noatime', 'largeio'], ['rw', 'noatime', 'attr2', 'inode64', 'noquota']);
  assert.deepEqual(d.missing, ['largeio']);
  assert.deepEqual(d.notRemountable, ['largeio']);
});

test('atime: relatime default, noatime change is a remount, strictatime shows as nothing', () => {
  assert.equal(desiredAtime(['defaults']), 'relatime');
  assert.equal(desiredAtime(['relatime', 'noatime']), 'noatime');
  assert.equal(liveAtime(['rw']), 'strictatime');
  const d = compareMountOptions('ext4', ['defaults', 'noatime'], ['rw', 'relatime']);
  assert.deepEqual(d.atime, { want: 'noatime', have: 'relatime' });
  assert.deepEqual(d.remountOptions, ['noatime']);
  assert.equal(compareMountOptions('ext4', ['noatime', 'nodiratime'], ['rw', 'noatime']).same, true, 'noatime implies nodiratime');
});

test('generic flags: nodev/nosuid wanted; ro unwanted is undone with rw', () => {
  assert.equal(compareMountOptions('ext4', ['defaults', 'nodev', 'nosuid', 'noatime'], ['rw', 'nosuid', 'nodev', 'noatime']).same, true);
  const d = compareMountOptions('ext4', ['noatime'], ['ro', 'noatime']);
  assert.deepEqual(d.unwanted, ['ro']);
  assert.deepEqual(d.remountOptions, ['rw']);
});
