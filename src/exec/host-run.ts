// One path for every change to the host: a HostRun opens the audit log, takes the host lock (waiting
// a bounded time or failing at once naming the holder), records start and end, and runs Actions
// through the one Executor — or, under --dry-run, records them and runs nothing that mutates.
// apply, tune apply, every changing snapshot subcommand and bench go through here; nothing outside
// src/exec/ runs a mutating command (test/exec/mutating-only-in-exec.test.ts checks the sources).
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { Action, ActionRun, ActionRunner } from '../model/actions.js';
import { AuditLog, AuditingRunner, DEFAULT_AUDIT_LOG } from './audit.js';
import { acquireLock, DEFAULT_LOCK_PATH, LockHeldError, type Lock, type LockInfo } from './lock.js';
import { Executor, dryRunLines, type ExecResult } from './executor.js';
import { type Progress, silentProgress } from './progress.js';

export interface HostRunOptions {
  /** The real (or fake) runner; HostRun wraps it in an AuditingRunner. */
  runner: Runner;
  /** What runs, as the lock and the audit `start` record name it: "apply", "snapshot create"… */
  command: string;
  pid: number;
  /** Record actions instead of running them; no audit file is written and no lock is taken. */
  dryRun: boolean;
  /** false: audited, but no lock (a change only to a scratch place of its own, e.g. snapshot verify). */
  lock?: boolean;
  /** undefined: DEFAULT_AUDIT_LOG. */
  auditLog?: string;
  /** undefined: DEFAULT_LOCK_PATH. */
  lockPath?: string;
  /** Wait this long for another run's lock (0: fail at once naming the holder). */
  lockTimeoutMs?: number;
  /** Tests: how to wait between lock polls. */
  sleep?: (ms: number) => Promise<void>;
  /** Human notes (stderr in the commands): lock taken over, waiting for a holder. */
  say?: (line: string) => void;
  progress?: Progress;
  /** Extra fields of the `start` record. */
  start?: { planFile?: string; actions?: number; stateHash?: string };
}

/** The audit log cannot be written: nothing may run (the trail would be lost). */
export class AuditOpenError extends UserError {
  constructor(
    readonly file: string | undefined,
    cause: Error,
  ) {
    super(`cannot write the audit log ${file}: ${cause.message}; pass --audit-log PATH`);
  }
}

/** Lock wait in ms from a `--lock-timeout SECONDS` option value; bad input is a UserError. */
export function lockTimeoutMs(value: string | number | undefined, fallbackS: number): number {
  if (value === undefined) return fallbackS * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`--lock-timeout: "${value}" is not a number of seconds ≥ 0`);
  return Math.round(n * 1000);
}

/** Run ids this process has issued, with how often (the id has one-second resolution). */
const issued = new Map<string, number>();

export class HostRun implements ActionRunner {
  readonly runId: string;
  readonly audit: AuditLog;
  /** Every command through here is audited, reads included. */
  readonly runner: AuditingRunner;
  readonly auditFile: string | undefined;
  readonly dryRun: boolean;
  /** Every action given to run()/execute(), in order (what --dry-run prints). */
  readonly actions: Action[] = [];
  tookOverLockFrom?: LockInfo;
  private lock?: Lock;
  private ended = false;
  private readonly t0 = performance.now();

  constructor(private readonly o: HostRunOptions) {
    this.dryRun = o.dryRun;
    // Two runs of one process within a second (in-process callers: rehearse, the VM drivers) get
    // distinct ids: "-2", "-3"… after the first.
    const id = AuditLog.runId(o.runner.now(), o.pid);
    const n = (issued.get(id) ?? 0) + 1;
    issued.set(id, n);
    this.runId = n === 1 ? id : `${id}-${n}`;
    this.auditFile = o.dryRun ? undefined : (o.auditLog ?? DEFAULT_AUDIT_LOG);
    this.audit = new AuditLog(o.runner, this.auditFile, this.runId);
    this.runner = new AuditingRunner(o.runner, this.audit);
  }

  /**
   * Open the audit log, take the lock (not under --dry-run), write the `start` record.
   * Throws AuditOpenError, or LockHeldError (after a `refused` record) naming the holder.
   */
  async open(): Promise<void> {
    try {
      await this.audit.open();
    } catch (e) {
      throw new AuditOpenError(this.auditFile, e as Error);
    }
    if (!this.dryRun && this.o.lock !== false) {
      try {
        this.lock = await acquireLock(this.o.runner, {
          path: this.o.lockPath ?? DEFAULT_LOCK_PATH,
          pid: this.o.pid,
          command: `jts-storage ${this.o.command}`,
          waitMs: this.o.lockTimeoutMs ?? 0,
          sleep: this.o.sleep,
          onWait: (h) => this.o.say?.(`waiting up to ${Math.round((this.o.lockTimeoutMs ?? 0) / 1000)} s for pid ${h.pid} (${h.command}, started ${h.started}) to release the lock`),
        });
      } catch (e) {
        if (e instanceof LockHeldError) await this.audit.write({ event: 'refused', command: this.o.command, message: e.message }).catch(() => undefined);
        throw e;
      }
      if (this.lock.tookOverFrom) {
        const h = (this.tookOverLockFrom = this.lock.tookOverFrom);
        this.o.say?.(`note: took over a stale lock of pid ${h.pid} (${h.command}, started ${h.started}): that run died; this ${this.o.command} finishes its work`);
      }
    }
    await this.audit.write({ event: 'start', command: this.dryRun ? `${this.o.command} --dry-run` : this.o.command, dryRun: this.dryRun, ...this.o.start });
  }

  /**
   * Run actions in order through the Executor (stops at the first failed step). Under --dry-run:
   * record them, run nothing, report success with nothing done.
   */
  async execute(actions: Action[], hooks: { crashAfterAction?: number; crash?: () => void } = {}): Promise<ExecResult> {
    this.actions.push(...actions);
    if (this.dryRun) return { ok: true, actionsDone: 0, stepsRun: 0, mutating: 0, wallMs: 0, outputs: [] };
    return new Executor({ runner: this.runner, audit: this.audit, progress: this.o.progress ?? silentProgress, ...hooks }).run(actions);
  }

  /** One action, for flows that read the host between changes (ActionRunner, used by snapshot and bench). */
  async run(action: Action): Promise<ActionRun> {
    const r = await this.execute([action]);
    return { ok: r.ok, dryRun: this.dryRun, results: r.outputs ?? [], error: r.failure?.message };
  }

  /** The numbered steps of every action recorded so far (what --dry-run prints). */
  dryRunLines(): string[] {
    return dryRunLines(this.actions);
  }

  /** Mutating commands and file steps of this run, from its audit records. */
  get mutatingCommands(): number {
    return this.audit.mutatingCount;
  }

  /** Write the `end` record (once) and release the lock. */
  async end(ok: boolean, message?: string): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.audit
        .write({ event: 'end', command: this.o.command, ok, wallMs: Math.round(performance.now() - this.t0), mutatingCommands: this.mutatingCommands, message })
        .catch(() => undefined);
    }
    await this.release();
  }

  async release(): Promise<void> {
    const l = this.lock;
    this.lock = undefined;
    await l?.release().catch(() => undefined);
  }
}

/**
 * Run `body` inside a HostRun: audit opened, lock taken, start record; then the end record (ok from
 * `okOf(result)`, false when body throws) and the lock released, whatever happens.
 */
export async function withHostRun<T>(o: HostRunOptions, body: (h: HostRun) => Promise<T>, okOf: (t: T) => boolean = () => true): Promise<T> {
  const h = new HostRun(o);
  await h.open();
  try {
    const t = await body(h);
    await h.end(okOf(t));
    return t;
  } catch (e) {
    await h.audit.write({ event: 'refused', message: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
    await h.end(false, e instanceof Error ? e.message : String(e));
    throw e;
  }
}
