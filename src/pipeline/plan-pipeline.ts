/**
 * The plan pipeline: plan file → validated model → state (described drives, or the read-only probe)
 * → exact layout → lint → diff → PlanResult. Every read goes through the injected Runner; the only
 * processes it can start are the probe's read-only tools, and with --drives none at all.
 *
 * With errors the actions are still computed when the plan loaded (so the user sees what would run),
 * but the exit code is 1 and nothing may apply it, as Terraform refuses an invalid plan.
 */
import { createHash } from 'node:crypto';
import type { Runner } from '../core/runner.js';
import type { Action, Finding, PlanResult } from '../model/actions.js';
import { FileError, fsReason } from '../core/file-error.js';
import { DEFAULT_PLAN_PATH, PlanError, loadPlanText, readPlanText, type LoadedPlan } from '../model/load-plan.js';
import { parseDrivesFile } from '../model/drives-file.js';
import { resolveLayout, type Layout } from '../model/capacity.js';
import type { HostState } from '../model/host-state.js';
import { lintPlan } from '../lint/lint.js';
import { diffPlanDetailed } from '../diff/diff.js';
import { probeHost, ProbeError } from '../probe/probe.js';
import type { ProbedState } from '../probe/types.js';
import { stateHashOf } from '../exec/state-hash.js';
import { readTuneFacts } from '../tune/facts.js';
import { planTune } from '../tune/actions.js';
import { TuneError } from '../tune/validate.js';
import { EXIT } from '../core/exit-codes.js';
import { addRepairs, OFFLINE_REPAIRS_NOTE } from './repairs.js';

export { DEFAULT_PLAN_PATH };

export interface RunPlanOptions {
  runner: Runner;
  planFile: string;
  /** Plan against described drives (offline): no process is started. */
  drivesFile?: string;
  /** Refuse to probe: a drives file is then required. */
  offline?: boolean;
  /**
   * Leave out the tuning actions (udev rule and scheduler, sysctl, timer units) that `tune apply` also
   * runs; default false: `plan` shows and `apply` runs them after the storage actions (issue 5).
   */
  skipTune?: boolean;
}

export interface PlanRun {
  result: PlanResult;
  exitCode: 0 | 1 | 2;
  loaded?: LoadedPlan;
  state?: HostState;
  layout?: Layout;
  /** sha256 of the plan file's text, for the saved plan. */
  planSha256?: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The paths the probe stats (owner, group, mode, entries): the plan's mount paths, the network mounts'
 * credentials files (JTS-NETMOUNT-CREDENTIALS-MODE) and the users' shells (JTS-USER-SHELL).
 */
export function planPaths(loaded: LoadedPlan): string[] {
  const p = loaded.plan;
  return [
    ...p.volumes.flatMap((v) => (v.mount ? [v.mount.path] : [])),
    ...p.networkMounts.map((n) => n.path),
    ...p.networkMounts.flatMap((n) => (n.credentials ? [n.credentials] : [])),
    ...p.users.map((u) => u.shell),
  ];
}

export function summarize(actions: Action[]): PlanResult['summary'] {
  const s = { create: 0, change: 0, replace: 0, destroy: 0 };
  for (const a of actions) s[a.kind]++;
  return s;
}

/** Same rule, place and message once, in the order first seen. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.rule}|${f.field ?? ''}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function splitFindings(findings: Finding[]): Pick<PlanResult, 'errors' | 'warnings' | 'infos'> {
  const all = dedupe(findings);
  return {
    // An overridden finding never blocks: lint downgrades it, and this keeps it so whatever its severity.
    errors: all.filter((f) => f.severity === 'error' && !f.overridden),
    warnings: all.filter((f) => f.severity === 'warning' || (f.severity === 'error' && f.overridden)),
    infos: all.filter((f) => f.severity === 'info'),
  };
}

function exitOf(r: PlanResult): 0 | 1 | 2 {
  if (r.errors.length) return EXIT.ERROR;
  return r.actions.length ? EXIT.CHANGES : EXIT.OK;
}

function failed(planFile: string, findings: Finding[], extra: Partial<PlanRun> = {}): PlanRun {
  const result: PlanResult = { planFile, ...splitFindings(findings), actions: [], stateHash: '', summary: summarize([]) };
  return { result, exitCode: EXIT.ERROR, ...extra };
}

function readError(rule: string, file: string, e: unknown): Finding {
  return { rule, severity: 'error', message: `cannot read ${file}: ${fsReason(e instanceof FileError ? e.fsError : e)}`, file, field: '(file)' };
}

export async function runPlan(opts: RunPlanOptions): Promise<PlanRun> {
  const { runner, planFile } = opts;
  let text: string;
  try {
    // size cap and strict UTF-8 (src/model/plan-yaml.ts); a missing file keeps its own wording
    text = await readPlanText(planFile, runner, { rethrowReadErrors: true });
  } catch (e) {
    if (e instanceof PlanError) return failed(planFile, e.findings);
    return failed(planFile, [readError('PLAN-FILE', planFile, e)]);
  }
  const planSha256 = sha256(text);
  let loaded: LoadedPlan;
  try {
    loaded = loadPlanText(text, planFile);
  } catch (e) {
    if (e instanceof PlanError) return failed(planFile, e.findings, { planSha256 });
    throw e;
  }

  let state: HostState;
  const findings: Finding[] = [];
  if (opts.drivesFile) {
    let dtext: string;
    try {
      dtext = await runner.readFile(opts.drivesFile);
    } catch (e) {
      return failed(planFile, [readError('DRIVES-FILE', opts.drivesFile, e)], { loaded, planSha256 });
    }
    try {
      state = parseDrivesFile(dtext, opts.drivesFile);
    } catch (e) {
      if (e instanceof PlanError) return failed(planFile, e.findings, { loaded, planSha256 });
      throw e;
    }
  } else if (opts.offline) {
    return failed(planFile, [{ rule: 'PLAN-OFFLINE', severity: 'error', message: 'offline planning needs --drives FILE (described drives); nothing was probed' }], { loaded, planSha256 });
  } else {
    try {
      state = await probeHost(runner, { paths: planPaths(loaded) });
    } catch (e) {
      if (e instanceof ProbeError) return failed(planFile, [{ rule: 'PROBE-FAILED', severity: 'error', message: `probe of this host failed: ${e.message}` }], { loaded, planSha256 });
      throw e;
    }
    for (const w of (state as ProbedState).probeWarnings ?? []) findings.push({ rule: 'PROBE-PARTIAL', severity: 'warning', message: w });
  }

  const layout = resolveLayout(loaded.plan, state, loaded);
  // lintPlan includes the layout's findings (capacity, drive matching): not added twice.
  findings.push(...lintPlan(loaded, state, layout));
  const diff = diffPlanDetailed(loaded, state, layout);
  findings.push(...diff.findings);
  const actions = [...diff.actions];
  // Repairs the diff cannot see (an interrupted mkfs.xfs, a filesystem short of its LV): read from the
  // live superblocks, so only with the probe; apply runs exactly these (src/pipeline/repairs.ts).
  if (opts.drivesFile) findings.push(OFFLINE_REPAIRS_NOTE);
  else findings.push(...(await addRepairs(runner, loaded.plan, state as ProbedState, actions)));
  if (!opts.skipTune) {
    // After the storage actions: the same actions `tune apply` would run now. Read-ahead is left to the
    // diff (lvcreate -r / lvchange -r); a second lvchange -r of the same value would fail. Described
    // drives: the facts come from the drives file alone (no process), so every managed file is written.
    try {
      const facts = opts.drivesFile ? undefined : await readTuneFacts(runner, loaded.plan, { skipVolumes: true });
      const tp = planTune(loaded, state, layout, facts, { skipReadAhead: true });
      actions.push(...tp.actions);
      findings.push(...tp.findings);
      if (!facts)
        findings.push({
          rule: 'JTS-TUNE-NOTE',
          severity: 'info',
          message: 'tuning planned against described drives: the target host is taken to have none of the managed files, no fstrim.timer and no running systemd; `plan` on the host itself shows what it really lacks',
        });
      for (const n of tp.notes) findings.push({ rule: 'JTS-TUNE-NOTE', severity: 'info', message: n });
    } catch (e) {
      if (!(e instanceof TuneError)) throw e;
      // The layout already reports an ambiguous drive identity (JTS-DRIVE-AMBIGUOUS at the same field): once.
      findings.push(...e.findings.filter((x) => !findings.some((y) => y.rule === x.rule && y.field === x.field)));
    }
  }

  const result: PlanResult = {
    planFile,
    ...splitFindings(findings),
    actions,
    stateHash: stateHashOf(state),
    summary: summarize(actions),
  };
  return { result, exitCode: exitOf(result), loaded, state, layout, planSha256 };
}

/** The layout as plain JSON (its drive map becomes an object keyed by plan drive id). */
export function layoutJson(layout: Layout | undefined): unknown {
  if (!layout) return null;
  return {
    vgs: layout.vgs,
    drives: Object.fromEntries([...layout.drives.entries()].map(([id, d]) => [id, { path: d.path, byIds: d.byIds, serial: d.serial, sizeBytes: d.sizeBytes, kind: d.kind }])),
  };
}

/** `plan --json`: { errors, warnings, infos, actions, stateHash, summary, layout }. */
export function planJson(run: PlanRun): Record<string, unknown> {
  const r = run.result;
  return {
    planFile: r.planFile,
    errors: r.errors,
    warnings: r.warnings,
    infos: r.infos,
    actions: r.actions,
    stateHash: r.stateHash,
    stateSource: run.state?.source ?? null,
    summary: r.summary,
    exitCode: run.exitCode,
    layout: layoutJson(run.layout),
  };
}
