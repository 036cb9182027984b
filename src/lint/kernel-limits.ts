/**
 * The kernel's own limits on mount option values, beyond a regular expression: powers of two, byte sizes
 * with log2 limits, integer ranges. Each check returns undefined when the kernel accepts the value, or
 * the reason it refuses it (in the kernel's terms). Referenced from facts.ts (`limit`).
 *
 * Measured on kernel 6.1 (test/fixtures/kernel-truth/sweep.json) and stated in the kernel source:
 * fs/ext4/super.c (ext4_parse_param), fs/xfs/xfs_super.c (xfs_fs_parse_param, xfs_fs_validate_params).
 */

/** Linux INT_MAX. */
const INT_MAX = 2 ** 31 - 1;
/**
 * CONFIG_HZ of Debian's amd64 kernels (250). ext4 refuses commit= above INT_MAX / HZ seconds
 * ("EXT4-fs: Invalid commit interval 8589935, must be smaller than 8589934"; 8589934 itself mounts).
 */
export const DEBIAN_HZ = 250;
export const EXT4_COMMIT_MAX = Math.floor(INT_MAX / DEBIAN_HZ);

const isPow2 = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

/**
 * XFS `suffix_kstrtoint` (fs/xfs/xfs_super.c): a decimal int with an optional k/K, m/M, g/G suffix
 * (×1024ⁿ); the result must fit an int. Returns bytes, or undefined when the kernel says "Bad value".
 */
export function xfsMountBytes(v: string): number | undefined {
  const m = /^([0-9]+)([kKmMgG]?)$/.exec(v);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * mult;
  return n > INT_MAX ? undefined : n;
}

/** ext4 commit=: seconds, 0 = the default (5); at most INT_MAX / HZ. */
export function ext4Commit(v: string): string | undefined {
  const n = Number(v);
  return n > EXT4_COMMIT_MAX ? `the kernel refuses commit intervals above INT_MAX / HZ = ${EXT4_COMMIT_MAX} s ("EXT4-fs: Invalid commit interval ${v}, must be smaller than ${EXT4_COMMIT_MAX}")` : undefined;
}

/** ext4 inode_readahead_blks=: 0 or a power of two below 2^31 ("inode_readahead_blks must be 0 or a power of 2 smaller than 2^31"). */
export function ext4InodeReadahead(v: string): string | undefined {
  const n = Number(v);
  return n === 0 || (isPow2(n) && n <= 2 ** 30) ? undefined : 'inode_readahead_blks must be 0 or a power of 2 smaller than 2^31';
}

/** ext4 sb=: the superblock's block number in 1 KiB units; 0 is no superblock ("VFS: Can't find ext4 filesystem"). */
export function ext4Sb(v: string): string | undefined {
  return Number(v) === 0 ? 'sb=0 points at no superblock (the primary is sb=1; backups at 8193 or 32768… in 1 KiB units): "VFS: Can\'t find ext4 filesystem"' : undefined;
}

/**
 * XFS allocsize=: bytes; the kernel keeps log2 of its lowest set bit (ffs - 1), which must be 12..30
 * (4 KiB .. 1 GiB): "invalid log iosize: N [not 12-30]". 12k is taken as 4k; 3k, 0 and 2g are refused.
 */
export function xfsAllocsize(v: string): string | undefined {
  const n = xfsMountBytes(v);
  if (n === undefined) return 'a byte count with an optional k, m or g suffix that fits a 32-bit int ("xfs: Bad value for \'allocsize\'")';
  const low = n === 0 ? -1 : Math.log2(n & -n);
  return low < 12 || low > 30 ? `the kernel takes log2 of its lowest set bit (${low}), which must be 12..30: 4 KiB .. 1 GiB ("invalid log iosize: ${low} [not 12-30]")` : undefined;
}

/** XFS logbsize=: 0 (default) or a power of two from 16 KiB to 256 KiB ("invalid logbufsize: N [not 16k,32k,64k,128k or 256k]"). */
export function xfsLogbsize(v: string): string | undefined {
  const n = xfsMountBytes(v);
  if (n === undefined) return 'a byte count with an optional k suffix ("xfs: Bad value for \'logbsize\'")';
  return n === 0 || (isPow2(n) && n >= 16384 && n <= 262144) ? undefined : `logbsize must be 16k, 32k, 64k, 128k or 256k (got ${n} bytes: "invalid logbufsize: ${n} [not 16k,32k,64k,128k or 256k]")`;
}

/** XFS logbufs=: 0 (default) or 2..8 ("invalid logbufs value: N [not 2-8]"). */
export function xfsLogbufs(v: string): string | undefined {
  const n = Number(v);
  return n === 0 || (n >= 2 && n <= 8) ? undefined : `logbufs must be 2..8 (or 0 for the default): "invalid logbufs value: ${n} [not 2-8]"`;
}

/** XFS sunit=/swidth=: 512-byte sectors, an int. */
export function xfsInt(v: string): string | undefined {
  return Number(v) > INT_MAX ? 'the value must fit a 32-bit int' : undefined;
}
