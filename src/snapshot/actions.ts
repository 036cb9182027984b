/**
 * How the snapshot commands change the host: every change is an Action handed to the ActionRunner
 * (src/exec/host-run.ts runs it through the one executor, under the lock, into the audit log, or only
 * records it under --dry-run). Nothing in src/snapshot/ runs a mutating command itself.
 */
import type { RunResult } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { Action, ActionKind, ActionRun, ActionRunner } from '../model/actions.js';

/** One exec step as an Action; `id` defaults to "snapshot:<argv0>:<last arg>". */
export function execAction(
  resource: string,
  summary: string,
  argv: string[],
  opts: { kind?: ActionKind; timeoutMs?: number; cwd?: string } = {},
): Action {
  return {
    id: `snapshot:${argv[0]}:${argv[argv.length - 1]}`,
    kind: opts.kind ?? 'change',
    resource,
    summary,
    dependsOn: [],
    steps: [{ type: 'exec', argv, mutating: true, timeoutMs: opts.timeoutMs, ...(opts.cwd ? { cwd: opts.cwd } : {}) }],
  };
}

/** A directory, created (recursive) when missing. */
export function mkdirAction(path: string, mode: number, summary: string): Action {
  return { id: `snapshot:mkdir:${path}`, kind: 'create', resource: `dir ${path}`, summary, dependsOn: [], steps: [{ type: 'mkdir', path, mode }] };
}

/** The last exec result of a run (undefined under --dry-run or when nothing ran). */
export function lastResult(r: ActionRun): RunResult | undefined {
  return r.results[r.results.length - 1];
}

/** What the failed command said: its stderr, else stdout, trimmed (as the commands reported before). */
export function detail(r: ActionRun): string {
  const x = lastResult(r);
  return x ? (x.stderr || x.stdout).trim() : (r.error ?? '');
}

/** Run the action; a failure throws UserError(message(detail)). Under --dry-run: recorded, nothing run. */
export async function must(act: ActionRunner, action: Action, message: (detail: string) => string): Promise<ActionRun> {
  const r = await act.run(action);
  if (!r.ok) throw new UserError(message(detail(r)));
  return r;
}
