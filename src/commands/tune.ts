import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import { EXIT } from '../core/exit-codes.js';
import { loadPlanFile, DEFAULT_PLAN_PATH } from '../model/load-plan.js';
import { emptyHostState } from '../model/host-state.js';
import { readTuneFacts } from '../tune/facts.js';
import { planTune } from '../tune/actions.js';
import { tuneStatus, formatTuneStatus } from '../tune/status.js';
import { AuditLog, AuditingRunner, DEFAULT_AUDIT_LOG } from '../exec/audit.js';
import { Executor, dryRunLines } from '../exec/executor.js';
import { acquireLock } from '../exec/lock.js';
import { progressFor } from '../exec/progress.js';
import * as path from 'node:path';

/**
 * `jts-storage tune apply|status`: I/O scheduler per drive class (udev rule + sysfs at once),
 * read-ahead per volume (lvchange -r), sysctl only where the plan asks, and the systemd timers
 * (fstrim, health textfile, snapshots). See docs/tune.md. The logic is in src/tune/; this file only
 * wires options, output and exit codes.
 */
export function register(program: Command): void {
  const tune = program.command('tune').description('Apply or check the I/O scheduler, read-ahead, sysctl and storage timers of the plan');

  tune
    .command('apply')
    .description('Write the udev rule and units, set schedulers and read-ahead now, enable timers where systemd runs')
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--dry-run', 'print exactly the steps that would run, run none')
    .option('--audit-log <file>', 'JSON-lines audit log', DEFAULT_AUDIT_LOG)
    .option('--json', 'machine-readable output')
    .action(async (o: { plan?: string; dryRun?: boolean; auditLog: string; json?: boolean }) => {
      const loaded = await loadPlanFile(o.plan ?? DEFAULT_PLAN_PATH);
      const base = new ExecRunner();
      const facts = await readTuneFacts(base, loaded.plan);
      const tp = planTune(loaded, emptyHostState('probe'), undefined, facts);
      const out = (s: string) => {
        if (!o.json) process.stdout.write(s + '\n');
      };
      if (o.dryRun) {
        if (o.json) process.stdout.write(JSON.stringify({ dryRun: true, actions: tp.actions, notes: tp.notes }, null, 2) + '\n');
        else {
          for (const l of dryRunLines(tp.actions)) out(l);
          if (!tp.actions.length) out('Nothing to change: the host matches the plan’s tuning.');
          for (const n of tp.notes) out(`note: ${n}`);
        }
        return;
      }
      let result: Awaited<ReturnType<Executor['run']>> | undefined;
      if (tp.actions.length) {
        const audit = new AuditLog(base, o.auditLog, AuditLog.runId(base.now(), process.pid));
        await audit.open();
        const lock = await acquireLock(base, { pid: process.pid, command: 'tune apply' });
        try {
          const runner = new AuditingRunner(base, audit);
          await audit.write({ event: 'start', command: 'tune apply', planFile: path.resolve(loaded.file), actions: tp.actions.length });
          result = await new Executor({ runner, audit, progress: o.json ? undefined : progressFor(process.stderr) }).run(tp.actions);
          await audit.write({ event: 'end', command: 'tune apply', ok: result.ok, wallMs: Math.round(result.wallMs), mutatingCommands: result.mutating });
        } finally {
          await lock.release();
        }
      }
      // Read the host again: what is true now, not what we meant to do.
      const status = tuneStatus(loaded, await readTuneFacts(base, loaded.plan));
      if (o.json) process.stdout.write(JSON.stringify({ actions: tp.actions, notes: tp.notes, result, status }, null, 2) + '\n');
      else {
        if (!tp.actions.length) out('Nothing to change: the host matches the plan’s tuning.');
        else if (result?.ok) out(`Applied ${tp.actions.length} action(s), ${result.mutating} change(s) on the host.`);
        for (const n of tp.notes) out(`note: ${n}`);
        if (result && !result.ok) process.stderr.write(`tune apply failed: ${result.failure?.message}\n`);
        else if (status.drift.length) out(`Still differs after apply:\n  ${status.drift.join('\n  ')}`);
      }
      process.exitCode = result && !result.ok ? EXIT.ERROR : status.drift.length ? EXIT.CHANGES : EXIT.OK;
    });

  tune
    .command('status')
    .description('Per drive: scheduler, write cache, discard, rotational; per volume: read-ahead, discard; timers; drift vs plan (exit 0 clean, 2 drift)')
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--json', 'machine-readable output')
    .action(async (o: { plan?: string; json?: boolean }) => {
      const loaded = await loadPlanFile(o.plan ?? DEFAULT_PLAN_PATH);
      const facts = await readTuneFacts(new ExecRunner(), loaded.plan);
      const s = tuneStatus(loaded, facts);
      process.stdout.write(o.json ? JSON.stringify(s, null, 2) + '\n' : formatTuneStatus(s) + '\n');
      process.exitCode = s.drift.length ? EXIT.CHANGES : EXIT.OK;
    });
}
