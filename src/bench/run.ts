import { lsblkDrivesUnderArgv } from '../host/lsblk.js';
import { runTool } from '../host/env.js';
import { createHash } from 'node:crypto';
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { Plan } from '../model/plan-schema.js';
import type { ActionRunner } from '../model/actions.js';
import type { Figures } from './figures.js';
import { fioArgv, fioBatchArgv, preconditionArgv, readFioVersion } from '../host/fio.js';
import { defaultProfilesFor, profileRegion, resolveProfiles, PROFILES, type Profile } from './profiles.js';
import { createScratch, parseRawSpec, removeScratch } from './raw.js';
import { RESULTS_SCHEMA, type BenchResults, type BenchTarget, type FirstWrite, type ProfileRun } from './results.js';
import { summarize } from './stats.js';
import { onePerIoPath, summarizePlan } from './targets.js';
import { dedupeDrives, disksUnder, isEmulated } from './drives.js';
import { runFio, runFioBatch } from './fio-run.js';
import { checkProfile, computeRatios, noiseNote, summaryLine } from './verdicts.js';
import { ext4LazyInitRunning } from './lazy-init.js';
import { checkTargetSnapshots } from './snapshots.js';
import { checkTestPaths, rawTargetOf, selectMountedTargets, singleVg, testFileName, type DirSpec } from './preflight.js';
import { runDatabaseBench, type DatabaseBenchOptions } from './database.js';
import { computeDbRatios, fioProfilesForDatabase } from './database-ratios.js';

// The parts of bench, by concern (this file is the run's order and its results document):
//   preflight.ts (targets, free space, raw side), fio-run.ts (one fio run as an Action), drives.ts
//   (drives under targets, emulated?), verdicts.ts (ratios, checks, noise, summary line), lazy-init.ts.
export { disksUnder, isEmulated } from './drives.js';
export { computeRatios, failedChecks, summaryLine, NOISY_SPREAD_PCT } from './verdicts.js';
export { ext4LazyInitRunning } from './lazy-init.js';
export { freeSpaceProblem } from './preflight.js';

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
  dirs?: DirSpec[];
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
  /** Measure volumes that have live snapshots (refused otherwise: snapshots.ts); recorded in the results. */
  allowSnapshots?: boolean;
  /** Checked between fio runs: an abort stops the bench and still cleans up. */
  signal?: AbortSignal;
  /**
   * `--database`: after fio, pg_test_fsync + pgbench on the PostgreSQL volumes and redis-benchmark on the
   * Redis volumes (bench/database.ts); the fio profiles their ratios need are added to those volumes.
   */
  database?: Omit<DatabaseBenchOptions, 'signal' | 'repeat' | 'sizeBytes'>;
  /**
   * `--fio-batch`: the preconditioning, then each repeat's measurements, as the jobs of one fio process
   * (host/fio.ts fioBatchArgv), in the same order; progress and interruption per process, not per run.
   */
  fioBatch?: boolean;
  /** `--one-per-path`: one plan volume per I/O path (targets.ts onePerIoPath); the others named in the results. */
  onePerPath?: boolean;
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

export function defaultRamp(runtimeS: number): number {
  return Math.min(2, Math.floor(runtimeS / 3));
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
  let fioVersion = await readFioVersion(runner).catch((e: Error) => {
    throw new UserError(e.message);
  });

  const sel = await selectMountedTargets(runner, opts.plan?.plan, { volumes: opts.volumes, dirs: opts.dirs });
  for (const s of sel.skipped) notes.push(`skipped ${s.id}: ${s.why}`);
  const perPath = opts.onePerPath && opts.plan ? onePerIoPath(opts.plan.plan, sel.targets) : undefined;
  if (perPath) {
    sel.targets = perPath.targets;
    const also = perPath.paths.filter((x) => x.standsFor.length);
    notes.push(
      `One volume per I/O path (--one-per-path): ${perPath.paths.map((x) => `${x.target} (${x.path}${x.standsFor.length ? `; also stands for ${x.standsFor.join(', ')}` : ''})`).join('; ')}.` +
        (also.length ? ` Not measured: ${also.flatMap((x) => x.standsFor).join(', ')} (same volume group, LV kind, filesystem and mount options as the volume they are listed under); bench without --one-per-path measures every volume.` : ''),
    );
  }
  const raw = opts.raw ? parseRawSpec(opts.raw) : undefined;
  if (sel.targets.length === 0 && !raw) {
    const why = sel.skipped.length ? ` (${sel.skipped.map((s) => `${s.id}: ${s.why}`).join('; ')})` : '';
    throw new UserError(`nothing to benchmark: no mounted volume selected${why}; give --plan with mounted volumes, or --dir PATH`);
  }

  const named = opts.profiles && opts.profiles.length ? resolveProfiles(opts.profiles) : undefined;
  const profilesOf = new Map<string, Profile[]>();
  for (const t of sel.targets) {
    const own = opts.profilesFor?.(t);
    const ps = own ? resolveProfiles(own) : (named ?? defaultProfilesFor(t.workload));
    // The database ratios divide by these profiles on the same volume, in the same run.
    const extra = opts.database ? resolveProfiles(fioProfilesForDatabase(t.workload)).filter((p) => !ps.includes(p)) : [];
    profilesOf.set(t.id, [...ps, ...extra]);
  }
  const union = PROFILES.filter((p) => [...profilesOf.values()].some((ps) => ps.includes(p)) || (named?.includes(p) ?? false));
  const runList = union.length ? union : resolveProfiles(['baseline']);

  await checkTestPaths(runner, sel.targets, opts.sizeBytes, testFileName(runner.now()));
  const snaps = await checkTargetSnapshots(runner, opts.plan?.plan, sel.targets, !!opts.allowSnapshots);
  if (snaps.note) notes.push(snaps.note);
  if (snaps.found.length)
    notes.push(
      `Measured with live snapshots (--allow-snapshots): ${snaps.found.map((x) => `${x.target} has ${x.kind} snapshot ${x.snapshot}`).join('; ')}. ` +
        'Writes on these volumes include the snapshots\' cost (copy-on-write for classic, pool allocation for thin): not the volume\'s own speed.',
    );
  const rawTarget = await rawTargetOf(runner, raw, opts.sizeBytes);

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
    const preTimeoutMs = Math.max(600, opts.sizeBytes / 2 ** 20) * 1000;
    if (opts.fioBatch) {
      aborted();
      step += all.length;
      progress({ phase: 'precondition', step, target: all.map((t) => t.id).join(', '), secondsLeft: runs.length * perRun, message: `writing the test regions of ${all.map((t) => t.id).join(', ')} once, in one fio process (first-write cost)` });
      const argvs = all.map((t) => preconditionArgv(`precondition-${t.id}`, t.testPath!, opts.sizeBytes));
      for (const t of all) if (t.kind !== 'raw-drive' && t.kind !== 'scratch-lv') created.push(t.testPath!);
      const r = await runFioBatch(act, fioBatchArgv(argvs), preTimeoutMs * all.length, all.map((t) => `precondition ${t.label}`));
      fioVersion ??= r.version;
      all.forEach((t, i) => firstWrite.push({ target: t.id, sizeBytes: opts.sizeBytes, figures: r.figures[i] ?? {}, argv: argvs[i]! }));
    } else for (const t of all) {
      aborted();
      progress({ phase: 'precondition', step: ++step, target: t.id, secondsLeft: runs.length * perRun, message: `writing the ${t.label} test region once (first-write cost)` });
      const argv = preconditionArgv(`precondition-${t.id}`, t.testPath!, opts.sizeBytes);
      if (t.kind !== 'raw-drive' && t.kind !== 'scratch-lv') created.push(t.testPath!);
      const r = await runFio(act, argv, preTimeoutMs, `precondition ${t.label}`);
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
    const argvOf = (t: BenchTarget, p: Profile) =>
      fioArgv({ name: p.name, filename: t.testPath!, sizeBytes: profileRegion(p, opts.sizeBytes), job: p.fio, runtimeS: opts.runtimeS, rampS, mustExist: true });
    const record = (t: BenchTarget, p: Profile, argv: string[], figures: Figures, warnings: string[]) => {
      const key = `${t.id}\u0000${p.name}`;
      let c = collected.get(key);
      if (!c) collected.set(key, (c = { target: t.id, profile: p, runs: [], argv, warnings: new Set() }));
      c.runs.push(figures);
      warnings.forEach((w) => c!.warnings.add(w));
    };
    if (opts.fioBatch) for (let rep = 0; rep < opts.repeat; rep++) {
      aborted();
      const batch = runs.filter((x) => x.rep === rep);
      step += batch.length;
      progress({
        phase: 'run',
        step,
        target: [...new Set(batch.map((x) => x.target.id))].join(', '),
        rep: rep + 1,
        repeat: opts.repeat,
        secondsLeft: (runs.length - rep * batch.length) * perRun,
        message: `${batch.length} runs (${[...new Set(batch.map((x) => x.profile.name))].join(', ')} on ${[...new Set(batch.map((x) => x.target.id))].join(', ')}) in one fio process, run ${rep + 1} of ${opts.repeat}`,
      });
      const argvs = batch.map((x) => argvOf(x.target, x.profile));
      const r = await runFioBatch(act, fioBatchArgv(argvs), (batch.length * perRun + 120) * 1000, batch.map((x) => `${x.profile.name} on ${x.target.label}`));
      batch.forEach((x, i) => record(x.target, x.profile, argvs[i]!, r.figures[i] ?? {}, r.warnings));
    }
    else for (let i = 0; i < runs.length; i++) {
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
      const argv = argvOf(t, p);
      const r = await runFio(act, argv, (perRun + 120) * 1000, `${p.name} on ${t.label}`);
      record(t, p, argv, r.figures, r.warnings);
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

  // ---- the databases themselves (after fio: their servers must not compete with it) ----
  const database = opts.database
    ? await runDatabaseBench({ runner, act }, sel.targets, { ...opts.database, repeat: opts.repeat, sizeBytes: opts.sizeBytes, signal: opts.signal })
    : undefined;

  const drives = dedupeDrives(all.flatMap((t) => t.drives ?? []));
  const emulated = isEmulated(drives);
  const results: ProfileRun[] = [...collected.values()].map((c) => {
    const summary = summarize(c.runs);
    const out: ProfileRun = { target: c.target, profile: c.profile.name, runs: c.runs, summary, argv: c.argv };
    const checks = checkProfile(c.profile, summary, emulated);
    if (checks?.length) out.checks = checks;
    if (c.warnings.size) out.warnings = [...c.warnings];
    return out;
  });
  const noisy = noiseNote(results);
  if (noisy) notes.push(noisy);
  if (emulated) notes.push('The drives are emulated (QEMU/virtio): absolute figures are not a real drive\'s; ratios within one run are what this run shows.');
  notes.push('Each region was written fully before it was measured (first-write cost reported separately); appends overwrite that region rather than grow a file.');
  if (opts.fioBatch) notes.push('--fio-batch: the preconditioning, then each repeat\'s runs, ran as the jobs of one fio process, one after another (stonewall), in the same order; each result\'s argv is its job as a single fio run.');
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
      ...(opts.allowSnapshots ? { allowSnapshots: true, snapshots: snaps.found } : {}),
      ...(opts.fioBatch ? { fioBatch: true } : {}),
      ...(perPath ? { onePerPath: perPath.paths } : {}),
    },
    plan: opts.plan ? summarizePlan(opts.plan.plan, opts.plan.file) : undefined,
    targets: all,
    profiles: runList.map((p) => ({ name: p.name, title: p.title, reason: p.reason, reports: p.reports, primary: p.primary, compareWith: p.compareWith })),
    results,
    firstWrite,
    rawTarget: rawTarget?.id,
    ratios,
    health,
    ...(database ? { database } : {}),
    notes,
  };
  if (database) database.ratios = computeDbRatios(out, database);
  out.summary = summaryLine(out);
  return out;
}

