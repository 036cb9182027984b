/**
 * Health: the library entry points. `runHealth` gathers (collect.ts), evaluates (evaluate.ts) and,
 * when asked, writes the Prometheus textfile atomically; `healthSummary` is the short form rehearse
 * prints at the end of a rehearsal.
 */
import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import { collectHealth, type CollectOptions } from './collect.js';
import { evaluateHealth } from './evaluate.js';
import { counts, renderPrometheus, statusLine, TEXTFILE_NAME } from './render.js';
import type { HealthReport, Status } from './types.js';

export type { HealthReport, Check, Status } from './types.js';
export { evaluateHealth } from './evaluate.js';
export { renderJson, renderPrometheus, renderTable, statusLine, TEXTFILE_NAME } from './render.js';

export interface RunHealthOptions extends CollectOptions {
  plan?: Plan;
  planFile?: string;
  /** Write <dir>/jts_storage.prom (temp file + rename, so the collector never reads half a file). */
  textfileDir?: string;
}

export async function runHealth(runner: Runner, opts: RunHealthOptions = {}): Promise<HealthReport> {
  const t0 = runner.now().getTime();
  const { inputs, toolCalls } = await collectHealth(runner, opts.plan, opts);
  const report = evaluateHealth(opts.plan, inputs, { time: runner.now().toISOString(), planFile: opts.planFile, toolCalls });
  report.durationMs = runner.now().getTime() - t0;
  if (opts.textfileDir) await writeTextfile(runner, opts.textfileDir, report);
  return report;
}

export async function writeTextfile(runner: Runner, dir: string, report: HealthReport): Promise<string> {
  const path = `${dir.replace(/\/+$/, '')}/${TEXTFILE_NAME}`;
  await runner.writeFileAtomic(path, renderPrometheus(report), { mode: 0o644 });
  return path;
}

export interface HealthSummary {
  status: Status;
  exitCode: 0 | 1 | 2 | 3;
  /** The Nagios-style first line. */
  line: string;
  counts: Record<Status, number>;
  /** Every non-OK check, most severe first, one line each. */
  problems: string[];
}

/** Pure: a report (e.g. parsed from `health --json` run in the guest) → the summary rehearse prints. */
export function summarizeReport(report: HealthReport): HealthSummary {
  const order: Status[] = ['critical', 'warning', 'unknown'];
  return {
    status: report.status,
    exitCode: report.exitCode,
    line: statusLine(report),
    counts: counts(report),
    problems: report.checks
      .filter((c) => c.status !== 'ok')
      .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
      .map((c) => `${c.status.toUpperCase()} ${c.kind} ${c.subject}: ${c.message}`),
  };
}

/** For rehearse: run health on this host (through the Runner) and summarise it. */
export async function healthSummary(runner: Runner, opts: RunHealthOptions = {}): Promise<HealthSummary & { report: HealthReport }> {
  const report = await runHealth(runner, opts);
  return { ...summarizeReport(report), report };
}
