import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { EXIT } from '../core/exit-codes.js';
import { loadPlanFile, DEFAULT_PLAN_PATH } from '../model/load-plan.js';
import { emptyHostState } from '../model/host-state.js';
import { readTuneFacts } from '../tune/facts.js';
import { planTune } from '../tune/actions.js';
import { tuneStatus, formatTuneStatus } from '../tune/status.js';
import { DEFAULT_AUDIT_LOG } from '../exec/audit.js';
import { DEFAULT_LOCK_PATH } from '../exec/lock.js';
import { withHostRun, lockTimeoutMs } from '../exec/host-run.js';
import { dryRunLines, type ExecResult } from '../exec/executor.js';
import { progressFor } from '../exec/progress.js';
import * as path from 'node:path';
import { show } from '../ui/view.js';
import type { CommandIo } from '../ui/io.js';
import type { CommandContext } from './context.js';

/**
 * `jts-storage tune apply|status`: I/O scheduler per drive class (udev rule + sysfs at once),
 * read-ahead per volume (lvchange -r), sysctl only where the plan asks, and the systemd timers
 * (fstrim, health textfile, snapshots). See docs/tune.md. The logic is in src/tune/; the changes run
 * through the one executor (src/exec/host-run.ts: lock, audit log, --dry-run).
 */

/** The command's I/O (ui/io.ts) and the Runner it reads and changes the host through. */
export type TuneIo = CommandIo & { runner: Runner };

export interface TuneApplyOptions {
  plan?: string;
  dryRun?: boolean;
  auditLog?: string;
  lockFile?: string;
  /** Seconds to wait for another run's lock (default 0: refuse at once naming the holder). */
  lockTimeout?: string;
  json?: boolean;
}

const slim = (r: ExecResult | undefined) => r && { ...r, outputs: undefined };

/** `tune apply`: returns the exit code (0 done and clean, 2 still differs, 1 failed or refused). */
export async function tuneApplyCommand(o: TuneApplyOptions, io: TuneIo): Promise<number> {
  const loaded = await loadPlanFile(o.plan ?? DEFAULT_PLAN_PATH);
  const base = io.runner;
  const facts = await readTuneFacts(base, loaded.plan);
  const tp = planTune(loaded, emptyHostState('probe'), undefined, facts);
  const out = (s: string) => {
    if (!o.json) io.stdout(s + '\n');
  };
  if (o.dryRun) {
    if (o.json) show(io, true, { dryRun: true, actions: tp.actions, notes: tp.notes }, () => '');
    else {
      for (const l of dryRunLines(tp.actions)) out(l);
      if (!tp.actions.length) out('Nothing to change: the host matches the plan’s tuning.');
      for (const n of tp.notes) out(`note: ${n}`);
    }
    return EXIT.OK;
  }
  // tune apply has no --allow-destroy: a removal of a file jts-storage did not write (kind destroy, see
  // src/tune/actions.ts removal()) is refused before anything runs; `apply --allow-destroy PATH` takes it.
  const destroys = tp.actions.filter((a) => a.kind === 'destroy' || a.kind === 'replace');
  if (destroys.length) {
    const lines = destroys.map((a) => `${a.summary} (${a.destructive?.loses ?? a.resource}); to allow it: jts-storage apply --allow-destroy ${a.resource.replace(/^\S+\s+/, '')}, or remove it yourself`);
    if (o.json) show(io, true, { refused: lines, actions: tp.actions, notes: tp.notes }, () => '');
    else for (const l of lines) io.stderr(`tune apply refused: ${l}\n`);
    return EXIT.ERROR;
  }
  let result: ExecResult | undefined;
  if (tp.actions.length) {
    result = await withHostRun(
      {
        runner: base,
        command: 'tune apply',
        pid: io.pid ?? process.pid,
        dryRun: false,
        auditLog: o.auditLog ?? DEFAULT_AUDIT_LOG,
        lockPath: o.lockFile ?? DEFAULT_LOCK_PATH,
        lockTimeoutMs: lockTimeoutMs(o.lockTimeout, 0),
        say: (s) => io.stderr(s + '\n'),
        progress: o.json || !io.progressTo ? undefined : progressFor(io.progressTo),
        start: { planFile: path.resolve(loaded.file), actions: tp.actions.length },
      },
      (h) => h.execute(tp.actions),
      (r) => r.ok,
    );
  }
  // Read the host again: what is true now, not what we meant to do.
  const status = tuneStatus(loaded, await readTuneFacts(base, loaded.plan));
  if (o.json) show(io, true, { actions: tp.actions, notes: tp.notes, result: slim(result), status }, () => '');
  else {
    if (!tp.actions.length) out('Nothing to change: the host matches the plan’s tuning.');
    else if (result?.ok) out(`Applied ${tp.actions.length} action(s), ${result.mutating} change(s) on the host.`);
    for (const n of tp.notes) out(`note: ${n}`);
    if (result && !result.ok) io.stderr(`tune apply failed: ${result.failure?.message}\n`);
    else if (status.drift.length) out(`Still differs after apply:\n  ${status.drift.join('\n  ')}`);
  }
  return result && !result.ok ? EXIT.ERROR : status.drift.length ? EXIT.CHANGES : EXIT.OK;
}

/** `tune status`: exit 0 clean, 2 drift. */
export async function tuneStatusCommand(o: { plan?: string; json?: boolean }, io: Pick<TuneIo, 'runner' | 'stdout'>): Promise<number> {
  const loaded = await loadPlanFile(o.plan ?? DEFAULT_PLAN_PATH);
  const facts = await readTuneFacts(io.runner, loaded.plan);
  const s = tuneStatus(loaded, facts);
  show(io, o.json, s, () => formatTuneStatus(s) + '\n');
  return s.drift.length ? EXIT.CHANGES : EXIT.OK;
}

/** The command's I/O from the CLI's (ui/io.ts), with a process runner. */
const tuneIo = (io: CommandIo): TuneIo => ({ ...io, runner: new ExecRunner(), pid: io.pid ?? process.pid });

export const takesIo = true;

/** Thin commander wiring; the logic is tuneApplyCommand / tuneStatusCommand. */
export function register(program: Command, ctx: CommandContext): void {
  const tune = program.command('tune').description('apply or check the I/O scheduler, read-ahead, sysctl and storage timers of the plan');

  tune
    .command('apply')
    .description('write the udev rule and units, set schedulers and read-ahead now, enable timers where systemd runs')
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--dry-run', 'print exactly the steps that would run, run none')
    .option('--audit-log <file>', 'JSON-lines audit log', DEFAULT_AUDIT_LOG)
    .option('--lock-file <path>', 'lock file (one changing run at a time)', DEFAULT_LOCK_PATH)
    .option('--lock-timeout <seconds>', 'wait this long for another run holding the lock; 0 refuses at once, naming it (default: 0)')
    .option('--json', 'machine-readable output')
    .action(async (o: TuneApplyOptions) => ctx.exit(await tuneApplyCommand(o, tuneIo(ctx.io))));

  tune
    .command('status')
    .description('per drive: scheduler, write cache, discard, rotational; per volume: read-ahead, discard; timers; drift vs plan (exit 0 clean, 2 drift)')
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--json', 'machine-readable output')
    .action(async (o: { plan?: string; json?: boolean }) => ctx.exit(await tuneStatusCommand(o, tuneIo(ctx.io))));
}
