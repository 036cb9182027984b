// rehearse: the whole product on a disposable VM shaped like the plan's host. The host side boots ONE
// sandbox guest with the described drives; inside, the guest side (`rehearse --in-guest`) runs the
// steps of steps.ts one after another and writes each result as JSON into the shared out directory;
// the host prints the summary. Nothing touches the host's own disks.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import type { HostState } from '../model/host-state.js';
import { DEFAULT_STEPS, keyFigures, planVars, type RehearseStep } from './steps.js';
import { makeTable, wrap } from '../core/columns.js';
import { makePgTemplate, PG_TEMPLATE_FILE } from './pg-template.js';
import { growPlanText, growSentence, growTargetOf, type GrowSample } from './grow.js';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(PACKAGE_ROOT, 'bin/jts-storage.js');
export const DEFAULT_DRIVES_FILE = path.join(PACKAGE_ROOT, 'examples/drives/4tb-nvme.yaml');
/** The issue's budget for the default plan on a 2-core machine. */
export const BUDGET_MS = 5 * 60_000;
export const BUDGET_DISK_BYTES = 2e9;

export interface StepResult {
  index: number;
  name: string;
  argv: string[];
  exitCode: number;
  durationMs: number;
  ok: boolean;
  skipped?: boolean;
  /** Why it failed: unexpected exit code, or a JSON field with the wrong value. */
  reason?: string;
  figures?: string;
  json?: unknown;
  stderrTail?: string;
  /** The step's samples (RehearseStep.measure), before and after it ran. */
  measured?: { before: GrowSample; after: GrowSample; volume: string; mount: string };
}

// ------------------------------------------------------------------ overrides

export interface Overrides {
  text: string;
  changes: string[];
}

/**
 * What rehearsal changes in the plan to fit the test machine, each change said in the summary.
 * ext4 `lazy_itable_init=0` / `lazy_journal_init=0` make mkfs write every inode table and the whole
 * journal up front: tens of GB for a 1.5 TB volume, more than the sandbox image may cost. Rehearsal
 * sets them to 1 (the kernel initialises the tables in the background instead; the on-disk result is
 * the same filesystem). Thin ext4 volumes are mounted with noinit_itable (see below).
 */
export function rehearsalOverrides(planText: string, plan: Plan): Overrides {
  const doc = parseDocument(planText);
  const changes: string[] = [];
  plan.volumes.forEach((v, i) => {
    if (v.filesystem.type !== 'ext4') return;
    const ext = v.filesystem.extended;
    const next = ext.map((o) => (o === 'lazy_itable_init=0' ? 'lazy_itable_init=1' : o === 'lazy_journal_init=0' ? 'lazy_journal_init=1' : o));
    // On a thin volume mkfs.ext4's journal zeroing writes real zeros (1 GiB for a volume past 128 GiB) into the
    // pool: dm-thin takes no WRITE ZEROES, so the kernel writes zero pages (measured: the pool's data went
    // 0 → 0.05 % = 1.2 GiB with lv_postgres's mkfs). mke2fs(8) lazy_journal_init leaves it unzeroed; an
    // unprovisioned thin block reads as zeros anyway.
    const thinJournal = v.thinPool && !next.some((o) => o.startsWith('lazy_journal_init'));
    if (thinJournal) next.push('lazy_journal_init=1');
    if (next.join(',') !== ext.join(',')) {
      changes.push(
        `volumes[${i}] ${v.name}: mkfs.ext4 -E ${ext.join(',') || '(none)'} → ${next.join(',')} (no up-front ${thinJournal ? 'journal zeroing: on a thin volume it writes 1 GiB of real zeros into the pool and the sparse image' : 'inode table/journal zeroing: it would write tens of GB into the sparse image'})`,
      );
      doc.setIn(['volumes', i, 'filesystem', 'extended'], next);
    }
    // On a thin volume ext4's background inode-table zeroing (ext4lazyinit) writes real zeros into the pool
    // (dm-thin passes no WRITE ZEROES down; a linear LV does, and the emulated NVMe makes it a hole): GBs
    // into the sparse image for 2.3 TB of thin filesystems. noinit_itable (ext4(5)) leaves the tables
    // to be zeroed later; the filesystem is the same.
    const opts = v.mount?.options;
    if (v.thinPool && opts && !opts.includes('noinit_itable')) {
      changes.push(`volumes[${i}] ${v.name}: mount option noinit_itable added (thin volume: ext4lazyinit would write its inode tables' zeros into the pool, GBs into the sparse image)`);
      doc.setIn(['volumes', i, 'mount', 'options'], [...opts, 'noinit_itable']);
    }
  });
  return { text: changes.length ? doc.toString() : planText, changes };
}

// ------------------------------------------------------------------ guest side

function parseJsonOut(s: string): unknown {
  const i = s.indexOf('{');
  if (i < 0) return undefined;
  try {
    return JSON.parse(s.slice(i));
  } catch {
    return undefined;
  }
}

export function judge(step: RehearseStep, exitCode: number, json: unknown): string | undefined {
  if (!step.expectExit.includes(exitCode)) return `exit ${exitCode}, expected ${step.expectExit.join(' or ')}`;
  if (step.parseJson && json === undefined) return 'no JSON on stdout';
  for (const [k, want] of Object.entries(step.expectJson ?? {})) {
    const got = (json as Record<string, unknown> | undefined)?.[k];
    if (JSON.stringify(got) !== JSON.stringify(want)) return `${k} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
  }
  return step.jsonProblem?.(json);
}

/** Runs in the guest: every step in order, results to OUT/steps/NN-name.json; stops at the first failure. */
export async function runStepsInGuest(o: {
  runner: Runner;
  steps?: RehearseStep[];
  planFile: string;
  outDir: string;
  log: (s: string) => void;
  node?: string;
  /** Values of extra placeholders in step argv ({drillVolume}…); computed from the plan when absent. */
  vars?: Record<string, string>;
  /**
   * Run a step in this process instead of a new `node bin/jts-storage.js` (saves the CLI's start-up,
   * tens of seconds per step under emulation). Returns what the child would have.
   */
  /** Runs a step in this process; resolves undefined when that command must run as a process. */
  inProcess?: (argv: string[], env: Record<string, string>) => Promise<{ exitCode: number; stdout: string; stderr: string; durationMs: number } | undefined>;
}): Promise<StepResult[]> {
  const steps = o.steps ?? DEFAULT_STEPS;
  const results: StepResult[] = [];
  // Placeholders beyond {plan}/{out} come from the plan itself (e.g. which volume the drill uses).
  const vars: Record<string, string> = { ...o.vars };
  const wanted = steps.flatMap((s) => s.argv.flatMap((a) => [...a.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))).filter((k) => k !== 'plan' && k !== 'out');
  if (wanted.some((k) => vars[k] === undefined)) {
    const { loadPlanFile } = await import('../model/load-plan.js');
    const loaded = await loadPlanFile(o.planFile, o.runner).catch(() => undefined);
    if (loaded) for (const [k, v] of Object.entries(planVars(loaded.plan))) vars[k] ??= v;
    // the online grow: a copy of the plan with one snapshotted thin volume larger (./grow.ts)
    const grow = loaded && growTargetOf(loaded.plan);
    if (grow && wanted.includes('growPlan') && vars.growPlan === undefined) {
      vars.growPlan = path.join(o.outDir, 'plan.grow.yaml');
      await o.runner.mkdir(o.outDir, { recursive: true });
      await o.runner.writeFile(vars.growPlan, growPlanText(await o.runner.readFile(o.planFile), grow));
      vars.growVolume = `${grow.vg}/${grow.lv}`;
      vars.growMount = grow.mount;
    }
  }
  await o.runner.mkdir(path.join(o.outDir, 'steps'), { recursive: true });
  let failed = false;
  for (const [i, step] of steps.entries()) {
    // A step whose placeholder has no value in this plan (no volume to drill) is skipped, not failed.
    const missing = step.argv.flatMap((a) => [...a.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)).filter((k) => k !== 'plan' && k !== 'out' && vars[k] === undefined);
    let argv = step.argv.map((a) => a.replaceAll('{plan}', o.planFile).replaceAll('{out}', o.outDir));
    for (const [k, v] of Object.entries(vars)) argv = argv.map((a) => a.replaceAll(`{${k}}`, v));
    const file = path.join(o.outDir, 'steps', `${String(i + 1).padStart(2, '0')}-${step.name.replace(/[^A-Za-z0-9_-]+/g, '-')}.json`);
    if (failed) {
      const r: StepResult = { index: i + 1, name: step.name, argv, exitCode: -1, durationMs: 0, ok: false, skipped: true, reason: 'skipped after a failed step' };
      results.push(r);
      await o.runner.writeFile(file, JSON.stringify(r, null, 2));
      continue;
    }
    if (missing.length) {
      const r: StepResult = { index: i + 1, name: step.name, argv, exitCode: -1, durationMs: 0, ok: true, skipped: true, reason: `the plan gives no ${missing.join(', ')}` };
      results.push(r);
      await o.runner.writeFile(file, JSON.stringify(r, null, 2));
      continue;
    }
    o.log(`\n▶ rehearse step ${i + 1}/${steps.length}: ${step.name}: jts-storage ${argv.join(' ')}\n`);
    const env = { ...step.env, JTS_STORAGE_REHEARSAL: '1' };
    const before = step.measure ? await step.measure(o.runner, vars) : undefined;
    const r =
      (o.inProcess && (await o.inProcess(argv, env))) ??
      (await o.runner.run([o.node ?? process.execPath, BIN, ...argv], {
          env,
          // stderr is the step's progress: stream it to the console (the host shows it live).
          onOutput: (chunk, stream) => {
            if (stream === 'stderr') o.log(chunk);
          },
          timeoutMs: 20 * 60_000,
        }));
    const json = step.parseJson ? parseJsonOut(r.stdout) : undefined;
    const after = step.measure ? await step.measure(o.runner, vars) : undefined;
    const reason = judge(step, r.exitCode, json) ?? (before && after ? step.measuredProblem?.(before, after) : undefined);
    const res: StepResult = {
      index: i + 1,
      name: step.name,
      argv,
      exitCode: r.exitCode,
      durationMs: Math.round(r.durationMs),
      ok: !reason,
      reason,
      figures: before && after && step.measuredFigures ? step.measuredFigures(before, after) : keyFigures(step.name, json),
      json,
      stderrTail: r.stderr.slice(-3000),
      ...(before && after ? { measured: { before, after, volume: vars.growVolume ?? '', mount: vars.growMount ?? '' } } : {}),
    };
    if (!step.parseJson || (reason && json === undefined)) res.stderrTail = (r.stdout + r.stderr).slice(-3000);
    results.push(res);
    await o.runner.writeFile(file, JSON.stringify(res, null, 2));
    o.log(`${res.ok ? '✓' : '✗'} ${step.name}: exit ${r.exitCode} in ${(r.durationMs / 1000).toFixed(1)} s${res.figures ? ` (${res.figures})` : ''}${reason ? ` — ${reason}` : ''}\n`);
    if (!res.ok) failed = true;
  }
  return results;
}

// ------------------------------------------------------------------ host side

export interface RehearseOptions {
  planFile: string;
  planText: string;
  plan: Plan;
  drivesFile: string;
  drivesState: HostState;
  keep: boolean;
  /** Copy the results (steps, bench.json, report.html) here and record them in the report (rehearse --out). */
  keepIn?: string;
  timeoutS?: number;
  /** Live guest output and boot progress (stderr). */
  log: (s: string) => void;
  steps?: RehearseStep[];
}

export interface RehearseReport {
  ok: boolean;
  planFile: string;
  drivesFile: string;
  changes: string[];
  steps: StepResult[];
  bootMs: number;
  wallMs: number;
  /** Real disk use of the sparse images (du), bytes. */
  imageBytes: number;
  withinBudget: { time: boolean; disk: boolean };
  outDir?: string;
  imageDir?: string;
  /** Where the results were kept (--out DIR): the steps' JSON, bench.json, report.html, rehearsal.json. */
  keptIn?: string;
  /** The HTML report of the bench step, in keptIn (absent when that step did not write one). */
  reportHtml?: string;
  guestExitCode: number;
  consoleTail?: string;
}

/** Host drive description → sandbox drive (kind: NVMe stays NVMe; SATA/HDD become SCSI disks). */
export function sandboxDrives(state: HostState): { sizeBytes: number; serial?: string; kind: 'nvme' | 'virtio' | 'scsi'; model?: string }[] {
  return state.drives.map((d) => {
    const kind = d.kind === 'nvme' ? 'nvme' : d.kind === 'virtio' ? 'virtio' : 'scsi';
    return { sizeBytes: d.sizeBytes, serial: d.serial, kind, ...(kind === 'scsi' && d.model ? { model: d.model } : {}) };
  });
}

/** Bytes a sparse file really occupies (st_blocks × 512). */
export async function diskUsage(file: string): Promise<number> {
  const s = await fs.stat(file, { bigint: false });
  return s.blocks * 512;
}

export async function rehearse(o: RehearseOptions): Promise<RehearseReport> {
  const t0 = performance.now();
  const { runInSandbox } = await import('../sandbox/index.js');
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'jts-rehearse-'));
  const outDir = path.join(work, 'out');
  const imageDir = path.join(work, 'images');
  await fs.mkdir(outDir, { recursive: true });
  await fs.mkdir(imageDir, { recursive: true });
  const ov = rehearsalOverrides(o.planText, o.plan);
  let planInGuest = path.resolve(o.planFile);
  if (ov.changes.length) {
    planInGuest = path.join(outDir, 'plan.rehearsal.yaml');
    await fs.writeFile(planInGuest, `# ${path.resolve(o.planFile)} with the rehearsal's overrides:\n${ov.changes.map((c) => `#   ${c}`).join('\n')}\n${ov.text}`);
  }
  if (o.steps) await fs.writeFile(path.join(outDir, 'steps.json'), JSON.stringify(o.steps));
  if ((o.steps ?? DEFAULT_STEPS).some((s) => s.argv.includes(`{out}/${PG_TEMPLATE_FILE}`))) {
    // The database drill's cluster: initdb here, natively, instead of in the emulated guest (pg-template.ts).
    const { ExecRunner } = await import('../core/exec-runner.js');
    const t = await makePgTemplate(new ExecRunner(), outDir, typeof process.getuid === 'function' ? process.getuid() : 0);
    ov.changes.push(t.note);
  }
  for (const c of ov.changes) o.log(`rehearsal changed: ${c}\n`);
  const argv = [process.execPath, BIN, 'rehearse', '--in-guest', '--out', outDir, '--plan', planInGuest];
  let res;
  // A heartbeat when the VM is silent for a while (boot, a long mkfs): the run is alive.
  let last = performance.now();
  const log = (s: string) => {
    last = performance.now();
    o.log(s);
  };
  const beat = setInterval(() => {
    if (performance.now() - last >= 15_000) log(`rehearse: still running, ${Math.round((performance.now() - t0) / 1000)} s elapsed\n`);
  }, 5_000);
  beat.unref();
  try {
    res = await runInSandbox(argv, {
      drives: sandboxDrives(o.drivesState),
      outDir,
      imageDir,
      keep: true,
      cwd: PACKAGE_ROOT,
      timeoutS: o.timeoutS ?? 2400,
      expectWriteBytes: 2.5e9,
      onOutput: (c) => log(c),
      onProgress: (m) => log(`sandbox: ${m}\n`),
    });
  } catch (e) {
    await fs.rm(work, { recursive: true, force: true });
    throw e;
  } finally {
    clearInterval(beat);
  }
  let imageBytes = 0;
  for (const img of res.images) imageBytes += await diskUsage(img).catch(() => 0);
  const steps: StepResult[] = [];
  const stepDir = path.join(outDir, 'steps');
  for (const f of (await fs.readdir(stepDir).catch(() => [] as string[])).sort()) {
    try {
      steps.push(JSON.parse(await fs.readFile(path.join(stepDir, f), 'utf8')) as StepResult);
    } catch {
      /* a torn file after a guest crash */
    }
  }
  const wallMs = performance.now() - t0;
  const ok = res.exitCode === 0 && steps.length > 0 && steps.every((s) => s.ok);
  const report: RehearseReport = {
    ok,
    planFile: o.planFile,
    drivesFile: o.drivesFile,
    changes: ov.changes,
    steps,
    bootMs: res.bootMs,
    wallMs,
    imageBytes,
    withinBudget: { time: wallMs <= BUDGET_MS, disk: imageBytes <= BUDGET_DISK_BYTES },
    guestExitCode: res.exitCode,
    consoleTail: ok ? undefined : res.consoleTail,
  };
  if (o.keepIn) {
    // The results outlive the work directory: copied to the folder the user named (or the default).
    await fs.mkdir(o.keepIn, { recursive: true });
    await fs.cp(outDir, o.keepIn, { recursive: true });
    report.keptIn = o.keepIn;
    const html = path.join(o.keepIn, 'report.html');
    if (await fs.stat(html).then(() => true, () => false)) report.reportHtml = html;
    await fs.writeFile(path.join(o.keepIn, 'rehearsal.json'), JSON.stringify(report, null, 2) + '\n');
  }
  if (o.keep) {
    report.outDir = outDir;
    report.imageDir = imageDir;
  } else await fs.rm(work, { recursive: true, force: true });
  return report;
}

/**
 * Where `rehearse` keeps its report and results when --out is not given: as root
 * /var/lib/jts-storage/rehearse/STAMP (beside the product's other state: bench results), otherwise
 * ./jts-storage-rehearse/STAMP under the current directory; STAMP is the UTC start time
 * (2026-11-30T17-55-00Z), so runs never overwrite each other.
 */
export function defaultRehearseOut(now: Date, uid: number, cwd: string): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return uid === 0 ? path.join('/var/lib/jts-storage/rehearse', stamp) : path.join(cwd, 'jts-storage-rehearse', stamp);
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The summary people read: the steps' table and where the results are, fitting `width` columns (the
 * terminal's, at least 80: ui/text.ts termWidth). The table wraps inside its columns (the key figures
 * column first, at word boundaries), never across its borders; every other line is word-wrapped.
 */
export async function formatRehearseReport(r: RehearseReport, width = 80): Promise<string> {
  const rows = r.steps.map((s) => [
    String(s.index),
    s.name,
    s.skipped ? 'skipped' : s.ok ? 'ok' : 'FAILED',
    s.skipped ? '' : String(s.exitCode),
    s.skipped ? '' : secs(s.durationMs),
    (s.figures ?? '') + (s.reason && !s.skipped ? ` ${s.reason}` : ''),
  ]);
  const table = makeTable(['#', 'step', 'result', 'exit', 'time', 'key figures'], rows, { color: false, width, words: true, align: ['right', 'left', 'left', 'right', 'right', 'left'] });
  const para = (text: string, indent = '  ') => wrap(text, width, indent, '');
  const results = r.keptIn && `results: ${r.keptIn}/ (steps/, rehearsal.json${r.reportHtml ? ', bench.json' : ''})`;
  const lines = [
    '',
    ...para(`rehearsal of ${r.planFile} on ${r.drivesFile}`),
    table,
    ...r.changes.flatMap((c) => para(`rehearsal changed: ${c}`)),
    ...r.steps.filter((s) => s.measured && !s.skipped).flatMap((s) => para(growSentence(s.measured!.volume, s.measured!.mount, s.measured!.before, s.measured!.after))),
    ...para(`boot ${secs(r.bootMs)}, total ${secs(r.wallMs)} (budget ${BUDGET_MS / 60000} min${r.withinBudget.time ? '' : ': OVER'})`),
    ...para(`drive images really use ${(r.imageBytes / 1e9).toFixed(2)} GB of host disk (du; budget ${BUDGET_DISK_BYTES / 1e9} GB${r.withinBudget.disk ? '' : ': OVER'})`),
  ];
  if (results) lines.push(...para(results.length <= width ? results : `results: ${r.keptIn}/ (steps/, *.json)`));
  if (r.reportHtml) lines.push(...para(`report: ${r.reportHtml}`));
  if (r.outDir) lines.push(...para(`kept: work directory ${r.outDir}, images in ${r.imageDir}`));
  if (r.steps.length === 0) lines.push(...para(`the guest reported no step (exit ${r.guestExitCode}); console tail:`), ...wrap(r.consoleTail ?? '', width));
  for (const s of r.steps.filter((x) => !x.ok && !x.skipped)) lines.push('', ...para(`${s.name} failed (${s.reason}); last output:`), ...wrap((s.stderrTail ?? '').trimEnd(), width));
  lines.push(r.ok ? 'rehearsal: OK' : 'rehearsal: FAILED');
  return lines.join('\n');
}
