import { runTool } from '../host/env.js';
import { FINDMNT_LIST_ARGV } from '../host/findmnt.js';
import { lsblkDrivesUnderArgv, parseLsblkJson, walkDevices } from '../host/lsblk.js';
import { createHash } from 'node:crypto';
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { Plan } from '../model/plan-schema.js';
import type { Action, ActionRunner } from '../model/actions.js';
import { FIGURES, type FigureKey, type Figures } from './figures.js';
import { figuresFromStdout, fioArgv, preconditionArgv, FioJobError, FioParseError } from './fio.js';
import { defaultProfilesFor, getProfile, profileRegion, resolveProfiles, PROFILES, type Profile } from './profiles.js';
import { createScratch, checkBlankDevice, parseRawSpec, removeScratch } from './raw.js';
import { RESULTS_SCHEMA, type BenchResults, type BenchTarget, type FirstWrite, type ProfileRun, type Ratio } from './results.js';
import { summarize } from './stats.js';
import { parseFindmntList, selectTargets, summarizePlan } from './targets.js';

/**
 * `bench`: every check first (fio present, targets mounted, free space, raw device blank), then
 * precondition each region, then the measurement runs interleaved (repeat → profile → target, the raw
 * side next to the filesystem side so drift hits both alike), then cleanup whatever happened.
 */
export interface BenchOptions {
  plan?: { plan: Plan; file: string; text: string };
  /** Profile or group names; undefined → baseline + each volume's own workload profiles. */
  profiles?: string[];
  volumes?: string[];
  /** Directories to measure besides the plan's volumes; a workload picks its default profiles. */
  dirs?: (string | { path: string; workload?: string; id?: string; label?: string })[];
  /** Per-target profile names, overriding --profile and the defaults (bench/layout-ratio.ts). */
  profilesFor?: (t: BenchTarget) => string[] | undefined;
  /** "scratch", "scratch:VG" or a blank device. */
  raw?: string;
  runtimeS: number;
  rampS?: number;
  repeat: number;
  /** Region preconditioned and measured on each target. */
  sizeBytes: number;
  onProgress?: (p: BenchProgress) => void;
  /** Health at the time of the run (the health module, when it exists). */
  collectHealth?: () => Promise<BenchResults['health']>;
  /** Checked between fio runs: an abort stops the bench and still cleans up. */
  signal?: AbortSignal;
}

export interface BenchProgress {
  phase: 'precondition' | 'run' | 'cleanup';
  step: number;
  total: number;
  target: string;
  profile?: string;
  rep?: number;
  repeat?: number;
  /** Estimated seconds of measurement left (preconditioning not included: it depends on the drive). */
  secondsLeft: number;
  message: string;
}

export const DEFAULT_SIZE = 1024 ** 3;
export const DEFAULT_RUNTIME_S = 20;
export const DEFAULT_REPEAT = 3;
/** Median spread of the headline figures above which a run is called noisy (the default compare band). */
export const NOISY_SPREAD_PCT = 10;

export function defaultRamp(runtimeS: number): number {
  return Math.min(2, Math.floor(runtimeS / 3));
}

/** Free space that must remain after the test file: 5 % of the filesystem, at most 1 GiB. */
export function freeSpaceProblem(st: { totalBytes: number; availBytes: number }, sizeBytes: number, where: string): string | undefined {
  const margin = Math.min(st.totalBytes * 0.05, 1024 ** 3);
  if (st.availBytes - sizeBytes < margin) {
    const mib = (n: number) => `${Math.floor(n / 2 ** 20)} MiB`;
    return `${where}: ${mib(st.availBytes)} available, the test file needs ${mib(sizeBytes)} and ${mib(margin)} must stay free; pass a smaller --size`;
  }
  return undefined;
}

function testFileName(now: Date): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `.jts-storage-bench-${t}.dat`;
}

export function disksUnder(json: string): { path: string; model?: string; serial?: string }[] {
  const out: { path: string; model?: string; serial?: string }[] = [];
  try {
    for (const top of parseLsblkJson(json)) walkDevices(top, (n) => {
      if (n.type === 'disk') out.push({ path: n.path, model: n.model, serial: n.serial });
    });
  } catch {
    // Drive identity is metadata: a failure leaves it out rather than stopping the bench.
  }
  return out;
}

export function isEmulated(drives: { path: string; model?: string }[]): boolean {
  return drives.some((d) => /qemu|virtio|virtual|vbox|vmware/i.test(d.model ?? '') || /^\/dev\/vd[a-z]/.test(d.path));
}

export function computeRatios(results: ProfileRun[], rawId: string): Ratio[] {
  const ratios: Ratio[] = [];
  for (const r of results) {
    if (r.target === rawId) continue;
    const raw = results.find((x) => x.target === rawId && x.profile === r.profile);
    const p = getProfile(r.profile);
    if (!raw || !p) continue;
    for (const fk of p.primary) {
      const a = r.summary[fk]?.median;
      const b = raw.summary[fk]?.median;
      if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) continue;
      const ratio = FIGURES[fk].better === 'lower' ? b / a : a / b;
      ratios.push({ target: r.target, profile: r.profile, figure: fk, ratio, targetMedian: a, rawMedian: b });
    }
  }
  return ratios;
}

function checkProfile(p: Profile, summary: ProfileRun['summary']): ProfileRun['checks'] {
  if (!p.checks) return undefined;
  const out: NonNullable<ProfileRun['checks']> = [];
  for (const c of p.checks) {
    const v = summary[c.figure]?.median;
    if (v === undefined) continue;
    out.push({ ...c, value: v, pass: (c.max === undefined || v <= c.max) && (c.min === undefined || v >= c.min) });
  }
  return out;
}

/** A fio run writes its test file (or the scratch LV / blank device): an Action through `act`. */
function fioAction(argv: string[], timeoutMs: number, what: string): Action {
  const file = argv.find((a) => a.startsWith('--filename='))?.slice(11) ?? '?';
  return { id: `bench:fio:${file}`, kind: 'change', resource: `file ${file}`, summary: what, dependsOn: [], steps: [{ type: 'exec', argv, mutating: true, timeoutMs }] };
}

async function runFio(act: ActionRunner, argv: string[], timeoutMs: number, what: string): Promise<{ figures: Figures; version: string; warnings: string[] }> {
  const ran = await act.run(fioAction(argv, timeoutMs, what));
  if (ran.dryRun) return { figures: {}, version: '', warnings: [] };
  const r = ran.results[ran.results.length - 1];
  if (!r) throw new Error(`${what}: fio did not run: ${ran.error ?? 'no result'}`);
  if (r.notFound) throw new UserError('fio is not installed (apt-get install fio)');
  if (r.timedOut) throw new Error(`${what}: fio did not finish within ${Math.round(timeoutMs / 1000)} s`);
  try {
    const out = figuresFromStdout(r.stdout, r.stderr);
    // fio can exit 1 with every job's error at 0 (e.g. "file creation disallowed"): the exit code counts too.
    if (r.exitCode !== 0) throw new FioJobError(argv.find((a) => a.startsWith('--name='))?.slice(7) ?? '?', 0, `fio exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`);
    return out;
  } catch (e) {
    if (e instanceof FioJobError || e instanceof FioParseError) {
      const tail = r.stderr.trim() ? ` (stderr: ${r.stderr.trim().split('\n').slice(-3).join(' | ')})` : '';
      throw new Error(`${what}: ${e.message}${e instanceof FioParseError ? tail : ''}; fio exit ${r.exitCode}`);
    }
    throw e;
  }
}

/**
 * Run the benchmark. Reads (checks, metadata) through `io.runner`; every write (scratch LV, fio test
 * files and runs, their removal) is an Action through `io.act` — under --dry-run they are recorded
 * (each fio argv, in order) and the results hold no figures.
 */
export async function runBench(io: { runner: Runner; act: ActionRunner }, opts: BenchOptions): Promise<BenchResults> {
  const { runner, act } = io;
  if (!(opts.runtimeS >= 1)) throw new UserError('--runtime must be at least 1 second');
  if (!Number.isInteger(opts.repeat) || opts.repeat < 1) throw new UserError('--repeat must be a whole number ≥ 1');
  if (!(opts.sizeBytes >= 1024 ** 2)) throw new UserError('--size must be at least 1 MiB');
  const rampS = opts.rampS ?? defaultRamp(opts.runtimeS);
  const notes: string[] = [];

  // ---- checks, nothing written yet ----
  const v = await runner.run(['fio', '--version']);
  if (v.notFound) throw new UserError('fio is not installed (apt-get install fio)');
  let fioVersion = v.stdout.trim() || undefined;

  const fm = await runTool(runner, FINDMNT_LIST_ARGV);
  if (!ok(fm)) throw new Error(`findmnt failed: ${fm.stderr.trim() || `exit ${fm.exitCode}`}`);
  const dirSpecs = (opts.dirs ?? []).map((d) => (typeof d === 'string' ? { path: d } : d));
  const sel = selectTargets(opts.plan?.plan, parseFindmntList(fm.stdout), { volumes: opts.volumes, dirs: dirSpecs.map((d) => d.path) });
  // Directory targets given as objects carry their own id, label and workload.
  for (const t of sel.targets) {
    const spec = t.kind === 'dir' ? dirSpecs.find((d) => `dir:${d.path.length > 1 ? d.path.replace(/\/+$/, '') : d.path}` === t.id) : undefined;
    if (!spec) continue;
    if (spec.workload) t.workload = spec.workload;
    if (spec.label) t.label = spec.label;
    if (spec.id) t.id = spec.id;
  }
  for (const s of sel.skipped) notes.push(`skipped ${s.id}: ${s.why}`);
  const raw = opts.raw ? parseRawSpec(opts.raw) : undefined;
  if (sel.targets.length === 0 && !raw) {
    const why = sel.skipped.length ? ` (${sel.skipped.map((s) => `${s.id}: ${s.why}`).join('; ')})` : '';
    throw new UserError(`nothing to benchmark: no mounted volume selected${why}; give --plan with mounted volumes, or --dir PATH`);
  }

  const named = opts.profiles && opts.profiles.length ? resolveProfiles(opts.profiles) : undefined;
  const profilesOf = new Map<string, Profile[]>();
  for (const t of sel.targets) {
    const own = opts.profilesFor?.(t);
    profilesOf.set(t.id, own ? resolveProfiles(own) : (named ?? defaultProfilesFor(t.workload)));
  }
  const union = PROFILES.filter((p) => [...profilesOf.values()].some((ps) => ps.includes(p)) || (named?.includes(p) ?? false));
  const runList = union.length ? union : resolveProfiles(['baseline']);

  const fileName = testFileName(runner.now());
  for (const t of sel.targets) {
    const mp = t.mountPath!;
    const st = await runner.stat(mp);
    if (!st?.isDirectory) throw new UserError(`${t.label}: ${mp} is not a directory`);
    let fs;
    try {
      fs = await runner.statfs(mp);
    } catch (e) {
      throw new UserError(`${t.label}: cannot statfs ${mp}: ${(e as Error).message}`);
    }
    const problem = freeSpaceProblem(fs, opts.sizeBytes, t.label);
    if (problem) throw new UserError(problem);
    t.testPath = `${mp === '/' ? '' : mp}/${fileName}`;
    if (await runner.exists(t.testPath)) throw new UserError(`${t.testPath} already exists: refusing to overwrite it`);
  }
  let rawTarget: BenchTarget | undefined;
  if (raw?.kind === 'device') {
    await checkBlankDevice(runner, raw.path, opts.sizeBytes);
    rawTarget = { id: 'raw', kind: 'raw-drive', label: `raw ${raw.path}`, tier: 'hot', device: raw.path, testPath: raw.path };
  } else if (raw?.kind === 'scratch') {
    rawTarget = { id: 'raw', kind: 'scratch-lv', label: 'scratch LV (no filesystem)', tier: 'hot' };
  }

  // ---- metadata ----
  const uname = async (flag: string) => {
    const r = await runner.run(['uname', flag]);
    return ok(r) ? r.stdout.trim() : undefined;
  };
  const host = await uname('-n');
  const kernel = await uname('-r');

  const all: BenchTarget[] = [...sel.targets, ...(rawTarget ? [rawTarget] : [])];
  const preconditions = all.length;
  const runs: { target: BenchTarget; profile: Profile; rep: number }[] = [];
  for (let rep = 0; rep < opts.repeat; rep++) {
    for (const p of runList) {
      for (const t of sel.targets) if (profilesOf.get(t.id)!.includes(p)) runs.push({ target: t, profile: p, rep });
      if (rawTarget) runs.push({ target: rawTarget, profile: p, rep });
    }
  }
  const total = preconditions + runs.length;
  const perRun = opts.runtimeS + rampS;
  const progress = (p: Omit<BenchProgress, 'total'>) => opts.onProgress?.({ ...p, total });
  const created: string[] = [];
  let scratchVg: string | undefined;
  const firstWrite: FirstWrite[] = [];
  const collected = new Map<string, { target: string; profile: Profile; runs: Figures[]; argv: string[]; warnings: Set<string> }>();
  const aborted = () => {
    if (opts.signal?.aborted) throw new UserError('bench interrupted; test files removed');
  };

  try {
    if (rawTarget && raw?.kind === 'scratch') {
      const s = await createScratch(runner, act, raw.vg ?? singleVg(opts.plan?.plan, sel.targets), opts.sizeBytes);
      scratchVg = s.vg;
      rawTarget.device = s.device;
      rawTarget.testPath = s.device;
      rawTarget.label = `scratch LV ${s.vg}/jts_bench_scratch (no filesystem)`;
    }
    for (const t of all) {
      if (t.device) {
        const l = await runTool(runner, lsblkDrivesUnderArgv(t.device));
        if (ok(l)) t.drives = disksUnder(l.stdout);
      }
    }

    // ---- precondition: write every region once; its figures are the first-write cost ----
    let step = 0;
    for (const t of all) {
      aborted();
      progress({ phase: 'precondition', step: ++step, target: t.id, secondsLeft: runs.length * perRun, message: `writing the ${t.label} test region once (first-write cost)` });
      const argv = preconditionArgv(`precondition-${t.id}`, t.testPath!, opts.sizeBytes);
      if (t.kind !== 'raw-drive' && t.kind !== 'scratch-lv') created.push(t.testPath!);
      const timeoutMs = Math.max(600, opts.sizeBytes / 2 ** 20) * 1000;
      const r = await runFio(act, argv, timeoutMs, `precondition ${t.label}`);
      fioVersion ??= r.version;
      firstWrite.push({ target: t.id, sizeBytes: opts.sizeBytes, figures: r.figures, argv });
    }

    if (all.some((t) => t.fstype === 'ext4') && (await ext4LazyInitRunning(runner))) {
      notes.push(
        'ext4lazyinit was running when the measurement started: a freshly made ext4 zeroes its inode tables in the background after the first mount, ' +
          'and that I/O competes with the benchmark (figures right after mkfs/apply may be low; rerun once it has finished).',
      );
    }

    // ---- measure ----
    const measureStart = runner.now().getTime();
    for (let i = 0; i < runs.length; i++) {
      aborted();
      const { target: t, profile: p, rep } = runs[i]!;
      // fio's own start-up and wind-down add to each run (seconds under emulation): estimate from what the runs so far took.
      const perRunSeen = i > 0 ? Math.max(perRun, (runner.now().getTime() - measureStart) / 1000 / i) : perRun;
      progress({
        phase: 'run',
        step: ++step,
        target: t.id,
        profile: p.name,
        rep: rep + 1,
        repeat: opts.repeat,
        secondsLeft: Math.round((runs.length - i) * perRunSeen),
        message: `${p.name} on ${t.label}, run ${rep + 1} of ${opts.repeat}`,
      });
      const argv = fioArgv({
        name: p.name,
        filename: t.testPath!,
        sizeBytes: profileRegion(p, opts.sizeBytes),
        job: p.fio,
        runtimeS: opts.runtimeS,
        rampS,
        mustExist: true,
      });
      const r = await runFio(act, argv, (perRun + 120) * 1000, `${p.name} on ${t.label}`);
      const key = `${t.id}\u0000${p.name}`;
      let c = collected.get(key);
      if (!c) collected.set(key, (c = { target: t.id, profile: p, runs: [], argv, warnings: new Set() }));
      c.runs.push(r.figures);
      r.warnings.forEach((w) => c!.warnings.add(w));
    }
  } finally {
    progress({ phase: 'cleanup', step: total, target: '', secondsLeft: 0, message: 'removing test files' });
    for (const f of created) {
      if (!act.dryRun && !(await runner.exists(f))) continue;
      const rm = await act.run({ id: `bench:file:${f}:destroy`, kind: 'destroy', resource: `file ${f}`, summary: 'remove the bench test file', dependsOn: [], steps: [{ type: 'exec', argv: ['rm', '-f', '--', f], mutating: true }] });
      if (!rm.ok) notes.push(`could not remove ${f}: ${rm.error ?? 'rm failed'}`);
    }
    if (scratchVg) {
      const err = await removeScratch(act, scratchVg);
      if (err) notes.push(err);
    }
  }

  const results: ProfileRun[] = [...collected.values()].map((c) => {
    const summary = summarize(c.runs);
    const out: ProfileRun = { target: c.target, profile: c.profile.name, runs: c.runs, summary, argv: c.argv };
    const checks = checkProfile(c.profile, summary);
    if (checks?.length) out.checks = checks;
    if (c.warnings.size) out.warnings = [...c.warnings];
    return out;
  });
  // Run-to-run noise: when the runs of a figure vary more than a comparison's default band, a ratio or
  // change inside that spread says nothing. Said once, with the figures, rather than left to be guessed.
  const spreads = results
    .flatMap((x) => (getProfile(x.profile)?.primary ?? []).map((f) => x.summary[f]))
    .filter((s): s is NonNullable<typeof s> => !!s && s.n > 1)
    .map((s) => s.spreadPct)
    .sort((a, b) => a - b);
  if (spreads.length) {
    const mid = spreads[Math.floor(spreads.length / 2)]!;
    if (mid > NOISY_SPREAD_PCT) {
      notes.push(
        `Noisy run: the headline figures varied by a median ${mid.toFixed(0)} % (worst ${spreads[spreads.length - 1]!.toFixed(0)} %) between repeats ` +
          `(max − min over median). Ratios and changes within that spread are not conclusive; rerun on a quieter host, with a longer --runtime or more --repeat.`,
      );
    }
  }
  const drives = dedupeDrives(all.flatMap((t) => t.drives ?? []));
  const emulated = isEmulated(drives);
  if (emulated) notes.push('The drives are emulated (QEMU/virtio): absolute figures are not a real drive\'s; ratios within one run are what this run shows.');
  notes.push('Each region was written fully before it was measured (first-write cost reported separately); appends overwrite that region rather than grow a file.');
  const health = opts.collectHealth ? await opts.collectHealth().catch((e: Error) => ({ at: runner.now().toISOString(), available: false, note: e.message })) : undefined;

  const ratios = rawTarget ? computeRatios(results, rawTarget.id) : [];
  const out: BenchResults = {
    schema: RESULTS_SCHEMA,
    createdAt: runner.now().toISOString(),
    summary: '',
    meta: {
      host,
      kernel,
      fioVersion,
      planFile: opts.plan?.file,
      planHash: opts.plan ? 'sha256:' + createHash('sha256').update(opts.plan.text).digest('hex') : undefined,
      runtimeS: opts.runtimeS,
      rampS,
      repeat: opts.repeat,
      sizeBytes: opts.sizeBytes,
      emulated,
      drives,
    },
    plan: opts.plan ? summarizePlan(opts.plan.plan, opts.plan.file) : undefined,
    targets: all,
    profiles: runList.map((p) => ({ name: p.name, title: p.title, reason: p.reason, reports: p.reports, primary: p.primary, compareWith: p.compareWith })),
    results,
    firstWrite,
    rawTarget: rawTarget?.id,
    ratios,
    health,
    notes,
  };
  out.summary = summaryLine(out);
  return out;
}

/** "3 targets × 4 profiles, checks 5 pass / 1 fail, lowest ratio to raw 0.962 (lv_kafka kafka-append)". */
export function summaryLine(r: BenchResults): string {
  const checks = r.results.flatMap((x) => x.checks ?? []);
  const parts = [`${r.targets.length} targets × ${r.profiles.length} profiles`];
  if (checks.length) parts.push(`checks ${checks.filter((c) => c.pass).length} pass / ${checks.filter((c) => !c.pass).length} fail`);
  const low = [...r.ratios].sort((a, b) => a.ratio - b.ratio)[0];
  if (low) parts.push(`lowest ratio to raw ${low.ratio.toFixed(3)} (${low.target} ${low.profile})`);
  if (r.comparison) parts.push(`${r.comparison.regressions.length} regressions beyond ±${r.comparison.noisePct} %`);
  return parts.join(', ');
}

/** The kernel thread that initialises ext4 inode tables lazily exists only while it has work. */
export async function ext4LazyInitRunning(runner: Runner): Promise<boolean> {
  let pids: string[];
  try {
    pids = (await runner.readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return false;
  }
  for (const pid of pids) {
    const comm = await runner.readFileIfExists(`/proc/${pid}/comm`).catch(() => undefined);
    if (comm?.trim() === 'ext4lazyinit') return true;
  }
  return false;
}

function dedupeDrives(ds: { path: string; model?: string; serial?: string }[]) {
  const m = new Map<string, { path: string; model?: string; serial?: string }>();
  for (const d of ds) m.set(d.path, d);
  return [...m.values()];
}

/** The VG a scratch LV goes into when none is named: the one VG of the benchmarked plan volumes. */
function singleVg(plan: Plan | undefined, targets: BenchTarget[]): string | undefined {
  if (!plan) return undefined;
  const vgs = new Set(plan.volumes.filter((v) => targets.some((t) => t.id === v.name)).map((v) => v.vg));
  return vgs.size === 1 ? [...vgs][0] : undefined;
}

/** Figures that fail a profile check (used by the command for its exit status and summary). */
export function failedChecks(r: BenchResults): { target: string; profile: string; figure: FigureKey; value: number; why: string }[] {
  return r.results.flatMap((x) => (x.checks ?? []).filter((c) => !c.pass).map((c) => ({ target: x.target, profile: x.profile, figure: c.figure, value: c.value, why: c.why })));
}
