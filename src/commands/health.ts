import type { Command } from 'commander';
import { HEALTH_EXIT } from '../core/exit-codes.js';
import type { Runner } from '../core/runner.js';
import { renderPrometheus, renderTable, runHealth, statusLine, writeTextfile } from '../health/index.js';
import { healthCacheDir, loadHealthPlan } from '../health/plan-cache.js';
import { SpawnRunner } from '../health/spawn-runner.js';
import { envOf, type CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import type { CommandContext } from './context.js';

export interface HealthOptions {
  plan?: string;
  format: string;
  textfileDir?: string;
  json?: boolean;
  /** commander's --no-plan-cache sets false. */
  planCache: boolean;
}

/**
 * `jts-storage health`: capacity, snapshots, thin pools, drive wear and drift, as a table, JSON or a
 * Prometheus textfile. Returns the exit code, following the Nagios/Icinga plugin convention
 * (docs/health.md): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN — including 3 for an unreadable plan or bad
 * arguments, because a monitoring system reads any other code as a state of the storage.
 */
export async function healthCommand(o: HealthOptions, io: CommandIo & { runner: Runner }): Promise<number> {
  const format = o.json ? 'json' : o.format;
  if (!['table', 'json', 'prometheus'].includes(format)) {
    io.stderr(`health: --format must be table, json or prometheus (got "${format}")\n`);
    return HEALTH_EXIT.UNKNOWN;
  }
  const runner = io.runner;
  let plan;
  if (o.plan) {
    try {
      plan = (await loadHealthPlan(runner, o.plan, { cacheDir: o.planCache ? healthCacheDir(envOf(io)) : undefined })).plan;
    } catch (e) {
      io.stdout(`JTS-STORAGE UNKNOWN - plan ${o.plan} unreadable\n`);
      io.stderr(`health: ${(e as Error).message}\n`);
      return HEALTH_EXIT.UNKNOWN;
    }
  }
  const report = await runHealth(runner, { plan, planFile: o.plan });
  let textfileFailed = false;
  if (o.textfileDir) {
    try {
      await writeTextfile(runner, o.textfileDir, report);
    } catch (e) {
      io.stderr(`health: cannot write the textfile in ${o.textfileDir}: ${(e as Error).message}\n`);
      textfileFailed = true;
    }
  }
  // With --textfile-dir the metrics go to the file; a timer running every minute then logs one
  // Nagios-style line to the journal instead of the whole exposition.
  show(io, format === 'json', report, () => (format === 'prometheus' ? (o.textfileDir ? statusLine(report) + '\n' : renderPrometheus(report)) : renderTable(report)));
  // A failed textfile write is UNKNOWN, unless the storage itself is already WARNING/CRITICAL.
  if (textfileFailed && report.status !== 'warning' && report.status !== 'critical') return HEALTH_EXIT.UNKNOWN;
  return report.exitCode;
}

export const takesIo = true;

/**
 * Thin commander wiring; the logic is healthCommand. It runs every minute from a timer, so its
 * start-up is kept small: SpawnRunner (node's child_process, not execa) and the validated plan from
 * health's cache (no yaml/zod when the plan did not change).
 */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('health')
    .description('check VG reserve, volume fill, snapshots, thin pools, NVMe health and drift; exit 0 ok, 1 warning, 2 critical, 3 unknown')
    .option('--plan <file>', 'plan file: volume names, mount paths, thresholds, snapshot policies (without it: every VG on the host, default thresholds)')
    .option('--format <format>', 'table | json | prometheus', 'table')
    .option('--textfile-dir <dir>', 'also write <dir>/jts_storage.prom atomically (node_exporter textfile collector)')
    .option('--json', 'same as --format json')
    .option('--no-plan-cache', 'validate the plan file now instead of reading the validated plan cached by an earlier run (see docs/health.md)')
    .action(async (o: HealthOptions) => ctx.exit(await healthCommand(o, { ...ctx.io, runner: new SpawnRunner() })));
}
