import * as path from 'node:path';
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { FigureKey, Figures } from './figures.js';
import type { Stat } from './stats.js';
import type { Comparison } from './compare.js';
import type { DatabaseResults } from './database.js';

/** The document `bench --json` prints, `--save` stores and `report` reads. */
export const RESULTS_SCHEMA = 'jts-storage/bench-results@1';
export const DEFAULT_RESULTS_DIR = '/var/lib/jts-storage/bench';

export type TargetKind = 'volume' | 'network' | 'dir' | 'raw-drive' | 'scratch-lv';

export interface BenchTarget {
  /** Stable id used to match targets across runs: the volume name, "net:/mnt/x", "dir:/x", "raw". */
  id: string;
  kind: TargetKind;
  /** Volume name, mount path or device. */
  label: string;
  tier: 'hot' | 'warm' | 'cold';
  workload?: string;
  /** Mount point (filesystem targets). */
  mountPath?: string;
  /** Block device under the mount, or the raw device itself. */
  device?: string;
  fstype?: string;
  mountOptions?: string[];
  /** The file or device fio runs on. */
  testPath?: string;
  /** Drive(s) under this target (model, serial) from lsblk. */
  drives?: { path: string; model?: string; serial?: string }[];
}

export interface ProfileRun {
  target: string;
  profile: string;
  /** One entry per repeat. */
  runs: Figures[];
  summary: Partial<Record<FigureKey, Stat>>;
  argv: string[];
  /**
   * Claims checked (e.g. p99 < 1 ms): pass/fail on the median. `notJudged` says why a check does not
   * count (its drive is emulated: the figure is the emulator's); `pass` is still what the figure gave.
   */
  checks?: { figure: FigureKey; max?: number; min?: number; why: string; value: number; pass: boolean; notJudged?: string }[];
  warnings?: string[];
}

export interface FirstWrite {
  target: string;
  sizeBytes: number;
  figures: Figures;
  argv: string[];
}

export interface Ratio {
  target: string;
  profile: string;
  figure: FigureKey;
  /** Normalised so that > 1 is better than raw: throughput target ÷ raw, latency raw ÷ target. */
  ratio: number;
  targetMedian: number;
  rawMedian: number;
}

export interface PlanSummary {
  name: string;
  file?: string;
  volumes: {
    name: string;
    vg: string;
    size: string;
    workload: string;
    fstype: string;
    mountPath?: string;
    mountOptions?: string[];
    thinPool?: string;
    tier?: string;
  }[];
  networkMounts: { path: string; type: string; source: string; tier: string }[];
}

export interface BenchResults {
  schema: typeof RESULTS_SCHEMA;
  createdAt: string;
  name?: string;
  /** One line for summaries (rehearse's table): targets, profiles, checks, lowest ratio, regressions. */
  summary: string;
  meta: {
    host?: string;
    kernel?: string;
    fioVersion?: string;
    planFile?: string;
    planHash?: string;
    runtimeS: number;
    rampS: number;
    repeat: number;
    sizeBytes: number;
    /** True when a drive under a target is emulated (QEMU, virtio): absolute figures are not a real drive's. */
    emulated: boolean;
    drives: { path: string; model?: string; serial?: string }[];
    /** `--allow-snapshots` was given: the targets' live snapshots at the start (bench/snapshots.ts). */
    allowSnapshots?: boolean;
    snapshots?: { target: string; snapshot: string; kind: 'classic' | 'thin' }[];
    /** `--fio-batch`: runs as the jobs of one fio process per phase and repeat (bench/run.ts). */
    fioBatch?: boolean;
    /** `--one-per-path`: the measured volumes, each one's I/O path and the volumes it stands for (bench/targets.ts). */
    onePerPath?: { target: string; path: string; standsFor: string[] }[];
  };
  plan?: PlanSummary;
  targets: BenchTarget[];
  profiles: { name: string; title: string; reason: string; reports: FigureKey[]; primary: FigureKey[]; compareWith?: string }[];
  results: ProfileRun[];
  firstWrite: FirstWrite[];
  /** Against the raw drive or scratch LV (target id of kind raw-drive/scratch-lv), when --raw was given. */
  rawTarget?: string;
  ratios: Ratio[];
  /** Health at the time of the run, from the health module when it exists. */
  health?: { at: string; available: boolean; data?: unknown; note?: string };
  comparison?: Comparison;
  /** Tuned default layout ÷ the seed-literal layout, per profile and volume (bench/layout-ratio.ts). */
  layoutComparison?: LayoutComparison;
  /** `bench --database`: pg_test_fsync, pgbench, redis-benchmark per volume, and their ratios to fio (bench/database.ts). */
  database?: DatabaseResults;
  notes: string[];
}

export interface LayoutComparison {
  /** What the two layouts were and how they were measured. */
  note: string;
  /** Seed-literal options left out because the kernel refuses to mount them, with the reason. */
  omitted: string[];
  rows: {
    volume: string;
    /** A fio profile, or a database test (pgbench-rw, redis-set-always…) when `source` is 'database'. */
    profile: string;
    figure: FigureKey;
    /** Where the figure comes from (absent in documents written before database rows existed: fio). */
    source?: 'fio' | 'database';
    tuned: number;
    seed: number;
    /** Normalised so that > 1 means the tuned layout is better (latency: seed ÷ tuned). */
    ratio: number;
    /** The ratio over the runs' pairings: worst tuned run ÷ best seed run … the reverse (bench/layout-compare.ts). */
    range?: { min: number; max: number };
    runs?: { tuned: number; seed: number };
    spreadPct?: { tuned: number; seed: number };
  }[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `--save NAME` / `--compare NAME`: a bare name lives in the results dir; a path (with / or .json) is used as is. */
export function resultsPath(nameOrFile: string, dir: string): string {
  if (nameOrFile.includes('/') || nameOrFile.endsWith('.json')) return nameOrFile;
  if (!NAME_RE.test(nameOrFile)) {
    throw new UserError(`results name "${nameOrFile}": use letters, digits, ".", "_" and "-" (or give a path to a .json file)`);
  }
  return path.join(dir, `${nameOrFile}.json`);
}

export async function saveResults(runner: Runner, r: BenchResults, nameOrFile: string, dir: string): Promise<string> {
  const p = resultsPath(nameOrFile, dir);
  await runner.mkdir(path.dirname(p), { recursive: true, mode: 0o755 });
  await runner.writeFileAtomic(p, JSON.stringify(r, null, 2) + '\n', { mode: 0o644 });
  return p;
}

export async function loadResults(runner: Runner, nameOrFile: string, dir: string): Promise<BenchResults> {
  const p = resultsPath(nameOrFile, dir);
  const text = await runner.readFileIfExists(p);
  if (text === undefined) throw new UserError(`no saved bench results at ${p}`);
  return parseResults(text, p);
}

export function parseResults(text: string, file: string): BenchResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not JSON (${(e as Error).message})`);
  }
  const d = data as Partial<BenchResults>;
  if (!d || d.schema !== RESULTS_SCHEMA) {
    throw new UserError(`${file}: not a jts-storage bench results file (schema: expected "${RESULTS_SCHEMA}", found ${JSON.stringify(d?.schema)})`);
  }
  if (!Array.isArray(d.results) || !Array.isArray(d.targets)) throw new UserError(`${file}: results or targets missing`);
  return d as BenchResults;
}

/** The newest saved results in the directory (by createdAt), for `report` without `--results`. */
export async function latestResults(runner: Runner, dir: string): Promise<{ file: string; results: BenchResults } | undefined> {
  if (!(await runner.exists(dir))) return undefined;
  let best: { file: string; results: BenchResults } | undefined;
  for (const name of await runner.readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    try {
      const r = parseResults(await runner.readFile(file), file);
      if (!best || r.createdAt > best.results.createdAt) best = { file, results: r };
    } catch {
      // Not ours or damaged: skipped, the user can name a file explicitly.
    }
  }
  return best;
}
