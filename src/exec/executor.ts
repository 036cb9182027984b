// The executor: runs the plan's actions, in order, step by step, through the Runner, and nothing
// else. Stops at the first failure with the command, its exit code and the tail of its stderr. Every
// step is safe to run again after a partial run: the diff recomputes what is missing from the live
// state, and the file steps here clean up after a kill (stale temp files) before writing.
import * as path from 'node:path';
import type { Runner, RunResult } from '../core/runner.js';
import { ok } from '../core/runner.js';
import type { Action, Step } from '../model/actions.js';
import { AuditLog, AuditingRunner, tail } from './audit.js';
import { backupPath } from '../render/fstab-format.js';
import { type Progress, silentProgress, describeStep } from './progress.js';

export interface ExecOptions {
  /** Should be an AuditingRunner over `audit`, so commands carry their action and step. */
  runner: Runner;
  audit: AuditLog;
  progress?: Progress;
  /**
   * Test hook (documented in docs/apply.md): after action number k (1-based) completes, call
   * `crash` — the apply command passes a SIGKILL of its own process, to prove resumability.
   */
  crashAfterAction?: number;
  crash?: () => void;
}

export interface StepFailure {
  actionId: string;
  action: number;
  step: number;
  message: string;
}

export interface ExecResult {
  ok: boolean;
  actionsDone: number;
  stepsRun: number;
  /** Mutating commands and file writes actually performed. */
  mutating: number;
  failure?: StepFailure;
  wallMs: number;
  /** The result of each exec step run, in order (a flow reads the output of the change it asked for). */
  outputs?: RunResult[];
}

export class StepError extends Error {}

function lastLines(s: string, n = 6): string {
  const lines = s.trimEnd().split('\n');
  return tail(lines.slice(-n).join('\n'), 1200);
}

/** Names of the temp files a write-file step (or a killed one) may leave next to the target. */
function isOurTemp(target: string, name: string): boolean {
  const base = path.basename(target);
  return name.startsWith(`.${base}.jts-tmp-`) || name === `.${base}.jts-storage-check`;
}

export class Executor {
  private readonly runner: Runner;
  private readonly audit: AuditLog;
  private readonly progress: Progress;
  private mutating = 0;
  private readonly outputs: RunResult[] = [];
  constructor(private readonly opts: ExecOptions) {
    this.runner = opts.runner;
    this.audit = opts.audit;
    this.progress = opts.progress ?? silentProgress;
  }

  private setContext(c: { actionId?: string; action?: number; step?: number }): void {
    if (this.runner instanceof AuditingRunner) this.runner.context = c;
  }

  async run(actions: Action[]): Promise<ExecResult> {
    const t0 = performance.now();
    const totalSteps = actions.reduce((s, a) => s + a.steps.length, 0);
    let k = 0;
    let done = 0;
    try {
      for (const [ai, action] of actions.entries()) {
        for (const [si, step] of action.steps.entries()) {
          k++;
          this.setContext({ actionId: action.id, action: ai + 1, step: si + 1 });
          this.progress.stepStart(k, totalSteps, action, step);
          const s0 = performance.now();
          try {
            await this.step(step, action, ai + 1, si + 1);
          } catch (e) {
            this.progress.stepEnd(k, totalSteps, false, performance.now() - s0);
            const msg = e instanceof Error ? e.message : String(e);
            return {
              ok: false,
              actionsDone: done,
              stepsRun: k,
              mutating: this.mutating,
              wallMs: performance.now() - t0,
              outputs: this.outputs,
              failure: {
                actionId: action.id,
                action: ai + 1,
                step: si + 1,
                message: `action ${ai + 1}/${actions.length} (${action.summary}), step ${si + 1}/${action.steps.length}: ${msg}`,
              },
            };
          }
          this.progress.stepEnd(k, totalSteps, true, performance.now() - s0);
        }
        done++;
        if (this.opts.crashAfterAction === ai + 1 && this.opts.crash) this.opts.crash();
      }
    } finally {
      this.setContext({});
      this.progress.done();
    }
    return { ok: true, actionsDone: done, stepsRun: k, mutating: this.mutating, wallMs: performance.now() - t0, outputs: this.outputs };
  }

  private async step(step: Step, action: Action, ai: number, si: number): Promise<void> {
    const ctx = { actionId: action.id, action: ai, step: si };
    switch (step.type) {
      case 'exec': {
        const r = await this.runner.run(step.argv, {
          mutating: step.mutating,
          timeoutMs: step.timeoutMs,
          ...(step.cwd ? { cwd: step.cwd } : {}),
          onOutput: (chunk) => this.progress.output(chunk),
        });
        this.outputs.push(r);
        if (step.mutating) this.mutating++;
        if (!ok(r)) {
          const why = r.notFound ? 'is not installed (command not found)' : r.timedOut ? `timed out after ${step.timeoutMs} ms` : `failed with exit code ${r.exitCode}`;
          const out = lastLines(r.stderr) || lastLines(r.stdout);
          const ex = step.explainArgv && !r.notFound ? await this.runner.run(step.explainArgv, { timeoutMs: 10_000 }) : undefined;
          const kernel = ex && ok(ex) ? lastLines(ex.stdout, 6) : '';
          throw new StepError(`${describeStep(step)} ${why}${out ? ':\n' + out.replace(/^/gm, '    ') : ''}${kernel ? `\n  ${step.explainArgv!.join(' ')}:\n${kernel.replace(/^/gm, '    ')}` : ''}`);
        }
        return;
      }
      case 'write-file':
        return this.writeFile(step, ctx);
      case 'mkdir': {
        const t = performance.now();
        const st = await this.runner.stat(step.path);
        if (st?.isDirectory) return; // already there: nothing to do, nothing mutated
        if (st) throw new StepError(`${step.path} exists and is not a directory`);
        await this.runner.mkdir(step.path, { recursive: true, mode: step.mode });
        this.mutating++;
        await this.audit.write({ event: 'mkdir', ...ctx, path: step.path, mutating: true, durationMs: performance.now() - t, ok: true });
        return;
      }
      case 'write-sysfs': {
        const t = performance.now();
        try {
          await this.runner.writeFile(step.path, step.value);
        } catch (e) {
          await this.audit.write({ event: 'write-sysfs', ...ctx, path: step.path, mutating: true, ok: false, message: String(e) });
          throw new StepError(`writing "${step.value}" to ${step.path} failed: ${(e as Error).message}`);
        }
        this.mutating++;
        await this.audit.write({ event: 'write-sysfs', ...ctx, path: step.path, mutating: true, durationMs: performance.now() - t, ok: true, message: step.value });
        return;
      }
    }
  }

  /**
   * Replace a file (fstab) safely: clean temp files a killed run left, write the candidate next to
   * the target, check it (findmnt --verify --tab-file), back up the old file, then atomic replace
   * (temp, fsync, rename, fsync dir). A failed check leaves the old file untouched.
   */
  private async writeFile(step: Extract<Step, { type: 'write-file' }>, ctx: { actionId: string; action: number; step: number }): Promise<void> {
    const t = performance.now();
    const dir = path.dirname(step.path);
    for (const name of await this.runner.readdir(dir).catch(() => [] as string[])) {
      if (isOurTemp(step.path, name)) await this.runner.unlink(path.join(dir, name)).catch(() => undefined);
    }
    const old = await this.runner.readFileIfExists(step.path);
    if (old === step.content) return; // already written by an earlier (killed) run
    if (step.verifyArgv) {
      const candidate = path.join(dir, `.${path.basename(step.path)}.jts-storage-check`);
      await this.runner.writeFile(candidate, step.content, { mode: step.mode ?? 0o644 });
      let r;
      try {
        r = await this.runner.run(step.verifyArgv.map((a) => a.replaceAll('{file}', candidate)), { mutating: false });
      } finally {
        await this.runner.unlink(candidate).catch(() => undefined);
      }
      if (!ok(r)) {
        const out = lastLines(r.stdout + '\n' + r.stderr, 12);
        await this.audit.write({ event: 'write-file', ...ctx, path: step.path, mutating: false, ok: false, message: `check failed: ${out}` });
        throw new StepError(`the new ${step.path} failed its check (${step.verifyArgv[0]} exit ${r.exitCode}); the old file is untouched:\n${out.replace(/^/gm, '    ')}`);
      }
    }
    let backup: string | undefined;
    if (step.backup && old !== undefined) {
      backup = backupPath(step.path, this.runner.now());
      await this.runner.writeFileAtomic(backup, old, { mode: 0o600 });
    }
    const st = await this.runner.stat(step.path);
    await this.runner.writeFileAtomic(step.path, step.content, { mode: step.mode ?? st?.mode ?? 0o644 });
    this.mutating++;
    await this.audit.write({
      event: 'write-file',
      ...ctx,
      path: step.path,
      mutating: true,
      ok: true,
      durationMs: performance.now() - t,
      message: backup ? `old file backed up to ${backup}` : undefined,
    });
  }
}

/** Bytes of a write-file's content --dry-run prints in full. */
export const DRY_RUN_CONTENT_MAX = 8192;

/** What `--dry-run` prints: exactly the steps apply would run, numbered as apply numbers them. */
export function dryRunLines(actions: Action[]): string[] {
  const lines: string[] = [];
  const total = actions.reduce((s, a) => s + a.steps.length, 0);
  let k = 0;
  for (const a of actions) {
    lines.push(`# ${a.kind} ${a.resource}: ${a.summary}`);
    for (const s of a.steps) {
      k++;
      lines.push(`[${k}/${total}] ${describeStep(s)}`);
      if (s.type === 'write-file') {
        // A file too long to read in a terminal (drill data, a whole lvm.conf) is named, not printed.
        const body = s.content.replace(/\n$/, '').split('\n');
        if (s.content.length > DRY_RUN_CONTENT_MAX || body.length > 80) lines.push(`    | (${Buffer.byteLength(s.content)} bytes, ${body.length} line(s): not shown)`);
        else lines.push(...body.map((l) => `    | ${l}`));
        if (s.verifyArgv) lines.push(`    checked first with: ${s.verifyArgv.join(' ')}`);
      }
    }
  }
  return lines;
}
