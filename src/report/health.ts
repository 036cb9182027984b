import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import type { BenchResults } from '../bench/results.js';

/**
 * Health at the time of a bench run or report, from the health module (src/health/, a separate
 * area), imported when first needed; if it cannot load or fails, the report says the section is
 * unavailable instead of failing.
 */
export async function healthNow(runner: Runner, plan?: Plan, planFile?: string): Promise<NonNullable<BenchResults['health']>> {
  const at = runner.now().toISOString();
  let mod: { runHealth?: (r: Runner, o: { plan?: Plan; planFile?: string }) => Promise<unknown> };
  try {
    // A literal specifier, so the one-file bundle (scripts/bundle.mjs) carries the module: a computed one
    // resolved at run time beside the bundle, found nothing, and bench's results said "not part of this build".
    mod = (await import('../health/index.js')) as typeof mod;
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
