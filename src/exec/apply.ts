// apply, end to end: lock → probe + plan → safety → show → confirm → execute → verify.
// The command file (src/commands/apply.ts) only parses flags and prints; everything here goes
// through the injected Runner, so it runs on FakeRunner in unit tests and for real in the sandbox.
import type { Runner } from '../core/runner.js';
import type { Action, Finding, PlanResult } from '../model/actions.js';
import type { Plan } from '../model/plan-schema.js';
import type { Layout } from '../model/capacity.js';
import type { ProbedState } from '../probe/types.js';
import { LockHeldError } from './lock.js';
import { AuditOpenError, HostRun } from './host-run.js';
import { checkSafety, type SafetyReport } from './safety.js';
import { dryRunLines, type ExecResult } from './executor.js';
import type { Progress } from './progress.js';
import type { VerifyReport } from '../verify/verify.js';

/** What apply needs from the plan pipeline: the result, and the plan/state/layout it came from. */
export interface PlanOutcome {
  result: PlanResult;
  plan: Plan;
  state: ProbedState;
  layout: Layout;
  /** sha256 of the plan file's text (a saved plan records it). */
  planSha256?: string;
}

export interface ApplyDeps {
  /** Probe + lint + diff, through the given runner (so its commands are audited). */
  plan(runner: Runner): Promise<PlanOutcome>;
  /** Live state vs plan after the actions ran (fresh probe). */
  verify(runner: Runner, plan: Plan, unchangedState?: ProbedState): Promise<VerifyReport>;
}

export interface ApplyOptions {
  runner: Runner;
  deps: ApplyDeps;
  /** A saved plan (`plan --out`): its actions are applied only if the host still hashes the same. */
  saved?: PlanResult;
  /** The saved plan's record of the plan file's sha256: refused when the file changed since. */
  savedPlanSha256?: string;
  yes: boolean;
  dryRun: boolean;
  allowDestroy: string[];
  /** undefined: DEFAULT_AUDIT_LOG. */
  auditLog?: string;
  lockPath?: string;
  /** Wait this long for another run's lock (0 or undefined: refuse at once naming the holder). */
  lockTimeoutMs?: number;
  /** Tests: how to wait between lock polls. */
  sleep?: (ms: number) => Promise<void>;
  /** Can we ask? (stdin and stderr are terminals) */
  interactive: boolean;
  confirm?: (question: string) => Promise<boolean>;
  /** Human text (stderr in the command, so stdout stays JSON under --json). */
  say: (line: string) => void;
  progress?: Progress;
  pid: number;
  crashAfterAction?: number;
  crash?: () => void;
  skipVerify?: boolean;
}

export type ApplyStatus = 'applied' | 'nothing-to-do' | 'refused' | 'failed' | 'dry-run' | 'drift';

export interface ApplyOutcome {
  status: ApplyStatus;
  exitCode: number;
  runId: string;
  auditLog?: string;
  /** The actions apply ran (or would run): wipes allowed by --allow-destroy first, then the plan's. */
  actions: Action[];
  refusals: string[];
  losses: SafetyReport['losses'];
  warnings: Finding[];
  exec?: ExecResult;
  verify?: VerifyReport;
  /** Mutating commands and file writes of this run, as counted in its audit records. */
  mutatingCommands: number;
  dryRunSteps?: string[];
  wallMs: number;
  tookOverLockFrom?: number;
}

export async function runApply(o: ApplyOptions): Promise<ApplyOutcome> {
  const t0 = performance.now();
  const host = new HostRun({
    runner: o.runner,
    command: 'apply',
    pid: o.pid,
    dryRun: o.dryRun,
    auditLog: o.auditLog,
    lockPath: o.lockPath,
    lockTimeoutMs: o.lockTimeoutMs,
    sleep: o.sleep,
    say: o.say,
    progress: o.progress,
  });
  const audit = host.audit;
  const runner = host.runner;
  const out: ApplyOutcome = {
    status: 'failed',
    exitCode: 1,
    runId: host.runId,
    auditLog: host.auditFile,
    actions: [],
    refusals: [],
    losses: [],
    warnings: [],
    mutatingCommands: 0,
    wallMs: 0,
  };
  const finish = async (status: ApplyStatus, exitCode: number): Promise<ApplyOutcome> => {
    out.status = status;
    out.exitCode = exitCode;
    out.mutatingCommands = audit.mutatingCount;
    out.wallMs = performance.now() - t0;
    await host.end(exitCode === 0, status);
    return out;
  };
  try {
    await host.open();
  } catch (e) {
    if (e instanceof AuditOpenError || e instanceof LockHeldError) {
      out.refusals.push(e.message);
      return finish('refused', 1);
    }
    throw e;
  }
  out.tookOverLockFrom = host.tookOverLockFrom?.pid;
  try {
    const planned = await o.deps.plan(runner);
    const result = planned.result;
    await audit.write({ event: 'start', command: 'plan', planFile: result.planFile, stateHash: result.stateHash, actions: result.actions.length });
    out.warnings = result.warnings;
    let actions = result.actions;
    if (o.saved) {
      if (o.saved.stateHash !== result.stateHash) {
        out.refusals.push(
          `the saved plan was made for another state of this host (state hash ${o.saved.stateHash.slice(0, 12)}…, the host now hashes ${result.stateHash.slice(0, 12)}…): something changed since \`plan --out\`. Run plan again and review it.`,
        );
      }
      if (o.savedPlanSha256 && planned.planSha256 && o.savedPlanSha256 !== planned.planSha256) {
        out.refusals.push(`the plan file ${result.planFile} changed since the plan was saved: run plan again and review it`);
      }
      actions = o.saved.actions;
    }
    const safety = await checkSafety({
      plan: planned.plan,
      state: planned.state,
      drives: planned.layout.drives,
      actions,
      errors: [...result.errors, ...(o.saved?.errors ?? [])],
      allowDestroy: o.allowDestroy,
      runner,
    });
    out.refusals.push(...safety.refusals);
    out.losses = safety.losses;
    out.actions = [...safety.wipeActions, ...actions];
    if (out.refusals.length) {
      for (const r of out.refusals) await audit.write({ event: 'refused', message: r });
      return await finish('refused', 1);
    }
    if (o.dryRun) {
      out.dryRunSteps = dryRunLines(out.actions);
      return await finish('dry-run', 0);
    }
    if (out.actions.length > 0) {
      for (const l of safety.losses) o.say(`WILL DESTROY ${l.target}: ${l.loses.join('; ')}`);
      const n = out.actions.reduce((s, a) => s + a.steps.length, 0);
      o.say(`apply: ${out.actions.length} action(s), ${n} step(s); audit log ${host.auditFile}`);
      if (!o.yes) {
        if (!o.interactive || !o.confirm) {
          out.refusals.push('no terminal to confirm on: review `jts-storage plan` and run apply again with --yes');
          return await finish('refused', 1);
        }
        if (!(await o.confirm(`Apply ${out.actions.length} action(s)${safety.losses.length ? ', DESTROYING the data listed above' : ''}? Type "yes": `))) {
          out.refusals.push('not confirmed');
          return await finish('refused', 1);
        }
      }
      out.exec = await host.execute(out.actions, { crashAfterAction: o.crashAfterAction, crash: o.crash });
      if (!out.exec.ok) return await finish('failed', 1);
    }
    if (o.skipVerify) return await finish(out.actions.length ? 'applied' : 'nothing-to-do', 0);
    // Nothing ran: the state the plan probed is still the host's; verify reads it instead of probing again.
    out.verify = await o.deps.verify(runner, planned.plan, out.actions.length === 0 ? planned.state : undefined);
    if (!out.verify.clean) return await finish('drift', 1);
    return await finish(out.actions.length ? 'applied' : 'nothing-to-do', 0);
  } catch (e) {
    // A bad plan file (PlanError), a probe that cannot read the host…: said, audited, exit 1.
    out.refusals.push(e instanceof Error ? e.message : String(e));
    await audit.write({ event: 'refused', message: out.refusals[out.refusals.length - 1] }).catch(() => undefined);
    return await finish('failed', 1);
  } finally {
    await host.release();
  }
}
