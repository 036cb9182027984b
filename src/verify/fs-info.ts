// Filesystem facts for verify: the superblock readers (`tune2fs -l`, `xfs_info`) live in host/fs-info.ts;
// what a healthy filesystem looks like against its LV, and mkfs.xfs's size grammar, live here.
export { parseTune2fs, parseXfsInfo, type Ext4Facts, type XfsFacts } from '../host/fs-info.js';

/** "128m", "64k", "1g", "4096" (bytes) as mkfs.xfs reads sizes. */
export function parseXfsSize(s: string): number | undefined {
  const m = /^(\d+)([kmgt]?)$/i.exec(s.trim());
  if (!m) return undefined;
  const p = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * 1024 ** p;
}

/**
 * How far a healthy filesystem may stop short of its LV. mke2fs and resize2fs drop a last block group
 * too small to hold its own metadata (a few MiB at 4 KiB blocks); xfs_growfs drops a last AG under
 * 64 blocks. LVs grow in whole extents (4 MiB by default), so 16 MiB tells "left over by the tool"
 * from "a grow that never happened" without flagging freshly made filesystems.
 */
export const FS_FILL_SLACK_BYTES = 16 * 2 ** 20;

/** True when the filesystem stops short of its LV by more than what mkfs/grow tools leave over. */
export function isShort(lvBytes: number, fsBytes: number): boolean {
  return lvBytes - fsBytes > FS_FILL_SLACK_BYTES;
}
