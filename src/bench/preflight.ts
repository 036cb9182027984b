/**
 * bench's checks before anything is written: which mounted targets to measure (findmnt), that each is a
 * directory with room for the test file and no file of that name, and the raw side (a blank device or a
 * scratch LV). Reads only, through the Runner; every failure is a UserError naming the target.
 */
import { runTool } from '../host/env.js';
import { FINDMNT_LIST_ARGV } from '../host/findmnt.js';
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { Plan } from '../model/plan-schema.js';
import { checkBlankDevice, type RawSpec } from './raw.js';
import type { BenchTarget } from './results.js';
import { parseFindmntList, selectTargets } from './targets.js';

export type DirSpec = string | { path: string; workload?: string; id?: string; label?: string };

/** Free space that must remain after the test file: 5 % of the filesystem, at most 1 GiB. */
export function freeSpaceProblem(st: { totalBytes: number; availBytes: number }, sizeBytes: number, where: string): string | undefined {
  const margin = Math.min(st.totalBytes * 0.05, 1024 ** 3);
  if (st.availBytes - sizeBytes < margin) {
    const mib = (n: number) => `${Math.floor(n / 2 ** 20)} MiB`;
    return `${where}: ${mib(st.availBytes)} available, the test file needs ${mib(sizeBytes)} and ${mib(margin)} must stay free; pass a smaller --size`;
  }
  return undefined;
}

/** ".jts-storage-bench-20261130T165000.dat": a hidden name that says what wrote it and when. */
export function testFileName(now: Date): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `.jts-storage-bench-${t}.dat`;
}

/**
 * The mounted targets to measure: the plan's volumes (or `volumes`) and the directories, from one
 * findmnt. Directory targets given as objects carry their own id, label and workload. `skipped` lists
 * what was left out and why.
 */
export async function selectMountedTargets(
  runner: Runner,
  plan: Plan | undefined,
  o: { volumes?: string[]; dirs?: DirSpec[] },
): Promise<{ targets: BenchTarget[]; skipped: { id: string; why: string }[] }> {
  const fm = await runTool(runner, FINDMNT_LIST_ARGV);
  if (!ok(fm)) throw new Error(`findmnt failed: ${fm.stderr.trim() || `exit ${fm.exitCode}`}`);
  const dirSpecs = (o.dirs ?? []).map((d) => (typeof d === 'string' ? { path: d } : d));
  const sel = selectTargets(plan, parseFindmntList(fm.stdout), { volumes: o.volumes, dirs: dirSpecs.map((d) => d.path) });
  for (const t of sel.targets) {
    const spec = t.kind === 'dir' ? dirSpecs.find((d) => `dir:${d.path.length > 1 ? d.path.replace(/\/+$/, '') : d.path}` === t.id) : undefined;
    if (!spec) continue;
    if (spec.workload) t.workload = spec.workload;
    if (spec.label) t.label = spec.label;
    if (spec.id) t.id = spec.id;
  }
  return sel;
}

/** Each target is a directory with room for `sizeBytes` and no file named `fileName`: sets `testPath`. */
export async function checkTestPaths(runner: Runner, targets: BenchTarget[], sizeBytes: number, fileName: string): Promise<void> {
  for (const t of targets) {
    const mp = t.mountPath!;
    const st = await runner.stat(mp);
    if (!st?.isDirectory) throw new UserError(`${t.label}: ${mp} is not a directory`);
    let fs;
    try {
      fs = await runner.statfs(mp);
    } catch (e) {
      throw new UserError(`${t.label}: cannot statfs ${mp}: ${(e as Error).message}`);
    }
    const problem = freeSpaceProblem(fs, sizeBytes, t.label);
    if (problem) throw new UserError(problem);
    t.testPath = `${mp === '/' ? '' : mp}/${fileName}`;
    if (await runner.exists(t.testPath)) throw new UserError(`${t.testPath} already exists: refusing to overwrite it`);
  }
}

/** The raw target of `--raw`: a blank device (checked now) or the scratch LV (made later). */
export async function rawTargetOf(runner: Runner, raw: RawSpec | undefined, sizeBytes: number): Promise<BenchTarget | undefined> {
  if (raw?.kind === 'device') {
    await checkBlankDevice(runner, raw.path, sizeBytes);
    return { id: 'raw', kind: 'raw-drive', label: `raw ${raw.path}`, tier: 'hot', device: raw.path, testPath: raw.path };
  }
  if (raw?.kind === 'scratch') return { id: 'raw', kind: 'scratch-lv', label: 'scratch LV (no filesystem)', tier: 'hot' };
  return undefined;
}

/** The VG a scratch LV goes into when none is named: the one VG of the benchmarked plan volumes. */
export function singleVg(plan: Plan | undefined, targets: BenchTarget[]): string | undefined {
  if (!plan) return undefined;
  const vgs = new Set(plan.volumes.filter((v) => targets.some((t) => t.id === v.name)).map((v) => v.vg));
  return vgs.size === 1 ? [...vgs][0] : undefined;
}
