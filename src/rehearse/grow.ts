/**
 * The rehearsal's online grow with the snapshot policy in force (issue 14, field case 07): a snapshot of
 * a snapshotted volume is taken by its plan policy, then a copy of the plan with that volume larger is
 * planned (the plan must show `lvextend … -r`) and applied, and the volume is sampled before and after the
 * apply: LV size, filesystem size, still mounted, the snapshot still there.
 *
 * Why it matters: LVM refuses to grow the origin of an active classic snapshot ("Snapshot origin volumes
 * can be resized only while inactive", measured in test/vm/field-lvm.vm.test.ts), so a plan that keeps
 * classic snapshots nearly all the time cannot grow online; a thin snapshot does not block
 * `lvextend -r` of its origin (LVM-truth sweep, test/fixtures/lvm-truth). The default plan's snapshotted
 * databases are thin for that reason (docs/decisions.md "Growth with snapshots in force").
 */
import { parseDocument } from 'yaml';
import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import { trySize } from '../model/units.js';
import { lvsArgv, readLvmReport } from '../host/lvm.js';
import { runTool } from '../host/env.js';

const GiB = 1024 ** 3;
/** How much the rehearsal grows the volume: small (the sparse image), whole GiB (exact in any extent size up to 1 GiB). */
export const GROW_BY_GIB = 10;

export interface GrowTarget {
  /** Index in plan.volumes. */
  index: number;
  vg: string;
  lv: string;
  mount: string;
  /** The plan's size text and the grown one ("800GB" → "756GiB"). */
  from: string;
  to: string;
}

/**
 * The volume the rehearsal grows: a mounted ext4/XFS thin volume with a thin snapshot policy and a fixed
 * size, PostgreSQL's first (the issue names lv_postgres); undefined when the plan has none (the steps are
 * then skipped, not failed).
 */
export function growTargetOf(plan: Plan): GrowTarget | undefined {
  const candidates = plan.volumes
    .map((v, index) => ({ v, index }))
    .filter(({ v }) => v.thinPool && v.snapshot?.type === 'thin' && v.mount && (v.filesystem.type === 'ext4' || v.filesystem.type === 'xfs'));
  const pick = candidates.find(({ v }) => v.workload === 'postgresql') ?? candidates[0];
  if (!pick) return undefined;
  const t = trySize(pick.v.size);
  if (!t.ok || t.size.kind !== 'bytes') return undefined;
  return { index: pick.index, vg: pick.v.vg, lv: pick.v.name, mount: pick.v.mount!.path, from: pick.v.size, to: `${Math.ceil(t.size.bytes / GiB) + GROW_BY_GIB}GiB` };
}

/** The plan's text with the target volume's size raised (comments and everything else kept). */
export function growPlanText(planText: string, t: GrowTarget): string {
  const doc = parseDocument(planText);
  doc.setIn(['volumes', t.index, 'size'], t.to);
  return `# the rehearsal's online grow: volumes[${t.index}] ${t.lv} ${t.from} → ${t.to}\n${doc.toString()}`;
}

export interface GrowSample {
  lvBytes?: number;
  /** The mounted filesystem's size (findmnt SIZE, bytes); undefined when not mounted. */
  fsBytes?: number;
  mounted: boolean;
  /** Snapshots whose origin is the volume (lvs origin). */
  snapshots: string[];
  error?: string;
}

/** Reads the volume's LV size and snapshots (lvs JSON) and its mount (findmnt JSON, bytes). Never throws. */
export async function sampleGrow(runner: Runner, vars: Record<string, string>): Promise<GrowSample> {
  const [vg, lv] = (vars.growVolume ?? '').split('/');
  const mount = vars.growMount ?? '';
  const out: GrowSample = { mounted: false, snapshots: [] };
  try {
    const rep = await readLvmReport(runner, lvsArgv([vg!]));
    out.lvBytes = rep.lvs.find((l) => l.vg === vg && l.name === lv)?.sizeBytes;
    out.snapshots = rep.lvs.filter((l) => l.vg === vg && l.origin === lv).map((l) => l.name);
    // findmnt(8): -J JSON, -b sizes in bytes, SIZE = the filesystem's size (statfs)
    const r = await runTool(runner, ['findmnt', '-J', '-b', '-o', 'TARGET,SOURCE,SIZE', '--mountpoint', mount]);
    if (r.exitCode === 0) {
      const fs = (JSON.parse(r.stdout) as { filesystems?: { size?: number | string }[] }).filesystems?.[0];
      out.mounted = !!fs;
      if (fs?.size !== undefined) out.fsBytes = Number(fs.size);
    }
  } catch (e) {
    out.error = (e as Error).message;
  }
  return out;
}

const g = (b?: number) => (b === undefined ? '?' : (b / GiB).toFixed(2));

/** Why the grow step failed although apply exited 0 (the LV or filesystem did not grow, unmounted, snapshot gone). */
export function growProblem(before: GrowSample, after: GrowSample): string | undefined {
  if (before.error || after.error) return `cannot sample the volume: ${before.error ?? after.error}`;
  if (!before.snapshots.length) return 'no snapshot of the volume before the grow: the policy was not in force';
  if (!(after.lvBytes! > before.lvBytes!)) return `the LV did not grow (${g(before.lvBytes)} → ${g(after.lvBytes)} GiB)`;
  if (!before.mounted || !after.mounted) return 'the filesystem was not mounted throughout';
  if (!(after.fsBytes! > before.fsBytes!)) return `the filesystem did not grow (${g(before.fsBytes)} → ${g(after.fsBytes)} GiB)`;
  const lost = before.snapshots.filter((s) => !after.snapshots.includes(s));
  if (lost.length) return `snapshot(s) gone after the grow: ${lost.join(', ')}`;
  return undefined;
}

/** The summary table's short figures: "LV 745.06 → 755.00 GiB online". */
export function growFigures(before: GrowSample, after: GrowSample): string {
  return `LV ${g(before.lvBytes)} → ${g(after.lvBytes)} GiB online`;
}

/** The summary's sentence on the grow (wrapped by the caller). */
export function growSentence(volume: string, mount: string, before: GrowSample, after: GrowSample): string {
  const kept = after.snapshots.filter((s) => before.snapshots.includes(s));
  return (
    `online grow of ${volume} with its snapshot policy in force: LV ${g(before.lvBytes)} → ${g(after.lvBytes)} GiB, ` +
    `filesystem ${g(before.fsBytes)} → ${g(after.fsBytes)} GiB, ${before.mounted && after.mounted ? `mounted at ${mount} before and after` : 'NOT mounted throughout'}; ` +
    `snapshot ${kept.length ? kept.join(', ') : '(none)'} ${kept.length ? 'still there' : ''}`.trimEnd()
  );
}

/** The plan's JSON → why it does not show the grow: an `lvextend … -r` of a volume, and nothing destroyed or replaced. */
export function growPlanProblem(json: unknown): string | undefined {
  const actions = (json as { actions?: { id: string; kind: string; steps: { type: string; argv?: string[] }[] }[] })?.actions ?? [];
  const bad = actions.filter((a) => a.kind === 'destroy' || a.kind === 'replace');
  if (bad.length) return `the grow plan destroys or replaces: ${bad.map((a) => a.id).join(', ')}`;
  const ext = actions.filter((a) => /^lv:.*:extend$/.test(a.id));
  if (ext.length !== 1) return `expected one lvextend, got ${ext.length} (actions: ${actions.map((a) => a.id).join(', ') || 'none'})`;
  const argv = ext[0]!.steps.find((s) => s.type === 'exec')?.argv ?? [];
  if (argv[0] !== 'lvextend' || !argv.includes('-r')) return `the grow is not lvextend -r: ${argv.join(' ')}`;
  return undefined;
}
