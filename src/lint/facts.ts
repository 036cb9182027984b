/**
 * Filesystem facts as data: which mount and mkfs options exist for which filesystem, in which kernel
 * versions, which need a journal, which turn off cache flushes. The rules (rules.ts) read these tables;
 * adding an option or a kernel version range is one line here, never a new `if`.
 *
 * Sources: Linux Documentation/admin-guide/ext4.rst and xfs.rst (mount options, deprecated and removed
 * options with versions), mount(8) "FILESYSTEM-INDEPENDENT MOUNT OPTIONS", systemd.mount(5), ext4(5) and
 * mke2fs(8) (features, -E options), mkfs.xfs(8) (-d, -l suboptions), fs/ext4/super.c (options refused on a
 * journal-less filesystem).
 */

import { ext4Commit, ext4Id, ext4InodeReadahead, ext4Sb, u32, xfsAllocsize, xfsLogbsize, xfsLogbufs, xfsInt } from './kernel-limits.js';

const EXT4_SUPER = 'fs/ext4/super.c (ext4_parse_param, ext4_check_opt_consistency); measured on kernel 6.1 (test/fixtures/kernel-truth)';
const XFS_SUPER = 'fs/xfs/xfs_super.c (xfs_fs_parse_param, xfs_fs_validate_params); measured on kernel 6.1 (test/fixtures/kernel-truth)';
const DAX_DEV = { capability: 'dax' as const, when: (v: string | undefined) => v === undefined || v === 'always' };
const NORECOVERY = 'the journal/log is not replayed: after a crash the filesystem is mounted inconsistent';

export type FsName = 'ext4' | 'xfs';

export interface MountOptionFact {
  /** Option name, before any '='. */
  name: string;
  /** 'none' = flag only; 'required' = needs =value; 'optional' = either. */
  value: 'none' | 'required' | 'optional';
  /** Validator for the value, when it has one. */
  valid?: RegExp;
  validHint?: string;
  /** Kernel version that removed it (mount fails: "Unknown parameter"). */
  removedIn?: string;
  /** Kernel version that deprecated it, or the doc's removal schedule. */
  deprecated?: string;
  /** First kernel that accepts it. */
  addedIn?: string;
  /** ext4: refused when the filesystem has no journal (fs/ext4/super.c "can't mount with X, fs mounted w/o journal"). */
  needsJournal?: boolean;
  /** Turns off cache flushes / barriers when it has this value (or always, for flags). */
  barrierOff?: (value: string | undefined) => boolean;
  /** Only meaningful with a RAID stripe geometry. */
  stripe?: boolean;
  /** The kernel's own range check on the value (kernel-limits.ts): the refusal reason, or undefined. */
  limit?: (value: string) => string | undefined;
  /** A device capability the option needs when it has this value (dax: a DAX-capable block device, i.e. pmem). */
  needsDevice?: { capability: 'dax'; when: (value: string | undefined) => boolean };
  /** Names an external device (journal, log, realtime) the plan does not make. */
  external?: string;
  /** Accepted by the kernel but dangerous: a warning with this text. */
  danger?: string;
  note?: string;
  source: string;
}

const EXT4_DOC = 'Linux Documentation/admin-guide/ext4.rst, "Mount options"';
const XFS_DOC = 'Linux Documentation/admin-guide/xfs.rst, "Mount Options"';
const MOUNT8 = 'mount(8), FILESYSTEM-INDEPENDENT MOUNT OPTIONS';
const NUM = /^[0-9]+$/;

function flags(names: string[], source: string, extra: Partial<MountOptionFact> = {}): MountOptionFact[] {
  return names.map((name) => ({ name, value: 'none', source, ...extra }));
}
function valued(names: string[], source: string, valid?: RegExp, extra: Partial<MountOptionFact> = {}): MountOptionFact[] {
  return names.map((name) => ({ name, value: 'required', source, ...(valid ? { valid } : {}), ...extra }));
}

/** Options every filesystem accepts (VFS, mount(8), systemd). */
export const VFS_MOUNT_OPTIONS: MountOptionFact[] = [
  ...flags(
    [
      'defaults', 'ro', 'rw', 'atime', 'noatime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime', 'lazytime', 'nolazytime',
      'diratime', 'nodiratime', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'sync', 'async', 'dirsync', 'auto', 'noauto',
      'user', 'nouser', 'users', 'owner', 'group', 'nofail', '_netdev', 'silent', 'loud', 'iversion', 'noiversion', 'nomand', 'remount', 'bind',
    ],
    MOUNT8,
  ),
  { name: 'nosymfollow', value: 'none', addedIn: '5.10', source: MOUNT8 },
  { name: 'mand', value: 'none', deprecated: '5.15', note: 'mandatory locking was removed in 5.15; the option is ignored with a warning', source: MOUNT8 },
  ...valued(['context', 'fscontext', 'defcontext', 'rootcontext', 'comment'], MOUNT8),
];

export const EXT4_MOUNT_OPTIONS: MountOptionFact[] = [
  { name: 'data', value: 'required', valid: /^(journal|ordered|writeback)$/, validHint: 'journal, ordered or writeback', needsJournal: true, source: EXT4_DOC },
  { name: 'commit', value: 'required', valid: NUM, validHint: 'seconds', needsJournal: true, limit: ext4Commit, source: EXT4_SUPER },
  { name: 'journal_checksum', value: 'none', needsJournal: true, source: EXT4_DOC },
  { name: 'nojournal_checksum', value: 'none', source: EXT4_DOC },
  { name: 'journal_async_commit', value: 'none', needsJournal: true, source: EXT4_DOC },
  { name: 'journal_ioprio', value: 'required', valid: /^[0-7]$/, validHint: '0..7', source: EXT4_DOC, note: 'no effect without a journal' },
  ...valued(['journal_dev'], EXT4_DOC),
  { name: 'journal_path', value: 'required', external: 'journal device', source: EXT4_SUPER },
  ...flags(['norecovery', 'noload'], EXT4_DOC, { danger: NORECOVERY }),
  {
    name: 'barrier',
    value: 'optional',
    valid: NUM,
    validHint: 'a number (0 turns flushes off)',
    barrierOff: (v) => v === '0',
    source: EXT4_DOC,
  },
  { name: 'nobarrier', value: 'none', barrierOff: () => true, source: EXT4_DOC },
  { name: 'inode_readahead_blks', value: 'required', valid: NUM, limit: ext4InodeReadahead, source: EXT4_SUPER },
  { name: 'sb', value: 'required', valid: NUM, limit: ext4Sb, source: EXT4_SUPER },
  ...valued(['max_batch_time', 'min_batch_time', 'max_dir_size_kb'], EXT4_DOC, NUM, { limit: u32 }),
  ...valued(['resgid', 'resuid'], EXT4_SUPER, NUM, { limit: ext4Id }),
  { name: 'stripe', value: 'required', valid: NUM, stripe: true, limit: u32, source: EXT4_DOC },
  ...flags(
    [
      'delalloc', 'nodelalloc', 'noauto_da_alloc', 'noinit_itable', 'discard', 'nodiscard', 'block_validity', 'noblock_validity',
      'dioread_lock', 'dioread_nolock', 'nouid32', 'nombcache', 'no_mbcache', 'user_xattr', 'acl', 'bsddf', 'minixdf', 'debug',
      'grpid', 'bsdgroups', 'nogrpid', 'sysvgroups', 'quota', 'noquota', 'usrquota', 'grpquota', 'prjquota', 'abort',
      'no_prefetch_block_bitmaps', 'test_dummy_encryption', 'inlinecrypt',
    ],
    EXT4_DOC,
  ),
  ...flags(['i_version', 'prefetch_block_bitmaps', 'orlov', 'oldalloc', 'bh', 'nobh'], EXT4_SUPER, {
    deprecated: 'removed',
    note: 'the kernel ignores it ("EXT4-fs: Ignoring removed … option")',
  }),
  { name: 'auto_da_alloc', value: 'optional', valid: NUM, source: EXT4_DOC },
  { name: 'init_itable', value: 'optional', valid: NUM, limit: u32, source: EXT4_DOC },
  { name: 'errors', value: 'required', valid: /^(remount-ro|continue|panic)$/, validHint: 'remount-ro, continue or panic', source: EXT4_DOC },
  { name: 'data_err', value: 'required', valid: /^(ignore|abort)$/, needsJournal: true, source: EXT4_SUPER },
  { name: 'jqfmt', value: 'required', valid: /^(vfsold|vfsv0|vfsv1)$/, source: EXT4_DOC },
  ...valued(['usrjquota', 'grpjquota'], EXT4_DOC),
  { name: 'dax', value: 'optional', valid: /^(always|never|inode)$/, needsDevice: DAX_DEV, source: EXT4_SUPER },
  { name: 'mb_optimize_scan', value: 'required', valid: /^[01]$/, addedIn: '5.13', source: EXT4_DOC },
];

const XFS_REMOVED_419 = 'xfs: barrier/nobarrier deprecated in 4.10 and removed in 4.19 (commit "xfs: remove deprecated barrier/nobarrier mount options"); Documentation/admin-guide/xfs.rst "Removed Mount Options"';
const XFS_REMOVED_40 = 'Documentation/admin-guide/xfs.rst "Removed Mount Options" (v4.0)';
const XFS_DEPRECATED = 'Documentation/admin-guide/xfs.rst "Deprecated Mount Options" (removal scheduled September 2025)';

export const XFS_MOUNT_OPTIONS: MountOptionFact[] = [
  { name: 'allocsize', value: 'required', valid: /^-?[0-9]+[kmgKMG]?$/, limit: xfsAllocsize, source: XFS_SUPER },
  ...flags(['discard', 'nodiscard', 'grpid', 'bsdgroups', 'nogrpid', 'sysvgroups', 'filestreams', 'inode32', 'inode64', 'largeio', 'nolargeio', 'noalign', 'nouuid', 'noquota', 'uquota', 'usrquota', 'uqnoenforce', 'quota', 'qnoenforce', 'pquota', 'prjquota', 'pqnoenforce', 'gquota', 'grpquota', 'gqnoenforce', 'wsync'], XFS_DOC),
  { name: 'swalloc', value: 'none', stripe: true, source: XFS_DOC, note: 'rounds allocations to the stripe width; without a stripe unit it does nothing' },
  { name: 'norecovery', value: 'none', danger: NORECOVERY, source: XFS_SUPER },
  { name: 'logbufs', value: 'required', valid: NUM, validHint: '2..8', limit: xfsLogbufs, source: XFS_SUPER },
  { name: 'logbsize', value: 'required', valid: /^[0-9]+[kKmMgG]?$/, validHint: '16k, 32k, 64k, 128k or 256k', limit: xfsLogbsize, source: XFS_SUPER },
  { name: 'logdev', value: 'required', external: 'log device', source: XFS_SUPER },
  { name: 'rtdev', value: 'required', external: 'realtime device', source: XFS_SUPER },
  { name: 'sunit', value: 'required', valid: NUM, stripe: true, limit: xfsInt, source: XFS_DOC },
  { name: 'swidth', value: 'required', valid: NUM, stripe: true, limit: xfsInt, source: XFS_DOC },
  { name: 'dax', value: 'optional', valid: /^(always|never|inode)$/, source: XFS_DOC },
  { name: 'attr2', value: 'none', deprecated: 'September 2025', source: XFS_DEPRECATED },
  { name: 'noattr2', value: 'none', deprecated: 'September 2025', source: XFS_DEPRECATED },
  { name: 'ikeep', value: 'none', deprecated: 'September 2025', source: XFS_DEPRECATED },
  { name: 'noikeep', value: 'none', deprecated: 'September 2025', source: XFS_DEPRECATED },
  { name: 'barrier', value: 'none', removedIn: '4.19', deprecated: '4.10', source: XFS_REMOVED_419 },
  { name: 'nobarrier', value: 'none', removedIn: '4.19', deprecated: '4.10', barrierOff: () => true, source: XFS_REMOVED_419 },
  ...flags(['delaylog', 'nodelaylog', 'irixsgid', 'osyncisdsync', 'osyncisosync'], XFS_REMOVED_40, { removedIn: '4.0' }),
  { name: 'ihashsize', value: 'required', removedIn: '4.0', source: XFS_REMOVED_40 },
];

export const MOUNT_OPTIONS: Record<FsName, MountOptionFact[]> = { ext4: EXT4_MOUNT_OPTIONS, xfs: XFS_MOUNT_OPTIONS };

/** Option prefixes any fstab line may carry (userspace-only options, ignored by the kernel). */
export const USERSPACE_OPTION_PREFIXES = ['x-', 'X-'];

// ---------- mkfs ----------

export interface MkfsOptionFact {
  name: string;
  value: 'none' | 'required' | 'optional';
  valid?: RegExp;
  stripe?: boolean;
  source: string;
  note?: string;
}

const MKE2FS = 'mke2fs(8) -E extended-options';
const EXT4_5 = 'ext4(5) "FILE SYSTEM FEATURES"';
const MKFS_XFS = 'mkfs.xfs(8)';

/** ext4 -O features (each may be prefixed with ^ to clear it). */
export const EXT4_FEATURES: { name: string; note?: string; source: string }[] = [
  '64bit', 'bigalloc', 'casefold', 'dir_index', 'dir_nlink', 'ea_inode', 'encrypt', 'extent', 'extents', 'extra_isize', 'ext_attr',
  'fast_commit', 'filetype', 'flex_bg', 'has_journal', 'huge_file', 'inline_data', 'journal_dev', 'large_dir', 'large_file',
  'metadata_csum', 'metadata_csum_seed', 'meta_bg', 'mmp', 'orphan_file', 'project', 'quota', 'resize_inode', 'sparse_super',
  'sparse_super2', 'stable_inodes', 'uninit_bg', 'verity',
].map((name) => ({ name, source: EXT4_5 }));

export const EXT4_EXTENDED: MkfsOptionFact[] = [
  { name: 'stride', value: 'required', valid: NUM, stripe: true, source: MKE2FS },
  { name: 'stripe_width', value: 'required', valid: NUM, stripe: true, source: MKE2FS },
  { name: 'stripe-width', value: 'required', valid: NUM, stripe: true, source: MKE2FS },
  { name: 'lazy_itable_init', value: 'optional', valid: /^[01]$/, source: MKE2FS },
  { name: 'lazy_journal_init', value: 'optional', valid: /^[01]$/, source: MKE2FS },
  { name: 'assume_storage_prezeroed', value: 'optional', valid: /^[01]$/, source: MKE2FS },
  { name: 'num_backup_sb', value: 'required', valid: /^[012]$/, source: MKE2FS, note: 'only with sparse_super2' },
  { name: 'resize', value: 'required', valid: NUM, source: MKE2FS },
  { name: 'mmp_update_interval', value: 'required', valid: NUM, source: MKE2FS },
  { name: 'offset', value: 'required', valid: NUM, source: MKE2FS },
  { name: 'root_owner', value: 'optional', valid: /^[0-9]+:[0-9]+$/, source: MKE2FS },
  { name: 'quotatype', value: 'required', source: MKE2FS },
  { name: 'encoding', value: 'required', source: MKE2FS },
  { name: 'encoding_flags', value: 'required', source: MKE2FS },
  { name: 'orphan_file_size', value: 'required', source: MKE2FS },
  { name: 'hash_seed', value: 'required', source: MKE2FS },
  ...['packed_meta_blocks', 'no_copy_xattrs', 'test_fs', 'discard', 'nodiscard', 'android_sparse'].map((name) => ({ name, value: 'none' as const, source: MKE2FS })),
];

const SIZE_VAL = /^[0-9]+[kmgtsbKMGTSB]?$/;
export const XFS_DATA: MkfsOptionFact[] = [
  { name: 'agcount', value: 'required', valid: NUM, source: MKFS_XFS },
  { name: 'agsize', value: 'required', valid: SIZE_VAL, source: MKFS_XFS },
  { name: 'su', value: 'required', valid: SIZE_VAL, stripe: true, source: MKFS_XFS },
  { name: 'sw', value: 'required', valid: NUM, stripe: true, source: MKFS_XFS },
  { name: 'sunit', value: 'required', valid: NUM, stripe: true, source: MKFS_XFS },
  { name: 'swidth', value: 'required', valid: NUM, stripe: true, source: MKFS_XFS },
  { name: 'size', value: 'required', valid: SIZE_VAL, source: MKFS_XFS },
  { name: 'extszinherit', value: 'required', valid: NUM, source: MKFS_XFS },
  { name: 'cowextsize', value: 'required', valid: NUM, source: MKFS_XFS },
  { name: 'concurrency', value: 'optional', source: MKFS_XFS },
  ...['rtinherit', 'projinherit', 'daxinherit'].map((name) => ({ name, value: 'required' as const, source: MKFS_XFS })),
  ...['noalign', 'file'].map((name) => ({ name, value: 'optional' as const, source: MKFS_XFS })),
  { name: 'name', value: 'required', source: MKFS_XFS },
];
export const XFS_LOG: MkfsOptionFact[] = [
  { name: 'size', value: 'required', valid: SIZE_VAL, source: MKFS_XFS },
  { name: 'su', value: 'required', valid: SIZE_VAL, stripe: true, source: MKFS_XFS },
  { name: 'sunit', value: 'required', valid: NUM, stripe: true, source: MKFS_XFS },
  { name: 'version', value: 'required', valid: /^[12]$/, source: MKFS_XFS },
  { name: 'lazy-count', value: 'required', valid: /^[01]$/, source: MKFS_XFS },
  { name: 'internal', value: 'optional', source: MKFS_XFS },
  { name: 'logdev', value: 'required', source: MKFS_XFS },
  { name: 'agnum', value: 'required', valid: NUM, source: MKFS_XFS },
  { name: 'concurrency', value: 'optional', source: MKFS_XFS },
  { name: 'file', value: 'optional', source: MKFS_XFS },
  { name: 'name', value: 'required', source: MKFS_XFS },
];

/** XFS -m (metadata) options: the plan's `features` for an XFS volume. mkfs.xfs(8) "-m". */
export const XFS_META: MkfsOptionFact[] = [
  ...['crc', 'finobt', 'rmapbt', 'reflink', 'bigtime', 'inobtcount'].map((name) => ({ name, value: 'optional' as const, valid: /^[01]$/, source: MKFS_XFS })),
  { name: 'uuid', value: 'required', valid: /^[0-9a-fA-F-]{36}$|^generate$|^nil$/, source: MKFS_XFS },
];

/** Filesystems the tool can create. Others are refused (JTS-FS-UNKNOWN). */
export const SUPPORTED_FILESYSTEMS = ['ext4', 'xfs', 'swap', 'none'] as const;

/** Compare kernel versions "6.1.0-31-amd64" vs "4.19": -1, 0, 1. */
export function compareKernel(a: string, b: string): number {
  const pa = (a.match(/^(\d+)(?:\.(\d+))?(?:\.(\d+))?/) ?? []).slice(1).map((x) => Number(x ?? 0));
  const pb = (b.match(/^(\d+)(?:\.(\d+))?(?:\.(\d+))?/) ?? []).slice(1).map((x) => Number(x ?? 0));
  for (let i = 0; i < 3; i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function splitOption(o: string): { name: string; value: string | undefined } {
  const i = o.indexOf('=');
  return i < 0 ? { name: o, value: undefined } : { name: o.slice(0, i), value: o.slice(i + 1) };
}
