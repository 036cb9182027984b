/**
 * `tune status`: what the host has now against what the plan wants, from TuneFacts (read with a fixed
 * number of calls, see facts.ts). Pure: the same facts always give the same report.
 *
 * Drift (exit 2) is anything `tune apply` would change: a scheduler, a read-ahead, a sysctl value,
 * a managed file missing or different, and — only where systemd runs — a timer not enabled/active.
 * Where systemd does not run, timers are reported "not active" with the reason; that is not drift,
 * because `tune apply` cannot change it there.
 */
import { scaleBinary } from '../model/units.js';
import * as path from 'node:path';
import type { LoadedPlan } from '../model/load-plan.js';
import { desiredScheduler } from '../facts/drive-classes.js';
import { desiredReadAhead, readAheadArg, type ReadAhead } from '../facts/readahead-defaults.js';
import type { TuneFacts } from './facts.js';
import { LEGACY_UDEV_RULE_PATHS, renderUdevRules } from '../render/udev.js';
import { ALL_MANAGED_UNIT_PATHS, renderSystemdUnits } from '../render/systemd.js';
import { renderSysctl, SYSCTL_PATH, sysctlValueEquals } from '../render/sysctl.js';
import { driveScopeNotes, udevRuleInput, type TuneOptions } from './actions.js';
import { defaultCliArgv } from './cli-path.js';

export interface DriveStatus {
  /** The plan's drive id. */
  id?: string;
  name: string;
  path: string;
  class: string;
  rotational?: boolean;
  scheduler?: string;
  schedulers: string[];
  wantScheduler?: string;
  writeCache?: string;
  discard: boolean;
  discardMaxBytes?: number;
  drift?: string;
}
export interface VolumeStatus {
  vg: string;
  lv: string;
  workload: string;
  exists: boolean;
  readAhead?: ReadAhead;
  kernelReadAheadSectors?: number;
  wantReadAhead: ReadAhead;
  discard?: boolean;
  mountpoint?: string;
  mountDiscard?: boolean;
  drift?: string;
}
export interface FileStatus {
  path: string;
  state: 'ok' | 'missing' | 'differs' | 'stale';
  drift?: string;
}
export interface TimerStatus {
  unit: string;
  enabled?: boolean;
  active?: boolean;
  nextRun?: string;
  lastRun?: string;
  note?: string;
  drift?: string;
}
export interface SysctlStatus {
  key: string;
  value?: string;
  want: string;
  drift?: string;
}
export interface TuneStatus {
  drives: DriveStatus[];
  volumes: VolumeStatus[];
  files: FileStatus[];
  timers: TimerStatus[];
  sysctl: SysctlStatus[];
  systemd: { running: boolean; reason?: string };
  lvsError?: string;
  notes: string[];
  drift: string[];
}

export function tuneStatus(loaded: LoadedPlan, facts: TuneFacts, opts: TuneOptions = {}): TuneStatus {
  const plan = loaded.plan;
  const planFile = path.resolve(loaded.file);
  const drift: string[] = [];
  const notes: string[] = [];

  const drives: DriveStatus[] = facts.disks.map((d) => {
    const want = desiredScheduler(plan.tuning, d.cls);
    const s: DriveStatus = {
      id: d.driveId,
      name: d.name,
      path: `/dev/${d.name}`,
      class: d.cls,
      rotational: d.rotational,
      scheduler: d.scheduler,
      schedulers: d.schedulers,
      wantScheduler: want,
      writeCache: d.writeCache,
      discard: (d.discardMaxBytes ?? 0) > 0,
      discardMaxBytes: d.discardMaxBytes,
    };
    if (want !== undefined && d.scheduler !== want) s.drift = `scheduler ${d.scheduler ?? '?'}, plan wants ${want}`;
    return s;
  });

  const volumes: VolumeStatus[] = plan.volumes.map((v) => {
    const want = desiredReadAhead(v).sectors;
    const lv = facts.lvs.find((l) => l.vg === v.vg && l.name === v.name);
    const s: VolumeStatus = { vg: v.vg, lv: v.name, workload: v.workload, exists: !!lv, wantReadAhead: want };
    if (!lv) return s;
    Object.assign(s, {
      readAhead: lv.readAhead,
      kernelReadAheadSectors: lv.kernelReadAheadSectors,
      discard: lv.discardMaxBytes === undefined ? undefined : lv.discardMaxBytes > 0,
      mountpoint: lv.mountpoint,
      mountDiscard: lv.mountDiscard,
    });
    if (lv.readAhead !== want) s.drift = `read-ahead ${lv.readAhead === undefined ? '?' : readAheadArg(lv.readAhead)}, plan wants ${readAheadArg(want)}`;
    return s;
  });
  if (facts.lvsError) notes.push(`volumes: ${facts.lvsError}`);
  notes.push(...driveScopeNotes(facts));
  if (facts.otherDisks.length) notes.push(`${facts.otherDisks.length} disk(s) not in the plan, neither read nor changed: ${facts.otherDisks.join(', ')}`);

  // Managed files: compare with exactly what apply would write.
  const sd = renderSystemdUnits(plan, { cli: opts.cli ?? defaultCliArgv(), planFile, distributionFstrimTimer: facts.distributionFstrimTimer, fstrimPath: facts.fstrimPath });
  const { matches, unmatched } = udevRuleInput(facts);
  // Without the udev database the rule cannot be rendered for this host: tune apply leaves it alone, so no drift.
  const wantFiles = [...(facts.udevError ? [] : [renderUdevRules(plan, matches, planFile, unmatched)]), ...sd.files];
  const sc = renderSysctl(plan, planFile);
  if (sc) wantFiles.push(sc);
  const files: FileStatus[] = wantFiles.map((w) => {
    const cur = facts.files[w.path];
    if (cur === undefined) return { path: w.path, state: 'missing', drift: `${w.path} is missing` };
    if (cur !== w.content) return { path: w.path, state: 'differs', drift: `${w.path} differs from what the plan renders` };
    return { path: w.path, state: 'ok' };
  });
  for (const p of [...LEGACY_UDEV_RULE_PATHS, ...ALL_MANAGED_UNIT_PATHS, SYSCTL_PATH])
    if (!wantFiles.some((w) => w.path === p) && facts.files[p] !== undefined) files.push({ path: p, state: 'stale', drift: `${p} is no longer wanted by the plan` });

  const timers: TimerStatus[] = sd.enable.map((unit) => {
    const t = facts.systemd.timers.find((x) => x.unit === unit);
    if (!facts.systemd.running) return { unit, enabled: false, active: false, note: `not active: ${facts.systemd.reason ?? 'systemd is not running'}` };
    const s: TimerStatus = {
      unit,
      enabled: t?.unitFileState === 'enabled',
      active: t?.activeState === 'active',
      nextRun: t?.nextRun,
      lastRun: t?.lastRun,
    };
    if (!s.enabled || !s.active) s.drift = `${unit} is ${s.enabled ? 'enabled' : 'not enabled'} and ${s.active ? 'active' : 'not active'}`;
    return s;
  });

  const sysctl: SysctlStatus[] = plan.tuning.sysctl.map((e) => {
    const cur = facts.sysctl[e.key];
    const s: SysctlStatus = { key: e.key, value: cur, want: e.value };
    if (cur === undefined) s.drift = `${e.key} does not exist on this kernel`;
    else if (!sysctlValueEquals(cur, e.value)) s.drift = `${e.key} = ${cur}, plan wants ${e.value}`;
    return s;
  });

  for (const d of drives) if (d.drift) drift.push(`drive ${d.path}: ${d.drift}`);
  for (const v of volumes) if (v.drift) drift.push(`volume ${v.vg}/${v.lv}: ${v.drift}`);
  for (const f of files) if (f.drift) drift.push(`file ${f.drift}`);
  for (const t of timers) if (t.drift) drift.push(`timer ${t.drift}`);
  for (const s of sysctl) if (s.drift) drift.push(`sysctl ${s.drift}`);
  notes.push(...sd.notes);

  return { drives, volumes, files, timers, sysctl, systemd: { running: facts.systemd.running, reason: facts.systemd.reason }, lvsError: facts.lvsError, notes, drift };
}

function fmtBytes(n: number | undefined): string {
  if (n === undefined) return '?';
  if (n === 0) return 'no';
  const { value: v, unit } = scaleBinary(n, 'TiB');
  return `yes (max ${Number.isInteger(v) ? v : v.toFixed(1)} ${unit})`;
}

/** Plain-text report (one section per kind, drift marked with "!"). */
export function formatTuneStatus(s: TuneStatus): string {
  const out: string[] = [];
  out.push('Plan drives (scheduler per class from the plan):');
  if (!s.drives.length) out.push('  (no plan drive found on this host)');
  for (const d of s.drives)
    out.push(
      `  ${d.drift ? '!' : ' '} ${d.path.padEnd(14)} ${(d.id ?? '?').padEnd(8)} ${d.class.padEnd(8)} scheduler ${(d.scheduler ?? '?').padEnd(11)} want ${(d.wantScheduler ?? 'keep').padEnd(11)} ` +
        `rotational ${d.rotational === undefined ? '?' : d.rotational ? 'yes' : 'no '}  write cache ${d.writeCache ?? '?'}  discard ${fmtBytes(d.discardMaxBytes)}`,
    );
  out.push('Volumes (read-ahead in 512-byte sectors):');
  for (const v of s.volumes) {
    if (!v.exists) {
      out.push(`    ${`${v.vg}/${v.lv}`.padEnd(24)} not created (want read-ahead ${readAheadArg(v.wantReadAhead)})`);
      continue;
    }
    out.push(
      `  ${v.drift ? '!' : ' '} ${`${v.vg}/${v.lv}`.padEnd(24)} ${v.workload.padEnd(10)} read-ahead ${String(v.readAhead === undefined ? '?' : readAheadArg(v.readAhead)).padEnd(5)} want ${readAheadArg(v.wantReadAhead).padEnd(5)} ` +
        `kernel ${v.kernelReadAheadSectors ?? '-'}  discard ${v.discard === undefined ? '?' : v.discard ? 'yes' : 'no'}` +
        (v.mountpoint ? `  mounted ${v.mountpoint}${v.mountDiscard ? ' (online discard)' : ''}` : ''),
    );
  }
  out.push('Files:');
  for (const f of s.files) out.push(`  ${f.state === 'ok' ? ' ' : '!'} ${f.path.padEnd(60)} ${f.state}`);
  out.push(`Timers${s.systemd.running ? '' : ` (not active: ${s.systemd.reason ?? 'systemd is not running'})`}:`);
  for (const t of s.timers)
    out.push(
      `  ${t.drift ? '!' : ' '} ${t.unit.padEnd(30)} ` +
        (s.systemd.running ? `${t.enabled ? 'enabled' : 'disabled'}, ${t.active ? 'active' : 'inactive'}${t.nextRun ? `, next ${t.nextRun}` : ''}${t.lastRun ? `, last ${t.lastRun}` : ''}` : 'not active (unit file only)'),
    );
  if (s.sysctl.length) {
    out.push('sysctl:');
    for (const c of s.sysctl) out.push(`  ${c.drift ? '!' : ' '} ${c.key} = ${c.value ?? '?'} (want ${c.want})`);
  }
  for (const n of s.notes) out.push(`note: ${n}`);
  out.push(s.drift.length ? `Drift: ${s.drift.length} item(s) differ from the plan (run \`jts-storage tune apply\`).` : 'No drift: the host matches the plan’s tuning.');
  return out.join('\n');
}
