/**
 * `snapshot create` of whole sets: the sets' hooks around the lvcreates (pre phases first, post phases
 * ALWAYS), the set's filesystems frozen together where the kernel is proven to allow it (thawed ALWAYS),
 * and the guarantee each volume got, in words and as a code:
 *  - `frozen-together`: one instant across the set's volumes (fsfreeze);
 *  - `database-backup`: a built-in hook held its database consistent (PostgreSQL backup mode with its
 *    backup_label and WAL kept by the post phase, Redis BGSAVE); a PostgreSQL backup whose end or WAL copy
 *    failed is `crash-consistent`;
 *  - `crash-consistent`: this volume alone is a power-cut image (lvcreate's own freeze of the origin);
 *  - `none`: the snapshot was not taken.
 */
import type { Runner } from '../core/runner.js';
import type { ActionRunner } from '../model/actions.js';
import type { Plan } from '../model/plan-schema.js';
import type { CreatePlan, CreateRun } from './create.js';
import { executeCreate } from './create.js';
import type { LvRow } from './lvm-report.js';
import { mountsOf, type MountRow } from './mount.js';
import { freezeAction, freezeDecision, type FreezeDecision } from './freeze.js';
import { realSleep, resolveHooks, runStamp, withHooks, type HookResult } from './hooks.js';
import { builtinHook } from './hooks-builtin.js';
import { detail, execAction } from './actions.js';
import { backupRecordAction, LABEL_DIR } from './backup-record.js';

export type Guarantee = 'frozen-together' | 'database-backup' | 'crash-consistent' | 'none';

export interface VolumeGuarantee {
  vg: string;
  origin: string;
  set: string;
  guarantee: Guarantee;
  why: string;
}

export interface SetCreateRun {
  run?: CreateRun;
  pre: HookResult[];
  post: HookResult[];
  freeze: Record<string, FreezeDecision>;
  /** fsfreeze --unfreeze failures (the filesystem may still be frozen: `fsfreeze --unfreeze MOUNT`). */
  thawErrors: string[];
  guarantees: VolumeGuarantee[];
  /** Why no snapshot was taken (a pre hook failed). */
  skipped?: string;
}

export interface SetCreateDeps {
  runner: Runner;
  act: ActionRunner;
  sleep?: (ms: number) => Promise<void>;
  /** Progress lines (hook phases, lvcreate): the database drill passes its own. */
  say?: (line: string) => void;
}

/**
 * Run the planned snapshots inside their sets' hooks and freeze. `lvs` and `mounts` are the probed
 * state (the mount point of each origin). Returns the hook results and each volume's guarantee.
 */
export async function createSets(d: SetCreateDeps, plan: Plan | undefined, cp: CreatePlan, lvs: LvRow[], mounts: MountRow[], monitor: boolean): Promise<SetCreateRun> {
  const sets = [...new Set(cp.items.map((i) => i.set))];
  const hooks = resolveHooks(plan, sets, builtinHook);
  const release = ((await d.runner.readFileIfExists('/proc/sys/kernel/osrelease')) ?? 'unknown').trim();
  const mountOf = (vg: string, lv: string) => {
    const row = lvs.find((l) => l.vg === vg && l.name === lv);
    return row ? mountsOf(row, mounts)[0]?.target : undefined;
  };
  const freeze: Record<string, FreezeDecision> = {};
  for (const s of sets) {
    const mode = plan?.snapshotSets.find((x) => x.name === s)?.freeze ?? 'auto';
    freeze[s] = freezeDecision(mode, release, cp.items.filter((i) => i.set === s).map((i) => mountOf(i.vg, i.origin)));
  }
  const thawErrors: string[] = [];
  const ctx = { runner: d.runner, act: d.act, sleep: d.sleep ?? realSleep, stamp: runStamp(d.runner.now()), say: d.say };
  const hooked = await withHooks(ctx, hooks, async () => {
    const frozen: [string, string][] = [];
    try {
      for (const s of sets)
        for (const m of freeze[s]!.freeze ? freeze[s]!.mounts : []) {
          const r = await d.act.run(freezeAction(m, 'freeze', s));
          if (!r.ok) throw new Error(`fsfreeze --freeze ${m}: ${detail(r)}`);
          frozen.push([s, m]);
        }
      // No dmeventd monitoring inside the freeze: it is run after the thaw below.
      d.say?.(`lvcreate of ${cp.items.map((i) => `${i.vg}/${i.origin}`).join(', ')}…`);
      const made = await executeCreate(d.runner, d.act, cp, false);
      d.say?.(`lvcreate: ${made.created.map((c) => `${c.item.vg}/${c.item.name} ${c.ok ? 'ok' : 'FAILED'} in ${c.durationMs} ms`).join(', ')}`);
      return made;
    } finally {
      for (const [s, m] of frozen.reverse()) {
        const r = await d.act.run(freezeAction(m, 'unfreeze', s));
        if (!r.ok) thawErrors.push(`fsfreeze --unfreeze ${m}: ${detail(r)}`);
      }
    }
  });
  const run = hooked.body;
  if (run && monitor) {
    // dmeventd monitoring after the set and the thaw, so it does not widen the window (as executeCreate does).
    for (const c of run.created) {
      if (!c.ok || c.item.kind !== 'classic') continue;
      const id = `${c.item.vg}/${c.item.name}`;
      const r = await d.act.run(execAction(`snapshot ${id}`, 'dmeventd monitoring (autoextend)', ['lvchange', '--monitor', 'y', id], { timeoutMs: 60_000 }));
      c.monitored = r.ok;
    }
  }
  // Which snapshots each kept PostgreSQL backup belongs to, for `snapshot restore` (backup-record.ts).
  const recorded = new Map<string, string>();
  for (const h of hooked.post) {
    const label = h.facts?.label;
    if (!h.ok || !label || !h.facts?.walDir || hooks.find((x) => x.set === h.set && x.name === h.hook)?.workload !== 'postgresql') continue;
    const ids = (run?.created ?? []).filter((c) => c.ok && c.item.set === h.set).map((c) => `${c.item.vg}/${c.item.name}`);
    if (!ids.length) continue;
    const w = await d.act.run(backupRecordAction(label, h.set, ids));
    recorded.set(h.set, w.ok ? `; recorded in ${LABEL_DIR}/${label}.snapshots` : `; its record was not written (${detail(w)}): restore matches it by time`);
  }
  const okHook = (set: string, wl: string | undefined) =>
    hooked.pre.find((h) => h.set === set && h.ok && h.guarantee && hooks.find((x) => x.set === set && x.name === h.hook)?.workload === wl);
  const workloadOf = (origin: string, vg: string) => plan?.volumes.find((v) => v.vg === vg && v.name === origin)?.workload;
  const guarantees: VolumeGuarantee[] = cp.items.map((i) => {
    const c = run?.created.find((x) => x.item === i);
    if (!c || !c.ok) return { vg: i.vg, origin: i.origin, set: i.set, guarantee: 'none', why: hooked.skipped ?? c?.error ?? 'not taken (an earlier snapshot failed)' };
    const fd = freeze[i.set]!;
    const db = okHook(i.set, workloadOf(i.origin, i.vg));
    if (db) {
      // PostgreSQL's backup is usable only with its WAL (docs 26.3.3): the post phase kept it, or the volume is crash-consistent only
      const post = hooked.post.find((h) => h.set === i.set && h.hook === db.hook);
      if (post && !post.ok) return { vg: i.vg, origin: i.origin, set: i.set, guarantee: 'crash-consistent', why: `${db.guarantee}, but its end failed (${post.error}): not a usable backup; this volume alone is a power-cut image (lvcreate freezes it)` };
      const wal = post?.facts?.walDir ? `; WAL ${post.facts.walFiles} (${post.facts.walCount} segment(s)) kept in ${post.facts.walDir}, backup_label ${post.facts.backupLabel}` : '';
      return { vg: i.vg, origin: i.origin, set: i.set, guarantee: 'database-backup', why: `${db.guarantee}${wal}${wal ? (recorded.get(i.set) ?? '') : ''}${fd.freeze ? '; ' + fd.reason : ''}` };
    }
    if (fd.freeze && fd.mounts.length) return { vg: i.vg, origin: i.origin, set: i.set, guarantee: 'frozen-together', why: fd.reason };
    return { vg: i.vg, origin: i.origin, set: i.set, guarantee: 'crash-consistent', why: `this volume alone (lvcreate freezes it); ${fd.reason}` };
  });
  return { run, pre: hooked.pre, post: hooked.post, freeze, thawErrors, guarantees, skipped: hooked.skipped };
}
