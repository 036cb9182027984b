/**
 * Desired (plan + exact layout) vs what is there (probed or described) → ordered actions made of the
 * exact commands apply will run. Pure: no Runner, no clock.
 *
 * Order (each action lists the ids it depends on):
 *   pv → vg → thin pool → lv → mkfs → groups → users → mkdir → mount → fstab → network mounts → chown/chmod
 * Owner, group and mode belong to the mounted filesystem's root, so they come after the mount.
 *
 * What the diff never does: destroy an LV the plan does not name (a warning says it is there), touch
 * a snapshot, shrink anything (an error finding, never an action), or reformat silently: a filesystem
 * change on an LV that has one is a `replace` action marked destructive, which apply refuses unless
 * explicitly allowed. An applied host plans to zero actions (see mount-options.ts for the mount part).
 */
import type { LoadedPlan } from '../model/load-plan.js';
import type { HostState } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Action, Finding } from '../model/actions.js';
import { PHASES, makeContext } from './context.js';
import { checkVolumeGroups, diffVolumeGroups } from './volume-groups.js';
import { diffVolumes } from './volumes.js';
import { diffAccounts } from './accounts.js';
import { diffMounts } from './mounts.js';

export { lvmSizeArg, stableDrivePath } from './context.js';
export { mkfsArgv, fsOf } from './volumes.js';
export { FSTAB_VERIFY_ARGV } from './mounts.js';

export interface DiffResult {
  actions: Action[];
  /** Facts the diff found: shrink refused, unmanaged LVs, a path mounted from elsewhere… */
  findings: Finding[];
}

export function diffPlan(loaded: LoadedPlan, state: HostState, layout: Layout): Action[] {
  return diffPlanDetailed(loaded, state, layout).actions;
}

/**
 * The whole diff, resource kind by resource kind: volume-groups.ts (PVs, VGs, thin pools),
 * volumes.ts (LVs, filesystems), accounts.ts (groups, users), mounts.ts (mount points, fstab,
 * mounts, owner/mode). Findings come in that order too.
 */
export function diffPlanDetailed(loaded: LoadedPlan, state: HostState, layout: Layout): DiffResult {
  const ctx = makeContext(loaded, state, layout);
  const ready = diffVolumeGroups(ctx);
  const volumes = diffVolumes(ctx, ready);
  checkVolumeGroups(ctx, volumes.planned);
  const accounts = diffAccounts(ctx);
  diffMounts(ctx, volumes, accounts);
  const actions = PHASES.flatMap((p) => ctx.byPhase.get(p)!);
  return { actions, findings: ctx.findings };
}
