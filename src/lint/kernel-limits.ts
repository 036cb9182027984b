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
  // kstrtoint takes a sign: "-4k" is -4096 (measured: allocsize=-4k mounts, its lowest set bit is 2^12).
  const m = /^(-?[0-9]+)([kKmMgG]?)$/.exec(v);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * mult;
  return n > INT_MAX || n < -INT_MAX - 1 ? undefined : n;
}

/** U32_MAX: the kernel's fsparam_u32 options refuse larger values ("ext4: Bad value for 'stripe'"). */
export const U32_MAX = 2 ** 32 - 1;

/** An fsparam_u32 value (fs/fs_parser.c fs_param_is_u32): at most 2^32 - 1 (measured: 4294967296 refused). */
export function u32(v: string): string | undefined {
  return Number(v) > U32_MAX ? `the kernel parses it as an unsigned 32-bit number: at most ${U32_MAX} ("Bad value")` : undefined;
}

/**
 * ext4 resuid=/resgid=: a u32 that must map to a valid id; 4294967295 is (uid_t)-1, the invalid id
 * (fs/ext4/super.c: make_kuid, uid_valid; measured: "EXT4-fs: Invalid uid value -1").
 */
export function ext4Id(v: string): string | undefined {
  return Number(v) >= U32_MAX ? `${Number(v) > U32_MAX ? 'above 2^32 - 1 ("Bad value")' : '4294967295 is (uid_t)-1, the invalid id ("EXT4-fs: Invalid uid value -1")'}` : undefined;
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
  // ffs() of the int: a negative value's lowest set bit counts too (two's complement; -4k → 12).
  const i = n | 0;
  const low = i === 0 ? -1 : Math.log2((i & -i) >>> 0);
  return low < 12 || low > 30 ? `the kernel takes log2 of its lowest set bit (${low}), which must be 12..30: 4 KiB .. 1 GiB ("invalid log iosize: ${low} [not 12-30]")` : undefined;
}

/** XFS logbsize=: 0 (default) or a power of two from 16 KiB to 256 KiB ("invalid logbufsize: N [not 16k,32k,64k,128k or 256k]"). */
export function xfsLogbsize(v: string): string | undefined {
  const n = xfsMountBytes(v);
  if (n === undefined) return 'a byte count with an optional k suffix ("xfs: Bad value for \'logbsize\'")';
  return n === 0 || (isPow2(n) && n >= 16384 && n <= 262144) ? undefined : `logbsize must be 16k, 32k, 64k, 128k or 256k (got ${n} bytes: "invalid logbufsize: ${n} [not 16k,32k,64k,128k or 256k]")`;
}

/**
 * XFS logbufs=: 0 (default) or 2..8 ("invalid logbufs value: N [not 2-8]"). The u32 is stored in an int,
 * where -1 means "not given": 4294967295 is therefore the default (measured: it mounts); above 2^32 - 1
 * the parser refuses it.
 */
export function xfsLogbufs(v: string): string | undefined {
  const n = Number(v);
  if (n > U32_MAX) return `logbufs is parsed as an unsigned 32-bit number ("xfs: Bad value for 'logbufs'")`;
  return n === 0 || n === U32_MAX || (n >= 2 && n <= 8) ? undefined : `logbufs must be 2..8 (or 0 for the default): "invalid logbufs value: ${n} [not 2-8]"`;
}

/** XFS sunit=/swidth=: 512-byte sectors, an int. */
export function xfsInt(v: string): string | undefined {
  return Number(v) > INT_MAX ? 'the value must fit a 32-bit int' : undefined;
}
