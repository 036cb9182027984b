/**
 * `snapshot create`: choose the volumes, size each snapshot, check the space FIRST, then run one
 * lvcreate per volume in quick succession.
 *
 * Space rules (docs/snapshots.md "Space"): for every VG touched, with F = VG free bytes now,
 * N = the new classic COW areas (rounded up to whole extents), H = one autoextend step for every classic
 * snapshot that will then exist in the VG (when lvm.conf autoextend is on: threshold < 100):
 *  1. refuse when N + H > F — a snapshot that cannot grow at its threshold is invalidated (lost);
 *  2. the VG `reserve` of the plan is the snapshot budget: refuse when the classic snapshot space of the
 *     VG after this run (existing + N) plus H exceeds the reserve, because the free space beyond it is
 *     what the plan keeps for growing the database volumes. `--beyond-reserve` accepts that explicitly.
 * Thin snapshots take no VG extents; they draw on their pool: refuse when the pool's data or metadata
 * fill is already at or above the policy's critical fill.
 */
import type { Runner } from '../core/runner.js';
import type { Action, ActionRunner } from '../model/actions.js';
import { detail, execAction, lastResult } from './actions.js';
import type { SnapshotPolicy, Workload } from '../model/plan-schema.js';
import { SnapshotPolicySchema } from '../model/plan-schema.js';
import type { LvRow, LvmState, VgRow } from './lvm-report.js';
import { lvNameProblem, setNameProblem, snapshotName, tagsFor } from './names.js';
import { fmtBytes, sizeBytes, toExtents } from './units.js';
import { consistencyNote, SET_NOTE } from './consistency.js';

export interface CreateTarget {
  vg: string;
  lv: string;
  policy: SnapshotPolicy;
  workload?: Workload;
}

export interface AutoextendConfig {
  threshold: number;
  percent: number;
  monitoring: boolean;
}

export interface CreateOptions {
  now: Date;
  /** Set name for the whole run (overrides each policy's set). */
  set?: string;
  scheduled?: boolean;
  keep?: boolean;
  drill?: boolean;
  /** VG name → reserve bytes from the plan (absent: no plan, budget check skipped). */
  reserveBytes?: Map<string, number>;
  autoextend: AutoextendConfig;
  beyondReserve?: boolean;
}

export interface CreateItem {
  vg: string;
  origin: string;
  name: string;
  set: string;
  kind: 'classic' | 'thin';
  originSizeBytes: number;
  /** Classic: COW bytes (whole extents). Thin: 0 (drawn from the pool as written). */
  cowBytes: number;
  extents: number;
  tags: string[];
  argv: string[];
  consistency: string;
}

export interface VgSpace {
  vg: string;
  freeBytes: number;
  extentSizeBytes: number;
  needBytes: number;
  headroomBytes: number;
  classicBytesBefore: number;
  classicBytesAfter: number;
  reserveBytes?: number;
  /** Free bytes left after the new snapshots. */
  freeAfterBytes: number;
}

export interface CreatePlan {
  items: CreateItem[];
  space: VgSpace[];
  /** Why the run is refused (empty = go). Each names the numbers. */
  refusals: string[];
  notes: string[];
}

export function defaultPolicy(): SnapshotPolicy {
  return SnapshotPolicySchema.parse({});
}

function stepBytes(sizeBytes: number, percent: number, extent: number): number {
  return toExtents(Math.ceil((sizeBytes * percent) / 100), extent) * extent;
}

export function planCreate(targets: CreateTarget[], state: Pick<LvmState, 'lvs' | 'vgs'>, opts: CreateOptions): CreatePlan {
  const refusals: string[] = [];
  const notes: string[] = [];
  const items: CreateItem[] = [];
  const byId = new Map(state.lvs.map((l) => [`${l.vg}/${l.name}`, l]));
  const vgs = new Map(state.vgs.map((v) => [v.name, v]));
  const seen = new Set<string>();

  for (const t of targets) {
    const key = `${t.vg}/${t.lv}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const lv = byId.get(key);
    const vg = vgs.get(t.vg);
    if (!lv || !vg) {
      refusals.push(`${key}: no such logical volume`);
      continue;
    }
    if (lv.attr[0] === 's' || lv.attr[0] === 'S' || (lv.attr[0] === 'V' && lv.origin)) {
      refusals.push(`${key} is itself a snapshot: snapshot its origin ${lv.origin ?? ''} instead`);
      continue;
    }
    const set = opts.set ?? t.policy.set ?? (opts.drill ? 'drill' : opts.scheduled ? 'timeline' : 'manual');
    const sp = setNameProblem(set);
    if (sp) {
      refusals.push(sp);
      continue;
    }
    const name = snapshotName(t.lv, set, opts.now);
    const np = lvNameProblem(name, t.vg);
    if (np) {
      refusals.push(`${key}: snapshot name ${np}`);
      continue;
    }
    if (byId.has(`${t.vg}/${name}`)) {
      refusals.push(`${t.vg}/${name} already exists (two runs in the same second?)`);
      continue;
    }
    const tags = tagsFor(set, { scheduled: opts.scheduled, keep: opts.keep, drill: opts.drill });
    const tagArgs = tags.flatMap((x) => ['--addtag', x]);
    const isThinOrigin = lv.attr[0] === 'V' && !!lv.pool;
    if (t.policy.type === 'thin') {
      if (!isThinOrigin) {
        refusals.push(`${key}: the policy asks for a thin snapshot but ${key} is not a thin volume (lv_attr ${lv.attr}); use type: classic`);
        continue;
      }
      const pool = byId.get(`${t.vg}/${lv.pool}`);
      const crit = t.policy.critFillPercent;
      if (pool && ((pool.dataPercent ?? 0) >= crit || (pool.metadataPercent ?? 0) >= crit)) {
        refusals.push(
          `${key}: thin pool ${t.vg}/${lv.pool} is ${pool.dataPercent ?? '?'}% full (metadata ${pool.metadataPercent ?? '?'}%), at or above the critical ${crit}%: ` +
            `a thin snapshot would make every volume in the pool fail when it fills; extend the pool first (lvextend ${t.vg}/${lv.pool})`,
        );
        continue;
      }
      items.push({
        vg: t.vg,
        origin: t.lv,
        name,
        set,
        kind: 'thin',
        originSizeBytes: lv.sizeBytes,
        cowBytes: 0,
        extents: 0,
        tags,
        // No size: a thin snapshot shares the pool. LVM sets the activation-skip flag on it (-ky), so
        // it is not activated at boot; mount activates it with -K.
        argv: ['lvcreate', '--snapshot', '--name', name, ...tagArgs, `${t.vg}/${t.lv}`],
        consistency: consistencyNote(t.workload),
      });
      continue;
    }
    let want: number;
    try {
      want = sizeBytes(t.policy.size, lv.sizeBytes);
    } catch (e) {
      refusals.push(`${key}: snapshot.size: ${(e as Error).message}`);
      continue;
    }
    const extents = Math.max(1, toExtents(want, vg.extentSizeBytes));
    items.push({
      vg: t.vg,
      origin: t.lv,
      name,
      set,
      kind: 'classic',
      originSizeBytes: lv.sizeBytes,
      cowBytes: extents * vg.extentSizeBytes,
      extents,
      tags,
      argv: ['lvcreate', '--snapshot', '--extents', String(extents), '--name', name, ...tagArgs, `${t.vg}/${t.lv}`],
      consistency: consistencyNote(t.workload),
    });
  }

  // Each snapshot, classic or thin, is one more LV: a VG made with vgcreate -l N refuses past N
  // ("Maximum number of logical volumes (N) reached", LVM-truth sweep case lv-count-limit).
  for (const vgName of [...new Set(items.map((i) => i.vg))]) {
    const vg = vgs.get(vgName)!;
    const n = items.filter((i) => i.vg === vgName).length;
    if (vg.maxLv && (vg.lvCount ?? 0) + n > vg.maxLv)
      refusals.push(
        `${vgName} allows ${vg.maxLv} LVs (max_lv) and has ${vg.lvCount ?? 0}: ${n} snapshot${n > 1 ? 's' : ''} would make ${(vg.lvCount ?? 0) + n}, and lvcreate refuses past ${vg.maxLv}; ` +
          `remove old snapshots (snapshot prune) or lift the limit (vgchange -l 0 ${vgName})`,
      );
  }

  const space: VgSpace[] = [];
  const autoOn = opts.autoextend.threshold < 100 && opts.autoextend.percent > 0;
  for (const vgName of [...new Set(items.map((i) => i.vg))]) {
    const vg = vgs.get(vgName)!;
    const mine = items.filter((i) => i.vg === vgName && i.kind === 'classic');
    const existing = state.lvs.filter((l) => l.vg === vgName && (l.attr[0] === 's' || l.attr[0] === 'S'));
    const need = mine.reduce((a, i) => a + i.cowBytes, 0);
    const before = existing.reduce((a, l) => a + l.sizeBytes, 0);
    const headroom = autoOn
      ? [...existing.filter((l) => !l.snapInvalid).map((l) => l.sizeBytes), ...mine.map((i) => i.cowBytes)].reduce(
          (a, s) => a + stepBytes(s, opts.autoextend.percent, vg.extentSizeBytes),
          0,
        )
      : 0;
    const reserve = opts.reserveBytes?.get(vgName);
    const s: VgSpace = {
      vg: vgName,
      freeBytes: vg.freeBytes,
      extentSizeBytes: vg.extentSizeBytes,
      needBytes: need,
      headroomBytes: headroom,
      classicBytesBefore: before,
      classicBytesAfter: before + need,
      reserveBytes: reserve,
      freeAfterBytes: vg.freeBytes - need,
    };
    space.push(s);
    if (mine.length === 0) continue;
    if (need > vg.freeBytes) {
      refusals.push(
        `VG ${vgName}: the snapshots need ${fmtBytes(need)} (${mine.map((i) => `${i.origin} ${fmtBytes(i.cowBytes)}`).join(', ')}) but only ${fmtBytes(vg.freeBytes)} is free`,
      );
    } else if (need + headroom > vg.freeBytes) {
      refusals.push(
        `VG ${vgName}: after the snapshots (${fmtBytes(need)}) only ${fmtBytes(vg.freeBytes - need)} would be free, less than the ${fmtBytes(headroom)} that dmeventd needs to extend ` +
          `every classic snapshot once at ${opts.autoextend.threshold}% (+${opts.autoextend.percent}%): a snapshot that cannot grow is invalidated`,
      );
    }
    if (reserve !== undefined && before + need + headroom > reserve) {
      const msg =
        `VG ${vgName}: classic snapshot space would be ${fmtBytes(before + need)} (+${fmtBytes(headroom)} autoextend headroom) = ${fmtBytes(before + need + headroom)}, ` +
        `more than the plan's reserve of ${fmtBytes(reserve)} for snapshots: it would use free space the plan keeps for growing volumes`;
      if (opts.beyondReserve) notes.push(msg + ' (accepted with --beyond-reserve)');
      else refusals.push(msg + ' (prune, lower snapshot.size, raise the reserve, or pass --beyond-reserve)');
    }
    if (!autoOn) notes.push(`VG ${vgName}: lvm.conf snapshot autoextend is off (threshold ${opts.autoextend.threshold}): a classic snapshot whose COW space fills is invalidated; run "snapshot autoextend"`);
  }
  if (items.length > 1) notes.push(`set: ${SET_NOTE}`);
  return { items, space, refusals, notes };
}

export interface CreatedResult {
  item: CreateItem;
  ok: boolean;
  error?: string;
  startedAt: string;
  durationMs: number;
  monitored?: boolean;
}

export interface CreateRun {
  created: CreatedResult[];
  /** Time from the first lvcreate's start to the last one's end: the window in which the set is not atomic. */
  spreadMs: number;
}

/** The lvcreate of one planned snapshot, as an Action (what --dry-run lists, what the executor runs). */
export function createAction(item: CreateItem): Action {
  return {
    id: `snapshot:${item.vg}/${item.name}:create`,
    kind: 'create',
    resource: `snapshot ${item.vg}/${item.name}`,
    summary: `${item.kind} snapshot of ${item.vg}/${item.origin} (set ${item.set})`,
    dependsOn: [],
    steps: [{ type: 'exec', argv: item.argv, mutating: true, timeoutMs: 120_000 }],
  };
}

/**
 * Run the lvcreates one after another through `act`, as fast as possible. Stops at the first failure.
 * `clock` is the Runner's clock (spread of the set). Under --dry-run every item is recorded, none run.
 */
export async function executeCreate(clock: Pick<Runner, 'now'>, act: ActionRunner, plan: CreatePlan, monitor: boolean): Promise<CreateRun> {
  const created: CreatedResult[] = [];
  const t0 = clock.now().getTime();
  for (const item of plan.items) {
    const startedAt = clock.now().toISOString();
    const r = await act.run(createAction(item));
    const res: CreatedResult = { item, ok: r.ok, startedAt, durationMs: Math.round(lastResult(r)?.durationMs ?? 0) };
    if (!r.ok) {
      res.error = detail(r);
      created.push(res);
      break;
    }
    created.push(res);
  }
  const spreadMs = clock.now().getTime() - t0;
  // Monitoring after the set, so it does not widen the window between the volumes' freezes.
  if (monitor) {
    for (const c of created) {
      if (!c.ok || c.item.kind !== 'classic') continue;
      const id = `${c.item.vg}/${c.item.name}`;
      const r = await act.run(execAction(`snapshot ${id}`, 'dmeventd monitoring (autoextend)', ['lvchange', '--monitor', 'y', id], { timeoutMs: 60_000 }));
      c.monitored = r.ok;
    }
  }
  return { created, spreadMs };
}

export function vgRowFor(vgs: VgRow[], name: string): VgRow | undefined {
  return vgs.find((v) => v.name === name);
}
export type { LvRow };
