import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import type { BenchResults } from '../bench/results.js';

/**
 * Health at the time of a bench run or report, from the health module (src/health/, a separate
 * area). Loaded by name at run time, so bench and report work in a build without it: the report
 * then says the section is unavailable instead of failing.
 */
export async function healthNow(runner: Runner, plan?: Plan, planFile?: string): Promise<NonNullable<BenchResults['health']>> {
  const at = runner.now().toISOString();
  const spec = '../health/index.js';
  let mod: { runHealth?: (r: Runner, o: { plan?: Plan; planFile?: string }) => Promise<unknown> };
  try {
    mod = (await import(spec)) as typeof mod;
  } catch {
    return { at, available: false, note: 'the health module is not part of this build' };
  }
  if (typeof mod.runHealth !== 'function') return { at, available: false, note: 'the health module has no runHealth()' };
  try {
    return { at, available: true, data: await mod.runHealth(runner, { plan, planFile }) };
  } catch (e) {
    return { at, available: false, note: `health check failed: ${(e as Error).message}` };
  }
}
