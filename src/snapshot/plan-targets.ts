/**
 * From the plan to what the snapshot commands need: which volumes have a policy, the VG reserves in
 * bytes, and the retention policy of an origin.
 */
import type { Plan, Retention, SnapshotPolicy, Volume } from '../model/plan-schema.js';
import { UserError } from '../core/exit-codes.js';
import type { LvRow, VgRow } from './lvm-report.js';
import type { CreateTarget } from './create.js';
import { defaultPolicy } from './create.js';
import { sizeBytes } from './units.js';

/** VG reserve bytes ("10%" of the VG as probed, or absolute; "0" = none). Only VGs that exist. */
export function reserveMap(plan: Plan | undefined, vgs: VgRow[]): Map<string, number> | undefined {
  if (!plan) return undefined;
  const m = new Map<string, number>();
  for (const g of plan.volumeGroups) {
    const vg = vgs.find((v) => v.name === g.name);
    if (!vg) continue;
    const r = String(g.reserve).trim();
    m.set(g.name, /^0+(\.0+)?\s*[A-Za-z]*$/.test(r) ? 0 : sizeBytes(r, vg.sizeBytes));
  }
  return m;
}

function volumeOf(plan: Plan | undefined, vg: string, lv: string): Volume | undefined {
  return plan?.volumes.find((v) => v.vg === vg && v.name === lv);
}

/**
 * Volumes named on the command line (plan volume names, LV names or VG/LV), or — with none named —
 * every plan volume with a snapshot policy (only those of `set` when a set is given and some policy
 * names it). Overrides (--size/--type) apply to every target.
 */
export function selectTargets(
  plan: Plan | undefined,
  lvs: LvRow[],
  names: string[],
  opts: { set?: string; size?: string; type?: 'classic' | 'thin' } = {},
): CreateTarget[] {
  const isThin = (lv?: LvRow) => !!lv && lv.attr[0] === 'V' && !!lv.pool;
  const withOverrides = (p: SnapshotPolicy | undefined, lv?: LvRow): SnapshotPolicy => {
    // No policy in the plan: the schema's defaults, thin for a thin volume, classic otherwise.
    const q = p ? { ...p } : { ...defaultPolicy(), type: isThin(lv) ? ('thin' as const) : ('classic' as const) };
    if (opts.size) q.size = opts.size;
    if (opts.type) q.type = opts.type;
    return q;
  };
  if (names.length === 0) {
    if (!plan) throw new UserError('no volume named and no plan: name the volumes (VG/LV) or pass --plan');
    let vols = plan.volumes.filter((v) => v.snapshot);
    if (opts.set && vols.some((v) => v.snapshot?.set === opts.set)) vols = vols.filter((v) => v.snapshot?.set === opts.set);
    if (vols.length === 0) throw new UserError('the plan has no volume with a snapshot policy: name the volumes to snapshot');
    return vols.map((v) => {
      const lv = lvs.find((l) => l.vg === v.vg && l.name === v.name);
      return { vg: v.vg, lv: v.name, policy: withOverrides(v.snapshot!, lv), workload: v.workload };
    });
  }
  return names.map((n) => {
    const ref = n.replace(/^\/dev\//, '');
    let vg: string | undefined;
    let name = ref;
    if (ref.includes('/')) [vg, name] = ref.split('/', 2) as [string, string];
    const planVol = plan?.volumes.find((v) => v.name === name && (!vg || v.vg === vg));
    const candidates = lvs.filter((l) => l.name === name && (!vg || l.vg === vg) && !l.hidden);
    if (!vg) {
      if (planVol) vg = planVol.vg;
      else if (candidates.length === 1) vg = candidates[0]!.vg;
      else if (candidates.length > 1) throw new UserError(`"${n}" is in several VGs (${candidates.map((c) => c.vg).join(', ')}): write VG/LV`);
      else throw new UserError(`no logical volume "${n}"`);
    }
    const lv = lvs.find((l) => l.vg === vg && l.name === name);
    const v = volumeOf(plan, vg, name);
    return { vg, lv: name, policy: withOverrides(v?.snapshot, lv), workload: v?.workload };
  });
}

export function retentionFor(plan: Plan | undefined): (vg: string, origin: string) => Retention | undefined {
  return (vg, origin) => volumeOf(plan, vg, origin)?.snapshot?.retention;
}

/** The backup volume's mount path: the default destination of `snapshot export`. */
export function backupMount(plan: Plan | undefined): string | undefined {
  return plan?.volumes.find((v) => v.workload === 'backup' && v.mount)?.mount?.path;
}
