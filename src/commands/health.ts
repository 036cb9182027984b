import type { Command } from 'commander';
import { HEALTH_EXIT } from '../core/exit-codes.js';
import { renderJson, renderPrometheus, renderTable, runHealth, statusLine, writeTextfile } from '../health/index.js';
import { healthCacheDir, loadHealthPlan } from '../health/plan-cache.js';
import { SpawnRunner } from '../health/spawn-runner.js';

/**
 * `jts-storage health`: capacity, snapshots, thin pools, drive wear and drift, as a table, JSON or a
 * Prometheus textfile. Exit codes follow the Nagios/Icinga plugin convention (docs/health.md):
 * 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN — including 3 for an unreadable plan or bad arguments,
 * because a monitoring system reads any other code as a state of the storage.
 *
 * It runs every minute from a timer, so its start-up is kept small: SpawnRunner (node's child_process,
 * not execa) and the validated plan from health's cache (no yaml/zod when the plan did not change).
 */
export function register(program: Command): void {
  program
    .command('health')
    .description('Check VG reserve, volume fill, snapshots, thin pools, NVMe health and drift; exit 0 ok, 1 warning, 2 critical, 3 unknown')
    .option('--plan <file>', 'plan file: volume names, mount paths, thresholds, snapshot policies (without it: every VG on the host, default thresholds)')
    .option('--format <format>', 'table | json | prometheus', 'table')
    .option('--textfile-dir <dir>', 'also write <dir>/jts_storage.prom atomically (node_exporter textfile collector)')
    .option('--json', 'same as --format json')
    .option('--no-plan-cache', 'validate the plan file now instead of reading the validated plan cached by an earlier run (see docs/health.md)')
    .action(async (o: { plan?: string; format: string; textfileDir?: string; json?: boolean; planCache: boolean }) => {
      const format = o.json ? 'json' : o.format;
      if (!['table', 'json', 'prometheus'].includes(format)) {
        process.stderr.write(`health: --format must be table, json or prometheus (got "${format}")\n`);
        process.exitCode = HEALTH_EXIT.UNKNOWN;
        return;
      }
      const runner = new SpawnRunner();
      let plan;
      if (o.plan) {
        try {
          plan = (await loadHealthPlan(runner, o.plan, { cacheDir: o.planCache ? healthCacheDir() : undefined })).plan;
        } catch (e) {
          process.stdout.write(`JTS-STORAGE UNKNOWN - plan ${o.plan} unreadable\n`);
          process.stderr.write(`health: ${(e as Error).message}\n`);
          process.exitCode = HEALTH_EXIT.UNKNOWN;
          return;
        }
      }
      const report = await runHealth(runner, { plan, planFile: o.plan });
      if (o.textfileDir) {
        try {
          await writeTextfile(runner, o.textfileDir, report);
        } catch (e) {
          process.stderr.write(`health: cannot write the textfile in ${o.textfileDir}: ${(e as Error).message}\n`);
          process.exitCode = HEALTH_EXIT.UNKNOWN;
        }
      }
      // With --textfile-dir the metrics go to the file; a timer running every minute then logs one
      // Nagios-style line to the journal instead of the whole exposition.
      if (format === 'prometheus' && o.textfileDir) process.stdout.write(statusLine(report) + '\n');
      else process.stdout.write(format === 'json' ? renderJson(report) : format === 'prometheus' ? renderPrometheus(report) : renderTable(report));
      // A failed textfile write is UNKNOWN, unless the storage itself is already WARNING/CRITICAL.
      if (process.exitCode !== HEALTH_EXIT.UNKNOWN || report.status === 'warning' || report.status === 'critical') process.exitCode = report.exitCode;
    });
}
