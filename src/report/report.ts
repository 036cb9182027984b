import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import { UserError } from '../core/exit-codes.js';
import { compareResults } from '../bench/compare.js';
import { latestResults, loadResults, resultsPath, type BenchResults } from '../bench/results.js';
import { renderReportHtml } from './html.js';
import { healthNow } from './health.js';

/** chart.js's UMD build, from node_modules (its package exports only the ESM/CJS entry, so go by its directory). */
export function chartJsPath(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return path.join(path.dirname(entry), 'chart.umd.min.js');
}

export interface ReportOptions {
  /** Saved results name or .json file; default: the newest in resultsDir. */
  results?: string;
  resultsDir: string;
  out: string;
  compare?: string;
  noisePct?: number;
  /** Collect health now, for this plan, when the results carry none. */
  healthPlan?: { plan: Plan; file: string };
}

export async function writeReport(runner: Runner, o: ReportOptions): Promise<{ out: string; source: string; bytes: number; results: BenchResults }> {
  let results: BenchResults;
  let source: string;
  if (o.results) {
    source = resultsPath(o.results, o.resultsDir);
    results = await loadResults(runner, o.results, o.resultsDir);
  } else {
    const l = await latestResults(runner, o.resultsDir);
    if (!l) throw new UserError(`no saved bench results in ${o.resultsDir}: run "jts-storage bench --save NAME" first, or give --results FILE`);
    ({ results, file: source } = l);
  }
  const comparison = o.compare ? compareResults(results, await loadResults(runner, o.compare, o.resultsDir), { noisePct: o.noisePct, baselineName: o.compare }) : undefined;
  const health = !results.health && o.healthPlan ? await healthNow(runner, o.healthPlan.plan, o.healthPlan.file) : undefined;
  const chartJs = await runner.readFile(chartJsPath());
  const html = renderReportHtml({ results, chartJs, generatedAt: runner.now().toISOString(), source, comparison, health });
  await runner.writeFileAtomic(o.out, html, { mode: 0o644 });
  return { out: o.out, source, bytes: Buffer.byteLength(html), results };
}
