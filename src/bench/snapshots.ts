/**
 * Live snapshots of a bench target. A benchmark on an origin with snapshots measures the snapshots too,
 * and writes into them:
 * - classic (lv_attr[0] s/S, lvs(8)): every first write to a chunk of the origin first copies the old
 *   chunk into the snapshot's copy-on-write space (lvmthin(7)/lvcreate(8) "COW"); issue 14 measured first
 *   writes at 15–20 MiB/s against 204–311 MiB/s on volumes without, and the bench itself filled a
 *   snapshot from 0.7 % to 8.5 % (a full classic snapshot is invalidated: the recovery point is lost);
 * - thin (lv_attr[0] V with an origin): the origin's first writes to shared blocks allocate new pool
 *   chunks, and the pool fills.
 * So bench refuses such a target unless `--allow-snapshots`, which the results record.
 */
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { isSnapshot, lvsArgv, readLvmReport, type LvmLv } from '../host/lvm.js';
import type { Plan } from '../model/plan-schema.js';
import type { BenchTarget } from './results.js';

export interface TargetSnapshot {
  /** Bench target id (the plan volume's name). */
  target: string;
  /** "vg/lv" of the snapshot. */
  snapshot: string;
  kind: 'classic' | 'thin';
}

/** Snapshots (classic or thin) whose origin is one of the plan volumes among `targets`, from `lvs -a` rows. */
export function snapshotsOfTargets(lvs: LvmLv[], plan: Plan, targets: BenchTarget[]): TargetSnapshot[] {
  const out: TargetSnapshot[] = [];
  for (const t of targets) {
    if (t.kind !== 'volume') continue;
    const v = plan.volumes.find((x) => x.name === t.id);
    if (!v) continue;
    for (const lv of lvs) {
      if (lv.vg !== v.vg || lv.origin !== v.name || !isSnapshot(lv)) continue;
      out.push({ target: t.id, snapshot: `${lv.vg}/${lv.name.replace(/^\[|\]$/g, '')}`, kind: lv.attr[0] === 'V' ? 'thin' : 'classic' });
    }
  }
  return out;
}

/** The refusal: which targets have which snapshots, what it costs, and the two ways on. */
export function snapshotRefusal(found: TargetSnapshot[]): string {
  const list = found.map((s) => `${s.target}: ${s.kind} snapshot ${s.snapshot}`).join('; ');
  const lines = [`bench refuses targets with live snapshots (${list}).`];
  if (found.some((s) => s.kind === 'classic'))
    lines.push(
      'A classic snapshot is copy-on-write: each first write to a chunk of the origin first copies the old chunk into the snapshot, ' +
        'so writes measure the copy (first writes ran at 15–20 MiB/s against 204–311 MiB/s without a snapshot), and the bench fills the snapshot ' +
        '(0.7 % → 8.5 % in one run; a full classic snapshot becomes invalid and its recovery point is lost).',
    );
  if (found.some((s) => s.kind === 'thin'))
    lines.push('A thin snapshot shares blocks with its origin: the bench\'s first writes allocate new chunks in the thin pool and fill it.');
  lines.push('Remove or merge the snapshots first (jts-storage snapshot list / prune), or pass --allow-snapshots to measure anyway (recorded in the results and shown in the report).');
  return lines.join('\n');
}

/**
 * Read `lvs -a` once and refuse (UserError) when a plan volume among the targets has live snapshots,
 * unless `allow`. Returns the snapshots found (recorded in the results) and a note when lvs could not run.
 */
export async function checkTargetSnapshots(runner: Runner, plan: Plan | undefined, targets: BenchTarget[], allow: boolean): Promise<{ found: TargetSnapshot[]; note?: string }> {
  if (!plan || !targets.some((t) => t.kind === 'volume')) return { found: [] };
  let lvs: LvmLv[];
  try {
    lvs = (await readLvmReport(runner, lvsArgv())).lvs;
  } catch (e) {
    return { found: [], note: `live snapshots not checked: ${(e as Error).message.split('\n')[0]}` };
  }
  const found = snapshotsOfTargets(lvs, plan, targets);
  if (found.length && !allow) throw new UserError(snapshotRefusal(found));
  return { found };
}
