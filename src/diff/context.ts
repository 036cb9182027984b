/**
 * What every part of the diff shares: the plan, the probed state, the layout, the action list kept
 * phase by phase, the findings, and the extents drawn from each existing VG. Pure: no Runner, no clock.
 */
import type { LoadedPlan } from '../model/load-plan.js';
import type { DriveInfo, HostState, LvInfo } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Action, Finding, Step } from '../model/actions.js';
import type { Plan } from '../model/plan-schema.js';
import { dmName } from '../probe/lvm.js';
import type { ProbedState } from '../probe/types.js';

/** Order of phases; actions are emitted phase by phase, in plan order within a phase. */
/**
 * A volume is mounted (explicit type and options) BEFORE its fstab line is committed: a mount the
 * kernel refuses stops apply with /etc/fstab untouched. Network mounts (`mount PATH`) read fstab, so
 * they come after it ('netmount').
 */
export const PHASES = ['pv', 'vg', 'pool', 'lv', 'fs', 'group', 'user', 'dir', 'mount', 'fstab', 'netmount', 'perm'] as const;
export type Phase = (typeof PHASES)[number];

export interface DiffContext {
  loaded: LoadedPlan;
  plan: Plan;
  state: HostState;
  /** The same state with the probe's extra facts (paths, passwd, groups), when a probe made it. */
  st: ProbedState;
  layout: Layout;
  findings: Finding[];
  byPhase: Map<Phase, Action[]>;
  /** Adds an action to its phase once (a second action with the same id is dropped). */
  add(phase: Phase, a: Action): void;
  /** Adds a finding located at a plan path (file:line:col from the loader). */
  find(rule: string, severity: Finding['severity'], message: string, path: (string | number)[], source?: string): void;
  /** Extents this plan draws from each existing VG's free space (new LVs, pools, growth). */
  drawn: Map<string, number>;
  draw(vg: string, extents: number): void;
}

/** A fresh context for one diff run. */
export function makeContext(loaded: LoadedPlan, state: HostState, layout: Layout): DiffContext {
  const findings: Finding[] = [];
  const byPhase = new Map<Phase, Action[]>(PHASES.map((p) => [p, []]));
  const ids = new Set<string>();
  const drawn = new Map<string, number>();
  return {
    loaded,
    plan: loaded.plan,
    state,
    st: state as ProbedState,
    layout,
    findings,
    byPhase,
    add(phase, a) {
      if (ids.has(a.id)) return;
      ids.add(a.id);
      byPhase.get(phase)!.push(a);
    },
    find(rule, severity, message, path, source) {
      const loc = loaded.locate(path);
      findings.push({ rule, severity, message, source, file: loaded.file, line: loc?.line, col: loc?.col, field: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') });
    },
    drawn,
    draw(vg, n) {
      drawn.set(vg, (drawn.get(vg) ?? 0) + n);
    },
  };
}

const GiB = 1024 ** 3;
/** Bytes as GiB for summaries: 1073741824 → "1 GiB", 1610612736 → "1.50 GiB". */
export function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(2).replace(/\.00$/, '')} GiB`;
}

/** Size argument for LVM in its own base-2 units, exact: 4194304 → "4m", 5000 → "5000b". */
export function lvmSizeArg(bytes: number): string {
  for (const [u, m] of [
    ['t', 1024 ** 4],
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (bytes % m === 0) return `${bytes / m}${u}`;
  }
  return `${bytes}b`;
}

/** A mutating exec step. */
export function exec(argv: string[], extra: Partial<Extract<Step, { type: 'exec' }>> = {}): Step {
  return { type: 'exec', argv, mutating: true, ...extra };
}

/** The path commands use for a drive: the plan's by-id, else the first by-id link, else the kernel name. */
export function stableDrivePath(planDrive: Plan['drives'][number] | undefined, info: DriveInfo): string {
  if (planDrive?.byId && (info.byIds.length === 0 || info.byIds.includes(planDrive.byId))) return planDrive.byId;
  return info.byIds[0] ?? info.path;
}

/** Every name a host may use for an LV's block device. */
export function lvAliases(vg: string, lv: string, info?: LvInfo): string[] {
  const a = [`/dev/${vg}/${lv}`, `/dev/mapper/${dmName(vg, lv)}`];
  if (info?.path) a.push(info.path);
  if (info?.dmPath) a.push(info.dmPath);
  return [...new Set(a)];
}
