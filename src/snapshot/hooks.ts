/**
 * Snapshot-set hooks, Snapper-style: every hook of the sets in a `snapshot create` run gets its `pre`
 * phase before the first lvcreate, in plan order; a failed or timed-out pre phase stops the later pre
 * phases and skips the snapshots. The `post` phases then run ALWAYS, in reverse order, for every hook
 * whose pre phase was started (or that has none): also when a pre hook, a snapshot or the code in
 * between failed (the finally of `withHooks`). Every hook command is an Action run by the executor
 * (lock, audit log, --dry-run), argv only, with the hook's timeout.
 *
 * Built-ins (src/snapshot/hooks-builtin.ts): postgresql (pg_backup_start … pg_backup_stop in ONE
 * session) and redis (BGSAVE, waited for).
 */
import type { Runner } from '../core/runner.js';
import type { Action, ActionRunner } from '../model/actions.js';
import type { Plan, SnapshotHook } from '../model/plan-schema.js';
import { detail, lastResult } from './actions.js';

/** What one phase of one hook gave. */
export interface HookResult {
  set: string;
  hook: string;
  phase: 'pre' | 'post';
  ok: boolean;
  /** What the hook guarantees for the set when its pre phase passed ("PostgreSQL backup mode …"). */
  guarantee?: string;
  error?: string;
  ms: number;
  /** Facts a built-in reports (start/stop LSN, backup_label path, the kept WAL: walDir, walFiles first..last, walCount, walBytes; LASTSAVE). */
  facts?: Record<string, string>;
}

/** One phase: runs through `act`, returns its result. */
export type HookPhase = (ctx: HookContext) => Promise<Omit<HookResult, 'set' | 'hook' | 'phase' | 'ms'>>;

export interface ResolvedHook {
  set: string;
  name: string;
  /** The workload it makes consistent (built-ins), for the per-volume guarantee. */
  workload?: 'postgresql' | 'redis';
  pre?: HookPhase;
  post?: HookPhase;
  /** The argv of each phase as the plan gives it (dry-run listing, JSON). */
  describe: { pre?: string[]; post?: string[]; timeoutS: number };
}

export interface HookContext {
  runner: Runner;
  act: ActionRunner;
  /** Wait this many milliseconds (polling a built-in); tests pass a fake. */
  sleep: (ms: number) => Promise<void>;
  /** A stamp unique to this run (label names, scratch paths): yyyymmddThhmmssZ. */
  stamp: string;
  /** Progress: each phase as it starts and ends (the drill passes stderr). */
  say?: (line: string) => void;
}

export const realSleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** The Action of one hook command phase. */
export function hookAction(set: string, hook: string, phase: 'pre' | 'post', argv: string[], timeoutS: number): Action {
  return {
    id: `snapshot-hook:${set}:${hook}:${phase}`,
    kind: 'change',
    resource: `snapshot set ${set}`,
    summary: `${phase} hook ${hook} of set ${set}`,
    dependsOn: [],
    steps: [{ type: 'exec', argv, mutating: true, timeoutMs: timeoutS * 1000 }],
  };
}

/** A command hook's phase: the argv as an Action; a non-zero exit or the timeout fails it. */
export function commandPhase(set: string, hook: string, phase: 'pre' | 'post', argv: string[], timeoutS: number): HookPhase {
  return async (ctx) => {
    const r = await ctx.act.run(hookAction(set, hook, phase, argv, timeoutS));
    if (r.ok) return { ok: true };
    const last = lastResult(r);
    const why = last?.timedOut ? `timed out after ${timeoutS} s` : last ? `exit ${last.exitCode}` : 'failed';
    return { ok: false, error: `${argv.join(' ')}: ${why}${detail(r) ? ': ' + detail(r).slice(-400) : ''}` };
  };
}

/**
 * The hooks of the given sets, in plan order (`builtins` turns a built-in hook into its phases;
 * src/snapshot/hooks-builtin.ts). A hook without a name is called by its built-in or "hook<N>".
 */
export function resolveHooks(plan: Plan | undefined, sets: string[], builtins: (set: string, name: string, h: SnapshotHook) => ResolvedHook): ResolvedHook[] {
  const out: ResolvedHook[] = [];
  for (const st of plan?.snapshotSets ?? []) {
    if (!sets.includes(st.name)) continue;
    st.hooks.forEach((h, i) => {
      const name = h.name ?? h.builtin ?? `hook${i + 1}`;
      if (h.builtin) {
        out.push(builtins(st.name, name, h));
        return;
      }
      out.push({
        set: st.name,
        name,
        pre: h.pre ? commandPhase(st.name, name, 'pre', h.pre, h.timeoutS) : undefined,
        post: h.post ? commandPhase(st.name, name, 'post', h.post, h.timeoutS) : undefined,
        describe: { pre: h.pre, post: h.post, timeoutS: h.timeoutS },
      });
    });
  }
  return out;
}

export interface HookedRun<T> {
  pre: HookResult[];
  post: HookResult[];
  /** The body's result; undefined when a pre hook failed (the body did not run) or the body threw. */
  body?: T;
  /** Why the body did not run or failed. */
  skipped?: string;
}

/**
 * Pre phases, then `body` when every pre phase passed, then the post phases ALWAYS (reverse order),
 * for each hook whose pre phase was started or that has no pre phase. A body that throws still gets the
 * post phases, then the error is thrown again.
 */
export async function withHooks<T>(ctx: HookContext, hooks: ResolvedHook[], body: () => Promise<T>): Promise<HookedRun<T>> {
  const pre: HookResult[] = [];
  const post: HookResult[] = [];
  const started: ResolvedHook[] = [];
  const res: HookedRun<T> = { pre, post };
  const phase = async (h: ResolvedHook, which: 'pre' | 'post', f: HookPhase): Promise<HookResult> => {
    const t0 = ctx.runner.now().getTime();
    ctx.say?.(`hook ${h.name} ${which} of set ${h.set}…`);
    let r: Omit<HookResult, 'set' | 'hook' | 'phase' | 'ms'>;
    try {
      r = await f(ctx);
    } catch (e) {
      r = { ok: false, error: (e as Error).message };
    }
    ctx.say?.(`hook ${h.name} ${which}: ${r.ok ? 'ok' : 'FAILED ' + (r.error ?? '')} in ${ctx.runner.now().getTime() - t0} ms`);
    return { set: h.set, hook: h.name, phase: which, ms: ctx.runner.now().getTime() - t0, ...r };
  };
  let thrown: unknown;
  try {
    let failed = false;
    for (const h of hooks) {
      if (failed) break;
      started.push(h);
      if (!h.pre) continue;
      const r = await phase(h, 'pre', h.pre);
      pre.push(r);
      if (!r.ok) {
        failed = true;
        res.skipped = `pre hook ${h.name} of set ${h.set} failed: ${r.error ?? ''}; no snapshot taken`;
      }
    }
    if (!failed) res.body = await body();
  } catch (e) {
    thrown = e;
    res.skipped = `failed: ${(e as Error).message}`;
  } finally {
    for (const h of [...started].reverse()) if (h.post) post.push(await phase(h, 'post', h.post));
  }
  if (thrown !== undefined) throw thrown;
  return res;
}

/** The stamp of a run: 20261130T170102Z. */
export function runStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
