/**
 * The fio reader: the argv of every fio run the product makes, and the one parse of its
 * `--output-format=json` output (fio(1) "OUTPUT FORMAT", JSON). Nothing here runs a measurement;
 * bench runs them through the executor. `fio --version` is read here (a missing fio = one line naming
 * its Debian package).
 *
 * fio prints notes and warnings on stdout around its JSON; they are returned with the parse, not lost.
 * Captures: test/fixtures/fio (fio 3.33 in the sandbox, test/bench/capture-fio-fixtures.ts).
 */
import type { Runner } from '../core/runner.js';
import { HostReadError, runFailure, runTool } from './env.js';

export const FIO_VERSION_ARGV = ['fio', '--version'];

/** `fio --version` → "fio-3.33" (undefined when it printed nothing). Throws HostReadError (one line) when fio is missing or fails. */
export async function readFioVersion(runner: Runner): Promise<string | undefined> {
  const r = await runTool(runner, FIO_VERSION_ARGV, { timeoutMs: 30_000 });
  const f = runFailure(r);
  if (f) throw new HostReadError(f);
  return r.stdout.trim() || undefined;
}

export interface FioJob {
  rw: 'read' | 'write' | 'randread' | 'randwrite' | 'randrw' | 'rw';
  /** Block size in bytes. */
  bs: number;
  ioengine: 'libaio' | 'psync' | 'sync';
  iodepth: number;
  /** O_DIRECT: bypass the page cache (the databases that manage their own cache do). */
  direct: boolean;
  rwmixread?: number;
  /** fdatasync after this many writes (fio `fdatasync=N`). */
  fdatasync?: number;
  /** fsync after this many writes (fio `fsync=N`). */
  fsync?: number;
  /** Cap on IOPS (fio `rate_iops`), to model a workload with a fixed command rate. */
  rateIops?: number;
  numjobs?: number;
  /** fsync the file when the job ends, so buffered writes are on the drive before the next job. */
  endFsync?: boolean;
}

/** Percentiles asked of fio; the figure keys read exactly these. */
export const PERCENTILES = '50:99:99.9';

export interface FioRunSpec {
  name: string;
  /** A file on the mounted filesystem, or a block device (raw drive, scratch LV). */
  filename: string;
  /** Region in bytes, from offset 0. */
  sizeBytes: number;
  job: FioJob;
  runtimeS: number;
  rampS: number;
  /** The target must already exist (a measurement run after preconditioning). */
  mustExist: boolean;
}

/** A time-based measurement run of one profile. */
export function fioArgv(s: FioRunSpec): string[] {
  const j = s.job;
  const argv = [
    'fio',
    '--output-format=json',
    `--name=${s.name}`,
    `--filename=${s.filename}`,
    `--size=${s.sizeBytes}`,
    `--rw=${j.rw}`,
    `--bs=${j.bs}`,
    `--ioengine=${j.ioengine}`,
    `--iodepth=${j.iodepth}`,
    `--direct=${j.direct ? 1 : 0}`,
    '--time_based=1',
    `--runtime=${s.runtimeS}`,
    `--ramp_time=${s.rampS}`,
    `--percentile_list=${PERCENTILES}`,
    '--group_reporting=1',
    // Drop the file's pages from the cache before the job: buffered reads must come from the drive.
    '--invalidate=1',
    // A fresh random sequence each run; repeats sample different offsets.
    '--randrepeat=0',
  ];
  if (j.rwmixread !== undefined) argv.push(`--rwmixread=${j.rwmixread}`);
  if (j.fdatasync !== undefined) argv.push(`--fdatasync=${j.fdatasync}`);
  if (j.fsync !== undefined) argv.push(`--fsync=${j.fsync}`);
  if (j.rateIops !== undefined) argv.push(`--rate_iops=${j.rateIops}`);
  if (j.numjobs !== undefined) argv.push(`--numjobs=${j.numjobs}`);
  if (j.endFsync) argv.push('--end_fsync=1');
  // A measurement never creates a file: a mistyped path fails instead of writing somewhere new.
  if (s.mustExist) argv.push('--allow_file_create=0');
  return argv;
}

/**
 * The preconditioning pass: write the whole region once, sequentially, and flush it. Its figures are
 * the first-write cost (allocation on thin LVs, copy-on-write under snapshots, unwritten extents).
 */
export function preconditionArgv(name: string, filename: string, sizeBytes: number): string[] {
  return [
    'fio',
    '--output-format=json',
    `--name=${name}`,
    `--filename=${filename}`,
    `--size=${sizeBytes}`,
    '--rw=write',
    `--bs=${1024 * 1024}`,
    '--ioengine=libaio',
    '--iodepth=8',
    '--direct=1',
    `--percentile_list=${PERCENTILES}`,
    '--group_reporting=1',
    '--end_fsync=1',
  ];
}

/**
 * Several runs as the jobs of ONE fio process, one after another: each run's argv (from fioArgv or
 * preconditionArgv) becomes a job (its options after `--name=` belong to that job, fio(1) "JOB FILE
 * FORMAT": options on the command line after --name apply to that job) with `--stonewall` (HOWTO
 * "stonewall": wait for the preceding jobs to exit before starting; it also starts a new reporting
 * group, so each job is reported alone). The JSON's `jobs` array holds them in this order.
 * Saves fio's start-up per run (about 2 s each under TCG emulation, measured in the sandbox).
 */
export function fioBatchArgv(runs: readonly string[][]): string[] {
  const argv = ['fio', '--output-format=json'];
  for (const r of runs) {
    const i = r.findIndex((a) => a.startsWith('--name='));
    if (r[0] !== 'fio' || i < 0) throw new Error(`fioBatchArgv: not a fio run with --name=: ${r.join(' ')}`);
    argv.push(...r.slice(i).filter((a) => a !== '--output-format=json'), '--stonewall');
  }
  return argv;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export class FioParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FioParseError';
  }
}

export class FioJobError extends Error {
  constructor(
    public readonly jobname: string,
    public readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = 'FioJobError';
  }
}

export interface FioLat {
  N?: number;
  mean?: number;
  percentile?: Record<string, number>;
}
export interface FioDir {
  io_bytes?: number;
  bw_bytes?: number;
  iops?: number;
  runtime?: number;
  total_ios?: number;
  clat_ns?: FioLat;
  lat_ns?: FioLat;
}
export interface FioJobJson {
  jobname: string;
  error: number;
  'job options'?: Record<string, string>;
  read?: FioDir;
  write?: FioDir;
  trim?: FioDir;
  sync?: { total_ios?: number; lat_ns?: FioLat };
  job_runtime?: number;
  usr_cpu?: number;
  sys_cpu?: number;
}
export interface FioOutput {
  'fio version': string;
  timestamp?: number;
  jobs: FioJobJson[];
  disk_util?: unknown[];
}

/**
 * fio prints notes and warnings on stdout before its JSON ("note: both iodepth >= 1 and synchronous
 * I/O engine are selected…"), and sometimes after it. The JSON is the text from the first line that
 * starts with `{` to the last `}`.
 */
export function extractJsonText(stdout: string): { json: string; before: string; after: string } {
  let start = -1;
  if (stdout.startsWith('{')) start = 0;
  else {
    const m = /\n\{/.exec(stdout);
    if (m) start = m.index + 1;
    else start = stdout.indexOf('{');
  }
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end < start) throw new FioParseError(`no JSON in fio output: ${snippet(stdout)}`);
  return { json: stdout.slice(start, end + 1), before: stdout.slice(0, start).trim(), after: stdout.slice(end + 1).trim() };
}

function snippet(s: string): string {
  const t = s.trim();
  if (!t) return '(empty)';
  return JSON.stringify(t.length > 300 ? t.slice(0, 300) + '…' : t);
}

/** Parse fio's `--output-format=json` stdout. Warnings before the JSON are returned, not lost. */
export function parseFioOutput(stdout: string): FioOutput & { warnings: string[] } {
  const { json, before, after } = extractJsonText(stdout);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new FioParseError(`fio JSON does not parse (${(e as Error).message}): ${snippet(json)}`);
  }
  if (!data || typeof data !== 'object' || !Array.isArray((data as FioOutput).jobs)) {
    throw new FioParseError(`fio JSON has no "jobs" array: ${snippet(json)}`);
  }
  const out = data as FioOutput;
  const warnings = [before, after].filter(Boolean).flatMap((t) => t.split('\n').map((l) => l.trim()).filter(Boolean));
  return { ...out, warnings };
}

/** Throws FioJobError for the first job whose `error` is non-zero (fio's errno for that job). */
export function checkJobErrors(out: FioOutput, stderr = ''): void {
  for (const j of out.jobs) {
    if (j.error && j.error !== 0) {
      const detail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      throw new FioJobError(j.jobname, j.error, `fio job "${j.jobname}" failed with error ${j.error}${detail}`);
    }
  }
}
