/**
 * systemd units for what the host must do on a schedule.
 *
 * TRIM: util-linux ships fstrim.service/fstrim.timer (weekly; it trims every filesystem listed in
 * /etc/fstab and mounted). We enable that timer and, only when the plan's schedule differs from the
 * shipped OnCalendar=, add a drop-in. Only where the distribution has no fstrim.timer do we write our
 * own pair. The spec's `fstrim-all.service` (a bash loop over a fixed list of mount points) is not
 * written: it duplicates the shipped unit and forgets any volume added later.
 *
 * Our own units: health (refreshes the Prometheus textfile every plan.tuning.healthInterval) and
 * snapshots (prune + create + prune on plan.tuning.snapshotSchedule, only when a volume has a
 * snapshot policy). ExecStart= uses absolute paths (node and the installed CLI), as systemd requires.
 *
 * Hardening: only options that cannot break what the service does. Both services run LVM and talk to
 * block devices, device-mapper and udev, so none of PrivateDevices=, DevicePolicy=, ProtectClock=
 * (it implies a device allow-list), PrivateNetwork= (libudev/uevents), PrivateIPC= (LVM's udev sync
 * uses SysV semaphores) or MemoryDenyWriteExecute= (node's JIT) is used. ProtectSystem=full
 * (read-only /usr, /boot, /etc) is used for health only: snapshot commands write LVM metadata
 * backups under /etc/lvm.
 */
import type { Plan } from '../model/plan-schema.js';
import { managedHeader, type RenderedFile } from './types.js';
import { assertSame, parseUnit, serializeUnit, type UnitSections } from './parse-back.js';

export const UNIT_DIR = '/etc/systemd/system';
export const HEALTH_SERVICE = 'jts-storage-health.service';
export const HEALTH_TIMER = 'jts-storage-health.timer';
export const SNAPSHOT_SERVICE = 'jts-storage-snapshot.service';
export const SNAPSHOT_TIMER = 'jts-storage-snapshot.timer';
/** Seconds the timer's snapshot commands wait for the host lock (docs/decisions.md "Lock wait"). */
export const SNAPSHOT_LOCK_WAIT_S = 1800;
export const FSTRIM_TIMER = 'fstrim.timer';
export const OWN_FSTRIM_SERVICE = 'jts-storage-fstrim.service';
export const OWN_FSTRIM_TIMER = 'jts-storage-fstrim.timer';
export const FSTRIM_DROPIN = `${UNIT_DIR}/fstrim.timer.d/50-jts-storage.conf`;

/** Every path this renderer may ever write: status and apply look for stale ones among these. */
export const ALL_MANAGED_UNIT_PATHS = [
  `${UNIT_DIR}/${HEALTH_SERVICE}`,
  `${UNIT_DIR}/${HEALTH_TIMER}`,
  `${UNIT_DIR}/${SNAPSHOT_SERVICE}`,
  `${UNIT_DIR}/${SNAPSHOT_TIMER}`,
  `${UNIT_DIR}/${OWN_FSTRIM_SERVICE}`,
  `${UNIT_DIR}/${OWN_FSTRIM_TIMER}`,
  FSTRIM_DROPIN,
];

export interface SystemdRenderOptions {
  /** Absolute argv prefix that runs the CLI, e.g. ["/usr/bin/node", "/opt/jts-storage/bin/jts-storage.js"]. */
  cli: string[];
  /** Absolute path of the plan file the services read (passed as --plan). */
  planFile?: string;
  /** The distribution's fstrim.timer, when it exists (path and its OnCalendar= values). */
  distributionFstrimTimer?: { path: string; onCalendar: string[] };
  /** Absolute path of fstrim, for our own unit where the distribution has no timer. */
  fstrimPath?: string;
}

export interface SystemdRender {
  files: RenderedFile[];
  /** Timers to enable (and start) where systemd runs. */
  enable: string[];
  /** Human lines: what was chosen and why (distribution timer used, drop-in or not...). */
  notes: string[];
}

/**
 * Quote one ExecStart= argument (systemd.service(5) "Command lines"): '%' is a specifier and '$' an
 * environment expansion in ExecStart=, so both are doubled; anything but plain path characters is
 * double-quoted with C escapes.
 */
export function quoteExecArg(a: string, executable = false): string {
  // The executable path gets specifier expansion but no variable expansion: '$' stays single there.
  let s = a.replace(/%/g, '%%');
  if (!executable) s = s.replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(s)) return s;
  s = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return `"${s}"`;
}

export function execLine(argv: string[], prefix = ''): string {
  if (!argv[0] || !argv[0].startsWith('/')) throw new Error(`ExecStart needs an absolute executable path, got ${JSON.stringify(argv[0])}`);
  return `ExecStart=${prefix}${argv.map((a, i) => quoteExecArg(a, i === 0)).join(' ')}`;
}

const COMMON_HARDENING = [
  'NoNewPrivileges=yes',
  'ProtectHome=read-only',
  'ProtectKernelModules=yes',
  'ProtectKernelLogs=yes',
  'ProtectControlGroups=yes',
  'RestrictRealtime=yes',
  'RestrictSUIDSGID=yes',
  'LockPersonality=yes',
];

/** The fstrim unit's hardening: COMMON_HARDENING without ProtectHome= (fstrim skips read-only mounts). */
export const FSTRIM_HARDENING = COMMON_HARDENING.filter((l) => !l.startsWith('ProtectHome='));

function unitFile(path: string, header: string, sections: [string, string[]][], summary: string): RenderedFile {
  // Each line "Key=Value" (split at the first '='); serialized with checks, then read back: the same sections and keys.
  // Description= expands specifiers (systemd.unit(5)): a '%' from the plan is written as '%%'.
  const entry = (l: string): [string, string] => {
    const k = l.slice(0, l.indexOf('='));
    const v = l.slice(l.indexOf('=') + 1);
    return [k, k === 'Description' ? v.replace(/%/g, '%%') : v];
  };
  const intended: UnitSections = sections.map(([name, ls]) => [name, ls.map(entry)]);
  const content = serializeUnit(header, intended);
  assertSame(path, { sections: intended, bad: [] }, parseUnit(content));
  return { path, content, mode: 0o644, summary };
}

/**
 * Whether the distribution's fstrim.timer already runs the plan's schedule (then no drop-in is written):
 * exactly one OnCalendar= value (after parseOnCalendar's resets), textually the plan's. The exported playbook
 * applies the same test in Jinja (src/fleet/playbook.ts, "TRIM").
 */
export function sameTrimSchedule(onCalendar: string[], schedule: string): boolean {
  return onCalendar.length === 1 && onCalendar[0] === schedule;
}

export function renderSystemdUnits(plan: Plan, opts: SystemdRenderOptions): SystemdRender {
  const files: RenderedFile[] = [];
  const enable: string[] = [];
  const notes: string[] = [];
  const planArgs = opts.planFile ? ['--plan', opts.planFile] : [];
  const hdr = (what: string) => managedHeader(plan.name, opts.planFile, what);

  // TRIM.
  const trim = plan.tuning.trim;
  if (trim.mode === 'timer') {
    const dist = opts.distributionFstrimTimer;
    if (dist) {
      enable.push(FSTRIM_TIMER);
      const same = sameTrimSchedule(dist.onCalendar, trim.schedule);
      if (same) notes.push(`TRIM: the distribution's ${FSTRIM_TIMER} (${dist.path}) already runs "${trim.schedule}": used as shipped, no drop-in`);
      else {
        notes.push(`TRIM: the distribution's ${FSTRIM_TIMER} runs "${dist.onCalendar.join(', ')}"; a drop-in sets the plan's "${trim.schedule}"`);
        files.push(
          unitFile(
            FSTRIM_DROPIN,
            hdr(`TRIM schedule for the distribution's ${FSTRIM_TIMER}`),
            // An empty OnCalendar= first clears the shipped value (systemd.timer(5)), else both would apply.
            [['Timer', ['OnCalendar=', `OnCalendar=${trim.schedule}`]]],
            `drop-in: ${FSTRIM_TIMER} on "${trim.schedule}"`,
          ),
        );
      }
    } else {
      const fstrim = opts.fstrimPath ?? '/sbin/fstrim';
      notes.push(`TRIM: no ${FSTRIM_TIMER} on this host: jts-storage's own ${OWN_FSTRIM_TIMER} runs ${fstrim} on "${trim.schedule}"`);
      files.push(
        unitFile(
          `${UNIT_DIR}/${OWN_FSTRIM_SERVICE}`,
          hdr('TRIM where the distribution ships no fstrim.timer'),
          [
            ['Unit', ['Description=Discard unused blocks on the filesystems listed in /etc/fstab (jts-storage)', 'Documentation=man:fstrim(8)', 'ConditionVirtualization=!container']],
            // No ProtectHome=: it makes /home, /root and /run/user read-only (or hidden) in the unit's
            // namespace, and fstrim skips read-only mounts silently, so volumes under them were never
            // trimmed (util-linux issue 948; util-linux dropped it from its own fstrim.service).
            ['Service', ['Type=oneshot', execLine([fstrim, '--fstab', '--verbose']), ...FSTRIM_HARDENING, 'PrivateNetwork=yes', 'ProtectKernelTunables=yes']],
          ],
          'own fstrim service (the distribution has none)',
        ),
        unitFile(
          `${UNIT_DIR}/${OWN_FSTRIM_TIMER}`,
          hdr('TRIM schedule'),
          [
            ['Unit', ['Description=Discard unused blocks (jts-storage), ' + trim.schedule, 'Documentation=man:fstrim(8)']],
            ['Timer', [`OnCalendar=${trim.schedule}`, 'AccuracySec=1h', 'Persistent=true', 'RandomizedDelaySec=6000']],
            ['Install', ['WantedBy=timers.target']],
          ],
          `own fstrim timer on "${trim.schedule}"`,
        ),
      );
      enable.push(OWN_FSTRIM_TIMER);
    }
  } else notes.push('TRIM: the plan says trim.mode "none": no TRIM timer is enabled or changed');

  // Health textfile.
  const healthArgv = [...opts.cli, 'health', ...planArgs, '--format', 'prometheus', '--textfile-dir', plan.health.textfileDir];
  files.push(
    unitFile(
      `${UNIT_DIR}/${HEALTH_SERVICE}`,
      hdr('storage health → Prometheus textfile'),
      [
        ['Unit', [`Description=jts-storage health: refresh the node_exporter textfile in ${plan.health.textfileDir}`, 'After=local-fs.target']],
        [
          'Service',
          [
            'Type=oneshot',
            execLine(healthArgv),
            // health exits 1 (warning) and 2 (critical) after writing the metrics: the textfile is the
            // alert channel, so those runs succeeded; 3 (unknown) and anything else mark the unit failed.
            'SuccessExitStatus=1 2',
            'Nice=10',
            'UMask=0022',
            'ProtectSystem=full',
            ...COMMON_HARDENING,
          ],
        ],
      ],
      `health textfile refresh (${plan.health.textfileDir})`,
    ),
    unitFile(
      `${UNIT_DIR}/${HEALTH_TIMER}`,
      hdr('storage health schedule'),
      [
        ['Unit', [`Description=jts-storage health every ${plan.tuning.healthInterval}`]],
        ['Timer', ['OnBootSec=1min', `OnUnitActiveSec=${plan.tuning.healthInterval}`, 'AccuracySec=1s']],
        ['Install', ['WantedBy=timers.target']],
      ],
      `health every ${plan.tuning.healthInterval}`,
    ),
  );
  enable.push(HEALTH_TIMER);

  // Snapshots: only when some volume has a policy.
  const snapVolumes = plan.volumes.filter((v) => v.snapshot);
  const lockWait = ['--lock-timeout', String(SNAPSHOT_LOCK_WAIT_S)];
  if (snapVolumes.length) {
    files.push(
      unitFile(
        `${UNIT_DIR}/${SNAPSHOT_SERVICE}`,
        hdr('scheduled snapshots'),
        [
          ['Unit', [`Description=jts-storage snapshots: prune, create, prune (${snapVolumes.map((v) => v.name).join(', ')})`, 'After=local-fs.target lvm2-monitor.service']],
          [
            'Service',
            [
              'Type=oneshot',
              // Prune first so expired snapshots free the VG reserve the new ones need ('-': a failed
              // prune must not stop the create); create; prune again to leave exactly the policy.
              // Each waits for the host lock (an apply, a restore, a bench run) up to SNAPSHOT_LOCK_WAIT_S
              // instead of failing at once: the timer never runs in the middle of them, and is not lost.
              execLine([...opts.cli, 'snapshot', 'prune', ...lockWait, ...planArgs], '-'),
              execLine([...opts.cli, 'snapshot', 'create', '--scheduled', ...lockWait, ...planArgs]),
              execLine([...opts.cli, 'snapshot', 'prune', ...lockWait, ...planArgs]),
              ...COMMON_HARDENING,
            ],
          ],
        ],
        `snapshot create + prune for ${snapVolumes.length} volume(s)`,
      ),
      unitFile(
        `${UNIT_DIR}/${SNAPSHOT_TIMER}`,
        hdr('snapshot schedule'),
        [
          ['Unit', [`Description=jts-storage snapshots on "${plan.tuning.snapshotSchedule}"`]],
          ['Timer', [`OnCalendar=${plan.tuning.snapshotSchedule}`, 'Persistent=true']],
          ['Install', ['WantedBy=timers.target']],
        ],
        `snapshots on "${plan.tuning.snapshotSchedule}"`,
      ),
    );
    enable.push(SNAPSHOT_TIMER);
  } else notes.push('snapshots: no volume has a snapshot policy: no snapshot timer');

  return { files, enable, notes };
}

/** OnCalendar= values of a timer unit file (for the distribution's fstrim.timer). */
export function parseOnCalendar(unitText: string): string[] {
  const out: string[] = [];
  let section = '';
  for (const raw of unitText.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    const m = /^OnCalendar\s*=\s*(.*)$/.exec(line);
    if (section === 'Timer' && m) {
      if (m[1] === '') out.length = 0;
      else out.push(m[1]!);
    }
  }
  return out;
}
