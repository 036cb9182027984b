import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ext4MkfsHits, xfsStripedAgBlocks } from '../../src/lint/mkfs-limits.js';

/**
 * Size-dependent mkfs limits, against outcomes measured with the tools the sandbox runs (e2fsprogs 1.47.0,
 * xfsprogs 6.1.0): mkfs.ext4 on sparse files of the size (this machine), and the kernel-truth boundary
 * sweep (test/fixtures/kernel-truth/boundaries.json) for the striped XFS AG size.
 */
const MiB = 2 ** 20;
const rules = (size: number, o: { features?: string[]; extended?: string[]; inodeRatio?: number }) => ext4MkfsHits(o.features ?? [], o.extended ?? [], o.inodeRatio, size).map((h) => h.rule);

test('ext4: an inode ratio leaving 1..12 inodes in one block group is refused; 0 (default) and 14+ are made; two groups always', () => {
  // measured: 4 MiB -i 4194304 (1), 2097152 (2), 1048576 (4), 349525 (12) refused; 8388608 (0), 299593 (14), 262144 (16) made
  for (const r of [4194304, 2097152, 1048576, 349525]) assert.deepEqual(rules(4 * MiB, { inodeRatio: r }), ['JTS-MKFS-SIZE'], `4 MiB -i ${r}`);
  for (const r of [8388608, 299593, 262144]) assert.deepEqual(rules(4 * MiB, { inodeRatio: r }), [], `4 MiB -i ${r}`);
  // 8 MiB: 699050 (12) refused, 524288 (16) made; 12 MiB (two groups): 1048576 and 4194304 made
  assert.deepEqual(rules(8 * MiB, { inodeRatio: 699050 }), ['JTS-MKFS-SIZE']);
  assert.deepEqual(rules(8 * MiB, { inodeRatio: 524288 }), []);
  assert.deepEqual(rules(12 * MiB, { inodeRatio: 1048576 }), []);
  assert.deepEqual(rules(12 * MiB, { inodeRatio: 4194304 }), []);
});

test('ext4 -E resize=: not above the size is refused; with meta_bg only when it reserves descriptor blocks', () => {
  // measured: 64 MiB resize=65536 refused, 65537 made; 512 MiB resize=131072 refused, 131073 made
  assert.deepEqual(rules(64 * MiB, { extended: ['resize=65536'] }), ['JTS-MKFS-SIZE']);
  assert.deepEqual(rules(64 * MiB, { extended: ['resize=65537'] }), []);
  assert.deepEqual(rules(512 * MiB, { extended: ['resize=131072'] }), ['JTS-MKFS-SIZE']);
  assert.deepEqual(rules(512 * MiB, { extended: ['resize=131073'] }), []);
  // measured: 512 MiB meta_bg,^resize_inode resize=2097152 made, 2162688 refused; 128 MiB resize=131073 refused
  const mb = ['meta_bg', '^resize_inode'];
  assert.deepEqual(rules(512 * MiB, { features: mb, extended: ['resize=2097152'] }), []);
  assert.deepEqual(rules(512 * MiB, { features: mb, extended: ['resize=2162688'] }), ['JTS-MKFS-FORMAT']);
  assert.deepEqual(rules(128 * MiB, { features: mb, extended: ['resize=131073'] }), ['JTS-MKFS-FORMAT']);
});

test('XFS striped AG size: rounded to the stripe unit, one unit less when a multiple of the width (sweep: agsize(65520))', () => {
  assert.equal(xfsStripedAgBlocks(2048 * MiB, ['su=64k', 'sw=2']), 65520);
  assert.equal(xfsStripedAgBlocks(2048 * MiB, ['su=64k', 'sw=1']), 65536);
  assert.equal(xfsStripedAgBlocks(2048 * MiB, []), undefined);
});
