import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { DEFAULT_NOISE_PCT } from '../bench/compare.js';
import { DEFAULT_RESULTS_DIR } from '../bench/results.js';
import { writeReport } from '../report/report.js';
import { loadPlanFile } from '../model/load-plan.js';
import type { CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import type { CommandContext } from './context.js';
import { numberArg } from '../ui/argv.js';

export interface ReportOptions {
  results?: string;
  out: string;
  compare?: string;
  /** Percent, as typed. */
  noise: string | number;
  resultsDir: string;
  plan?: string;
  json?: boolean;
}

/** `jts-storage report`: one self-contained HTML file from saved bench results. Exit 0; UserError on bad options. */
export async function reportCommand(o: ReportOptions, io: CommandIo & { runner: Runner }): Promise<number> {
  const noisePct = Number(o.noise);
  if (!Number.isFinite(noisePct) || noisePct < 0) throw new UserError(`--noise ${o.noise}: expected a number ≥ 0`);
  if (!o.out.endsWith('.html')) throw new UserError(`--out ${o.out}: the report is HTML, name it *.html`);
  const loaded = o.plan ? await loadPlanFile(o.plan) : undefined;
  const r = await writeReport(io.runner, {
    results: o.results,
    resultsDir: o.resultsDir,
    out: o.out,
    compare: o.compare,
    noisePct,
    healthPlan: loaded ? { plan: loaded.plan, file: loaded.file } : undefined,
  });
  show(io, o.json, { out: r.out, source: r.source, bytes: r.bytes }, () => `report: ${r.out} (${Math.round(r.bytes / 1024)} KiB, from ${r.source})\n`);
  return 0;
}

export const takesIo = true;

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description('write one self-contained HTML report (charts inlined, no network) from saved bench results')
    .option('--results <name|file>', 'saved results name or .json file (default: the newest in the results dir)')
    .option('--out <file.html>', 'where to write the report', 'jts-storage-report.html')
    .option('--compare <name|file>', 'compare with these saved results in the report')
    .option('--noise <pct>', 'noise band for --compare, percent', numberArg, DEFAULT_NOISE_PCT)
    .option('--results-dir <dir>', 'where saved results live', DEFAULT_RESULTS_DIR)
    .option('--plan <file>', 'run the health checks now for this plan when the results carry none')
    .option('--json', 'print {out, source, bytes} as JSON')
    .action(async (o: ReportOptions) => ctx.exit(await reportCommand(o, { ...ctx.io, runner: new ExecRunner() })));
}
