import type { Figures, FigureKey } from './figures.js';
import type { FioJob } from './profiles.js';

/**
 * fio: argv arrays in, JSON out. Nothing here runs a process; src/bench/run.ts does, through the Runner.
 */

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

interface FioLat {
  N?: number;
  mean?: number;
  percentile?: Record<string, number>;
}
interface FioDir {
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

const P = { p50: '50.000000', p99: '99.000000', p999: '99.900000' } as const;

function pctUs(l: FioLat | undefined, key: string): number | undefined {
  const v = l?.percentile?.[key];
  return typeof v === 'number' ? v / 1000 : undefined;
}

function dirFigures(d: FioDir | undefined, prefix: 'read' | 'write', out: Figures): void {
  // A direction with no I/O (e.g. reads of a write job) reports nothing rather than zeros.
  if (!d || !d.total_ios) return;
  out[`${prefix}.iops`] = d.iops ?? 0;
  out[`${prefix}.bw_bytes`] = d.bw_bytes ?? 0;
  const set = (k: FigureKey, v: number | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set(`${prefix}.clat_p50_us`, pctUs(d.clat_ns, P.p50));
  set(`${prefix}.clat_p99_us`, pctUs(d.clat_ns, P.p99));
  set(`${prefix}.clat_p999_us`, pctUs(d.clat_ns, P.p999));
}

/** The figures of one job (a group-reported job: one entry per fio run). */
export function jobFigures(job: FioJobJson): Figures {
  const f: Figures = {};
  dirFigures(job.read, 'read', f);
  dirFigures(job.write, 'write', f);
  // fio 3.x: `sync.total_ios` stays 0 even when syncs ran; the count is `sync.lat_ns.N`.
  const sl = job.sync?.lat_ns;
  if (sl && (sl.N ?? 0) > 0) {
    f['sync.count'] = sl.N!;
    const a = pctUs(sl, P.p50);
    const b = pctUs(sl, P.p99);
    const c = pctUs(sl, P.p999);
    if (a !== undefined) f['sync.lat_p50_us'] = a;
    if (b !== undefined) f['sync.lat_p99_us'] = b;
    if (c !== undefined) f['sync.lat_p999_us'] = c;
  }
  if (typeof job.usr_cpu === 'number') f['cpu.usr_pct'] = job.usr_cpu;
  if (typeof job.sys_cpu === 'number') f['cpu.sys_pct'] = job.sys_cpu;
  return f;
}

/** Parse, check errors, and return the figures of the single job of a run. */
export function figuresFromStdout(stdout: string, stderr = ''): { figures: Figures; version: string; warnings: string[] } {
  const out = parseFioOutput(stdout);
  checkJobErrors(out, stderr);
  const job = out.jobs[0];
  if (!job) throw new FioParseError('fio JSON has an empty "jobs" array');
  return { figures: jobFigures(job), version: out['fio version'], warnings: out.warnings };
}
