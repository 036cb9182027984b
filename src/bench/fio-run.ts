/**
 * One fio run as an Action (it writes its test file, the scratch LV or a blank device), run through
 * the executor (`ActionRunner`: lock, audit log, --dry-run), and its JSON read into figures (fio.ts).
 */
import { UserError } from '../core/exit-codes.js';
import type { Action, ActionRunner } from '../model/actions.js';
import type { Figures } from './figures.js';
import { batchFiguresFromStdout, figuresFromStdout } from './fio.js';
import { FioJobError, FioParseError } from '../host/fio.js';

/** The Action of one fio argv; its resource is the `--filename=` it writes (each of them, for a batch). */
export function fioAction(argv: string[], timeoutMs: number, what: string): Action {
  const files = [...new Set(argv.filter((a) => a.startsWith('--filename=')).map((a) => a.slice(11)))];
  const file = files.length ? files.join(', ') : '?';
  return { id: `bench:fio:${file}`, kind: 'change', resource: `${files.length > 1 ? 'files' : 'file'} ${file}`, summary: what, dependsOn: [], steps: [{ type: 'exec', argv, mutating: true, timeoutMs }] };
}

/**
 * Run fio once through `act`. Returns its figures, version and warnings (empty under --dry-run).
 * Errors: UserError when fio is not installed; Error naming `what` on a timeout, a job error, an exit
 * other than 0 or unreadable JSON (with the tail of fio's stderr).
 */
export async function runFio(act: ActionRunner, argv: string[], timeoutMs: number, what: string): Promise<{ figures: Figures; version: string; warnings: string[] }> {
  const r = await runFioProcess(act, argv, timeoutMs, what);
  if (!r) return { figures: {}, version: '', warnings: [] };
  try {
    const out = figuresFromStdout(r.stdout, r.stderr);
    // fio can exit 1 with every job's error at 0 (e.g. "file creation disallowed"): the exit code counts too.
    if (r.exitCode !== 0) throw new FioJobError(argv.find((a) => a.startsWith('--name='))?.slice(7) ?? '?', 0, `fio exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`);
    return out;
  } catch (e) {
    if (e instanceof FioJobError || e instanceof FioParseError) throw new Error(`${what}: ${e.message}${e instanceof FioParseError ? stderrTail(r) : ''}; fio exit ${r.exitCode}`);
    throw e;
  }
}

/** ` (stderr: last three lines)`, or '' when fio wrote nothing to stderr. */
function stderrTail(r: { stderr: string }): string {
  return r.stderr.trim() ? ` (stderr: ${r.stderr.trim().split('\n').slice(-3).join(' | ')})` : '';
}

/**
 * One fio process through `act` (runFio and runFioBatch): its result, or undefined under --dry-run.
 * Errors: UserError when fio is not installed; Error naming `what` when it did not run or timed out.
 */
async function runFioProcess(act: ActionRunner, argv: string[], timeoutMs: number, what: string) {
  const ran = await act.run(fioAction(argv, timeoutMs, what));
  if (ran.dryRun) return undefined;
  const r = ran.results[ran.results.length - 1];
  if (!r) throw new Error(`${what}: fio did not run: ${ran.error ?? 'no result'}`);
  if (r.notFound) throw new UserError('fio is not installed (apt-get install fio)');
  if (r.timedOut) throw new Error(`${what}: fio did not finish within ${Math.round(timeoutMs / 1000)} s`);
  return r;
}

/**
 * Run a batch (host/fio.ts fioBatchArgv: `whats.length` runs as the jobs of one fio process) through
 * `act`. Returns each job's figures in order, fio's version and warnings (figures empty under --dry-run).
 * Errors as runFio; a failed job is named by its `whats` entry.
 */
export async function runFioBatch(act: ActionRunner, argv: string[], timeoutMs: number, whats: string[]): Promise<{ figures: Figures[]; version: string; warnings: string[] }> {
  const what = `${whats.length} fio runs in one process (${whats.join('; ')})`;
  const r = await runFioProcess(act, argv, timeoutMs, what);
  if (!r) return { figures: [], version: '', warnings: [] };
  const tail = stderrTail(r);
  let out;
  try {
    out = batchFiguresFromStdout(r.stdout, whats.length);
  } catch (e) {
    if (e instanceof FioParseError) throw new Error(`${what}: ${e.message}${tail}; fio exit ${r.exitCode}`);
    throw e;
  }
  if (out.failedJob) throw new Error(`${whats[out.failedJob.index]}: fio job ${out.failedJob.index + 1} of ${whats.length} in one process failed with error ${out.failedJob.errno}${tail}; fio exit ${r.exitCode}`);
  if (r.exitCode !== 0) throw new Error(`${what}: fio exited ${r.exitCode}${tail || ': no message'}`);
  return out;
}
