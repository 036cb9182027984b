/**
 * The lint rules, as a table: id, default severity, the fact each rule states and where the fact comes
 * from. lint.ts evaluates them; docs/lint-rules.md is rendered from this table (renderRulesMarkdown) and a
 * test keeps the two equal.
 */
import { LVM_RULES } from './lvm-rule-table.js';
import { HOST_RULES } from './host-rule-table.js';

export interface RuleInfo {
  id: string;
  severity: 'error' | 'warning' | 'info';
  title: string;
  fact: string;
  source: string;
  /** Which seed defect (../shared/notes/seed-defects.md row) it covers, if any. */
  seed?: string;
}

export const RULES: RuleInfo[] = [
  {
    id: 'JTS-CAPACITY',
    severity: 'error',
    title: 'Volumes do not fit the volume group',
    fact: "LVM sizes are base 2 (G = GiB) and round up to whole extents; a PV loses its metadata area before pe_start. A 4,000,000,000,000-byte drive with 4 MiB extents and --dataalignment 4m holds 953,673 extents = 3725.29 GiB.",
    source: 'lvm(8)/lvcreate(8) size units; pvcreate(8) "Metadata location, size, and alignment"; measured with lvm2 2.03.16',
    seed: '4 TB drive holds 200G+800G+2000G+600G+200G+50G+150G',
  },
  {
    id: 'JTS-SNAPSHOT-RESERVE',
    severity: 'error',
    title: 'No (or too little) free VG space for the snapshots the plan takes',
    fact: 'A classic LVM snapshot takes its copy-on-write space from free extents of the VG; when the VG has none, lvcreate -s fails, and a snapshot whose COW space fills is invalidated (lost).',
    source: 'lvmthin(7)/lvcreate(8) --snapshot; lvm.conf(5) snapshot_autoextend_threshold',
    seed: 'acceptance criteria leave nothing for the snapshots; snapshots kept 7 days with 2–10 GiB COW',
  },
  {
    id: 'JTS-RESERVE-HELD',
    severity: 'warning',
    title: 'Existing VG: LVs outside the plan hold part of the reserve',
    fact: 'Classic snapshots, thin pools (with their hidden metadata and spare) and volumes the plan does not name hold extents of the VG. The layout counts them as used, so a "rest" volume never grows into them, but the free space left for new snapshots is then smaller than the plan\'s reserve.',
    source: 'vgs(8) vg_extent_count, vg_free_count; lvs(8) -a (hidden LVs)',
  },
  {
    id: 'JTS-SNAPSHOT-THIN-NOT-THIN',
    severity: 'error',
    title: 'Thin snapshot policy on a volume that is not thin',
    fact: 'Thin snapshots exist only for thin volumes (in a thin pool); a linear LV can only have classic COW snapshots.',
    source: 'lvmthin(7) "Thin snapshots"',
  },
  {
    id: 'JTS-THIN-OVERCOMMIT',
    severity: 'warning',
    title: 'Thin volumes larger than their pool (error: larger than the pool and the VG free space together)',
    fact: 'A thin pool allocates on write: when its data or metadata reaches 100 %, writes to every thin volume in it queue for 60 s and then fail (or fail at once with --errorwhenfull y). Beyond the pool alone (warning) the volumes can be written only if autoextend grows the pool from the VG free space, so the health threshold on the pool fill must hold; beyond the pool plus the VG free space (error) they cannot all be written — LVM warns "Sum of all thin volume sizes … exceeds the size of thin pool … and the amount of free space in volume group" (LVM-truth sweep).',
    source: 'lvmthin(7) "Thin pool overprovisioning", "Data space exhaustion"; lvm2 lib/metadata/thin_manip.c (pool_check_overprovisioning)',
  },
  {
    id: 'JTS-MOUNTOPT-REMOVED',
    severity: 'error',
    title: 'Mount option removed from the kernel',
    fact: "The kernel refuses to mount with an option it no longer knows: XFS 'nobarrier'/'barrier' were removed in Linux 4.19 (mount fails: xfs: Unknown parameter 'nobarrier').",
    source: 'Documentation/admin-guide/xfs.rst "Removed Mount Options"',
    seed: 'Kafka fstab: nobarrier on XFS',
  },
  {
    id: 'JTS-MOUNTOPT-DEPRECATED',
    severity: 'warning',
    title: 'Deprecated mount option',
    fact: 'The option still mounts on this kernel but is scheduled for removal (or already removed on newer kernels); the fstab line will stop mounting after an upgrade.',
    source: 'Documentation/admin-guide/xfs.rst "Deprecated Mount Options"; mount(8)',
  },
  {
    id: 'JTS-MOUNTOPT-UNKNOWN',
    severity: 'error',
    title: 'Mount option not valid for the filesystem',
    fact: 'ext4 and XFS refuse unknown options at mount time; an fstab line with one fails to mount (and without nofail stops the boot).',
    source: 'Documentation/admin-guide/ext4.rst and xfs.rst "Mount Options"; mount(8)',
  },
  {
    id: 'JTS-MOUNTOPT-VALUE',
    severity: 'error',
    title: 'Mount option with a missing or invalid value',
    fact: 'Options such as data=, commit=, logbufs=, logbsize= take a value from a fixed set or range; anything else fails the mount.',
    source: 'Documentation/admin-guide/ext4.rst and xfs.rst "Mount Options"',
  },
  {
    id: 'JTS-MOUNTOPT-COMBINATION',
    severity: 'error',
    title: 'Mount options the kernel refuses together',
    fact: 'Some options are valid alone and refused in combination: ext4 journal_async_commit with the default data=ordered, data=journal with delalloc or dax, journal options with norecovery/noload, usrjquota= without jqfmt=; XFS norecovery without ro, sunit without swidth (or a swidth that is not a multiple of sunit), noalign with a stripe. The last value of an option wins, as in the kernel\'s parser.',
    source: 'fs/ext4/super.c (ext4_check_opt_consistency, ext4_fill_super); fs/xfs/xfs_super.c (xfs_fs_validate_params); measured on kernel 6.1 (docs/kernel-truth.md)',
  },
  {
    id: 'JTS-MOUNTOPT-FORMAT',
    severity: 'error',
    title: 'Mount option refused by the on-disk format',
    fact: 'The filesystem mkfs makes decides some options: ext4 prjquota needs -O project and test_dummy_encryption -O encrypt; XFS V5 (crc=1) cannot mount noattr2, a V4 XFS cannot take project and group quota together, and logbsize must be at least the log stripe unit mkfs wrote (-l su, or the data stripe unit up to 256 KiB).',
    source: 'fs/ext4/super.c; fs/xfs/xfs_super.c (xfs_finish_flags); mkfs.xfs(8) -l su; measured on kernel 6.1 (docs/kernel-truth.md)',
  },
  {
    id: 'JTS-MOUNTOPT-DEVICE',
    severity: 'error',
    title: 'Mount option needs a device the volume does not have',
    fact: 'ext4 dax (dax=always) needs a DAX-capable block device (persistent memory); an LV on an NVMe or SATA drive is not, and the mount fails ("DAX unsupported by block device"). journal_path=, logdev= and rtdev= name external journal/log/realtime devices that the plan never makes.',
    source: 'fs/ext4/super.c (ext4_fill_super DAX check); Documentation/filesystems/dax.rst; xfs(5) logdev, rtdev; measured on kernel 6.1',
  },
  {
    id: 'JTS-MOUNTOPT-NORECOVERY',
    severity: 'warning',
    title: 'Mount without journal/log recovery',
    fact: 'norecovery/noload mount without replaying the journal or log: after a crash the filesystem is used in an inconsistent state (ext4 even mounts it read-write). XFS refuses norecovery without ro.',
    source: 'ext4(5) and xfs(5) "norecovery"; fs/xfs/xfs_super.c',
  },
  {
    id: 'JTS-MKFS-SIZE',
    severity: 'error',
    title: 'mkfs parameters impossible at the volume\'s size',
    fact: 'mkfs.xfs refuses filesystems below 300 MiB (xfsprogs 5.19+), allocation groups below 16 MiB or above 1 TiB, an internal log larger than one allocation group (4 AGs by default on one drive) or than 2 GiB − 10 MiB, or smaller than its minimum.',
    source: 'mkfs.xfs(8) -d agcount/agsize, -l size; xfsprogs mkfs/xfs_mkfs.c (validate_log_size, calc_default_ag_geometry); measured with xfsprogs 6.1.0 (docs/kernel-truth.md)',
  },
  {
    id: 'JTS-MKFS-FORMAT',
    severity: 'error',
    title: 'mkfs options refused by the on-disk format they ask for',
    fact: 'XFS V5-only features (reflink, rmapbt, bigtime, inobtcount) need crc=1; a V5 XFS needs a version 2 log with lazy counters; a log stripe unit is at most 256 KiB. ext4 feature and extended-option dependencies are refused by mke2fs.',
    source: 'mkfs.xfs(8) -m, -l; mke2fs(8); ext4(5); measured with xfsprogs 6.1.0 and e2fsprogs 1.47.0',
  },
  {
    id: 'JTS-XFS-V4',
    severity: 'warning',
    title: 'Deprecated XFS V4 format',
    fact: 'XFS V4 (crc=0) is deprecated: kernel 6.1 mounts it with "Deprecated V4 format (crc=0) will not be supported after September 2030", and kernels built without CONFIG_XFS_SUPPORT_V4 refuse it.',
    source: 'Documentation/admin-guide/xfs.rst "Deprecated"; fs/xfs/Kconfig XFS_SUPPORT_V4',
  },
  {
    id: 'JTS-PROVE-REFUSED',
    severity: 'error',
    title: 'The kernel refused the filesystem or its mount (plan --prove, apply)',
    fact: 'plan --prove and apply make every distinct (filesystem, mkfs options, mount options, size class) of the plan on a sparse loop image and mount it in a private mount namespace, on the running kernel (or the sandbox\'s when planning offline); this finding carries mkfs\'s or the kernel\'s own refusal.',
    source: 'the running kernel (uname -r); docs/kernel-truth.md',
  },
  {
    id: 'JTS-EXT4-JOURNAL-OPTS',
    severity: 'error',
    title: 'Journal mount options on an ext4 without a journal',
    fact: "ext4 created with -O ^has_journal refuses journal options at mount time: \"EXT4-fs: can't mount with data=, fs mounted w/o journal\" (also commit=, journal_checksum, journal_async_commit).",
    source: 'fs/ext4/super.c (no-journal checks); measured on Debian 12, kernel 6.1',
    seed: 'PostgreSQL/Redis: mkfs.ext4 -O ^has_journal then data=writeback,commit=30',
  },
  {
    id: 'JTS-EXT4-NOJOURNAL-DB',
    severity: 'error',
    title: 'Journal-less ext4 under a database',
    fact: 'Without a journal, a crash or power loss leaves ext4 metadata inconsistent until a full fsck, and files a database just fsync()ed can lose their directory entries or sizes; the database\'s own log does not cover filesystem metadata.',
    source: 'ext4(5) has_journal; Documentation/admin-guide/ext4.rst; PostgreSQL docs 30.1 "Reliability"',
    seed: 'PostgreSQL and Redis on -O ^has_journal',
  },
  {
    id: 'JTS-BARRIER-VWC',
    severity: 'error',
    title: 'Cache flushes (barriers) turned off on a drive with a volatile write cache',
    fact: 'barrier=0/nobarrier stops ext4 from issuing cache flushes. A drive whose write cache is volatile (nvme id-ctrl vwc bit 0; /sys/block/X/queue/write_cache = "write back") can then lose writes the database was told were durable, on power loss.',
    source: 'Documentation/admin-guide/ext4.rst "barrier"; Documentation/block/writeback_cache_control.rst; NVMe Base Specification "Volatile Write Cache"',
    seed: 'barrier=0 / nobarrier for "performance"',
  },
  {
    id: 'JTS-EXT4-SPARSE-SUPER2',
    severity: 'error',
    title: 'sparse_super2 prevents online growth',
    fact: 'A mounted ext4 with sparse_super2 cannot grow: resize2fs stops with "kernel does not support online resize with sparse_super2" (the kernel lists no /sys/fs/ext4/features/sparse_super2, and its own resize ioctl refuses: "Online resizing not supported with sparse_super2"). lvextend -r then fails half-way, the LV grown and the filesystem not, while the database runs; online growth is a stated goal of the specs.',
    source: 'e2fsprogs resize/online.c; fs/ext4/resize.c; ext4(5) sparse_super2; measured: e2fsprogs 1.47.0, kernel 6.1 (docs/seed-defects-proof.md)',
    seed: 'ext4 -O sparse_super2 (PostgreSQL, ClickHouse, Redis)',
  },
  {
    id: 'JTS-EXT4-LAZY-INIT',
    severity: 'info',
    title: 'lazy_itable_init=0 / lazy_journal_init=0 write everything up front',
    fact: 'mke2fs then writes every inode table (about 1/64 of the volume at the default inode ratio) before returning: minutes on a large volume, and the full size in a sparse test image; the kernel otherwise initialises them in the background.',
    source: 'mke2fs(8) -E lazy_itable_init; measured: ~32 GB written for a 2000 GiB volume',
  },
  {
    id: 'JTS-WORKLOAD-FS',
    severity: 'warning',
    title: "Filesystem against the workload vendor's advice",
    fact: "Vendors document which filesystems they test and recommend: MongoDB (WiredTiger) strongly recommends XFS and warns at startup on ext4; ClickHouse: ext4 most reliable, XFS fine; Kafka: XFS or ext4.",
    source: 'MongoDB Production Notes; ClickHouse Usage Recommendations; Apache Kafka docs "Filesystem Selection"',
    seed: 'MongoDB on ext4',
  },
  {
    id: 'JTS-STRIPE-SINGLE-DEVICE',
    severity: 'warning',
    title: 'RAID stripe geometry on a volume that is not striped',
    fact: 'su/sw, sunit/swidth (XFS) and stride/stripe_width (ext4) describe a RAID array; on a linear LV of a single drive they only constrain allocation to imaginary stripe boundaries.',
    source: 'mkfs.xfs(8) -d su/sw; mke2fs(8) -E stride, stripe_width',
    seed: 'XFS -d su=64k,sw=1 and -l su=64k on one NVMe drive',
  },
  {
    id: 'JTS-MKFS-UNKNOWN',
    severity: 'error',
    title: 'mkfs option unknown or invalid for the filesystem',
    fact: 'mke2fs and mkfs.xfs refuse unknown features and suboptions; ext4 -O/-E options mean nothing to mkfs.xfs and XFS -d/-l options nothing to mke2fs.',
    source: 'ext4(5); mke2fs(8); mkfs.xfs(8)',
  },
  {
    id: 'JTS-FS-UNKNOWN',
    severity: 'error',
    title: 'Filesystem the tool cannot create',
    fact: 'The tool creates ext4 and XFS (and swap, or no filesystem); it has no rules, mkfs arguments or tuning for other types.',
    source: 'jts-storage docs/plan-format.md',
  },
  {
    id: 'JTS-FS-LABEL',
    severity: 'error',
    title: 'Filesystem label too long',
    fact: 'An ext4 label holds at most 16 bytes, an XFS label at most 12 characters; mkfs fails otherwise.',
    source: 'mke2fs(8) -L; mkfs.xfs(8) -L',
  },
  {
    id: 'JTS-NOFAIL',
    severity: 'warning',
    title: 'Data volume mounted without nofail',
    fact: 'systemd makes local-fs.target require every fstab mount without nofail: a missing or failed data volume drops the whole host into emergency mode at boot, taking the other databases down with it.',
    source: 'systemd.mount(5) "nofail"; systemd-fstab-generator(8)',
    seed: 'fstab lines without nofail',
  },
  {
    id: 'JTS-DEVICE-TIMEOUT',
    severity: 'info',
    title: 'nofail without a device timeout',
    fact: 'systemd waits 90 s by default for a missing device before giving up on a nofail mount; x-systemd.device-timeout= bounds the boot delay.',
    source: 'systemd.mount(5) "x-systemd.device-timeout="',
  },
  {
    id: 'JTS-DRIVE-UNSTABLE-NAME',
    severity: 'warning',
    title: 'Drive named only by its kernel name',
    fact: 'Kernel names like /dev/nvme0n1 or /dev/sda follow probe order and can change across boots when there are several drives; /dev/disk/by-id links, serials and WWNs do not.',
    source: 'udev(7) persistent device naming; Documentation/admin-guide/devices.rst',
    seed: '/dev/nvme0n1 as the device name',
  },
  {
    id: 'JTS-DRIVE-NOT-FOUND',
    severity: 'error',
    title: 'Plan drive not found',
    fact: 'Every plan drive must match exactly one drive of the host (or of the --drives file) by its stable identity.',
    source: 'jts-storage docs/plan-format.md "drives"',
  },
  {
    id: 'JTS-DRIVE-IDENTITY-CONFLICT',
    severity: 'error',
    title: "Drive identity fields disagree",
    fact: 'When byId, serial and WWN are given they must all name the same drive; otherwise the plan may be pointing at the wrong disk.',
    source: 'jts-storage docs/plan-format.md "drives"',
  },
  ...HOST_RULES,
  {
    id: 'JTS-VG-EXTENT',
    severity: 'error',
    title: 'Extent size incompatible with the drives or the existing VG',
    fact: 'The extent size must be at least the physical sector size of every PV; an existing VG keeps its extent size.',
    source: 'vgcreate(8) --physicalextentsize',
  },
  {
    id: 'JTS-READAHEAD',
    severity: 'warning',
    title: "Read-ahead against the workload vendor's advice",
    fact: 'MongoDB asks for 8–32 sectors of read-ahead with WiredTiger; ClickHouse, Kafka and PostgreSQL read sequentially and should not go below the kernel default (128 KiB = 256 sectors). Read-ahead is set per LV (lvchange -r), not per drive.',
    source: 'MongoDB Production Notes "Readahead"; ClickHouse Usage Recommendations; lvchange(8) --readahead',
    seed: 'one read-ahead for the whole drive',
  },
  {
    id: 'JTS-NOATIME',
    severity: 'info',
    title: 'Database volume without noatime',
    fact: 'Access-time updates turn reads into metadata writes; the vendors of these workloads recommend noatime.',
    source: 'ClickHouse Usage Recommendations; Apache Kafka docs; MongoDB Production Notes',
  },
  {
    id: 'JTS-XFS-PASSNO',
    severity: 'info',
    title: 'fsck pass number on XFS',
    fact: 'fsck.xfs does nothing: XFS replays its log at mount time and is repaired with xfs_repair, so fstab pass 1/2 has no effect.',
    source: 'fsck.xfs(8)',
  },
  {
    id: 'JTS-OWNER-UNDECLARED',
    severity: 'warning',
    title: 'Mount owner or group not declared',
    fact: 'chown fails for a user or group that exists neither in the plan (users:, groups:) nor on the host.',
    source: 'chown(1); useradd(8)',
  },
  {
    id: 'JTS-NETMOUNT-NOFAIL',
    severity: 'warning',
    title: 'Network mount without nofail',
    fact: 'An NFS/CIFS server that is down at boot blocks remote-fs.target; without nofail the boot waits for it.',
    source: 'systemd.mount(5) "nofail", "_netdev"',
  },
  {
    id: 'JTS-OVERRIDE-UNKNOWN',
    severity: 'error',
    title: 'Override names a rule that does not exist',
    fact: 'An override must name a lint rule id (docs/lint-rules.md); a misspelt id would silently accept nothing.',
    source: 'jts-storage docs/lint-rules.md',
  },
  {
    id: 'JTS-OVERRIDE-UNUSED',
    severity: 'info',
    title: 'Override for a rule that did not fire',
    fact: 'The volume overrides a rule that has no finding on it; the override can be removed.',
    source: 'jts-storage docs/lint-rules.md',
  },
  ...LVM_RULES,
];

export const RULE_BY_ID: Map<string, RuleInfo> = new Map(RULES.map((r) => [r.id, r]));

export function rule(id: string): RuleInfo {
  const r = RULE_BY_ID.get(id);
  if (!r) throw new Error(`internal: unknown lint rule ${id}`);
  return r;
}

/** docs/lint-rules.md, generated from the table. */
export function renderRulesMarkdown(): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const lines = [
    '# Lint rules',
    '',
    '<!-- Generated from src/lint/rules.ts by `node dist/src/lint/gen-docs.js`; test/lint/rules-doc.test.ts keeps it in sync. -->',
    '',
    'Every finding names its rule, the plan location as `file:line:col`, the fact it relies on and the source of that fact.',
    'A volume may accept a finding with `overrides: [{ rule: ID, reason: "why this is safe here" }]`: the finding is kept,',
    'marked `overridden` with the reason, and downgraded to info. Plan-format errors (`PLAN-*`, `DRIVES-*`) come from the',
    'loader (src/model/load-plan.ts) and cannot be overridden.',
    '',
    '| id | severity | what | fact | source | seed defect |',
    '| --- | --- | --- | --- | --- | --- |',
    ...RULES.map((r) => `| ${r.id} | ${r.severity} | ${esc(r.title)} | ${esc(r.fact)} | ${esc(r.source)} | ${r.seed ? esc(r.seed) : ''} |`),
    '',
    '## Option facts',
    '',
    'Mount and mkfs options are data in `src/lint/facts.ts` (per filesystem, with kernel version ranges: `addedIn`, `deprecated`,',
    '`removedIn`, `needsJournal`, `barrierOff`, `stripe`). When the kernel release is known (probe, or `kernelRelease:` in a',
    "--drives file) the version ranges apply exactly; when it is not, the linter assumes a kernel at least as new as every",
    'removal it knows (any supported distribution).',
    '',
  ];
  return lines.join('\n');
}
