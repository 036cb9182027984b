// The rehearsal's steps, in order, as plain data: adding a check is one line.
//
// argv: jts-storage arguments (the guest runs `node bin/jts-storage.js ...argv`). `{plan}` is replaced
// by the plan file the rehearsal uses (the user's, or its copy with the rehearsal's overrides), and
// `{out}` by the guest's result directory, `{drillVolume}` by the plan's smallest mounted ext4/XFS volume
// (VG/LV: see drillVolumeOf), `{postgresqlVolume}` / `{redisVolume}` by the plan's volume of that
// workload (see planVars); a step whose placeholder the plan gives no value is skipped.
// expectExit: the exit codes that count as success.
// parseJson: the step prints JSON on stdout (its `--json`); the summary takes key figures from it.
// expectJson: top-level JSON fields that must have exactly these values (e.g. the re-apply's 0).

import { REHEARSE_BENCH_STEPS } from '../bench/rehearse-steps.js';
import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import { growFigures, growPlanProblem, growProblem, sampleGrow, type GrowSample } from './grow.js';
import { trySize } from '../model/units.js';

export interface RehearseStep {
  name: string;
  argv: string[];
  expectExit: number[];
  parseJson?: boolean;
  expectJson?: Record<string, unknown>;
  /** The step's JSON → why the step fails although its exit code is expected (e.g. a failed bench check). */
  jsonProblem?: (json: unknown) => string | undefined;
  /** Extra environment for the step. */
  env?: Record<string, string>;
  /** Sampled (read-only) before and after the step; kept in the result as `measured`. */
  measure?: (runner: Runner, vars: Record<string, string>) => Promise<GrowSample>;
  /** Why the step fails although its exit code is expected, from the samples. */
  measuredProblem?: (before: GrowSample, after: GrowSample) => string | undefined;
  /** The summary's figures from the samples (instead of the JSON's). */
  measuredFigures?: (before: GrowSample, after: GrowSample) => string;
}

export const DEFAULT_STEPS: RehearseStep[] = [
  { name: 'plan', argv: ['plan', '--plan', '{plan}', '--json'], expectExit: [2], parseJson: true },
  { name: 'apply', argv: ['apply', '--plan', '{plan}', '--yes', '--json'], expectExit: [0], parseJson: true },
  { name: 'verify', argv: ['verify', '--plan', '{plan}', '--json'], expectExit: [0], parseJson: true },
  { name: 're-apply', argv: ['apply', '--plan', '{plan}', '--yes', '--json'], expectExit: [0], parseJson: true, expectJson: { mutatingCommands: 0 } },
  // (A "plan again → 0 actions" step would repeat what the re-apply proves, for ~40 s of TCG time.)
  // tune (issue 5): apply already ran the tuning actions, so tune apply finds nothing to do; then status
  // must be clean (exit 0, no drift).
  { name: 'tune apply', argv: ['tune', 'apply', '--plan', '{plan}', '--json'], expectExit: [0], parseJson: true },
  { name: 'tune status', argv: ['tune', 'status', '--plan', '{plan}', '--json'], expectExit: [0], parseJson: true },
  // health (issue 6): right after apply every check must be OK (Nagios 0).
  { name: 'health', argv: ['health', '--plan', '{plan}', '--json'], expectExit: [0], parseJson: true },
  // snapshots (issue 7): a restore drill on a live volume (write, snapshot, change, merge, compare).
  { name: 'snapshot drill', argv: ['snapshot', 'drill', '{drillVolume}', '--yes', '--json'], expectExit: [0], parseJson: true },
  // databases (issue 16): PostgreSQL and Redis (AOF always) on their own volumes: numbered commits, a
  // snapshot set mid-load with the built-in hook, merge, restart; every commit before it kept, none after.
  // Its cluster comes from the template the host made before the boot (pg-template.ts): initdb's
  // bootstrap under emulation would cost more than the rest of the drill.
  { name: 'database drill postgresql', argv: ['snapshot', 'drill', '{postgresqlVolume}', '--database', 'postgresql', '--pg-template', '{out}/pg-template.tar', '--yes', '--json'], expectExit: [0], parseJson: true },
  { name: 'database drill redis', argv: ['snapshot', 'drill', '{redisVolume}', '--database', 'redis', '--yes', '--json'], expectExit: [0], parseJson: true },
  // bench (issue 8): a short fio run per mounted volume + scratch LV, then the HTML report.
  ...REHEARSE_BENCH_STEPS.map((s) => ({ ...s, argv: [...s.argv], expectExit: [...s.expectExit] })),
  // growth with snapshots in force (issue 14, ./grow.ts): a snapshot by the volume's plan policy (thin), then a
  // copy of the plan with the volume larger: plan shows exactly the lvextend -r, apply grows it online; the
  // LV, its filesystem, the mount and the snapshot are sampled before and after. Last: bench refuses live snapshots.
  { name: 'grow: snapshot', argv: ['snapshot', 'create', '{growVolume}', '--plan', '{plan}', '--json'], expectExit: [0], parseJson: true },
  { name: 'grow: plan', argv: ['plan', '--plan', '{growPlan}', '--json'], expectExit: [2], parseJson: true, jsonProblem: growPlanProblem },
  {
    name: 'grow: apply',
    argv: ['apply', '--plan', '{growPlan}', '--yes', '--json'],
    expectExit: [0],
    parseJson: true,
    measure: sampleGrow,
    measuredProblem: growProblem,
    measuredFigures: growFigures,
  },
];

/** Key figures of a step's JSON for the summary table (whatever of these the step printed). */
export function keyFigures(name: string, json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const j = json as Record<string, unknown>;
  const parts: string[] = [];
  const arr = (k: string) => (Array.isArray(j[k]) ? (j[k] as unknown[]).length : undefined);
  if (arr('actions') !== undefined) parts.push(`${arr('actions')} actions`);
  if (typeof j['mutatingCommands'] === 'number') parts.push(`${j['mutatingCommands']} mutating cmds`);
  if (arr('errors') !== undefined && arr('errors')! > 0) parts.push(`${arr('errors')} errors`);
  if (arr('warnings') !== undefined && arr('warnings')! > 0) parts.push(`${arr('warnings')} warnings`);
  if (arr('drift') !== undefined) parts.push(`${arr('drift')} drift`);
  if (typeof j['checks'] === 'number') parts.push(`${j['checks']} checks`);
  if (typeof j['status'] === 'string') parts.push(String(j['status']));
  if (typeof j['summary'] === 'string') parts.push(String(j['summary']));
  if (typeof j['committedBefore'] === 'number')
    parts.push(`committed before ${j['committedBefore']}, present ${j['presentBefore']}, lost ${j['lost']}; written after ${j['writtenAfter']}, present ${j['presentAfter']}`);
  return parts.join(', ');
}

/**
 * The volume a rehearsal drills a restore on: the smallest mounted ext4/XFS volume with a fixed size
 * (percent/rest sizes rank last), so the drill's writes and its snapshot stay small whatever the plan.
 */
export function drillVolumeOf(plan: Plan): string | undefined {
  const candidates = plan.volumes.filter((v) => v.mount && (v.filesystem.type === 'ext4' || v.filesystem.type === 'xfs'));
  const bytes = (size: string): number => {
    const t = trySize(size);
    return t.ok && t.size.kind === 'bytes' ? t.size.bytes : Number.POSITIVE_INFINITY;
  };
  const best = [...candidates].sort((a, b) => bytes(a.size) - bytes(b.size))[0];
  return best ? `${best.vg}/${best.name}` : undefined;
}

/**
 * The volume a database drill of `workload` runs on: the plan's mounted ext4/XFS volume of that workload
 * (the first in plan order), or undefined.
 */
export function workloadVolumeOf(plan: Plan, workload: 'postgresql' | 'redis'): string | undefined {
  const v = plan.volumes.find((x) => x.workload === workload && x.mount && (x.filesystem.type === 'ext4' || x.filesystem.type === 'xfs'));
  return v ? `${v.vg}/${v.name}` : undefined;
}

/** The values of the plan placeholders of the steps: {drillVolume}, {postgresqlVolume}, {redisVolume} (absent ones left out). */
export function planVars(plan: Plan): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (k: string, v: string | undefined) => v !== undefined && (out[k] = v);
  set('drillVolume', drillVolumeOf(plan));
  set('postgresqlVolume', workloadVolumeOf(plan, 'postgresql'));
  set('redisVolume', workloadVolumeOf(plan, 'redis'));
  return out;
}
