// The plan pipeline as apply needs it: the PlanResult and the plan/state/layout it came from (safety
// checks read the probed drives). Composes the shared stages; the probe runs through the given
// (auditing) runner.
import type { Runner } from '../core/runner.js';
import type { PlanResult } from '../model/actions.js';
import { loadPlanFile } from '../model/load-plan.js';
import { resolveLayout } from '../model/capacity.js';
import { lintPlan } from '../lint/lint.js';
import { diffPlan } from '../diff/diff.js';
import { probeHost } from '../probe/probe.js';
import type { ProbedState } from '../probe/types.js';
import type { PlanOutcome } from './apply.js';
import { stateHashOf } from './state-hash.js';

export async function planForApply(runner: Runner, planFile: string): Promise<PlanOutcome> {
  const loaded = await loadPlanFile(planFile);
  const plan = loaded.plan;
  const paths = [...plan.volumes.flatMap((v) => (v.mount ? [v.mount.path] : [])), ...plan.networkMounts.map((n) => n.path)];
  const state = (await probeHost(runner, { paths })) as ProbedState;
  const layout = resolveLayout(plan, state, loaded);
  const findings = [...layout.findings, ...lintPlan(loaded, state, layout)];
  const actions = diffPlan(loaded, state, layout);
  const act = (f: (typeof findings)[number]) => !f.overridden;
  const result: PlanResult = {
    planFile,
    errors: findings.filter((f) => f.severity === 'error' && act(f)),
    warnings: findings.filter((f) => f.severity === 'warning'),
    infos: findings.filter((f) => f.severity === 'info'),
    actions,
    stateHash: stateHashOf(state),
    summary: {
      create: actions.filter((a) => a.kind === 'create').length,
      change: actions.filter((a) => a.kind === 'change').length,
      replace: actions.filter((a) => a.kind === 'replace').length,
      destroy: actions.filter((a) => a.kind === 'destroy').length,
    },
  };
  return { result, plan, state, layout };
}
