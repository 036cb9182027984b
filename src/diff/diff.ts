// CONTRACT STUB (owner: probe/diff helper). Desired (plan + layout) vs probed state → ordered actions.
import type { LoadedPlan } from '../model/load-plan.js';
import type { HostState } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Action } from '../model/actions.js';

export function diffPlan(_loaded: LoadedPlan, _state: HostState, _layout: Layout): Action[] {
  throw new Error('not implemented');
}
