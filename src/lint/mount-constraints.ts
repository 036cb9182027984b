/**
 * Mount options the kernel refuses only in combination: with each other, with the filesystem's on-disk
 * format (ext4 features, XFS V4/V5 and the log stripe unit made by mkfs) and with the device. The
 * constraints are data (EXT4_CONSTRAINTS, XFS_CONSTRAINTS): each states the kernel's message, its
 * source and kernel range, and a predicate over the EFFECTIVE options (the last value of an option
 * wins, as in the kernel's parser).
 *
 * Sources: fs/ext4/super.c (ext4_check_opt_consistency, ext4_fill_super "can't mount with …"),
 * fs/xfs/xfs_super.c (xfs_fs_validate_params, xfs_finish_flags), fs/xfs/xfs_log.c; measured on
 * kernel 6.1 (test/fixtures/kernel-truth/sweep.json).
 */
import { splitOption } from './facts.js';
import { xfsMountBytes } from './kernel-limits.js';
import { xfsLogStripeUnitBytes, xfsDataStripeUnitBytes, xfsStripedAgBlocks } from './mkfs-limits.js';

/** What a constraint sees: the options in order, the mkfs options of the volume. */
export interface MountContext {
  fs: 'ext4' | 'xfs';
  /** Raw options, in plan order. */
  options: string[];
  /** ext4 -O features / XFS -m options, as in the plan. */
  features: string[];
  xfsData: string[];
  xfsLog: string[];
  /** The LV's size in bytes, when the layout knows it (XFS: the AG size the mount's sunit must divide). */
  sizeBytes?: number;
}

/** Effective view of the options (last one wins). */
export class EffectiveOptions {
  readonly list: { name: string; value: string | undefined; index: number }[];
  constructor(options: string[]) {
    this.list = options.flatMap((o, index) => o.split(',').filter(Boolean).map((p) => ({ ...splitOption(p), index })));
  }
  /** Index (in the plan's list) of the last occurrence of any of the names, or -1. */
  last(...names: string[]): number {
    for (let i = this.list.length - 1; i >= 0; i--) if (names.includes(this.list[i]!.name)) return i;
    return -1;
  }
  has(name: string): boolean {
    return this.last(name) >= 0;
  }
  value(name: string): string | undefined {
    const i = this.last(name);
    return i < 0 ? undefined : this.list[i]!.value;
  }
  /** Plan index of the option entry (for the finding's location). */
  at(name: string): number {
    const i = this.last(name);
    return i < 0 ? -1 : this.list[i]!.index;
  }
  /** true when the last of (on, off) is `on`. */
  flag(on: string, off: string): boolean {
    const i = this.last(on, off);
    return i >= 0 && this.list[i]!.name === on;
  }
}

export interface ConstraintHit {
  rule: 'JTS-MOUNTOPT-COMBINATION' | 'JTS-MOUNTOPT-FORMAT';
  /** Option index in the plan's mount.options (-1: the options as a whole). */
  index: number;
  message: string;
  source: string;
}

interface Constraint {
  fs: 'ext4' | 'xfs';
  rule: ConstraintHit['rule'];
  /** Kernel versions it holds for ("4.19+": since; all measured on 6.1). */
  kernels: string;
  source: string;
  /** The option entry the finding points at and the message, when the kernel refuses; else undefined. */
  check: (o: EffectiveOptions, c: MountContext) => { at: string; message: string } | undefined;
}

const E4 = 'fs/ext4/super.c';
const XS = 'fs/xfs/xfs_super.c';
const hasFeature = (c: MountContext, f: string) => c.features.includes(f) && !c.features.includes(`^${f}`);
/** ext4 mounted without a journal: -O ^has_journal, or norecovery/noload (then the journal is not loaded). */
const ext4NoJournal = (o: EffectiveOptions, c: MountContext) => c.features.includes('^has_journal') || o.has('norecovery') || o.has('noload');
const ext4DataMode = (o: EffectiveOptions) => o.value('data') ?? 'ordered';
const xfsV4 = (c: MountContext) => c.features.some((f) => /^crc=0$/.test(f));
const xfsRo = (o: EffectiveOptions) => o.flag('ro', 'rw');

export const EXT4_CONSTRAINTS: Constraint[] = [
  {
    fs: 'ext4',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '3.x+',
    source: `${E4} ext4_fill_super ("can't mount with journal_async_commit in data=ordered mode"); the default data mode is ordered`,
    check: (o, c) =>
      o.has('journal_async_commit') && !ext4NoJournal(o, c) && ext4DataMode(o) === 'ordered'
        ? { at: 'journal_async_commit', message: `journal_async_commit needs data=journal or data=writeback; with ${o.has('data') ? 'data=ordered' : 'the default data=ordered'} the kernel refuses: "EXT4-fs: can't mount with journal_async_commit in data=ordered mode"` }
        : undefined,
  },
  {
    fs: 'ext4',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '3.x+',
    source: `${E4} ext4_check_opt_consistency ("can't mount with both data=journal and delalloc")`,
    check: (o) => (ext4DataMode(o) === 'journal' && o.has('delalloc') ? { at: 'delalloc', message: 'data=journal with delalloc: "EXT4-fs: can\'t mount with both data=journal and delalloc" (an explicit delalloc is refused even if nodelalloc follows)' } : undefined),
  },
  {
    fs: 'ext4',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '5.9+',
    source: `${E4} ext4_check_opt_consistency ("can't mount with both data=journal and dax")`,
    check: (o) => {
      const dax = o.last('dax');
      const v = dax >= 0 ? o.list[dax]!.value : undefined;
      return ext4DataMode(o) === 'journal' && dax >= 0 && (v === undefined || v === 'always') ? { at: 'dax', message: 'data=journal with dax: "EXT4-fs: can\'t mount with both data=journal and dax"' } : undefined;
    },
  },
  {
    fs: 'ext4',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '2.6.29+',
    source: `${E4} ext4_fill_super (no-journal checks: "can't mount with data=, fs mounted w/o journal"); norecovery/noload mount without loading the journal`,
    check: (o, c) => {
      if (c.features.includes('^has_journal') || !ext4NoJournal(o, c)) return undefined;
      const bad = ['data', 'journal_checksum', 'journal_async_commit'].find((n) => o.has(n)) ?? (o.has('commit') && !['0', '5'].includes(o.value('commit') ?? '') ? 'commit' : undefined);
      const by = o.has('norecovery') ? 'norecovery' : 'noload';
      return bad ? { at: bad, message: `${bad}${bad === 'data' || bad === 'commit' ? '=' : ''} with ${by}: ${by} mounts without the journal, and the kernel refuses journal options then: "EXT4-fs: can't mount with ${bad === 'data' ? 'data=' : bad}, fs mounted w/o journal"` } : undefined;
    },
  },
  {
    fs: 'ext4',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '2.6.35+',
    source: `${E4} ext4_parse_param ("journaled quota format not specified")`,
    check: (o) => ((o.has('usrjquota') || o.has('grpjquota')) && !o.has('jqfmt') ? { at: o.has('usrjquota') ? 'usrjquota' : 'grpjquota', message: 'usrjquota=/grpjquota= without jqfmt=: "EXT4-fs: journaled quota format not specified"' } : undefined),
  },
  {
    fs: 'ext4',
    rule: 'JTS-MOUNTOPT-FORMAT',
    kernels: '4.5+',
    source: `${E4} ("Project quota feature not enabled. Cannot enable project quota enforcement."); ext4(5) project`,
    check: (o, c) => (o.has('prjquota') && !hasFeature(c, 'project') ? { at: 'prjquota', message: 'prjquota on an ext4 made without -O project: "EXT4-fs: Project quota feature not enabled. Cannot enable project quota enforcement."' } : undefined),
  },
  {
    fs: 'ext4',
    rule: 'JTS-MOUNTOPT-FORMAT',
    kernels: '5.x+',
    source: `${E4} ("test_dummy_encryption requires encrypt feature"); ext4(5) encrypt`,
    check: (o, c) => (o.has('test_dummy_encryption') && !hasFeature(c, 'encrypt') ? { at: 'test_dummy_encryption', message: 'test_dummy_encryption on an ext4 made without -O encrypt: "EXT4-fs: test_dummy_encryption requires encrypt feature"' } : undefined),
  },
];

export const XFS_CONSTRAINTS: Constraint[] = [
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '2.6+',
    source: `${XS} xfs_fs_validate_params ("no-recovery mounts must be read-only.")`,
    check: (o) => (o.has('norecovery') && !xfsRo(o) ? { at: 'norecovery', message: 'norecovery without ro: "XFS: no-recovery mounts must be read-only."' } : undefined),
  },
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '2.6+',
    source: `${XS} xfs_fs_validate_params ("sunit and swidth must be specified together")`,
    check: (o) => (o.has('sunit') !== o.has('swidth') ? { at: o.has('sunit') ? 'sunit' : 'swidth', message: 'sunit= and swidth= must be given together: "XFS: sunit and swidth must be specified together"' } : undefined),
  },
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '2.6+',
    source: `${XS} xfs_fs_validate_params ("stripe width (N) must be a multiple of the stripe unit (M)")`,
    check: (o) => {
      const su = Number(o.value('sunit'));
      const sw = Number(o.value('swidth'));
      if (!o.has('sunit') || !o.has('swidth') || !Number.isFinite(su) || !Number.isFinite(sw)) return undefined;
      if (su === 0 && sw !== 0) return { at: 'sunit', message: `sunit=0 with swidth=${sw}` };
      return su > 0 && sw % su !== 0 ? { at: 'swidth', message: `swidth=${sw} is not a multiple of sunit=${su}: "XFS: stripe width (${sw}) must be a multiple of the stripe unit (${su})"` } : undefined;
    },
  },
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-FORMAT',
    kernels: '2.6+',
    source: `${XS} xfs_fs_validate_params, fs/xfs/xfs_mount.c xfs_validate_new_dalign ("alignment check failed: sunit/swidth vs. blocksize", "… vs. agsize", "cannot change alignment: superblock does not support data alignment")`,
    check: (o, c) => {
      const su = Number(o.value('sunit'));
      const sw = Number(o.value('swidth'));
      if (!o.has('sunit') || !o.has('swidth') || !(su > 0) || !Number.isFinite(sw) || sw % su !== 0) return undefined;
      if (su % 8 !== 0 || sw % 8 !== 0) return { at: 'sunit', message: `sunit=${su}/swidth=${sw} (512-byte units) are not multiples of the 4096-byte block (8): "XFS: alignment check failed: sunit/swidth vs. blocksize(4096)"` };
      if (!((xfsDataStripeUnitBytes(c.xfsData) ?? 0) > 0)) return { at: 'sunit', message: 'sunit=/swidth= on an XFS made without a data stripe unit (mkfs.xfs -d su=/sunit=): "XFS: cannot change alignment: superblock does not support data alignment"' };
      // The new stripe unit must divide the AG size (fs/xfs/xfs_mount.c xfs_validate_new_dalign).
      const ag = c.sizeBytes ? xfsStripedAgBlocks(c.sizeBytes, c.xfsData) : undefined;
      return ag && ag % (su / 8) !== 0 ? { at: 'sunit', message: `sunit=${su} (${su / 8} blocks) does not divide the AG size mkfs.xfs makes (${ag} blocks): "XFS: alignment check failed: sunit/swidth vs. agsize(${ag})"` } : undefined;
    },
  },
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-COMBINATION',
    kernels: '2.6+',
    source: `${XS} xfs_fs_validate_params ("sunit and swidth options incompatible with the noalign option")`,
    check: (o) => (o.has('noalign') && (o.has('sunit') || o.has('swidth')) ? { at: 'noalign', message: 'noalign with sunit=/swidth=: "XFS: sunit and swidth options incompatible with the noalign option"' } : undefined),
  },
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-FORMAT',
    kernels: '3.10+',
    source: `${XS} xfs_finish_flags ("Cannot mount a V5 filesystem as noattr2. Attribute2 is always enabled for V5 filesystems.")`,
    check: (o, c) => (o.has('noattr2') && !xfsV4(c) ? { at: 'noattr2', message: 'noattr2 on a V5 (crc=1) XFS: "XFS: Cannot mount a V5 filesystem as noattr2. Attribute2 is always enabled for V5 filesystems."' } : undefined),
  },
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-FORMAT',
    kernels: '3.10+',
    source: `${XS} xfs_finish_flags ("Super block does not support project and group quota together")`,
    check: (o, c) =>
      xfsV4(c) && (o.has('pquota') || o.has('prjquota') || o.has('pqnoenforce')) && (o.has('gquota') || o.has('grpquota') || o.has('gqnoenforce'))
        ? { at: o.has('pquota') ? 'pquota' : o.has('prjquota') ? 'prjquota' : 'pqnoenforce', message: 'project and group quota together on a V4 (crc=0) XFS: "XFS: Super block does not support project and group quota together"' }
        : undefined,
  },
  {
    fs: 'xfs',
    rule: 'JTS-MOUNTOPT-FORMAT',
    kernels: '2.6.20+',
    source: `${XS} xfs_finish_flags ("logbuf size must be greater than or equal to log stripe size"); mkfs.xfs(8) -l su (the log stripe unit defaults to the data stripe unit when that is at most 256 KiB)`,
    check: (o, c) => {
      const v = o.value('logbsize');
      const lb = v === undefined ? undefined : xfsMountBytes(v);
      const lsu = xfsLogStripeUnitBytes(c.xfsData, c.xfsLog);
      return lb !== undefined && lb > 0 && lsu !== undefined && lb < lsu
        ? { at: 'logbsize', message: `logbsize=${v} is smaller than the log stripe unit mkfs sets (${lsu / 1024} KiB): "XFS: logbuf size must be greater than or equal to log stripe size"` }
        : undefined;
    },
  },
];

/** Every refused combination of the volume's mount options (empty when the kernel mounts it). */
export function mountConstraintHits(c: MountContext): ConstraintHit[] {
  const o = new EffectiveOptions(c.options);
  const table = c.fs === 'ext4' ? EXT4_CONSTRAINTS : XFS_CONSTRAINTS;
  const out: ConstraintHit[] = [];
  for (const k of table) {
    const hit = k.check(o, c);
    if (hit) out.push({ rule: k.rule, index: o.at(hit.at), message: hit.message, source: `${k.source}; kernel ${k.kernels}` });
  }
  return out;
}
