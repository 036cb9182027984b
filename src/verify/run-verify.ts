// verify as a library call: load the plan, probe (with the mount paths stat'ed), lay it out, compare.
import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import { loadPlanFile } from '../model/load-plan.js';
import { resolveLayout } from '../model/capacity.js';
import { probeHost } from '../probe/probe.js';
import type { ProbedState } from '../probe/types.js';
import { verifyHost, verifyPaths, type VerifyReport } from './verify.js';

/** Verify a loaded plan against a fresh probe of the host. */
export async function verifyPlan(runner: Runner, plan: Plan, probed?: ProbedState): Promise<VerifyReport> {
  // A state probed moments ago with nothing changed since (apply with no action) is reused.
  const state = probed ?? ((await probeHost(runner, { paths: verifyPaths(plan) })) as ProbedState);
  const layout = resolveLayout(plan, state);
  const report = await verifyHost(runner, plan, state, layout);
  for (const w of state.probeWarnings ?? []) report.notes.push(`probe: ${w}`);
  return report;
}

export async function verifyPlanFile(runner: Runner, file: string): Promise<VerifyReport & { planFile: string }> {
  const loaded = await loadPlanFile(file);
  return { planFile: file, ...(await verifyPlan(runner, loaded.plan)) };
}
