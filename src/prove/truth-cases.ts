/**
 * The kernel-truth sweep's cases: every mount option of the fact tables (valid, boundary and invalid
 * values), every pair the facts declare constrained, ext4 features with and without a journal, and mkfs
 * parameters at small and large sizes. Grouped by (filesystem, mkfs options, size): the guest makes the
 * filesystem once per group and tries each mount option list of the group on it.
 *
 * The shapes are the plan's own (`filesystem.features/extended/data/log`, `mount.options`), so the
 * agreement test (test/prove/kernel-truth.test.ts) lints each row as a one-volume plan.
 */

export interface TruthMkfs {
  features: string[];
  extended: string[];
  data: string[];
  log: string[];
  inodeRatio?: number;
}

export interface TruthGroup {
  fs: 'ext4' | 'xfs';
  /** Size of the LV in MiB (a multiple of the 4 MiB extent). */
  sizeMiB: number;
  mkfs: TruthMkfs;
  /** Mount option lists to try on the made filesystem ([] = "defaults"). */
  mounts: string[][];
}

const M = (p: Partial<TruthMkfs> = {}): TruthMkfs => ({ features: [], extended: [], data: [], log: [], ...p });
const each = (opts: string[]): string[][] => opts.map((o) => [o]);

/** ext4 single options with valid, boundary and invalid values (fs/ext4/super.c ext4_param_specs, ext4(5)). */
const EXT4_SINGLE = [
  'defaults', 'data=journal', 'data=ordered', 'data=writeback', 'data=foo', 'data',
  'commit=0', 'commit=1', 'commit=5', 'commit=300', 'commit=8589934', 'commit=8589935', 'commit=2147483647', 'commit=-1', 'commit=abc',
  'journal_checksum', 'nojournal_checksum', 'journal_async_commit', 'journal_ioprio=0', 'journal_ioprio=7', 'journal_ioprio=8',
  'barrier', 'barrier=0', 'barrier=1', 'barrier=2', 'nobarrier',
  'inode_readahead_blks=0', 'inode_readahead_blks=1', 'inode_readahead_blks=32', 'inode_readahead_blks=33', 'inode_readahead_blks=1073741824', 'inode_readahead_blks=2147483648',
  'max_batch_time=0', 'max_batch_time=15000', 'min_batch_time=0', 'min_batch_time=100',
  'stripe=0', 'stripe=16', 'stripe=abc',
  'errors=remount-ro', 'errors=continue', 'errors=panic', 'errors=foo', 'data_err=ignore', 'data_err=abort', 'data_err=foo',
  'resuid=0', 'resgid=0', 'resuid=abc',
  'delalloc', 'nodelalloc', 'auto_da_alloc', 'auto_da_alloc=0', 'auto_da_alloc=1', 'auto_da_alloc=2', 'noauto_da_alloc',
  'discard', 'nodiscard', 'dioread_lock', 'dioread_nolock', 'nouid32', 'block_validity', 'noblock_validity', 'i_version',
  'nombcache', 'no_mbcache', 'user_xattr', 'nouser_xattr', 'acl', 'noacl', 'bsddf', 'minixdf', 'grpid', 'bsdgroups', 'nogrpid', 'sysvgroups',
  'quota', 'noquota', 'usrquota', 'grpquota', 'prjquota', 'jqfmt=vfsv0', 'usrjquota=aquota.user', 'usrjquota=aquota.user,jqfmt=vfsv0',
  'init_itable', 'init_itable=10', 'noinit_itable', 'no_prefetch_block_bitmaps', 'prefetch_block_bitmaps', 'mb_optimize_scan=0', 'mb_optimize_scan=1', 'mb_optimize_scan=2',
  'dax', 'dax=always', 'dax=never', 'dax=inode', 'dax=foo', 'inlinecrypt', 'debug', 'orlov', 'oldalloc', 'bh', 'nobh', 'journal=update',
  'norecovery', 'noload', 'ro,norecovery', 'ro,noload', 'journal_dev=0', 'journal_path=/dev/null', 'sb=0', 'test_dummy_encryption',
  'noatime', 'relatime', 'lazytime', 'nodev,nosuid,noexec', 'nofail', 'iversion', 'noiversion', 'mand', 'nosymfollow', 'foo', 'logbufs=8', 'nodelaylog',
];

/** ext4 pairs the facts declare constrained (fs/ext4/super.c ext4_check_opt_consistency, ext4_fill_super). */
const EXT4_PAIRS = [
  ['data=journal', 'journal_checksum'], ['data=journal', 'journal_async_commit'], ['data=ordered', 'journal_async_commit'],
  ['data=writeback', 'journal_async_commit'], ['data=ordered', 'journal_checksum'], ['data=writeback', 'journal_checksum'],
  ['journal_checksum', 'journal_async_commit'], ['journal_checksum', 'nojournal_checksum'],
  ['data=journal', 'delalloc'], ['data=journal', 'nodelalloc'], ['data=journal', 'dioread_nolock'], ['data=journal', 'dax'],
  ['data=journal', 'dax=never'], ['data=journal', 'auto_da_alloc'], ['data=writeback', 'dioread_nolock'], ['nodelalloc', 'dioread_nolock'],
  ['data=journal', 'data=ordered'], ['data=journal', 'commit=30'], ['data=writeback', 'commit=30'], ['nodelalloc', 'delalloc'],
  ['data=journal', 'barrier=0'], ['data=writeback', 'nobarrier'], ['norecovery', 'data=writeback'], ['ro', 'norecovery', 'data=journal'],
  ['dax=always', 'dioread_nolock'], ['grpquota', 'prjquota'], ['usrquota', 'usrjquota=aquota.user'], ['quota', 'noquota'],
  ['ro', 'noload', 'journal_checksum'], ['data=journal', 'noauto_da_alloc'],
];

/** Mount options tried on a journal-less ext4 (-O ^has_journal). */
const EXT4_NOJOURNAL = [
  'defaults', 'data=ordered', 'data=writeback', 'data=journal', 'commit=5', 'commit=30', 'commit=0', 'journal_checksum', 'nojournal_checksum',
  'journal_async_commit', 'journal_ioprio=3', 'noload', 'norecovery', 'barrier=0', 'barrier=1', 'dioread_nolock', 'delalloc', 'nodelalloc',
  'data_err=abort', 'data_err=ignore', 'auto_da_alloc', 'discard', 'errors=remount-ro', 'noatime', 'ro,norecovery', 'journal_dev=0',
  'journal_path=/dev/null', 'max_batch_time=100', 'min_batch_time=0', 'usrjquota=aquota.user,jqfmt=vfsv0',
];

/** XFS single options (fs/xfs/xfs_super.c xfs_fs_parameters, xfs_fs_validate_params; xfs(5)). */
const XFS_SINGLE = [
  'defaults', 'allocsize=4k', 'allocsize=64k', 'allocsize=1g', 'allocsize=2g', 'allocsize=3k', 'allocsize=2k', 'allocsize=0', 'allocsize=512',
  'allocsize=65536', 'allocsize=12k', 'allocsize=1m', 'allocsize=abc',
  'logbufs=0', 'logbufs=1', 'logbufs=2', 'logbufs=8', 'logbufs=9', 'logbufs=-1', 'logbufs=abc',
  'logbsize=8k', 'logbsize=16k', 'logbsize=32k', 'logbsize=48k', 'logbsize=64k', 'logbsize=128k', 'logbsize=256k', 'logbsize=512k',
  'logbsize=16384', 'logbsize=262144', 'logbsize=32768', 'logbsize=0', 'logbsize=1m',
  'sunit=128', 'swidth=256', 'sunit=128,swidth=256', 'sunit=128,swidth=384', 'sunit=128,swidth=300', 'sunit=0,swidth=0', 'sunit=7,swidth=14',
  'sunit=8,swidth=8', 'sunit=abc,swidth=256',
  'norecovery', 'ro,norecovery', 'nobarrier', 'barrier', 'biosize=16', 'ikeep', 'noikeep', 'attr2', 'noattr2', 'inode32', 'inode64',
  'largeio', 'nolargeio', 'swalloc', 'wsync', 'noalign', 'filestreams', 'nouuid', 'grpid', 'bsdgroups', 'nogrpid', 'sysvgroups',
  'discard', 'nodiscard', 'dax', 'dax=always', 'dax=never', 'dax=inode', 'dax=foo',
  'quota', 'usrquota', 'uquota', 'uqnoenforce', 'qnoenforce', 'gquota', 'grpquota', 'gqnoenforce', 'pquota', 'prjquota', 'pqnoenforce', 'noquota',
  'gquota,pquota', 'delaylog', 'nodelaylog', 'ihashsize=64', 'irixsgid', 'osyncisdsync', 'osyncisosync', 'logdev=/dev/nonexistent', 'rtdev=/dev/nonexistent',
  'noatime', 'relatime', 'lazytime', 'nodev,nosuid,noexec', 'nofail', 'data=ordered', 'commit=5', 'foo', 'inode_readahead_blks=32',
];

/** The ext4/XFS sweep, as groups: a mkfs per group, a mount per option list. */
export function truthGroups(): TruthGroup[] {
  const g: TruthGroup[] = [];
  // ext4: every option alone, every constrained pair, on a default ext4 of 512 MiB.
  g.push({ fs: 'ext4', sizeMiB: 512, mkfs: M(), mounts: [...EXT4_SINGLE.map((o) => o.split(',')), ...EXT4_PAIRS] });
  g.push({ fs: 'ext4', sizeMiB: 512, mkfs: M({ features: ['^has_journal'] }), mounts: EXT4_NOJOURNAL.map((o) => o.split(',')) });
  // ext4 features, with and without a journal: mkfs, then defaults and the feature's own mount options.
  const FEATURES: [string[], string[][]][] = [
    [['fast_commit'], [[], ['data=journal'], ['journal_async_commit']]],
    [['fast_commit', '^has_journal'], [[]]],
    [['^metadata_csum'], [[], ['journal_checksum']]],
    [['^64bit'], [[]]],
    [['bigalloc'], [[], ['delalloc'], ['nodelalloc']]],
    [['bigalloc', '^has_journal'], [[]]],
    [['inline_data'], [[], ['dax'], ['data=journal']]],
    [['encrypt'], [[], ['test_dummy_encryption']]],
    [['casefold'], [[]]],
    [['large_dir'], [[]]],
    [['ea_inode'], [[]]],
    [['project'], [[], ['prjquota']]],
    [['quota'], [[], ['usrquota'], ['noquota']]],
    [['project', 'quota'], [['prjquota']]],
    [['orphan_file'], [[]]],
    [['orphan_file', '^has_journal'], [[]]],
    [['sparse_super2'], [[]]],
    [['meta_bg', '^resize_inode'], [[]]],
    [['meta_bg'], [[]]],
    [['mmp'], [[]]],
    [['stable_inodes'], [[]]],
    [['verity'], [[]]],
    [['^extent'], [[]]],
    [['^extents', '^flex_bg'], [[]]],
    [['^flex_bg'], [[]]],
    [['huge_file'], [[]]],
    [['metadata_csum_seed'], [[]]],
    [['uninit_bg'], [[]]],
    [['^metadata_csum', 'uninit_bg'], [[]]],
    [['^has_journal', '^metadata_csum'], [['data=ordered'], ['barrier=0']]],
    [['journal_dev'], [[]]],
    [['^resize_inode'], [[]]],
    [['^dir_index'], [[]]],
    [['^sparse_super'], [[]]],
    [['^filetype'], [[]]],
    [['^extra_isize'], [[]]],
    [['nosuchfeature'], [[]]],
  ];
  for (const [features, mounts] of FEATURES) g.push({ fs: 'ext4', sizeMiB: 512, mkfs: M({ features }), mounts });
  // ext4 extended options (mke2fs(8) -E)
  const EXTENDED: [string[], string[], string[][]][] = [
    [['stride=16'], [], [[]]],
    [['stride=16', 'stripe_width=32'], [], [[], ['stripe=0']]],
    [['stripe_width=32'], [], [[]]],
    [['stride=abc'], [], [[]]],
    [['lazy_itable_init=0', 'lazy_journal_init=0'], [], [[]]],
    [['lazy_itable_init=1'], [], [[]]],
    [['num_backup_sb=1'], ['sparse_super2'], [[]]],
    [['num_backup_sb=2'], ['sparse_super2'], [[]]],
    [['num_backup_sb=3'], ['sparse_super2'], [[]]],
    [['num_backup_sb=1'], [], [[]]],
    [['resize=1048576'], [], [[]]],
    [['root_owner=0:0'], [], [[]]],
    [['root_owner=999:999'], [], [[]]],
    [['root_perms=0755'], [], [[]]],
    [['discard'], [], [[]]],
    [['nodiscard'], [], [[]]],
    [['packed_meta_blocks'], [], [[]]],
    [['quotatype=usrquota'], ['quota'], [[]]],
    [['quotatype=usrquota'], [], [[]]],
    [['encoding=utf8'], ['casefold'], [[]]],
    [['encoding=utf8'], [], [[]]],
    [['test_fs'], [], [[]]],
    [['assume_storage_prezeroed=1'], [], [[]]],
    [['mmp_update_interval=5'], ['mmp'], [[]]],
    [['mmp_update_interval=5'], [], [[]]],
    [['orphan_file_size=1048576'], ['orphan_file'], [[]]],
    [['offset=4096'], [], [[]]],
    [['nosuchopt=1'], [], [[]]],
  ];
  for (const [extended, features, mounts] of EXTENDED) g.push({ fs: 'ext4', sizeMiB: 512, mkfs: M({ extended, features }), mounts });
  // ext4 sizes (mke2fs.conf floppy/small/default types) and inode ratios.
  for (const sizeMiB of [4, 8, 16, 64, 2048]) g.push({ fs: 'ext4', sizeMiB, mkfs: M(), mounts: [[]] });
  g.push({ fs: 'ext4', sizeMiB: 4, mkfs: M({ features: ['^has_journal'] }), mounts: [[]] });
  for (const inodeRatio of [1024, 4096, 67108864, 134217728]) g.push({ fs: 'ext4', sizeMiB: 512, mkfs: M({ inodeRatio }), mounts: [[]] });

  // XFS: every option alone on a default XFS of 512 MiB.
  g.push({ fs: 'xfs', sizeMiB: 512, mkfs: M(), mounts: XFS_SINGLE.map((o) => o.split(',')) });
  // XFS V4 (crc=0): attr2/noattr2/ikeep and the deprecated format.
  g.push({ fs: 'xfs', sizeMiB: 512, mkfs: M({ features: ['crc=0'] }), mounts: [[], ['attr2'], ['noattr2'], ['ikeep'], ['noikeep'], ['dax=always'], ['pquota', 'gquota']] });
  // XFS metadata (-m) features on V5 and V4.
  for (const features of [
    ['crc=1'], ['reflink=0'], ['reflink=1'], ['rmapbt=1'], ['bigtime=1'], ['bigtime=0'], ['inobtcount=1'], ['finobt=0'], ['crc=0', 'reflink=1'],
    ['crc=0', 'finobt=1'], ['crc=0', 'rmapbt=1'], ['crc=0', 'bigtime=1'], ['crc=0', 'finobt=0'], ['nosuch=1'], ['uuid=11111111-2222-3333-4444-555555555555'],
  ])
    g.push({ fs: 'xfs', sizeMiB: 512, mkfs: M({ features }), mounts: [[]] });
  // XFS data/log stripe geometry, and the log stripe unit against logbsize.
  const XDATA: [string[], string[], string[][]][] = [
    [['su=64k', 'sw=1'], [], [[], ['sunit=128', 'swidth=256'], ['swalloc']]],
    [['su=64k'], [], [[]]],
    [['sw=2'], [], [[]]],
    [['sunit=128', 'swidth=256'], [], [[]]],
    [['sunit=128', 'swidth=300'], [], [[]]],
    [['sunit=128'], [], [[]]],
    [['su=3k', 'sw=1'], [], [[]]],
    [['su=256k', 'sw=4'], [], [[]]],
    [['agcount=4'], [], [[]]],
    [['agcount=1'], [], [[]]],
    [['agcount=32'], [], [[]]],
    [['agcount=64'], [], [[]]],
    [['agsize=16m'], [], [[]]],
    [['agsize=15m'], [], [[]]],
    [['agsize=64m'], [], [[]]],
    [['agsize=1g'], [], [[]]],
    [[], ['su=32k'], [[], ['logbsize=32k'], ['logbsize=16k']]],
    [[], ['su=64k'], [[], ['logbsize=32k'], ['logbsize=64k'], ['logbsize=256k']]],
    [[], ['su=256k'], [[], ['logbsize=128k'], ['logbsize=256k']]],
    [[], ['su=512k'], [[]]],
    [[], ['sunit=128'], [[], ['logbsize=32k']]],
    [['su=64k', 'sw=1'], ['su=64k'], [[], ['logbsize=32k']]],
    [[], ['version=1'], [[]]],
    [[], ['version=2'], [[]]],
    [[], ['lazy-count=0'], [[]]],
    [[], ['lazy-count=1'], [[]]],
    [[], ['internal=0'], [[]]],
    [[], ['nosuch=1'], [[]]],
  ];
  for (const [data, log, mounts] of XDATA) g.push({ fs: 'xfs', sizeMiB: 512, mkfs: M({ data, log }), mounts });
  // XFS sizes: the 300 MB minimum of xfsprogs ≥ 5.19, the internal log against the AG size.
  for (const sizeMiB of [16, 64, 296, 300, 2048]) g.push({ fs: 'xfs', sizeMiB, mkfs: M(), mounts: [[]] });
  for (const [sizeMiB, log, data] of [
    [300, ['size=64m'], []], [300, ['size=128m'], []], [300, ['size=256m'], []], [300, ['size=8m'], []], [300, ['size=4m'], []],
    [512, ['size=64m'], []], [512, ['size=128m'], []], [512, ['size=256m'], []], [512, ['size=64m'], ['agcount=16']], [512, ['size=32m'], ['agcount=16']],
    [512, ['size=128m'], ['agcount=2']], [512, ['size=2g'], []], [2048, ['size=128m'], []], [2048, ['size=512m'], []], [2048, ['size=1g'], []],
    [2048, ['size=2g'], []], [2048, ['size=1g'], ['agcount=16']], [2048, ['size=64m'], ['agcount=64']], [2048, ['size=3g'], []],
  ] as [number, string[], string[]][])
    g.push({ fs: 'xfs', sizeMiB, mkfs: M({ log, data }), mounts: [[]] });
  // Boundary values (second sweep, test/fixtures/kernel-truth/boundaries.json): appended, so the group
  // indexes above (which the first fixture's rows name) stay the same.
  g.push(...boundaryGroups());
  return g;
}

/**
 * The boundary rows: the kernel's integer parsers (fsparam_u32/s32: negative and 2^32), its range checks
 * (commit= against INT_MAX/HZ, journal_ioprio 0-7, inode_readahead_blks a power of two up to 2^30,
 * resuid/resgid valid ids, XFS logbufs 2-8, logbsize 16k-256k power of two, allocsize log2 12-30 of the
 * lowest set bit), options refused in combination (norecovery/noload with rw, sunit without swidth), and
 * XFS stripe geometry on a filesystem made WITH a data stripe (2 GiB: at 512 MiB mkfs.xfs 6.1 refuses a
 * striped filesystem, "Log size must be at least 64MB"): sunit/swidth against the block size and the AG
 * size (fs/xfs/xfs_mount.c xfs_validate_new_dalign). Sources: fs/ext4/super.c ext4_parse_param,
 * fs/xfs/xfs_super.c xfs_fs_parse_param / xfs_fs_validate_params (Linux 6.1), ext4(5), xfs(5), mke2fs(8).
 */
export function boundaryGroups(): TruthGroup[] {
  const g: TruthGroup[] = [];
  g.push({
    fs: 'ext4',
    sizeMiB: 512,
    mkfs: M(),
    mounts: each([
      'commit=86400', 'commit=4294967295', 'commit=4294967296', 'journal_ioprio=-1', 'journal_ioprio=abc',
      'inode_readahead_blks=3', 'inode_readahead_blks=64', 'inode_readahead_blks=4096', 'inode_readahead_blks=536870912', 'inode_readahead_blks=-1',
      'max_batch_time=-1', 'max_batch_time=4294967295', 'max_batch_time=4294967296', 'min_batch_time=-1', 'min_batch_time=4294967295',
      'stripe=-1', 'stripe=32768', 'stripe=32769', 'stripe=4294967295', 'stripe=4294967296',
      'init_itable=0', 'init_itable=-1', 'init_itable=abc', 'init_itable=4294967295',
      'resuid=4294967295', 'resgid=4294967295', 'resuid=65534', 'resgid=-1',
      'max_dir_size_kb=0', 'max_dir_size_kb=1024', 'max_dir_size_kb=-1',
      'jqfmt=vfsv1', 'jqfmt=vfsold', 'jqfmt=foo', 'errors=remount-ro,errors=panic',
    ]).map((m) => m[0]!.split(',')).concat([
      ['rw', 'norecovery'], ['rw', 'noload'], ['min_batch_time=20000', 'max_batch_time=100'], ['commit=0', 'data=journal'],
      ['barrier=1', 'nobarrier'], ['dax=always', 'data=journal'], ['data=journal', 'journal_async_commit', 'journal_checksum'],
      ['stripe=16', 'data=journal'], ['nodelalloc', 'data=journal', 'dioread_nolock'],
    ]),
  });
  g.push({
    fs: 'ext4',
    sizeMiB: 512,
    mkfs: M({ features: ['^has_journal'] }),
    mounts: each(['journal_ioprio=8', 'dioread_lock', 'auto_da_alloc=0', 'commit=86400', 'data_err=ignore', 'nojournal_checksum', 'journal_checksum,nojournal_checksum']).map((m) => m[0]!.split(',')).concat([['rw', 'noload'], ['journal_async_commit', 'data=ordered']]),
  });
  g.push({ fs: 'ext4', sizeMiB: 512, mkfs: M({ extended: ['stride=16', 'stripe_width=24'] }), mounts: [[], ['stripe=24']] });
  g.push({ fs: 'ext4', sizeMiB: 512, mkfs: M({ inodeRatio: 1023 }), mounts: [[]] });
  g.push({
    fs: 'xfs',
    sizeMiB: 512,
    mkfs: M(),
    mounts: each([
      'logbufs=4', 'logbufs=7', 'logbufs=4294967295', 'logbufs=4294967296',
      'logbsize=24k', 'logbsize=96k', 'logbsize=16383', 'logbsize=2m',
      'allocsize=6k', 'allocsize=20k', 'allocsize=1536m', 'allocsize=2047m', 'allocsize=4096k', 'allocsize=-4k',
      'sunit=8,swidth=0', 'sunit=0,swidth=8', 'sunit=4,swidth=8', 'sunit=-8,swidth=16',
      'rw,norecovery', 'norecovery,ro', 'ro,norecovery,nouuid', 'inode32,inode64', 'logbufs=2,logbsize=256k',
    ]).map((m) => m[0]!.split(',')),
  });
  g.push({
    fs: 'xfs',
    sizeMiB: 2048,
    mkfs: M({ data: ['su=64k', 'sw=2'] }),
    mounts: each([
      'defaults', 'sunit=128,swidth=256', 'sunit=256,swidth=512', 'sunit=128,swidth=128', 'sunit=6144,swidth=6144', 'sunit=128',
      'swidth=256', 'sunit=128,swidth=300', 'sunit=7,swidth=14', 'sunit=12,swidth=24', 'sunit=0,swidth=0', 'swalloc', 'noalign', 'noalign,sunit=128,swidth=256',
    ]).map((m) => (m[0] === 'defaults' ? [] : m[0]!.split(','))),
  });
  g.push({ fs: 'xfs', sizeMiB: 2048, mkfs: M({ data: ['su=64k', 'sw=1'], log: ['su=64k'] }), mounts: [[], ['logbsize=32k'], ['logbsize=64k'], ['logbufs=2', 'logbsize=64k']] });
  return g;
}

/** The mkfs argv of a case, exactly as the plan's mkfs action builds it (src/diff mkfsArgv's shape). */
export function truthMkfsArgv(fs: 'ext4' | 'xfs', m: TruthMkfs, device: string): string[] {
  if (fs === 'ext4') {
    const a = ['mkfs.ext4', '-q'];
    if (m.features.length) a.push('-O', m.features.join(','));
    if (m.extended.length) a.push('-E', m.extended.join(','));
    if (m.inodeRatio !== undefined) a.push('-i', String(m.inodeRatio));
    return [...a, device];
  }
  const a = ['mkfs.xfs', '-q'];
  if (m.features.length) a.push('-m', m.features.join(','));
  if (m.data.length) a.push('-d', m.data.join(','));
  if (m.log.length) a.push('-l', m.log.join(','));
  return [...a, device];
}
