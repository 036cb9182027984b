import { z } from 'zod';
import * as g from './grammars.js';
import { parseSize } from './units.js';
import { checkVgName } from './names.js';

/**
 * The plan file, as one zod definition. The JSON Schema under schema/ is generated from this
 * (scripts/gen-schema.mjs), so the two never disagree. Every object is strict: an unknown key is an
 * error (with a "did you mean" suggestion, see src/model/load-plan.ts).
 *
 * Every string field carries its grammar (src/model/grammars.ts) as a check here, the one place that
 * says what a field may hold; a failed grammar is an issue with `params.rule` (PLAN-NAME, PLAN-MOUNT-PATH…)
 * that the loader reports at the field's file:line:col. Control characters are refused in every string by
 * the loader's pass over the whole document.
 *
 * Sizes are strings with explicit units, read exactly as LVM reads them: KiB/MiB/GiB/TiB are base 2,
 * KB/MB/GB/TB are base 10 (LVM's own lower-case k/m/g/t also mean base 2), `N%` is a share of the
 * volume group, `rest` takes what is left after the reserve. A bare number is refused (LVM would read it
 * as MiB, a reader as bytes: the tool does not guess). See src/model/units.ts and docs/plan-format.md.
 */

/** A grammar check: an error message, or undefined; a [rule, check] pair gives its own rule id. */
type Check = ((s: string) => string | undefined) | [string, (s: string) => string | undefined];

/**
 * The schema, built with its grammars (`grammars: true`, what every caller uses) or without them (only the
 * shape: the loader uses it to go on to the cross-field checks when the only problems were grammar ones, so
 * every problem of a plan is reported at once).
 */
function buildPlanSchema(grammars: boolean) {
  /** A string field with a grammar; `rule` is the finding's rule id. */
  const text = (rule: string, ...checks: Check[]) =>
    grammars
      ? z.string().check((ctx) => {
          for (const c of checks) {
            const [r, f] = Array.isArray(c) ? c : [rule, c];
            const m = f(ctx.value);
            if (m) {
              ctx.issues.push({ code: 'custom', message: m, input: ctx.value, params: { rule: r } });
              return;
            }
          }
        })
      : z.string();

  // Sizes: strings only. A bare YAML number is refused with the accepted forms, except 0 (the same in every unit).
  const SizeSchema = z
    .union([z.string(), z.number()])
    .check((ctx) => {
      if (!grammars) return;
      const v = ctx.value;
      if (typeof v === 'number') {
        if (v === 0) return;
        ctx.issues.push({
          code: 'custom',
          input: v,
          params: { rule: 'PLAN-SIZE' },
          message:
            `size ${v} has no unit; write it with one: "${Number.isInteger(v) ? v : v}GiB" (base 2, also LVM's g), "…GB" (base 10), "…MiB", "N%" of the VG or "rest". ` +
            `A bare number is refused because LVM reads it as MiB and a reader as bytes: the tool will not guess`,
        });
        return;
      }
      const t = v.trim();
      if (/^0+(\.0+)?\s*([A-Za-z]*|%)$/.test(t)) return; // an explicit zero: allowed where a size is optional (reserve), refused by the loader elsewhere
      try {
        parseSize(t);
      } catch (e) {
        ctx.issues.push({ code: 'custom', input: v, params: { rule: 'PLAN-SIZE' }, message: (e as Error).message });
      }
    })
    .transform((v) => String(v))
    .describe('Size: "800GiB" (base 2), "800GB" (base 10), "20%" of the VG, or "rest". A bare number is refused (LVM reads it as MiB).');

  const TierSchema = z.enum(['hot', 'warm', 'cold']).describe('hot = NVMe, warm = SATA SSD/HDD, cold = NAS');
  const DriveKindSchema = z.enum(['nvme', 'sata-ssd', 'hdd', 'virtio', 'unknown']);
  const WorkloadSchema = z.enum(['postgresql', 'clickhouse', 'kafka', 'mongodb', 'redis', 'system', 'backup', 'generic']);

  const DriveSchema = z
    .strictObject({
      id: text('PLAN-NAME', (s) => g.identError(s, 'drive id')).describe('Plan-local name of the drive, used by volume groups'),
      byId: text('PLAN-DRIVE-IDENTITY', g.byIdError).optional().describe('Stable path under /dev/disk/by-id/'),
      serial: text('PLAN-DRIVE-IDENTITY', (s) => g.serialError(s, 'serial')).optional(),
      wwn: text('PLAN-DRIVE-IDENTITY', (s) => g.serialError(s, 'wwn')).optional(),
      model: text('PLAN-DRIVE-IDENTITY', g.modelError).optional(),
      path: text('PLAN-DRIVE-IDENTITY', g.devPathError).optional().describe('Kernel name like /dev/nvme0n1: unstable across boots; a warning when used alone'),
      tier: TierSchema.default('hot'),
      kind: DriveKindSchema.optional().describe('Drive class; probed when omitted'),
      /** Destroying what is on this drive is allowed only with --allow-destroy naming it. */
    })
    .describe('A physical drive, matched by stable identity');

  const ThinPoolAutoextendSchema = z
    .strictObject({
      /** lvm.conf(5) activation/thin_pool_autoextend_threshold: extend when data or metadata use passes this %; 100 disables; minimum 50 (lvmthin(7)). */
      threshold: z.number().int().min(50).max(100).default(80),
      /** activation/thin_pool_autoextend_percent: extend by this % of the current size. */
      percent: z.number().int().min(1).max(1000).default(20),
    })
    .describe('dmeventd extends the pool from the VG free space (the reserve) when it passes the threshold: an LVM metadata profile attached to the pool (lvmthin(7) "Automatic extend settings")');

  const ThinPoolSchema = z.strictObject({
    name: text('PLAN-NAME', (s) => g.lvNameError(s, 'thin pool')),
    size: SizeSchema,
    metadataSize: SizeSchema.optional(),
    /** lvcreate --chunksize: a multiple of 64 KiB from 64 KiB to 1 GiB (lvmthin(7) "Chunk size"); default lvm2's choice. */
    chunkSize: SizeSchema.optional(),
    autoextend: ThinPoolAutoextendSchema.optional(),
  });

  const VolumeGroupSchema = z.strictObject({
    name: text('PLAN-NAME', g.vgNameError),
    drives: z.array(text('PLAN-NAME', (s) => g.identError(s, 'drive id'))).min(1),
    extentSize: SizeSchema.default('4MiB'),
    dataAlignment: SizeSchema.default('4MiB'),
    reserve: SizeSchema.default('0').describe('VG space kept free for snapshots and growth ("5%", "200GiB")'),
    thinPools: z.array(ThinPoolSchema).default([]),
  });

  const FilesystemSchema = z.strictObject({
    type: z.enum(['ext4', 'xfs', 'swap', 'none']).or(text('PLAN-SCHEMA', g.fsTypeError)),
    label: text('PLAN-NAME', g.labelError).optional(),
    /** ext4 -O feature list, e.g. ["^has_journal", "sparse_super2"]. */
    features: z.array(text('PLAN-MKFS', g.mkfsOptionError)).default([]),
    /** ext4 -E extended options, e.g. ["lazy_itable_init=0", "discard"]. */
    extended: z.array(text('PLAN-MKFS', g.mkfsOptionError)).default([]),
    /** XFS -d data section options, e.g. ["agcount=32", "su=64k", "sw=1"]. */
    data: z.array(text('PLAN-MKFS', g.mkfsOptionError)).default([]),
    /** XFS -l log section options, e.g. ["size=128m"]. */
    log: z.array(text('PLAN-MKFS', g.mkfsOptionError)).default([]),
    /** ext4 -m: reserved-blocks percentage (root reserve). */
    reservedPercent: z.number().min(0).max(50).optional(),
    /** ext4 -i: bytes per inode. */
    inodeRatio: z.number().int().positive().optional(),
  });

  const MountSchema = z.strictObject({
    path: text('PLAN-MOUNT-PATH', g.mountPathError),
    options: z.array(text('PLAN-MOUNT', ['PLAN-SECRET', g.secretOptionError], g.mountOptionError)).default(['defaults']),
    owner: text('PLAN-NAME', (s) => g.ownerError(s, 'user')).default('root'),
    group: text('PLAN-NAME', (s) => g.ownerError(s, 'group')).default('root'),
    mode: z.string().regex(/^0?[0-7]{3,4}$/, 'octal mode like "0750"').default('0755'),
    /** fstab 6th field; default 2 for data volumes. */
    passno: z.number().int().min(0).max(2).optional(),
  });

  const RetentionSchema = z.strictObject({
    keepLast: z.number().int().min(0).default(1),
    hourly: z.number().int().min(0).default(0),
    daily: z.number().int().min(0).default(7),
    weekly: z.number().int().min(0).default(0),
    monthly: z.number().int().min(0).default(0),
    minAge: text('PLAN-SNAPSHOT', g.scheduleError).default('0h').describe('Never prune younger than this ("30m", "2h", "1d")'),
  });

  const SnapshotPolicySchema = z.strictObject({
    type: z.enum(['classic', 'thin']).default('classic'),
    /** COW space for classic snapshots: "10%" of the origin or an absolute size. */
    size: SizeSchema.default('10%'),
    retention: RetentionSchema.default({ keepLast: 1, hourly: 0, daily: 7, weekly: 0, monthly: 0, minAge: '0h' }),
    /** Set name for consistent multi-volume sets taken in one go (an LVM tag). */
    set: text('PLAN-NAME', (s) => g.identError(s, 'snapshot set name')).optional(),
    /** Fill (%) above which health warns/critical for this snapshot. */
    warnFillPercent: z.number().min(1).max(100).default(70),
    critFillPercent: z.number().min(1).max(100).default(85),
  });

  /**
   * A hook command: an argv array (execve, no shell). A plain string is refused (it would need a shell
   * to split it). Checked by hookArgvError (src/model/grammars.ts).
   */
  const HookArgvSchema = z
    .array(z.string().min(1), { error: (iss) => (typeof iss.input === 'string' ? `${JSON.stringify(iss.input)} is a shell string: hook commands are argv arrays run without a shell, write ["/usr/bin/prog", "arg1"]` : undefined) })
    .min(1)
    .check((ctx) => {
      if (!grammars) return;
      const e = g.hookArgvError(ctx.value);
      if (e) ctx.issues.push({ code: 'custom', input: ctx.value, message: e, params: { rule: 'PLAN-HOOK' } });
    })
    .describe('argv array, run without a shell: ["/usr/local/bin/prog", "arg"]');

  /**
   * One hook of a snapshot set, Snapper-style: `pre` runs before the set's snapshots (a failure skips the
   * snapshots), `post` runs after them ALWAYS (also when a pre hook or a snapshot failed). Either commands
   * (pre/post argv) or a built-in: postgresql (pg_backup_start … pg_backup_stop in one session) or redis
   * (BGSAVE, waited for).
   */
  const SnapshotHookSchema = z
    .strictObject({
      name: text('PLAN-NAME', (s) => g.identError(s, 'hook name')).optional(),
      builtin: z.enum(['postgresql', 'redis']).optional().describe('postgresql: pg_backup_start/stop in one session; redis: BGSAVE and wait'),
      pre: HookArgvSchema.optional(),
      post: HookArgvSchema.optional(),
      /** Seconds each phase may take; the command is killed after it (and the phase fails). */
      timeoutS: z.number().int().min(1).max(3600).default(60),
      /** postgresql: the socket directory (psql -h); redis: the unix socket (redis-cli -s). */
      socket: text('PLAN-HOOK', (s) => g.absPathError(s, 'socket')).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      /** postgresql: the OS user psql runs as (runuser -u), also the database role. */
      user: text('PLAN-NAME', (s) => g.ownerError(s, 'user')).optional(),
    })
    .check((ctx) => {
      const h = ctx.value;
      const cmds = h.pre !== undefined || h.post !== undefined;
      if (h.builtin && cmds) ctx.issues.push({ code: 'custom', input: h, message: `a hook is either builtin: ${h.builtin} or pre/post commands, not both`, params: { rule: 'PLAN-HOOK' } });
      if (!h.builtin && !cmds) ctx.issues.push({ code: 'custom', input: h, message: 'a hook needs pre and/or post commands (argv arrays) or builtin: postgresql | redis', params: { rule: 'PLAN-HOOK' } });
    });

  const SnapshotSetSchema = z.strictObject({
    name: text('PLAN-NAME', (s) => g.identError(s, 'snapshot set name')).describe('The set, as volumes name it in snapshot.set'),
    hooks: z.array(SnapshotHookSchema).default([]),
    /** auto: fsfreeze the set's filesystems together when the running kernel is proven to allow a snapshot of a frozen filesystem; never: do not. */
    freeze: z.enum(['auto', 'never']).default('auto'),
  });

  const OverrideSchema = z.strictObject({
    rule: text('PLAN-OVERRIDE', g.ruleIdError).describe('Lint rule id to accept, e.g. JTS-BARRIER-VWC'),
    reason: text('PLAN-REASON', g.reasonError).check(z.minLength(10)).describe('Why this is safe on this host: kept in the plan and printed'),
  });

  const VolumeSchema = z.strictObject({
    name: text('PLAN-NAME', (s) => g.lvNameError(s)),
    vg: text('PLAN-NAME', checkVgName),
    size: SizeSchema,
    workload: WorkloadSchema.default('generic'),
    thinPool: text('PLAN-NAME', (s) => g.lvNameError(s, 'thin pool')).optional().describe('Create as a thin volume in this pool'),
    filesystem: FilesystemSchema.default({ type: 'ext4', features: [], extended: [], data: [], log: [] }),
    mount: MountSchema.optional(),
    /** Read-ahead in 512-byte sectors, or "auto" for the workload default (lvchange -r). */
    readAhead: z.union([z.number().int(), z.literal('auto')]).default('auto'),
    snapshot: SnapshotPolicySchema.optional(),
    overrides: z.array(OverrideSchema).default([]),
  });

  const NetworkMountSchema = z
    .strictObject({
      source: z.string().describe('server:/export for NFS, //server/share for CIFS'),
      path: text('PLAN-MOUNT-PATH', g.mountPathError),
      type: z.enum(['nfs', 'nfs4', 'cifs']),
      options: z.array(text('PLAN-MOUNT', ['PLAN-SECRET', g.secretOptionError], g.mountOptionError)).default(['defaults']),
      tier: TierSchema.default('cold'),
      credentials: text('PLAN-MOUNT', g.credentialsError).optional().describe('CIFS credentials file path (never the secret itself)'),
    })
    .check((ctx) => {
      if (!grammars) return;
      const e = g.networkSourceError(ctx.value.source, ctx.value.type);
      if (e) ctx.issues.push({ code: 'custom', input: ctx.value.source, path: ['source'], message: e, params: { rule: e.includes('password') ? 'PLAN-SECRET' : 'PLAN-MOUNT' } });
    });

  const UserSchema = z.strictObject({
    name: text('PLAN-NAME', (s) => g.ownerError(s, 'user') ?? (/^[0-9]+$/.test(s) ? `user name "${s}" is fully numeric; useradd refuses it (it would be read as a uid)` : undefined)),
    group: text('PLAN-NAME', (s) => g.ownerError(s, 'group') ?? (/^[0-9]+$/.test(s) ? `group name "${s}" is fully numeric; groupadd refuses it` : undefined)).optional(),
    home: text('PLAN-NAME', g.homeError).optional(),
    shell: text('PLAN-NAME', g.shellError).default('/usr/sbin/nologin'),
    system: z.boolean().default(true),
  });

  const sched = () => text('JTS-TUNE-SCHED-NAME', g.schedulerError);
  const SchedulerPolicySchema = z.strictObject({
    nvme: sched().default('none'),
    'sata-ssd': sched().default('mq-deadline'),
    hdd: sched().default('bfq'),
    virtio: sched().default('none'),
  });

  const SysctlSchema = z.strictObject({
    key: text('JTS-TUNE-SYSCTL-KEY', g.sysctlKeyError),
    value: text('JTS-TUNE-SYSCTL-VALUE', g.sysctlValueError),
    reason: text('PLAN-REASON', g.reasonError).check(z.minLength(10)),
    /** Why a key outside the storage allow-list (docs/decisions.md) is set by this plan: required for such keys. */
    override: text('PLAN-REASON', g.reasonError).check(z.minLength(10)).optional().describe('Reason for setting a sysctl key outside the storage allow-list'),
  });

  const TuningSchema = z.strictObject({
    schedulers: SchedulerPolicySchema.default({ nvme: 'none', 'sata-ssd': 'mq-deadline', hdd: 'bfq', virtio: 'none' }),
    trim: z
      .strictObject({
        mode: z.enum(['timer', 'none']).default('timer').describe('timer = util-linux fstrim.timer (weekly)'),
        schedule: text('JTS-TUNE-CALENDAR', g.scheduleError).default('weekly'),
      })
      .default({ mode: 'timer', schedule: 'weekly' }),
    sysctl: z.array(SysctlSchema).default([]),
    snapshotSchedule: text('JTS-TUNE-CALENDAR', g.scheduleError).default('hourly').describe('systemd OnCalendar for snapshot create + prune'),
    healthInterval: text('JTS-TUNE-TIMESPAN', g.scheduleError).default('1min'),
    /** lvm.conf activation/snapshot_autoextend_threshold and _percent (needs dmeventd monitoring). */
    snapshotAutoextend: z
      .strictObject({ threshold: z.number().int().min(50).max(100).default(70), percent: z.number().int().min(0).default(20) })
      .default({ threshold: 70, percent: 20 }),
  });

  const HealthSchema = z.strictObject({
    warningPercent: z.number().min(1).max(100).default(80),
    criticalPercent: z.number().min(1).max(100).default(90),
    textfileDir: text('JTS-TUNE-PATH', (s) => g.absPathError(s, 'textfile directory')).default('/var/lib/prometheus/node-exporter'),
    temperatureWarnC: z.number().default(70),
    temperatureCritC: z.number().default(80),
  });

  const PlanSchema = z.strictObject({
    version: z.literal(1),
    name: text('PLAN-NAME', g.planNameError).default('jts'),
    drives: z.array(DriveSchema).min(1),
    volumeGroups: z.array(VolumeGroupSchema).min(1),
    volumes: z.array(VolumeSchema).default([]),
    networkMounts: z.array(NetworkMountSchema).default([]),
    /** Hooks and freezing per snapshot set (the sets are named by the volumes' snapshot.set). */
    snapshotSets: z.array(SnapshotSetSchema).default([]),
    users: z.array(UserSchema).default([]),
    groups: z.array(text('PLAN-NAME', (s) => g.ownerError(s, 'group') ?? (/^[0-9]+$/.test(s) ? `group name "${s}" is fully numeric; groupadd refuses it` : undefined))).default([]),
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

  return {
    SizeSchema, TierSchema, DriveKindSchema, WorkloadSchema, DriveSchema, ThinPoolSchema, VolumeGroupSchema, FilesystemSchema, MountSchema,
    RetentionSchema, SnapshotPolicySchema, SnapshotHookSchema, SnapshotSetSchema, OverrideSchema, VolumeSchema, NetworkMountSchema, UserSchema, SchedulerPolicySchema, TuningSchema,
    HealthSchema, PlanSchema,
  };
}

const S = buildPlanSchema(true);
/** The plan's shape without the field grammars (src/model/load-plan.ts: cross-field checks after grammar errors). */
export const PlanShapeSchema = buildPlanSchema(false).PlanSchema;

export const SizeSchema = S.SizeSchema;
export const TierSchema = S.TierSchema;
export const DriveKindSchema = S.DriveKindSchema;
export const WorkloadSchema = S.WorkloadSchema;
export type Workload = z.infer<typeof WorkloadSchema>;
export const DriveSchema = S.DriveSchema;
export const ThinPoolSchema = S.ThinPoolSchema;
export const VolumeGroupSchema = S.VolumeGroupSchema;
export const FilesystemSchema = S.FilesystemSchema;
export const MountSchema = S.MountSchema;
export const RetentionSchema = S.RetentionSchema;
export const SnapshotPolicySchema = S.SnapshotPolicySchema;
export const SnapshotHookSchema = S.SnapshotHookSchema;
export const SnapshotSetSchema = S.SnapshotSetSchema;
export const OverrideSchema = S.OverrideSchema;
export const VolumeSchema = S.VolumeSchema;
export const NetworkMountSchema = S.NetworkMountSchema;
export const UserSchema = S.UserSchema;
export const SchedulerPolicySchema = S.SchedulerPolicySchema;
export const TuningSchema = S.TuningSchema;
export const HealthSchema = S.HealthSchema;
export const PlanSchema = S.PlanSchema;

export type Plan = z.infer<typeof PlanSchema>;
export type Drive = z.infer<typeof DriveSchema>;
export type VolumeGroup = z.infer<typeof VolumeGroupSchema>;
export type Volume = z.infer<typeof VolumeSchema>;
export type Filesystem = z.infer<typeof FilesystemSchema>;
export type Mount = z.infer<typeof MountSchema>;
export type SnapshotPolicy = z.infer<typeof SnapshotPolicySchema>;
export type SnapshotHook = z.infer<typeof SnapshotHookSchema>;
export type SnapshotSet = z.infer<typeof SnapshotSetSchema>;
export type Retention = z.infer<typeof RetentionSchema>;
export type NetworkMount = z.infer<typeof NetworkMountSchema>;
export type User = z.infer<typeof UserSchema>;
export type Tuning = z.infer<typeof TuningSchema>;
