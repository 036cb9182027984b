// The plan pipeline as apply needs it: the PlanResult and the plan/state/layout it came from (safety
// checks read the probed drives). The probe runs through the given (auditing) runner.
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { runPlan } from '../core/plan-pipeline.js';
import type { ProbedState } from '../probe/types.js';
import type { PlanOutcome } from './apply.js';

export async function planForApply(runner: Runner, planFile: string): Promise<PlanOutcome> {
  const run = await runPlan({ runner, planFile });
  if (!run.loaded || !run.state || !run.layout) {
    const f = run.result.errors;
    throw new UserError(f.map((e) => `${e.file ? `${e.file}:${e.line ?? '?'}:${e.col ?? '?'}: ` : ''}${e.field ? `${e.field}: ` : ''}${e.message}`).join('\n') || 'the plan could not be computed');
  }
  return { result: run.result, plan: run.loaded.plan, state: run.state as ProbedState, layout: run.layout, planSha256: run.planSha256 };
}
