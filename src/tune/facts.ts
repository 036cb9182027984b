/**
 * What tune needs to know about the live host, read through the Runner with a fixed number of tool
 * calls whatever the number of drives and volumes: one `udevadm info --export-db` (which whole disk each
 * plan drive is, and the udev property naming it: ./drive-scope.ts), one read per sysfs file (4 per plan
 * drive, 1 per active LV; disks the plan does not declare are never read), one `lvs`, one `findmnt`, at
 * most one `systemctl show` for all timers, and one read per managed file. tests/tune/facts.test.ts
 * counts them at 1 and at many drives.
 */
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import { classOfDisk, desiredScheduler, parseSchedulerFile, SCHEDULER_NAME_RE, type DriveClass } from '../facts/drive-classes.js';
import type { ReadAhead } from '../facts/readahead-defaults.js';
import { LEGACY_UDEV_RULE_PATHS, UDEV_RULE_PATH } from '../render/udev.js';
import { readUdevDb } from '../host/udev.js';
import { scopeFromUdev, udevWholeDisks, type ScopedDrive } from './drive-scope.js';
import { ALL_MANAGED_UNIT_PATHS, FSTRIM_TIMER, HEALTH_TIMER, OWN_FSTRIM_TIMER, SNAPSHOT_TIMER } from '../render/systemd.js';
import { readRenderFacts } from './render-facts.js';
import { SYSCTL_PATH, procSysPath } from '../render/sysctl.js';
import { LVS_READAHEAD_ARGV, parseLvmJson, readLvmReport, type LvmLv } from '../host/lvm.js';
import { FINDMNT_LIST_ARGV, readMountTable, type MountEntry } from '../host/findmnt.js';
import { readQueueAttr } from '../host/sysfs.js';
import { num } from '../host/json.js';

export interface DiskFacts {
  name: string; // nvme0n1
  /** The plan drive this disk is (tune reads and changes no other disk). */
  driveId?: string;
  /** The udev property the rule matches it by (./drive-scope.ts); undefined: no rule line for it. */
  udev?: ScopedDrive['udev'];
  cls: DriveClass;
  rotational?: boolean;
  schedulers: string[];
  scheduler?: string;
  /** "write back" (volatile cache) or "write through". */
  writeCache?: string;
  discardMaxBytes?: number;
}

export interface LvFacts {
  vg: string;
  name: string;
  /** LVM's configured read-ahead (lv_read_ahead): 'auto' or sectors. */
  readAhead?: ReadAhead;
  /** What the kernel uses now for the LV's queue (lv_kernel_read_ahead), in sectors; undefined when inactive. */
  kernelReadAheadSectors?: number;
  /** dm-N kernel name when active. */
  dmName?: string;
  /** "major:minor" of the active LV (to find its mount). */
  devno?: string;
  discardMaxBytes?: number;
  mountpoint?: string;
  /** The filesystem is mounted with online `discard`. */
  mountDiscard?: boolean;
}

export interface TimerFacts {
  unit: string;
  loadState?: string;
  unitFileState?: string; // enabled, disabled, static...
  activeState?: string; // active, inactive...
  /** Next elapse, ISO 8601, when systemd knows it. */
  nextRun?: string;
  lastRun?: string;
}

export interface SystemdFacts {
  /** systemd is PID 1 (sd_booted(3): /run/systemd/system exists). */
  running: boolean;
  /** Why not, in words, when not running. */
  reason?: string;
  timers: TimerFacts[];
}

export interface TuneFacts {
  /** The plan's drives found on the host, one whole disk each, with a drive class: the only disks tune touches. */
  disks: DiskFacts[];
  /** Every plan drive: found (name, udev property) or why not. */
  drives: ScopedDrive[];
  /** The udev database could not be read: why (no drive is then in scope, and the rule file is left alone). */
  udevError?: string;
  /** Whole NVMe/SCSI/virtio disks of the host that are not plan drives (the root disk among them): never read nor changed. */
  otherDisks: string[];
  lvs: LvFacts[];
  /** lvs could not run (no LVM, or no device-mapper): why. */
  lvsError?: string;
  systemd: SystemdFacts;
  /** Current content of every managed file (undefined = missing). */
  files: Record<string, string | undefined>;
  distributionFstrimTimer?: { path: string; onCalendar: string[] };
  fstrimPath?: string;
  /** Current /proc/sys values of the plan's sysctl keys (undefined = unknown key). */
  sysctl: Record<string, string | undefined>;
  /** systemd-udevd is running (its control socket exists): a new rule file needs a reload. */
  udevRunning: boolean;
  pageSizeBytes: number;
  /**
   * Schedulers the plan wants that some disk does not list yet but the kernel can load: a scheduler
   * built as a module (bfq, kyber) is listed only once loaded, and writing its name to
   * queue/scheduler makes the kernel load "<name>-iosched" itself (block/elevator.c, elevator_change).
   */
  loadableSchedulers: string[];
}


export const LVS_ARGV = LVS_READAHEAD_ARGV;
export const FINDMNT_ARGV = FINDMNT_LIST_ARGV;

async function readTrim(r: Runner, p: string): Promise<string | undefined> {
  try {
    return (await r.readFileIfExists(p))?.trim();
  } catch {
    return undefined;
  }
}

/** lvs --units b --nosuffix (host/lvm.ts): read-ahead "auto" or bytes; kernel read-ahead -1 when inactive. */
export function parseLvsReadAhead(json: string): Omit<LvFacts, 'discardMaxBytes' | 'mountpoint' | 'mountDiscard'>[] {
  return readAheadRows(parseLvmJson(json, 'lvs').lvs);
}

function readAheadRows(rows: LvmLv[]): LvFacts[] {
  return rows.map((lv) => {
    // dm-N is the kernel name of an active LV: minor ≥ 0 and lv_attr[4] (state) 'a'.
    const active = lv.majMin !== undefined && lv.attr[4] === 'a';
    return {
      vg: lv.vg,
      name: lv.hidden ? `[${lv.name}]` : lv.name,
      readAhead: lv.readAhead === undefined || lv.readAhead === 'auto' ? lv.readAhead : Math.round(lv.readAhead / 512),
      kernelReadAheadSectors: lv.kernelReadAheadBytes !== undefined ? Math.round(lv.kernelReadAheadBytes / 512) : undefined,
      dmName: active ? `dm-${lv.kernelMinor}` : undefined,
      devno: active ? lv.majMin : undefined,
    };
  });
}

/** `systemctl show` output: blocks of KEY=VALUE separated by blank lines, one per unit, in order. */
export function parseSystemctlShow(text: string, units: string[]): TimerFacts[] {
  const blocks = text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  const out: TimerFacts[] = [];
  const byId = new Map<string, Record<string, string>>();
  for (const b of blocks) {
    const kv: Record<string, string> = {};
    for (const line of b.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
    }
    if (kv.Id) byId.set(kv.Id, kv);
  }
  for (const unit of units) {
    const kv = byId.get(unit);
    if (!kv) {
      out.push({ unit });
      continue;
    }
    out.push({
      unit,
      loadState: kv.LoadState,
      unitFileState: kv.UnitFileState || undefined,
      activeState: kv.ActiveState,
      nextRun: systemdTime(kv.NextElapseUSecRealtime),
      lastRun: systemdTime(kv.LastTriggerUSec),
    });
  }
  return out;
}

/** "@1732190400" (--timestamp=unix), or a formatted date, or empty/"n/a". */
function systemdTime(v: string | undefined): string | undefined {
  if (!v || v === 'n/a' || v === '0') return undefined;
  const m = /^@(\d+)$/.exec(v.trim());
  if (m) return new Date(Number(m[1]) * 1000).toISOString();
  return v.trim();
}

export const TIMER_UNITS = [FSTRIM_TIMER, OWN_FSTRIM_TIMER, HEALTH_TIMER, SNAPSHOT_TIMER];

/** Read-ahead, discard and mount point of every LV: one lvs, one findmnt, one sysfs read per active LV. */
async function readVolumeFacts(r: Runner): Promise<{ lvs: LvFacts[]; lvsError?: string }> {
  let lvs: LvFacts[] = [];
  let lvsError: string | undefined;
  try {
    lvs = readAheadRows((await readLvmReport(r, LVS_ARGV)).lvs);
  } catch (e) {
    lvsError = (e as Error).message;
  }
  let mounts: MountEntry[] = [];
  try {
    mounts = await readMountTable(r, FINDMNT_ARGV);
  } catch {
    /* no mounts known: volumes show no mountpoint */
  }
  for (const lv of lvs) {
    if (!lv.dmName) continue;
    lv.discardMaxBytes = num(await readQueueAttr(r, lv.dmName, 'discard_max_bytes'));
    const m = mounts.find((f) => f.majMin === lv.devno);
    if (m) {
      lv.mountpoint = m.target;
      lv.mountDiscard = m.options.includes('discard');
    }
  }
  return { lvs, lvsError };
}

/**
 * The plan's drives on this host: one `udevadm info --export-db` (each plan drive → one whole disk and its
 * rule property, ./drive-scope.ts), then the four queue files of each plan drive found. Disks the plan
 * does not declare are listed by name only, never read.
 */
export async function readUdevScope(r: Runner, plan: Plan): Promise<Pick<TuneFacts, 'disks' | 'drives' | 'udevError' | 'otherDisks'>> {
  const disks: DiskFacts[] = [];
  const otherDisks: string[] = [];
  let drives: ScopedDrive[] = [];
  let udevError: string | undefined;
  try {
    const db = await readUdevDb(r);
    drives = scopeFromUdev(plan, db);
    const mine = new Set(drives.map((d) => d.name).filter(Boolean));
    // The disks tune would manage if the plan declared them (nvme*, sd*, vd*): loop, dm, zram are not worth naming.
    for (const d of udevWholeDisks(db)) if (!mine.has(d.sysname) && (classOfDisk(d.sysname, false) || classOfDisk(d.sysname, true))) otherDisks.push(d.sysname);
  } catch (e) {
    udevError = `the udev database could not be read (${(e as Error).message})`;
    drives = plan.drives.map((d) => ({ id: d.id, problem: udevError }));
  }
  for (const sd of drives) {
    if (!sd.name || disks.some((d) => d.name === sd.name)) continue;
    const name = sd.name;
    const rot = await readQueueAttr(r, name, 'rotational');
    const rotational = rot === undefined ? undefined : rot === '1';
    const cls = classOfDisk(name, rotational);
    if (!cls) {
      sd.problem ??= `${name} is of no drive class tune manages (nvme*, sd*, vd*)`;
      continue;
    }
    const sched = parseSchedulerFile((await readQueueAttr(r, name, 'scheduler')) ?? '');
    disks.push({
      name,
      driveId: sd.id,
      udev: sd.udev,
      cls,
      rotational,
      schedulers: sched.available,
      scheduler: sched.active,
      writeCache: await readQueueAttr(r, name, 'write_cache'),
      discardMaxBytes: num(await readQueueAttr(r, name, 'discard_max_bytes')),
    });
  }

  return { disks, drives, udevError, otherDisks };
}

export interface ReadTuneFactsOptions {
  /**
   * Skip the per-volume facts (lvs read-ahead, findmnt, each LV's discard): `plan`/`apply` leave
   * read-ahead to the diff and their probe has already read LVM and the mounts.
   */
  skipVolumes?: boolean;
}

export async function readTuneFacts(r: Runner, plan: Plan, opts: ReadTuneFactsOptions = {}): Promise<TuneFacts> {
  const { disks, drives, udevError, otherDisks } = await readUdevScope(r, plan);

  // Volumes: one lvs, one findmnt, one read per active LV (skipped when the caller has no use for them).
  const { lvs, lvsError } = opts.skipVolumes ? { lvs: [] as LvFacts[], lvsError: undefined } : await readVolumeFacts(r);

  // systemd: sd_booted() semantics, and one `systemctl show` for every timer we care about.
  const running = await r.exists('/run/systemd/system');
  let reason: string | undefined;
  let timers: TimerFacts[] = TIMER_UNITS.map((unit) => ({ unit }));
  if (!running) {
    const comm = (await readTrim(r, '/proc/1/comm')) ?? 'unknown';
    reason = `systemd is not running here: PID 1 is "${comm}" and /run/systemd/system does not exist, so timers cannot be enabled or started`;
  } else {
    const sr = await r.run(['systemctl', 'show', '--timestamp=unix', '--property=Id,LoadState,UnitFileState,ActiveState,NextElapseUSecRealtime,LastTriggerUSec', '--', ...TIMER_UNITS]);
    if (ok(sr)) timers = parseSystemctlShow(sr.stdout, TIMER_UNITS);
    else reason = `systemctl show failed (exit ${sr.exitCode}): ${sr.stderr.trim()}`;
  }

  const files: Record<string, string | undefined> = {};
  for (const p of [UDEV_RULE_PATH, ...LEGACY_UDEV_RULE_PATHS, ...ALL_MANAGED_UNIT_PATHS, SYSCTL_PATH]) files[p] = await r.readFileIfExists(p).catch(() => undefined);

  const { distributionFstrimTimer, fstrimPath } = await readRenderFacts(r);

  const sysctl: Record<string, string | undefined> = {};
  for (const e of plan.tuning.sysctl) sysctl[e.key] = await readTrim(r, procSysPath(e.key));

  // Wanted schedulers some disk does not list: can the kernel load them? (at most one call per name)
  const loadableSchedulers: string[] = [];
  const missing = new Set<string>();
  for (const d of disks) {
    const want = desiredScheduler(plan.tuning, d.cls);
    if (want && SCHEDULER_NAME_RE.test(want) && !d.schedulers.includes(want)) missing.add(want);
  }
  for (const name of [...missing].sort()) {
    const m = await r.run(['modprobe', '--dry-run', '--quiet', `${name}-iosched`]);
    if (ok(m)) loadableSchedulers.push(name);
  }

  // lvchange rounds read-ahead to the page size: 4 KiB on x86-64, 64 KiB on some arm64/ppc64 kernels.
  const pg = await r.run(['getconf', 'PAGESIZE']);
  const pageSizeBytes = ok(pg) && Number(pg.stdout.trim()) > 0 ? Number(pg.stdout.trim()) : 4096;

  return {
    disks,
    drives,
    udevError,
    otherDisks,
    lvs,
    lvsError,
    systemd: { running, reason, timers },
    files,
    distributionFstrimTimer,
    fstrimPath,
    sysctl,
    udevRunning: await r.exists('/run/udev/control'),
    pageSizeBytes,
    loadableSchedulers,
  };
}
