import { z } from 'zod';

/**
 * The plan file, as one zod definition. The JSON Schema under schema/ is generated from this
 * (scripts/gen-schema.mjs), so the two never disagree. Every object is strict: an unknown key is an
 * error (with a "did you mean" suggestion, see src/model/load-plan.ts).
 *
 * Sizes are strings with explicit units, read exactly as LVM reads them: KiB/MiB/GiB/TiB are base 2,
 * KB/MB/GB/TB are base 10 (LVM's own lower-case k/m/g/t also mean base 2), `N%` is a share of the
 * volume group, `rest` takes what is left after the reserve. See src/model/units.ts.
 */

// A bare YAML number (size: 1073741824) is read as bytes, like the string form; kept as a string for the model.
export const SizeSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .describe('Size: "800GiB" (base 2), "800GB" (base 10), "20%" of the VG, or "rest". A bare number is bytes.');

export const TierSchema = z.enum(['hot', 'warm', 'cold']).describe('hot = NVMe, warm = SATA SSD/HDD, cold = NAS');

export const DriveKindSchema = z.enum(['nvme', 'sata-ssd', 'hdd', 'virtio', 'unknown']);

export const WorkloadSchema = z.enum(['postgresql', 'clickhouse', 'kafka', 'mongodb', 'redis', 'system', 'backup', 'generic']);
export type Workload = z.infer<typeof WorkloadSchema>;

export const DriveSchema = z
  .strictObject({
    id: z.string().describe('Plan-local name of the drive, used by volume groups'),
    byId: z.string().optional().describe('Stable path under /dev/disk/by-id/'),
    serial: z.string().optional(),
    wwn: z.string().optional(),
    model: z.string().optional(),
    path: z.string().optional().describe('Kernel name like /dev/nvme0n1: unstable across boots; a warning when used alone'),
    tier: TierSchema.default('hot'),
    kind: DriveKindSchema.optional().describe('Drive class; probed when omitted'),
    /** Destroying what is on this drive is allowed only with --allow-destroy naming it. */
  })
  .describe('A physical drive, matched by stable identity');

export const ThinPoolSchema = z.strictObject({
  name: z.string(),
  size: SizeSchema,
  metadataSize: SizeSchema.optional(),
});

export const VolumeGroupSchema = z.strictObject({
  name: z.string(),
  drives: z.array(z.string()).min(1),
  extentSize: SizeSchema.default('4MiB'),
  dataAlignment: SizeSchema.default('4MiB'),
  reserve: SizeSchema.default('0').describe('VG space kept free for snapshots and growth ("5%", "200GiB")'),
  thinPools: z.array(ThinPoolSchema).default([]),
});

export const FilesystemSchema = z.strictObject({
  type: z.enum(['ext4', 'xfs', 'swap', 'none']).or(z.string()),
  label: z.string().optional(),
  /** ext4 -O feature list, e.g. ["^has_journal", "sparse_super2"]. */
  features: z.array(z.string()).default([]),
  /** ext4 -E extended options, e.g. ["lazy_itable_init=0", "discard"]. */
  extended: z.array(z.string()).default([]),
  /** XFS -d data section options, e.g. ["agcount=32", "su=64k", "sw=1"]. */
  data: z.array(z.string()).default([]),
  /** XFS -l log section options, e.g. ["size=128m"]. */
  log: z.array(z.string()).default([]),
  /** ext4 -m: reserved-blocks percentage (root reserve). */
  reservedPercent: z.number().min(0).max(50).optional(),
  /** ext4 -i: bytes per inode. */
  inodeRatio: z.number().int().positive().optional(),
});

export const MountSchema = z.strictObject({
  path: z.string(),
  options: z.array(z.string()).default(['defaults']),
  owner: z.string().default('root'),
  group: z.string().default('root'),
  mode: z.string().regex(/^0?[0-7]{3,4}$/, 'octal mode like "0750"').default('0755'),
  /** fstab 6th field; default 2 for data volumes. */
  passno: z.number().int().min(0).max(2).optional(),
});

export const RetentionSchema = z.strictObject({
  keepLast: z.number().int().min(0).default(1),
  hourly: z.number().int().min(0).default(0),
  daily: z.number().int().min(0).default(7),
  weekly: z.number().int().min(0).default(0),
  monthly: z.number().int().min(0).default(0),
  minAge: z.string().default('0h').describe('Never prune younger than this ("30m", "2h", "1d")'),
});

export const SnapshotPolicySchema = z.strictObject({
  type: z.enum(['classic', 'thin']).default('classic'),
  /** COW space for classic snapshots: "10%" of the origin or an absolute size. */
  size: SizeSchema.default('10%'),
  retention: RetentionSchema.default({ keepLast: 1, hourly: 0, daily: 7, weekly: 0, monthly: 0, minAge: '0h' }),
  /** Set name for consistent multi-volume sets taken in one go. */
  set: z.string().optional(),
  /** Fill (%) above which health warns/critical for this snapshot. */
  warnFillPercent: z.number().min(1).max(100).default(70),
  critFillPercent: z.number().min(1).max(100).default(85),
});

export const OverrideSchema = z.strictObject({
  rule: z.string().describe('Lint rule id to accept, e.g. JTS-BARRIER-VWC'),
  reason: z.string().min(10).describe('Why this is safe on this host: kept in the plan and printed'),
});

export const VolumeSchema = z.strictObject({
  name: z.string(),
  vg: z.string(),
  size: SizeSchema,
  workload: WorkloadSchema.default('generic'),
  thinPool: z.string().optional().describe('Create as a thin volume in this pool'),
  filesystem: FilesystemSchema.default({ type: 'ext4', features: [], extended: [], data: [], log: [] }),
  mount: MountSchema.optional(),
  /** Read-ahead in 512-byte sectors, or "auto" for the workload default (lvchange -r). */
  readAhead: z.union([z.number().int(), z.literal('auto')]).default('auto'),
  snapshot: SnapshotPolicySchema.optional(),
  overrides: z.array(OverrideSchema).default([]),
});

export const NetworkMountSchema = z.strictObject({
  source: z.string().describe('server:/export for NFS, //server/share for CIFS'),
  path: z.string(),
  type: z.enum(['nfs', 'nfs4', 'cifs']),
  options: z.array(z.string()).default(['defaults']),
  tier: TierSchema.default('cold'),
  credentials: z.string().optional().describe('CIFS credentials file path (never the secret itself)'),
});

export const UserSchema = z.strictObject({
  name: z.string(),
  group: z.string().optional(),
  home: z.string().optional(),
  shell: z.string().default('/usr/sbin/nologin'),
  system: z.boolean().default(true),
});

export const SchedulerPolicySchema = z.strictObject({
  nvme: z.string().default('none'),
  'sata-ssd': z.string().default('mq-deadline'),
  hdd: z.string().default('bfq'),
  virtio: z.string().default('none'),
});

export const TuningSchema = z.strictObject({
  schedulers: SchedulerPolicySchema.default({ nvme: 'none', 'sata-ssd': 'mq-deadline', hdd: 'bfq', virtio: 'none' }),
  trim: z
    .strictObject({
      mode: z.enum(['timer', 'none']).default('timer').describe('timer = util-linux fstrim.timer (weekly)'),
      schedule: z.string().default('weekly'),
    })
    .default({ mode: 'timer', schedule: 'weekly' }),
  sysctl: z.array(z.strictObject({ key: z.string(), value: z.string(), reason: z.string().min(10) })).default([]),
  snapshotSchedule: z.string().default('hourly').describe('systemd OnCalendar for snapshot create + prune'),
  healthInterval: z.string().default('1min'),
  /** lvm.conf activation/snapshot_autoextend_threshold and _percent (needs dmeventd monitoring). */
  snapshotAutoextend: z
    .strictObject({ threshold: z.number().int().min(50).max(100).default(70), percent: z.number().int().min(0).default(20) })
    .default({ threshold: 70, percent: 20 }),
});

export const HealthSchema = z.strictObject({
  warningPercent: z.number().min(1).max(100).default(80),
  criticalPercent: z.number().min(1).max(100).default(90),
  textfileDir: z.string().default('/var/lib/prometheus/node-exporter'),
  temperatureWarnC: z.number().default(70),
  temperatureCritC: z.number().default(80),
});

export const PlanSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().default('jts'),
  drives: z.array(DriveSchema).min(1),
  volumeGroups: z.array(VolumeGroupSchema).min(1),
  volumes: z.array(VolumeSchema).default([]),
  networkMounts: z.array(NetworkMountSchema).default([]),
  users: z.array(UserSchema).default([]),
  groups: z.array(z.string()).default([]),
  tuning: TuningSchema.default({
    schedulers: { nvme: 'none', 'sata-ssd': 'mq-deadline', hdd: 'bfq', virtio: 'none' },
    trim: { mode: 'timer', schedule: 'weekly' },
    sysctl: [],
    snapshotSchedule: 'hourly',
    healthInterval: '1min',
    snapshotAutoextend: { threshold: 70, percent: 20 },
  }),
  health: HealthSchema.default({
    warningPercent: 80,
    criticalPercent: 90,
    textfileDir: '/var/lib/prometheus/node-exporter',
    temperatureWarnC: 70,
    temperatureCritC: 80,
  }),
});

export type Plan = z.infer<typeof PlanSchema>;
export type Drive = z.infer<typeof DriveSchema>;
export type VolumeGroup = z.infer<typeof VolumeGroupSchema>;
export type Volume = z.infer<typeof VolumeSchema>;
export type Filesystem = z.infer<typeof FilesystemSchema>;
export type Mount = z.infer<typeof MountSchema>;
export type SnapshotPolicy = z.infer<typeof SnapshotPolicySchema>;
export type Retention = z.infer<typeof RetentionSchema>;
export type NetworkMount = z.infer<typeof NetworkMountSchema>;
export type User = z.infer<typeof UserSchema>;
export type Tuning = z.infer<typeof TuningSchema>;
