/**
 * mkfs parameters impossible at the volume's size, and mkfs options refused by the on-disk format they
 * ask for. Data first (the constants, each with its source), then the checks lint.ts calls.
 *
 * Sources: mkfs.xfs(8) ("-d agcount/agsize", "-l size", "-l su", "-m crc"), xfsprogs 6.1 mkfs/xfs_mkfs.c
 * (validate_log_size, calc_default_ag_geometry, the 300 MB minimum added in xfsprogs 5.19),
 * mke2fs(8) and ext4(5); measured with xfsprogs 6.1.0 and e2fsprogs 1.47.0 on kernel 6.1
 * (test/fixtures/kernel-truth/sweep.json).
 */

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** mkfs.xfs refuses new filesystems below 300 MiB since xfsprogs 5.19: "Filesystem must be larger than 300MB." */
export const XFS_MIN_FS_BYTES = 300 * MiB;
/** Allocation group bounds (XFS_AG_MIN_BYTES, XFS_AG_MAX_BYTES): 16 MiB .. 1 TiB. */
export const XFS_AG_MIN_BYTES = 16 * MiB;
export const XFS_AG_MAX_BYTES = 2 ** 40;
/** Log size bounds for an internal log (XFS_MIN_LOG_BYTES 10 MiB …, XFS_MAX_LOG_BYTES 2 GiB − 10 MiB). */
export const XFS_LOG_MIN_BYTES = 10 * MiB;
export const XFS_LOG_MAX_BYTES = 2 * GiB - 10 * MiB;
/** xfsprogs ≥ 5.19 refuses internal logs below 64 MiB on new filesystems: "Log size must be at least 64MB." */
export const XFS_LOG_DEFAULT_MIN_BYTES = 64 * MiB;
/** The largest log stripe unit (XLOG_MAX_RECORD_BSIZE, 256 KiB): a bigger -l su is refused. */
export const XFS_LOG_SU_MAX = 256 * 1024;
export const XFS_BLOCK = 4096;

/**
 * mkfs.xfs size values (xfsprogs cvtnum): a number with an optional unit — b (filesystem blocks,
 * 4096), s (512-byte sectors), k, m, g, t, p, e (powers of 1024). Bytes, or undefined when unreadable.
 */
export function xfsMkfsBytes(v: string): number | undefined {
  const m = /^([0-9]+)([bskmgtpeBSKMGTPE]?)$/.exec(v);
  if (!m) return undefined;
  const u = m[2]!.toLowerCase();
  const mult = u === '' ? 1 : u === 'b' ? XFS_BLOCK : u === 's' ? 512 : 1024 ** ('kmgtpe'.indexOf(u) + 1);
  return Number(m[1]) * mult;
}

const opt = (list: string[], name: string): string | undefined => {
  for (let i = list.length - 1; i >= 0; i--) {
    const [k, v] = list[i]!.split('=');
    if (k === name) return v ?? '';
  }
  return undefined;
};

/** Data stripe unit in bytes from -d su= or sunit= (512-byte units), if any. */
export function xfsDataStripeUnitBytes(data: string[]): number | undefined {
  const su = opt(data, 'su');
  if (su !== undefined) return xfsMkfsBytes(su);
  const sunit = opt(data, 'sunit');
  return sunit !== undefined ? Number(sunit) * 512 : undefined;
}

/**
 * The log stripe unit mkfs.xfs writes (bytes), or undefined for none: -l su= / sunit= (512-byte units);
 * else the data stripe unit when it is at most 256 KiB (a larger one makes mkfs fall back to 32 KiB).
 * Source: mkfs.xfs(8) "-l su"; xfs_mkfs.c calculate_log_size/validate_log_stripe.
 */
export function xfsLogStripeUnitBytes(data: string[], log: string[]): number | undefined {
  const su = opt(log, 'su');
  if (su !== undefined) return xfsMkfsBytes(su);
  const sunit = opt(log, 'sunit');
  if (sunit !== undefined) return Number(sunit) * 512;
  const dsu = xfsDataStripeUnitBytes(data);
  if (dsu === undefined || dsu === 0) return undefined;
  return dsu <= XFS_LOG_SU_MAX ? dsu : 32 * 1024;
}

/**
 * Allocation group size mkfs.xfs picks (bytes): -d agsize=, or size / -d agcount=, else its default —
 * 4 AGs on a single device below 4 TiB (AG ≤ 1 TiB above), and with a stripe geometry (multidisk) 2^shift
 * AGs by size (shift 0 < 32 MiB, 1 < 64 MiB, 2 < 128 MiB, 3 ≤ 8 GiB, 4 ≤ 512 GiB, 5 above).
 * Source: xfsprogs mkfs/xfs_mkfs.c calc_default_ag_geometry.
 */
export function xfsAgBytes(sizeBytes: number, data: string[]): number {
  const agsize = opt(data, 'agsize');
  if (agsize !== undefined) return xfsMkfsBytes(agsize) ?? sizeBytes;
  const agcount = opt(data, 'agcount');
  if (agcount !== undefined && Number(agcount) > 0) return Math.floor(sizeBytes / Number(agcount));
  const multidisk = (xfsDataStripeUnitBytes(data) ?? 0) > 0;
  if (!multidisk) return sizeBytes >= 4 * 2 ** 40 ? Math.min(XFS_AG_MAX_BYTES, sizeBytes) : Math.floor(sizeBytes / 4);
  const shift = sizeBytes > 512 * GiB ? 5 : sizeBytes > 8 * GiB ? 4 : sizeBytes >= 128 * MiB ? 3 : sizeBytes >= 64 * MiB ? 2 : sizeBytes >= 32 * MiB ? 1 : 0;
  return Math.floor(sizeBytes / 2 ** shift);
}

/**
 * AG size in 4 KiB blocks of an XFS made with a data stripe (mkfs.xfs -d su=,sw= / sunit=,swidth=):
 * xfsAgBytes rounded up to the stripe unit, then, when it is a multiple of the stripe width (and the
 * width is wider than the unit, with more than one AG), one stripe unit less, so the AG headers do not
 * all land on one disk. Undefined without a data stripe. Source: xfsprogs 6.1 mkfs/xfs_mkfs.c
 * align_ag_geometry; measured: 2 GiB with su=64k,sw=2 has agblocks 65520 (kernel "agsize(65520)").
 */
export function xfsStripedAgBlocks(sizeBytes: number, data: string[]): number | undefined {
  const su = xfsDataStripeUnitBytes(data);
  if (!su || su % 4096 !== 0) return undefined;
  const unit = su / 4096;
  const swBytes = opt(data, 'sw') !== undefined ? Number(opt(data, 'sw')) * su : opt(data, 'swidth') !== undefined ? Number(opt(data, 'swidth')) * 512 : su;
  const width = Math.floor(swBytes / 4096);
  const agBytes = xfsAgBytes(sizeBytes, data);
  let ag = Math.ceil(Math.floor(agBytes / 4096) / unit) * unit;
  const agcount = Math.max(1, Math.floor(sizeBytes / agBytes));
  if (width > unit && ag % width === 0 && agcount > 1) ag -= unit;
  return ag;
}

export interface MkfsHit {
  rule: 'JTS-MKFS-SIZE' | 'JTS-MKFS-FORMAT';
  /** Which list and index the finding points at ('size' = the volume's size). */
  field: 'size' | 'features' | 'data' | 'log' | 'extended';
  index: number;
  message: string;
}

const fmt = (n: number) => (n >= GiB && n % GiB === 0 ? `${n / GiB} GiB` : n >= MiB ? `${+(n / MiB).toFixed(2)} MiB` : `${n / 1024} KiB`);
const idx = (list: string[], name: string) => {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.split('=')[0] === name) return i;
  return -1;
};

/** XFS mkfs parameters against the volume's size and the format's rules. sizeBytes undefined: size unknown (skip size checks). */
export function xfsMkfsHits(sizeBytes: number | undefined, features: string[], data: string[], log: string[]): MkfsHit[] {
  const out: MkfsHit[] = [];
  const v4 = opt(features, 'crc') === '0';
  // On-disk format: V5-only features on V4, V4-only log versions on V5.
  if (v4) {
    for (const f of ['reflink', 'rmapbt', 'bigtime', 'inobtcount', 'finobt']) {
      if (opt(features, f) === '1') out.push({ rule: 'JTS-MKFS-FORMAT', field: 'features', index: idx(features, f), message: `-m ${f}=1 needs a V5 filesystem (crc=1); mkfs.xfs refuses it with crc=0` });
    }
  } else {
    if (opt(log, 'version') === '1') out.push({ rule: 'JTS-MKFS-FORMAT', field: 'log', index: idx(log, 'version'), message: '-l version=1 on a V5 (crc=1) filesystem: mkfs.xfs refuses it ("V2 logs are required for CRC enabled filesystems")' });
    if (opt(log, 'lazy-count') === '0') out.push({ rule: 'JTS-MKFS-FORMAT', field: 'log', index: idx(log, 'lazy-count'), message: '-l lazy-count=0 on a V5 (crc=1) filesystem: mkfs.xfs refuses it ("lazy superblock counters always enabled for CRC enabled filesystems")' });
  }
  const lsu = xfsLogStripeUnitBytes(data, log);
  const lsuExplicit = opt(log, 'su') ?? opt(log, 'sunit');
  if (lsuExplicit !== undefined && lsu !== undefined && lsu > XFS_LOG_SU_MAX)
    out.push({ rule: 'JTS-MKFS-FORMAT', field: 'log', index: Math.max(idx(log, 'su'), idx(log, 'sunit')), message: `log stripe unit ${fmt(lsu)} is above the 256 KiB the log supports` });
  // Stripe geometry: both or neither, a multiple of the 4 KiB block, swidth a multiple of sunit.
  const su = opt(data, 'su') !== undefined ? xfsMkfsBytes(opt(data, 'su')!) : opt(data, 'sunit') !== undefined ? Number(opt(data, 'sunit')) * 512 : undefined;
  const sw = opt(data, 'sw') !== undefined && su !== undefined ? Number(opt(data, 'sw')) * su : opt(data, 'swidth') !== undefined ? Number(opt(data, 'swidth')) * 512 : undefined;
  const suAt = Math.max(idx(data, 'su'), idx(data, 'sunit'));
  if (su !== undefined && sw !== undefined && su > 0) {
    if (su % XFS_BLOCK !== 0 || sw % XFS_BLOCK !== 0) out.push({ rule: 'JTS-MKFS-FORMAT', field: 'data', index: suAt, message: `stripe unit ${su} B / width ${sw} B must be multiples of the 4096-byte block: "Stripe unit(${su}) or stripe width(${sw}) is not a multiple of the block size(4096)"` });
    else if (sw % su !== 0) out.push({ rule: 'JTS-MKFS-FORMAT', field: 'data', index: Math.max(idx(data, 'sw'), idx(data, 'swidth')), message: `stripe width (${sw}) must be a multiple of the stripe unit (${su})` });
  }
  if (opt(log, 'internal') === '0' && opt(log, 'logdev') === undefined) out.push({ rule: 'JTS-MKFS-FORMAT', field: 'log', index: idx(log, 'internal'), message: '-l internal=0 needs an external log device (logdev=), which the plan does not make: "No device name specified"' });
  const agc = opt(data, 'agcount');
  if (agc !== undefined && Number(agc) < 2) out.push({ rule: 'JTS-MKFS-SIZE', field: 'data', index: idx(data, 'agcount'), message: `agcount=${agc}: "Filesystem must have at least 2 superblocks for redundancy!" (xfsprogs ≥ 5.19)` });
  if (sizeBytes === undefined) return out;
  const agsz = opt(data, 'agsize') !== undefined ? xfsMkfsBytes(opt(data, 'agsize')!) : undefined;
  if (agsz !== undefined && agsz > sizeBytes) out.push({ rule: 'JTS-MKFS-SIZE', field: 'data', index: idx(data, 'agsize'), message: `agsize=${opt(data, 'agsize')} is larger than the ${fmt(sizeBytes)} volume ("agsize … too big, data area is … blocks")` });
  if (sizeBytes < XFS_MIN_FS_BYTES)
    out.push({ rule: 'JTS-MKFS-SIZE', field: 'size', index: -1, message: `the volume is ${fmt(sizeBytes)}; mkfs.xfs (xfsprogs ≥ 5.19) refuses filesystems below 300 MiB: "Filesystem must be larger than 300MB."` });
  const ag = xfsAgBytes(sizeBytes, data);
  const agField = idx(data, 'agsize') >= 0 ? idx(data, 'agsize') : idx(data, 'agcount');
  if (ag < XFS_AG_MIN_BYTES && agField >= 0)
    out.push({ rule: 'JTS-MKFS-SIZE', field: 'data', index: agField, message: `allocation groups of ${fmt(ag)} on a ${fmt(sizeBytes)} volume: mkfs.xfs needs at least 16 MiB per AG` });
  if (ag > XFS_AG_MAX_BYTES && agField >= 0)
    out.push({ rule: 'JTS-MKFS-SIZE', field: 'data', index: agField, message: `allocation groups of ${fmt(ag)}: mkfs.xfs allows at most 1 TiB per AG` });
  const ls = opt(log, 'size');
  const logBytes = ls === undefined ? undefined : xfsMkfsBytes(ls);
  if (logBytes === undefined && opt(log, 'internal') !== '0' && sizeBytes >= XFS_MIN_FS_BYTES && ag >= XFS_AG_MIN_BYTES && ag - XFS_AG_OVERHEAD < XFS_LOG_DEFAULT_MIN_BYTES)
    out.push({
      rule: 'JTS-MKFS-SIZE',
      field: agField >= 0 ? 'data' : suAt >= 0 ? 'data' : 'size',
      index: agField >= 0 ? agField : suAt,
      message: `allocation groups of ${fmt(ag)}${agField < 0 && suAt >= 0 ? ' (mkfs.xfs makes more, smaller AGs when a stripe unit is given)' : ''} cannot hold the 64 MiB internal log xfsprogs ≥ 5.19 requires: "Log size must be at least 64MB."`,
    });
  if (logBytes !== undefined && opt(log, 'internal') !== '0') {
    const li = idx(log, 'size');
    if (logBytes > XFS_LOG_MAX_BYTES) out.push({ rule: 'JTS-MKFS-SIZE', field: 'log', index: li, message: `-l size=${ls}: an XFS log holds at most 2 GiB − 10 MiB ("log size … blocks too large, maximum size is 521728 blocks")` });
    else if (logBytes < XFS_LOG_DEFAULT_MIN_BYTES) out.push({ rule: 'JTS-MKFS-SIZE', field: 'log', index: li, message: `-l size=${ls}: xfsprogs ≥ 5.19 makes no log below 64 MiB ("Log size must be at least 64MB.")` });
    else if (logBytes > ag - XFS_AG_OVERHEAD) out.push({ rule: 'JTS-MKFS-SIZE', field: 'log', index: li, message: `-l size=${ls}: the internal log must fit in one allocation group, and the ${fmt(sizeBytes)} volume has AGs of ${fmt(ag)} ("log size … blocks too large, maximum size is … blocks")` });
  }
  return out;
}

/**
 * ext4 feature and extended-option combinations mke2fs 1.47.0 refuses, or that make a volume the kernel
 * cannot mount. Defaults (mke2fs.conf "ext4"): has_journal, extent, 64bit, flex_bg, metadata_csum,
 * resize_inode, sparse_super, … — a feature counts as on unless the plan clears it with ^.
 * Source: mke2fs(8), ext4(5), e2fsprogs misc/mke2fs.c; measured with e2fsprogs 1.47.0 on kernel 6.1.
 */
export const EXT4_FEATURE_RULES: { when: (on: (f: string) => boolean, given: (f: string) => boolean) => boolean; at: string; message: string }[] = [
  { when: (on) => on('orphan_file') && !on('has_journal'), at: 'orphan_file', message: 'orphan_file without a journal: "mkfs.ext4: cannot set orphan_file feature without a journal."' },
  { when: (on) => on('meta_bg') && on('resize_inode'), at: 'meta_bg', message: 'meta_bg with resize_inode (on by default; clear it with ^resize_inode): "The resize_inode and meta_bg features are not compatible."' },
  { when: (on) => !on('extent') && on('64bit'), at: '^extent', message: 'no extents on a 64bit filesystem (64bit is on by default): "Extents MUST be enabled for a 64-bit filesystem."' },
  { when: (on) => !on('sparse_super') && on('resize_inode'), at: '^sparse_super', message: '^sparse_super with resize_inode (on by default): "reserved online resize blocks not supported on non-sparse filesystem"' },
  { when: (_on, given) => given('journal_dev'), at: 'journal_dev', message: 'journal_dev makes an external journal device, not a filesystem: the kernel refuses to mount it ("Couldn\'t mount because of unsupported optional features (8)")' },
];
const EXT4_DEFAULT_ON = ['has_journal', 'extent', '64bit', 'flex_bg', 'metadata_csum', 'resize_inode', 'sparse_super', 'huge_file', 'dir_nlink', 'extra_isize', 'large_file', 'filetype', 'dir_index', 'ext_attr'];
/** mke2fs -i bounds: "invalid inode ratio N (min 1024/max 67108864)". */
export const EXT4_INODE_RATIO = { min: 1024, max: 67108864 };

/**
 * ext4 mkfs hits (mke2fs refusals and unmountable results). sizeBytes (the LV's size, when known) adds
 * the size-dependent refusal: an inode ratio that leaves a one-group filesystem (≤ 8 MiB: mke2fs.conf
 * "small" makes 1 KiB blocks, 8192 per group) with 1..12 inodes. mke2fs rounds the inodes per group up
 * to fill the inode blocks (4 per 1 KiB block) and then down to a multiple of 8 (e2fsprogs
 * lib/ext2fs/initialize.c), leaving 8, fewer than the 11 reserved ones: "ext2fs_write_inode_full: Illegal
 * inode number while writing reserved inodes". 0 inodes (ratio above the size) takes mke2fs's default;
 * two groups or more get at least 8 each. Measured with e2fsprogs 1.47.0 (4 and 8 MiB: 1..12 refused,
 * 0 and 14..16 made; 12 MiB and above: all made).
 */
export function ext4MkfsHits(features: string[], extended: string[], inodeRatio: number | undefined, sizeBytes?: number): MkfsHit[] {
  const out: MkfsHit[] = [];
  const norm = (f: string) => (f === 'extents' ? 'extent' : f);
  const state = (f: string): boolean | undefined => {
    for (let i = features.length - 1; i >= 0; i--) {
      const x = features[i]!;
      if (norm(x.replace(/^\^/, '')) === f) return !x.startsWith('^');
    }
    return undefined;
  };
  const on = (f: string) => state(f) ?? EXT4_DEFAULT_ON.includes(f);
  const given = (f: string) => state(f) === true;
  for (const r of EXT4_FEATURE_RULES) {
    if (!r.when(on, given)) continue;
    const name = r.at.replace(/^\^/, '');
    const i = features.findIndex((x) => norm(x.replace(/^\^/, '')) === name);
    out.push({ rule: 'JTS-MKFS-FORMAT', field: 'features', index: i, message: r.message });
  }
  extended.forEach((e, i) => {
    const k = e.split('=')[0];
    if (k === 'offset') out.push({ rule: 'JTS-MKFS-FORMAT', field: 'extended', index: i, message: `-E ${e} writes the filesystem at an offset inside the volume; mounting the volume then fails ("VFS: Can't find ext4 filesystem")` });
    if (k === 'orphan_file_size') out.push({ rule: 'JTS-MKFS-FORMAT', field: 'extended', index: i, message: `-E ${e}: e2fsprogs 1.47.0 fails to create a sized orphan file ("Could not allocate block in ext2 filesystem while creating orphan file", measured at 1 MiB on 512 MiB)` });
  });
  // -E resize=N (blocks): above the size, and it reserves GDT blocks (turning resize_inode on) when N's
  // group descriptors need more blocks than today's; with meta_bg mke2fs then refuses (misc/mke2fs.c
  // parse_extended_opts; measured with e2fsprogs 1.47.0 at 64, 128 and 512 MiB).
  const ri = extended.findIndex((e) => e.split('=')[0] === 'resize');
  const resize = ri >= 0 ? Number(extended[ri]!.split('=')[1]) : NaN;
  if (ri >= 0 && sizeBytes !== undefined && Number.isFinite(resize)) {
    const bs = sizeBytes < 512 * MiB ? 1024 : 4096; // mke2fs.conf "small" (and "floppy"): 1 KiB blocks
    const blocks = Math.floor(sizeBytes / bs);
    const perGroup = 8 * bs;
    const descPerBlock = bs / (on('64bit') ? 64 : 32);
    const descBlocks = (nBlocks: number) => Math.ceil(Math.ceil(nBlocks / perGroup) / descPerBlock);
    if (resize <= blocks) out.push({ rule: 'JTS-MKFS-SIZE', field: 'extended', index: ri, message: `-E ${extended[ri]} is not above the filesystem's ${blocks} blocks of ${bs} bytes: "The resize maximum must be greater than the filesystem size."` });
    else if (on('meta_bg') && descBlocks(resize) > descBlocks(blocks))
      out.push({ rule: 'JTS-MKFS-FORMAT', field: 'extended', index: ri, message: `-E ${extended[ri]} reserves group descriptor blocks, which turns resize_inode on, and meta_bg excludes it: "The resize_inode and meta_bg features are not compatible."` });
  }
  if (inodeRatio !== undefined && inodeRatio >= EXT4_INODE_RATIO.min && inodeRatio <= EXT4_INODE_RATIO.max && sizeBytes !== undefined && sizeBytes <= 8 * MiB) {
    const n = Math.floor(sizeBytes / inodeRatio);
    if (n >= 1 && n <= 12)
      out.push({ rule: 'JTS-MKFS-SIZE', field: 'size', index: -1, message: `inode ratio ${inodeRatio} on ${fmt(sizeBytes)} gives ${n} inode(s) in one block group, which mke2fs rounds to 8, fewer than the 11 reserved inodes ("Illegal inode number while writing reserved inodes"); use a ratio of at most ${Math.floor(sizeBytes / 13)} or a larger volume` });
  }
  if (inodeRatio !== undefined && (inodeRatio < EXT4_INODE_RATIO.min || inodeRatio > EXT4_INODE_RATIO.max))
    out.push({ rule: 'JTS-MKFS-FORMAT', field: 'features', index: -1, message: `inode ratio ${inodeRatio}: mke2fs accepts ${EXT4_INODE_RATIO.min}..${EXT4_INODE_RATIO.max} ("invalid inode ratio")` });
  return out;
}

/** What an AG keeps besides an internal log: 12 blocks (measured, xfsprogs 6.1: "internal log size 32768 too large, must be less than 32757" for 32768-block AGs). */
export const XFS_AG_OVERHEAD = 12 * XFS_BLOCK;
