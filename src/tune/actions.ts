/**
 * Tuning as ordered Actions (the same Action/Step model `plan` prints and `apply` executes), computed
 * purely from the plan and what the host has now (TuneFacts). Only what differs produces a step, so a
 * second `tune apply` runs nothing: lvchange in particular must not run for an unchanged value (it
 * fails with "Read ahead is already N").
 *
 * `apply` appends `tuneActions(loaded, state, layout, facts)` to its own actions; `tune apply` runs
 * them alone. Read the facts with `readTuneFacts(runner, plan)` (src/tune/facts.ts).
 */
import * as path from 'node:path';
import type { LoadedPlan } from '../model/load-plan.js';
import type { HostState } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Action, Finding, Step } from '../model/actions.js';
import { queuePath } from '../host/sysfs.js';
import { desiredScheduler, parseSchedulerFile, classOfDisk } from '../facts/drive-classes.js';
import { desiredReadAhead, readAheadArg } from '../facts/readahead-defaults.js';
import type { TuneFacts, DiskFacts, LvFacts } from './facts.js';
import { TuneError, validateTuning } from './validate.js';
import { LEGACY_UDEV_RULE_PATHS, renderUdevRules, UDEV_RULE_PATH, type UdevDriveMatch } from '../render/udev.js';
import { scopeFromDescribed } from './drive-scope.js';
import type { Plan } from '../model/plan-schema.js';
import { ALL_MANAGED_UNIT_PATHS, renderSystemdUnits, UNIT_DIR } from '../render/systemd.js';
import { renderSysctl, SYSCTL_PATH, sysctlValueEquals } from '../render/sysctl.js';
import { defaultCliArgv } from './cli-path.js';
import { isManagedText } from '../render/types.js';

/**
 * Removing a managed file the plan no longer wants. jts-storage's own file (it starts with the managed
 * header, src/render/types.ts isManagedText) is a 'change' of the product's managed files, as a rewrite
 * would be: no user data, no consent asked (the plan output shows it with ~). A file at that path without
 * the header was made by someone else: 'destroy' with `destructive`, so apply's safety check (src/exec/
 * safety.ts) refuses it unless `--allow-destroy PATH`, and `tune apply` refuses it (it has no such consent).
 * @param resourceName the resource's name for the kind 'change' ("systemd units"); default `file PATHS`
 */
function removal(id: string, paths: string, content: string, forcedBy: string, summary: string, steps: Step[], resourceName?: string): Action {
  if (isManagedText(content)) return { id, kind: 'change', resource: resourceName ?? `file ${paths}`, summary, steps, dependsOn: [] };
  return {
    id,
    kind: 'destroy',
    resource: `file ${paths}`,
    summary: `${summary}: NOT written by jts-storage (no "# Managed by jts-storage" header), removed only with --allow-destroy ${paths}`,
    steps,
    destructive: { forcedBy, loses: `${paths}, a file jts-storage did not write` },
    dependsOn: [],
  };
}

export interface TuneOptions {
  /** Absolute argv prefix that runs the installed CLI (ExecStart=); default: this node + this checkout's bin. */
  cli?: string[];
  /**
   * Leave read-ahead out. `apply` sets it itself (the diff's lvcreate -r / lvchange -r), and two
   * lvchange -r of the same value in one run fail ("Read ahead is already N"), so apply passes true.
   */
  skipReadAhead?: boolean;
}

export interface TunePlan {
  actions: Action[];
  /** Human lines: what is not done and why (systemd absent, volume not created yet, class kept...). */
  notes: string[];
  /** Warnings and infos (errors are thrown as TuneError). */
  findings: Finding[];
}

/**
 * Facts as far as a HostState alone tells them (described drives: no file contents, so every managed file
 * is (re)written). Only the plan's drives are in scope, matched in the described drives by identity.
 */
export function factsFromState(state: HostState, plan: Plan): TuneFacts {
  const drives = scopeFromDescribed(plan, state.drives);
  const disks: DiskFacts[] = [];
  for (const sd of drives) {
    const d = state.drives.find((x) => x.path === `/dev/${sd.name}`);
    if (!d || !sd.name || disks.some((x) => x.name === sd.name)) continue;
    const cls = classOfDisk(sd.name, d.rotational);
    if (!cls) continue;
    const sched = d.schedulers ? { available: d.schedulers, active: d.scheduler } : parseSchedulerFile('');
    disks.push({ name: sd.name, driveId: sd.id, udev: sd.udev, cls, rotational: d.rotational, schedulers: sched.available, scheduler: sched.active, discardMaxBytes: d.discard ? 1 : 0 });
  }
  const lvs: LvFacts[] = state.lvs.map((l) => ({ vg: l.vgName, name: l.name, readAhead: l.readAheadSectors }));
  return {
    disks,
    drives,
    otherDisks: [],
    lvs,
    systemd: { running: false, reason: 'systemd state not probed', timers: [] },
    files: {},
    sysctl: {},
    udevRunning: false,
    pageSizeBytes: 4096,
    loadableSchedulers: [],
  };
}

/** The rule's input from the facts: each plan drive found with a unique udev property; the others by id. */
export function udevRuleInput(f: Pick<TuneFacts, 'disks' | 'drives'>): { matches: UdevDriveMatch[]; unmatched: string[] } {
  const matches: UdevDriveMatch[] = [];
  for (const d of f.disks) if (d.udev && d.driveId) matches.push({ driveId: d.driveId, cls: d.cls, key: d.udev.key, value: d.udev.value });
  const unmatched = f.drives.filter((d) => !matches.some((m) => m.driveId === d.id)).map((d) => d.id);
  return { matches, unmatched };
}

/** Lines saying which plan drives tune leaves alone and why (not found, no unique udev property, no class). */
export function driveScopeNotes(f: Pick<TuneFacts, 'disks' | 'drives' | 'udevError'>): string[] {
  if (f.udevError) return [`drives: ${f.udevError}: no scheduler is set and the udev rule file is left as it is`];
  const out: string[] = [];
  for (const d of f.drives) {
    const disk = f.disks.find((x) => x.driveId === d.id);
    if (d.problem) out.push(`drive ${d.id}${d.name ? ` (/dev/${d.name})` : ''}: ${d.problem}${disk ? '; its scheduler is set now but no rule keeps it after a reboot' : '; tune leaves it alone'}`);
  }
  return out;
}

/**
 * mkdir (0755, as every directory these files live in is: rules.d, system/, *.d, sysctl.d), once per
 * directory in one plan, then the write.
 */
function fileStepsOnce(made: Set<string>) {
  return (p: string, content: string, mode: number): Step[] => {
    const steps: Step[] = [];
    const dir = path.dirname(p);
    if (!made.has(dir)) steps.push({ type: 'mkdir', path: dir, mode: 0o755 });
    made.add(dir);
    steps.push({ type: 'write-file', path: p, content, mode, backup: false });
    return steps;
  };
}

export function planTune(loaded: LoadedPlan, state: HostState, _layout?: Layout, facts?: TuneFacts, opts: TuneOptions = {}): TunePlan {
  const plan = loaded.plan;
  const f = facts ?? factsFromState(state, plan);
  const findings = validateTuning(loaded, f);
  // Sysctl keys this kernel does not have: the write would fail; say so now.
  if (facts)
    plan.tuning.sysctl.forEach((s, i) => {
      if (facts.sysctl[s.key] === undefined && !findings.some((x) => x.field === `tuning.sysctl[${i}].key`))
        findings.push({ rule: 'JTS-TUNE-SYSCTL-KEY', severity: 'error', message: `sysctl key ${s.key} does not exist on this kernel (no ${'/proc/sys/' + s.key.split('.').join('/')})`, file: loaded.file, field: `tuning.sysctl[${i}].key`, line: safeLocate(loaded, ['tuning', 'sysctl', i, 'key'])?.line });
    });
  // An identity several disks carry: tune would set (and the rule match) a disk the plan may not mean.
  plan.drives.forEach((d, i) => {
    const sd = f.drives.find((x) => x.id === d.id);
    if (sd?.candidates)
      findings.push({ rule: 'JTS-DRIVE-AMBIGUOUS', severity: 'error', message: `drive "${d.id}": ${sd.problem}`, file: loaded.file, field: `drives[${i}]`, line: safeLocate(loaded, ['drives', i])?.line });
  });
  const errors = findings.filter((x) => x.severity === 'error');
  if (errors.length) throw new TuneError(errors);

  const actions: Action[] = [];
  const notes: string[] = [];
  const fileSteps = fileStepsOnce(new Set());
  const planFile = path.resolve(loaded.file);
  const known = facts !== undefined;
  const current = (p: string) => (known ? f.files[p] : undefined);

  // 1. udev rule (persistence), then the same setting at once through sysfs: the plan's drives only.
  notes.push(...driveScopeNotes(f));
  const reload: Step = { type: 'exec', argv: ['udevadm', 'control', '--reload'], mutating: true };
  if (!f.udevError) {
    const { matches, unmatched } = udevRuleInput(f);
    const rule = renderUdevRules(plan, matches, planFile, unmatched);
    if (current(UDEV_RULE_PATH) !== rule.content) {
      const steps = fileSteps(rule.path, rule.content, rule.mode);
      // udevd re-reads changed rule files on its own before the next event, but only after a short delay;
      // an explicit reload makes a hot-plug right after apply see the new rule.
      if (f.udevRunning) steps.push(reload);
      actions.push({ id: 'tune:udev-rule', kind: current(UDEV_RULE_PATH) === undefined ? 'create' : 'change', resource: `file ${rule.path}`, summary: rule.summary, steps, dependsOn: [] });
    }
  }
  // The rule file of releases before issue 14 (60-…: every nvme/sd/vd disk of the host, and sorted before
  // 60-persistent-storage.rules): removed, so an upgraded host keeps only the per-drive rule.
  const legacy = LEGACY_UDEV_RULE_PATHS.filter((p) => current(p) !== undefined);
  if (legacy.length) {
    const steps: Step[] = [{ type: 'exec', argv: ['rm', '-f', '--', ...legacy], mutating: true }];
    if (f.udevRunning) steps.push(reload);
    actions.push({
      id: 'tune:udev-rule:legacy',
      // The product's own file, replaced by the 61- rule: a change of the managed files, not a loss of
      // data (apply's safety check asks --allow-destroy for 'destroy' kinds).
      kind: 'change',
      resource: `file ${legacy.join(', ')}`,
      summary: `remove the old udev rule ${legacy.join(', ')} (it set the scheduler of every disk of the host; ${UDEV_RULE_PATH} replaces it)`,
      steps,
      dependsOn: actions.some((a) => a.id === 'tune:udev-rule') ? ['tune:udev-rule'] : [],
    });
  }
  for (const d of f.disks) {
    const want = desiredScheduler(plan.tuning, d.cls);
    if (want === undefined) continue;
    if (d.scheduler === want) continue;
    const loadNote = `scheduler: ${want} is not loaded yet; the kernel loads module ${want}-iosched when it is written to queue/scheduler`;
    if (!d.schedulers.includes(want) && !notes.includes(loadNote)) notes.push(loadNote);
    actions.push({
      id: `tune:scheduler:${d.name}`,
      kind: 'change',
      resource: `disk /dev/${d.name}`,
      summary: `I/O scheduler of /dev/${d.name} (drive ${d.driveId ?? '?'}, ${d.cls}): ${d.scheduler ?? '?'} → ${want}, at once (the udev rule keeps it after reboot)`,
      steps: [{ type: 'write-sysfs', path: queuePath(d.name, 'scheduler'), value: want }],
      dependsOn: [],
    });
  }
  for (const c of ['nvme', 'sata-ssd', 'hdd', 'virtio'] as const)
    if (desiredScheduler(plan.tuning, c) === undefined && f.disks.some((d) => d.cls === c)) notes.push(`scheduler: the plan's ${c} drives are left as they are (plan says "keep")`);
  if (f.otherDisks.length) notes.push(`scheduler: ${f.otherDisks.length} disk(s) not in the plan left alone (${f.otherDisks.join(', ')})`);

  // 2. Read-ahead per volume (LVM keeps it in the VG metadata and applies it at each activation).
  if (f.lvsError && !opts.skipReadAhead) notes.push(`read-ahead: not checked — ${f.lvsError}`);
  for (const v of opts.skipReadAhead || f.lvsError ? [] : plan.volumes) {
    const want = desiredReadAhead(v);
    const lv = f.lvs.find((l) => l.vg === v.vg && l.name === v.name);
    if (!lv) {
      notes.push(`read-ahead: ${v.vg}/${v.name} does not exist yet; apply creates it with lvcreate -r ${readAheadArg(want.sectors)}`);
      continue;
    }
    if (lv.readAhead === want.sectors) continue;
    actions.push({
      id: `tune:readahead:${v.vg}/${v.name}`,
      kind: 'change',
      resource: `lv ${v.vg}/${v.name}`,
      summary: `read-ahead of ${v.vg}/${v.name} (${v.workload}): ${lv.readAhead ?? '?'} → ${readAheadArg(want.sectors)} sectors (${want.from === 'plan' ? 'plan' : want.reason})`,
      steps: [{ type: 'exec', argv: ['lvchange', '--readahead', readAheadArg(want.sectors), `${v.vg}/${v.name}`], mutating: true }],
      dependsOn: [],
    });
  }

  // 3. sysctl, only what the plan asks for.
  const sc = renderSysctl(plan, planFile);
  if (sc) {
    const fileDiffers = current(SYSCTL_PATH) !== sc.content;
    const valuesDiffer = plan.tuning.sysctl.some((s) => f.sysctl[s.key] === undefined || !sysctlValueEquals(f.sysctl[s.key]!, s.value));
    if (fileDiffers || valuesDiffer) {
      const steps: Step[] = fileDiffers ? fileSteps(sc.path, sc.content, sc.mode) : [];
      steps.push({ type: 'exec', argv: ['sysctl', '-p', SYSCTL_PATH], mutating: true });
      actions.push({ id: 'tune:sysctl', kind: current(SYSCTL_PATH) === undefined ? 'create' : 'change', resource: `file ${SYSCTL_PATH}`, summary: sc.summary, steps, dependsOn: [] });
    }
  } else if (current(SYSCTL_PATH) !== undefined) {
    actions.push(
      removal('tune:sysctl', SYSCTL_PATH, current(SYSCTL_PATH)!, 'the plan no longer sets any sysctl', `the plan no longer sets any sysctl: remove ${SYSCTL_PATH} (running values stay until reboot)`, [
        { type: 'exec', argv: ['rm', '-f', '--', SYSCTL_PATH], mutating: true },
      ]),
    );
  }

  // 4. systemd units.
  const sd = renderSystemdUnits(plan, { cli: opts.cli ?? defaultCliArgv(), planFile, distributionFstrimTimer: f.distributionFstrimTimer, fstrimPath: f.fstrimPath });
  notes.push(...sd.notes);
  const unitIds: string[] = [];
  const changedUnits: string[] = [];
  for (const file of sd.files) {
    const cur = current(file.path);
    if (cur === file.content) continue;
    const unit = path.basename(file.path);
    const id = `tune:unit:${file.path.startsWith(UNIT_DIR + '/') ? file.path.slice(UNIT_DIR.length + 1) : unit}`;
    unitIds.push(id);
    changedUnits.push(unit);
    actions.push({ id, kind: cur === undefined ? 'create' : 'change', resource: `file ${file.path}`, summary: file.summary, steps: fileSteps(file.path, file.content, file.mode), dependsOn: [] });
  }
  const wanted = new Set(sd.files.map((x) => x.path));
  const stale = ALL_MANAGED_UNIT_PATHS.filter((p) => !wanted.has(p) && current(p) !== undefined);
  const sdRun = f.systemd.running;
  // Our own stale units (managed header): one 'change' of the managed files. A file at one of our paths that
  // jts-storage did not write: its own 'destroy' action, which apply runs only with --allow-destroy PATH.
  const removeUnits = (paths: string[]): Step[] => {
    const steps: Step[] = [];
    const timers = paths.map((p) => path.basename(p)).filter((u) => u.endsWith('.timer'));
    if (sdRun && timers.length) steps.push({ type: 'exec', argv: ['systemctl', 'disable', '--now', ...timers], mutating: true });
    steps.push({ type: 'exec', argv: ['rm', '-f', '--', ...paths], mutating: true });
    return steps;
  };
  const ownStale = stale.filter((p) => isManagedText(current(p)!));
  if (ownStale.length) {
    const names = ownStale.map((p) => path.basename(p)).join(', ');
    actions.push(removal('tune:unit:stale', ownStale.join(', '), current(ownStale[0]!)!, 'the plan no longer needs them', `remove units the plan no longer needs: ${names}`, removeUnits(ownStale), 'systemd units'));
    unitIds.push('tune:unit:stale');
  }
  for (const p of stale.filter((x) => !ownStale.includes(x))) {
    const id = `tune:unit:stale:${path.basename(p)}`;
    actions.push(removal(id, p, current(p)!, `the plan no longer needs ${path.basename(p)}`, `remove ${p}, which the plan no longer needs`, removeUnits([p])));
    unitIds.push(id);
  }
  if (sdRun) {
    const steps: Step[] = [];
    if (unitIds.length) steps.push({ type: 'exec', argv: ['systemctl', 'daemon-reload'], mutating: true });
    const toEnable = sd.enable.filter((u) => {
      const t = f.systemd.timers.find((x) => x.unit === u);
      return !t || t.unitFileState !== 'enabled' || t.activeState !== 'active';
    });
    if (toEnable.length) steps.push({ type: 'exec', argv: ['systemctl', 'enable', '--now', ...toEnable], mutating: true });
    // A timer already running keeps its old schedule until restarted.
    const restart = sd.enable.filter((u) => !toEnable.includes(u) && (changedUnits.includes(u) || (u === 'fstrim.timer' && changedUnits.some((c) => c.endsWith('.conf')))));
    if (restart.length) steps.push({ type: 'exec', argv: ['systemctl', 'restart', ...restart], mutating: true });
    if (steps.length)
      actions.push({ id: 'tune:systemd', kind: 'change', resource: 'systemd timers', summary: `enable and start ${sd.enable.join(', ')}`, steps, dependsOn: unitIds });
  } else {
    notes.push(`timers ${sd.enable.join(', ')}: unit files are written but not enabled or started — ${f.systemd.reason ?? 'systemd is not running'}`);
  }

  return { actions, notes, findings: findings.filter((x) => x.severity !== 'error') };
}

function safeLocate(loaded: LoadedPlan, p: (string | number)[]) {
  try {
    return loaded.locate(p);
  } catch {
    return undefined;
  }
}

/** The contract `apply` uses: tuning actions to append to its own. Throws TuneError on bad input. */
export function tuneActions(loaded: LoadedPlan, state: HostState, layout?: Layout, facts?: TuneFacts, opts?: TuneOptions): Action[] {
  return planTune(loaded, state, layout, facts, opts).actions;
}
