/**
 * `snapshot prune`: per origin volume, apply that volume's retention policy to the snapshots this tool
 * made (tag jts-snap). Snapshots of volumes without a policy, and snapshots not made by jts-storage, are
 * never touched. A snapshot that is mounted or merging is kept (and said so).
 */
import type { ActionRunner } from '../model/actions.js';
import { detail, execAction } from './actions.js';
import type { Retention } from '../model/plan-schema.js';
import type { SnapshotInfo } from './lvm-report.js';
import { applyRetention, type RetentionDecision } from './retention.js';

export interface PruneDecision extends RetentionDecision {
  origin: string;
  vg: string;
}

export interface PrunePlan {
  decisions: PruneDecision[];
  /** Origins with jts snapshots but no retention policy: nothing pruned there. */
  unmanagedOrigins: string[];
}

export function planPrune(
  snapshots: SnapshotInfo[],
  policyFor: (vg: string, origin: string) => Retention | undefined,
  opts: { now: Date; removeLost?: boolean; busy?: Set<string> },
): PrunePlan {
  const groups = new Map<string, SnapshotInfo[]>();
  for (const s of snapshots) {
    if (!s.managed) continue;
    const k = `${s.vg}/${s.origin}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const decisions: PruneDecision[] = [];
  const unmanagedOrigins: string[] = [];
  for (const [k, snaps] of [...groups.entries()].sort()) {
    const [vg, origin] = k.split('/') as [string, string];
    const policy = policyFor(vg, origin);
    if (!policy) {
      unmanagedOrigins.push(k);
      continue;
    }
    const items = snaps.map((s) => ({ id: s.id, time: s.time ?? new Date(0), valid: s.valid, pinned: s.pinned }));
    for (const d of applyRetention(items, policy, { now: opts.now, removeLost: opts.removeLost })) {
      const s = snaps.find((x) => x.id === d.id)!;
      if (d.action === 'remove' && (opts.busy?.has(d.id) || s.merging)) {
        decisions.push({ ...d, vg, origin, action: 'keep', reasons: [s.merging ? 'merging into its origin' : 'mounted (umount it to let prune remove it)'] });
      } else decisions.push({ ...d, vg, origin });
    }
  }
  return { decisions, unmanagedOrigins };
}

export interface PruneRun {
  removed: string[];
  failed: { id: string; error: string }[];
}

/** Remove the snapshots the plan decided to remove, one lvremove Action each, through `act`. */
export async function executePrune(act: ActionRunner, plan: PrunePlan): Promise<PruneRun> {
  const out: PruneRun = { removed: [], failed: [] };
  for (const d of plan.decisions.filter((x) => x.action === 'remove')) {
    const r = await act.run(execAction(`snapshot ${d.id}`, `prune: ${d.reasons.join('; ')}`, ['lvremove', '--yes', d.id], { kind: 'destroy', timeoutMs: 300_000 }));
    if (r.ok) out.removed.push(d.id);
    else out.failed.push({ id: d.id, error: detail(r) });
  }
  return out;
}
