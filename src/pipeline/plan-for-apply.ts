// The plan pipeline as apply needs it: the PlanResult and the plan/state/layout it came from (safety
// checks read the probed drives). The probe runs through the given (auditing) runner. The repairs
// (src/pipeline/repairs.ts) are part of runPlan, so `plan` shows every action apply runs.
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { runPlan } from './plan-pipeline.js';
import type { ProbedState } from '../probe/types.js';
import type { PlanOutcome } from '../exec/apply.js';
import { preflightWrittenFiles } from '../render/preflight.js';

export { interruptedMkfs } from './repairs.js';

export async function planForApply(runner: Runner, planFile: string, opts: { skipTune?: boolean } = {}): Promise<PlanOutcome> {
  const run = await runPlan({ runner, planFile, skipTune: opts.skipTune });
  if (!run.loaded || !run.state || !run.layout) {
    const f = run.result.errors;
    throw new UserError(f.map((e) => `${e.file ? `${e.file}:${e.line ?? '?'}:${e.col ?? '?'}: ` : ''}${e.field ? `${e.field}: ` : ''}${e.message}`).join('\n') || 'the plan could not be computed');
  }
  // Every file apply will write reads back as the plan intends, before the first command (src/render/preflight.ts).
  const bad = await preflightWrittenFiles(runner, run.loaded.plan, run.result.actions);
  if (bad.length) throw new UserError(`apply refused before its first command: a file it would write does not read back as the plan intends:\n${bad.map((b) => `  ${b}`).join('\n')}`);
  return { result: run.result, plan: run.loaded.plan, state: run.state as ProbedState, layout: run.layout, planSha256: run.planSha256 };
}
