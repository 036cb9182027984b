// CONTRACT STUB (owner: model/lint helper).
import type { LoadedPlan } from '../model/load-plan.js';
import type { HostState } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Finding } from '../model/actions.js';

/** All lint findings (errors, warnings, infos) with file:line:col, rule id, fact and source. */
export function lintPlan(_loaded: LoadedPlan, _state: HostState, _layout: Layout): Finding[] {
  throw new Error('not implemented');
}
