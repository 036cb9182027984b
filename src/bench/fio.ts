/**
 * fio figures for bench: the JSON parse of host/fio.ts read into the figure keys of bench/figures.ts.
 * Nothing here runs a process; src/bench/run.ts does, through the executor.
 */
import type { Figures, FigureKey } from './figures.js';
import { checkJobErrors, FioParseError, parseFioOutput, type FioJobJson, type FioLat, type FioDir } from '../host/fio.js';

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

/**
 * Parse a batch (host/fio.ts fioBatchArgv): the figures of each of its `n` jobs, in job order, or
 * `failedJob`, the index of the first job whose `error` is not 0 (figures then empty). Throws
 * FioParseError when the JSON does not parse or fio reported another number of jobs than `n`.
 */
export function batchFiguresFromStdout(stdout: string, n: number): { figures: Figures[]; version: string; warnings: string[]; failedJob?: { index: number; errno: number } } {
  const out = parseFioOutput(stdout);
  if (out.jobs.length !== n) throw new FioParseError(`fio JSON has ${out.jobs.length} jobs, the batch had ${n}`);
  const failed = out.jobs.findIndex((j) => j.error && j.error !== 0);
  if (failed >= 0) return { figures: [], version: out['fio version'], warnings: out.warnings, failedJob: { index: failed, errno: out.jobs[failed]!.error } };
  return { figures: out.jobs.map(jobFigures), version: out['fio version'], warnings: out.warnings };
}
