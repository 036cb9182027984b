/**
 * Desired (fstab) mount options vs the kernel's live ones (findmnt / /proc/self/mountinfo), so that an
 * applied host plans to ZERO actions.
 *
 * The kernel's list is not the fstab list: it drops fstab-only words (defaults, nofail, x-systemd.*),
 * hides defaults (ext4 data=ordered, commit=5, barrier; VFS rw/async/dev/exec/suid), turns aliases
 * into one spelling (ext4 barrier=0 → nobarrier, logbsize=262144 → logbsize=256k), and adds its own
 * (relatime, seclabel, XFS attr2/inode64/noquota/logbufs, ext4 errors=remount-ro, stripe=N from the
 * superblock). The comparison therefore asks two questions only:
 *   1. is every desired option that the kernel shows present (after normalising both sides)?
 *   2. is any live option one that only a user sets (discard, nobarrier, ro, data=writeback…)
 *      present without being desired?
 * Facts are data: per filesystem, which options are fstab-only, hidden defaults, significant, and
 * which can change with `mount -o remount` (ext4(5)/ext4.rst "Mount options", xfs(5), mount(8)).
 */

/** Options mount(8)/systemd read from fstab and never hand to the kernel (or the kernel never shows). */
const FSTAB_ONLY = new Set(['defaults', 'auto', 'noauto', 'nofail', 'user', 'users', 'nouser', 'owner', 'group', '_netdev', 'sw']);
const FSTAB_ONLY_PREFIX = ['x-', 'comment=', 'pri=', 'credentials=', 'uhelper=', 'helper='];

/** VFS defaults the kernel does not print. */
const VFS_HIDDEN = new Set(['rw', 'async', 'dev', 'exec', 'suid', 'nolazytime', 'diratime', 'loud']);

interface FsFacts {
  /** Normalise one option to the kernel's spelling; undefined = a hidden default (drop). */
  normalize(o: string): string | undefined;
  /** Live options that only a user sets: present-but-not-desired means drift. */
  significant(o: string): boolean;
  /** Options (by name, before "=") that `mount -o remount` can change on this filesystem. */
  remountable: Set<string>;
}

const GENERIC_SIGNIFICANT = new Set(['ro', 'sync', 'dirsync', 'nodev', 'nosuid', 'noexec', 'lazytime', 'mand']);
const GENERIC_REMOUNTABLE = new Set(['ro', 'rw', 'sync', 'async', 'dirsync', 'nodev', 'dev', 'nosuid', 'suid', 'noexec', 'exec', 'lazytime', 'nolazytime', 'noatime', 'relatime', 'strictatime', 'nodiratime', 'diratime']);

function optName(o: string): string {
  const i = o.indexOf('=');
  return i < 0 ? o : o.slice(0, i);
}

/** "256k", "262144", "1m" → bytes; undefined when not a size. */
function sizeValue(v: string): number | undefined {
  const m = /^(\d+)([kmg]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Number(m[1]) * mult[m[2]!.toLowerCase()]!;
}

/** XFS prints logbsize/allocsize in k (xfs_fs_show_options: "%dk"). */
function xfsSize(name: string, v: string): string {
  const b = sizeValue(v);
  return b === undefined ? `${name}=${v}` : `${name}=${b / 1024}k`;
}

const EXT4: FsFacts = {
  normalize(o) {
    if (o === 'barrier=0' || o === 'nobarrier') return 'nobarrier';
    if (o === 'barrier' || o === 'barrier=1') return undefined;
    if (o === 'data=ordered' || o === 'nodiscard' || o === 'auto_da_alloc' || o === 'delalloc' || o === 'commit=5' || o === 'commit=0') return undefined;
    if (o === 'user_xattr' || o === 'acl' || o === 'dioread_nolock' || o === 'block_validity') return undefined;
    // Printed only when not the default (ext4 super.c _ext4_show_options): errors= at the superblock's
    // default (mke2fs: continue), journal_ioprio=3 (IOPRIO_NORM), init_itable=10 (EXT4_DEF_LI_WAIT_MULT).
    if (o === 'errors=continue' || o === 'journal_ioprio=3' || o === 'init_itable=10') return undefined;
    return o;
  },
  significant(o) {
    const n = optName(o);
    return ['nobarrier', 'discard', 'journal_async_commit', 'noauto_da_alloc', 'nodelalloc', 'dax', 'commit', 'data', 'nojournal_checksum', 'journal_checksum'].includes(n) && o !== 'data=ordered';
  },
  remountable: new Set(['commit', 'barrier', 'nobarrier', 'discard', 'nodiscard', 'errors', 'data_err', 'init_itable', 'noinit_itable', 'auto_da_alloc', 'noauto_da_alloc', 'max_batch_time', 'min_batch_time', 'journal_ioprio', 'resuid', 'resgid', 'block_validity', 'noblock_validity']),
};

const XFS: FsFacts = {
  normalize(o) {
    const n = optName(o);
    // logbufs=8 is the default (xfs(5)); some kernels print it, some do not.
    if (o === 'attr2' || o === 'inode64' || o === 'noquota' || o === 'nodiscard' || o === 'logbufs=8') return undefined;
    if (n === 'logbsize' || n === 'allocsize') return xfsSize(n, o.slice(n.length + 1));
    return o;
  },
  significant(o) {
    // logbufs/logbsize are left out on purpose: some kernels print their defaults.
    return ['discard', 'largeio', 'swalloc', 'wsync', 'noalign', 'allocsize', 'inode32', 'dax', 'norecovery', 'nouuid', 'filestreams'].includes(optName(o));
  },
  // xfs_fs_reconfigure: only ro/rw and inode32/inode64 change; the rest needs a fresh mount.
  remountable: new Set(['inode32', 'inode64']),
};

const OTHER: FsFacts = {
  normalize: (o) => o,
  significant: () => false,
  remountable: new Set(),
};

function facts(fstype: string): FsFacts {
  if (fstype === 'ext4' || fstype === 'ext3' || fstype === 'ext2') return EXT4;
  if (fstype === 'xfs') return XFS;
  return OTHER;
}

export function isFstabOnly(o: string): boolean {
  return FSTAB_ONLY.has(o) || FSTAB_ONLY_PREFIX.some((p) => o.startsWith(p));
}

type Atime = 'noatime' | 'relatime' | 'strictatime';

/** The atime mode an fstab list asks for (the last one wins, as in mount(8)); relatime is the kernel default. */
export function desiredAtime(opts: string[]): Atime {
  let a: Atime = 'relatime';
  for (const o of opts) if (o === 'noatime' || o === 'relatime' || o === 'strictatime') a = o;
  return a;
}
/** The kernel prints "noatime" or "relatime", and nothing for strictatime. */
export function liveAtime(opts: string[]): Atime {
  if (opts.includes('noatime')) return 'noatime';
  if (opts.includes('relatime')) return 'relatime';
  return 'strictatime';
}

/**
 * One option in the kernel's spelling (ext4 barrier=0 → nobarrier, XFS logbsize=262144 → 256k);
 * undefined for what the comparison leaves out: fstab-only words, hidden defaults, atime modes
 * (compared apart, see desiredAtime/liveAtime).
 */
export function kernelSpelling(fstype: string, o: string): string | undefined {
  if (isFstabOnly(o) || VFS_HIDDEN.has(o)) return undefined;
  if (o === 'noatime' || o === 'relatime' || o === 'strictatime') return undefined;
  return facts(fstype).normalize(o);
}

function normalizeAll(fstype: string, opts: string[]): Set<string> {
  const out = new Set<string>();
  for (const o of opts) {
    const n = kernelSpelling(fstype, o);
    if (n !== undefined) out.add(n);
  }
  return out;
}

/** The option's name, before "=" ("commit=30" → "commit"). */
export function optionName(o: string): string {
  return optName(o);
}

/** What `mount -o remount` must be told to undo a live option (the flag is not cleared by omission). */
const NEGATION: Record<string, string> = {
  ro: 'rw',
  sync: 'async',
  nodev: 'dev',
  nosuid: 'suid',
  noexec: 'exec',
  lazytime: 'nolazytime',
  discard: 'nodiscard',
  nobarrier: 'barrier',
  noauto_da_alloc: 'auto_da_alloc',
};

export interface MountOptionDiff {
  /** Desired options the kernel does not show (kernel spelling). */
  missing: string[];
  /** Live options only a user would set, not desired. */
  unwanted: string[];
  atime?: { want: Atime; have: Atime };
  /** True when nothing differs. */
  same: boolean;
  /** Options `mount -o remount,…` must carry to converge, when all differences are remountable. */
  remountOptions?: string[];
  /** Differences a remount cannot change: an unmount + mount is needed. */
  notRemountable: string[];
}

/**
 * The one comparison of a mount's options (plan/fstab `desired` vs the kernel's `live` list from
 * findmnt) used by diff (remount or not), verify (drift) and health (drift finding): the same live
 * state gets the same verdict from all three. Rules: fstab-only words are ignored, both sides are
 * normalised to the kernel's spelling with hidden defaults dropped, the atime mode is compared as a
 * mode (relatime when none is asked: mount(8)), and a live option only a user sets is drift.
 */
export function compareMountOptions(fstype: string, desired: string[], live: string[]): MountOptionDiff {
  const f = facts(fstype);
  const want = normalizeAll(fstype, desired);
  const have = normalizeAll(fstype, live);
  // noatime implies nodiratime: the kernel shows nodiratime only when it was asked for explicitly.
  const missingFinal = [...want].filter((o) => !have.has(o) && !(o === 'nodiratime' && liveAtime(live) === 'noatime'));
  const unwanted = [...have].filter((o) => !want.has(o) && (GENERIC_SIGNIFICANT.has(o) || f.significant(o)));
  const wa = desiredAtime(desired);
  const ha = liveAtime(live);
  const atime = wa !== ha ? { want: wa, have: ha } : undefined;
  const same = missingFinal.length === 0 && unwanted.length === 0 && !atime;
  const notRemountable: string[] = [];
  const remount: string[] = [];
  const canRemount = (o: string) => GENERIC_REMOUNTABLE.has(optName(o)) || f.remountable.has(optName(o));
  for (const o of missingFinal) (canRemount(o) ? remount.push(o) : notRemountable.push(o));
  for (const o of unwanted) {
    const neg = NEGATION[o] ?? (optName(o) === 'commit' ? 'commit=0' : undefined);
    if (neg && canRemount(neg) && canRemount(o)) remount.push(neg);
    else notRemountable.push(`-${o}`);
  }
  if (atime) remount.push(atime.want);
  return { missing: missingFinal, unwanted, atime, same, remountOptions: notRemountable.length ? undefined : remount, notRemountable };
}
