/**
 * `snapshot drill VOLUME`: prove that restore works on this volume, on this kernel, now.
 *
 * A merge rolls the WHOLE volume back, so the drill must be the only writer between its snapshot and
 * its merge: it unmounts the volume from its real mount points (which fails while a database has files
 * open: stop it first), mounts it at a private directory nobody else uses, and at the end mounts it back
 * where it was with the same options. Steps:
 *   1. write known data (deterministic pseudo-random files) into `.jts-drill/`, sync, checksum (A);
 *   2. snapshot (classic, or thin for a thin volume; tagged jts-drill);
 *   3. change the data (overwrite one file, delete one, add one), sync, checksum (B ≠ A);
 *   4. restore: umount, lvconvert --merge, (re-activate), mount;
 *   5. checksum (C) and compare with A: pass when equal, file by file;
 *   6. remove `.jts-drill/`, mount the volume back at its real mount points.
 * Net effect on the volume: none (the drill directory is removed), apart from filesystem metadata.
 */
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { SnapshotPolicy } from '../model/plan-schema.js';
import { findLv, readLvm } from './lvm-report.js';
import { executeCreate, planCreate, defaultPolicy } from './create.js';
import { readAutoextend } from './autoextend.js';
import { fsType, lvconvertMergeArgv, mountsOf, readMounts, restoreSnapshot, type MountRow } from './mount.js';
import { parseSha256Lines } from './export.js';
import type { Action, ActionRunner } from '../model/actions.js';
import { detail, execAction, mkdirAction, must } from './actions.js';

function fileAction(path: string, content: string, summary: string): Action {
  return { id: `snapshot:drill:${path}`, kind: 'create', resource: `file ${path}`, summary, dependsOn: [], steps: [{ type: 'write-file', path, content, mode: 0o600, backup: false }] };
}

export const DRILL_BASE = '/run/jts-storage/drill';
const DRILL_DIR = '.jts-drill';

export interface DrillPhase {
  name: string;
  ms: number;
}

export interface DrillResult {
  volume: string;
  kind: 'classic' | 'thin';
  snapshot: string;
  pass: boolean;
  files: number;
  bytes: number;
  /** Checksums before the change, after the change, after the restore. */
  before: Record<string, string>;
  changed: Record<string, string>;
  after: Record<string, string>;
  mismatches: string[];
  snapshotFillPercent?: number;
  phases: DrillPhase[];
  remountedAt: string[];
  error?: string;
}

/** Deterministic content: xorshift32 bytes, base64 so it goes through the text file API. */
export function drillContent(seed: number, bytes: number): string {
  let x = seed >>> 0 || 1;
  const buf = Buffer.alloc(Math.ceil((bytes * 3) / 4));
  for (let i = 0; i < buf.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf[i] = x & 0xff;
  }
  return buf.toString('base64').slice(0, bytes);
}

async function sums(runner: Runner, dir: string): Promise<Record<string, string>> {
  const r = await runner.run(['find', '.', '-type', 'f', '-exec', 'sha256sum', '--', '{}', '+'], { cwd: dir });
  if (!ok(r)) throw new UserError(`checksumming ${dir} failed: ${r.stderr.trim()}`);
  const out: Record<string, string> = {};
  for (const l of parseSha256Lines(r.stdout)) out[l.path] = l.hash;
  return out;
}

export function compareSums(a: Record<string, string>, b: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]?.slice(0, 12) ?? 'missing'} vs ${b[k]?.slice(0, 12) ?? 'missing'}`);
}

/**
 * `phase(name, f)` runs f and appends its wall milliseconds (the runner's clock) to `phases`; with `say`,
 * it also reports each phase as it starts and ends (progress: a stalled drill shows where it is).
 */
export function phaseTimer(runner: Runner, phases: DrillPhase[], say?: (line: string) => void): <T>(name: string, f: () => Promise<T>) => Promise<T> {
  return async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = runner.now().getTime();
    say?.(`${name}…`);
    let ok = false;
    try {
      const r = await f();
      ok = true;
      return r;
    } finally {
      const ms = runner.now().getTime() - t;
      phases.push({ name, ms });
      say?.(`${name}: ${ok ? 'done' : 'FAILED'} in ${ms} ms`);
    }
  };
}

/**
 * The origin LV a drill works on (from `lvm fullreport`), its "vg/lv" id and its mounts, shortest
 * mount point first. Errors: UserError when `volume` is a snapshot or not found.
 */
export async function drillOrigin(runner: Runner, volume: string) {
  const st = await readLvm(runner);
  const lv = findLv(st.lvs, volume);
  const id = `${lv.vg}/${lv.name}`;
  if (lv.origin || lv.attr[0] === 's' || lv.attr[0] === 'S') throw new UserError(`${id} is a snapshot; drill its origin`);
  const orig: MountRow[] = mountsOf(lv, await readMounts(runner)).sort((a, b) => a.target.length - b.target.length);
  return { st, lv, id, orig };
}

/**
 * Run the drill on `volume`: reads (LVM, mounts, checksums) through `runner`, every change through
 * `act`. Under --dry-run the whole sequence is recorded with its argv and nothing runs: the checksums,
 * the snapshot's fill and the comparison are left out (they need the changes), the result does not pass.
 */
export async function runDrill(
  runner: Runner,
  act: ActionRunner,
  volume: string,
  opts: { fileCount?: number; fileBytes?: number; policy?: SnapshotPolicy } = {},
): Promise<DrillResult> {
  const fileCount = opts.fileCount ?? 4;
  const fileBytes = opts.fileBytes ?? 256 * 1024;
  const phases: DrillPhase[] = [];
  const phase = phaseTimer(runner, phases);
  const { st, lv, id, orig } = await drillOrigin(runner, volume);
  const fstype = orig[0]?.fstype ?? undefined;
  const priv = `${DRILL_BASE}/${lv.vg}/${lv.name}`;
  const result: DrillResult = {
    volume: id,
    kind: lv.attr[0] === 'V' && lv.pool ? 'thin' : 'classic',
    snapshot: '',
    pass: false,
    files: fileCount,
    bytes: fileCount * fileBytes,
    before: {},
    changed: {},
    after: {},
    mismatches: [],
    phases,
    remountedAt: [],
  };

  // Take the volume away from everyone else: umount its real mount points (fails while in use).
  for (const m of [...orig].reverse()) {
    const r = await act.run(execAction(`mount ${m.target}`, `take ${id} away for the drill`, ['umount', m.target], { kind: 'destroy', timeoutMs: 300_000 }));
    if (!r.ok) {
      // Put back what was already unmounted (the deeper mount points) before giving up.
      await remount(act, lv.path, orig.filter((o) => o.target.length > m.target.length), result);
      throw new UserError(`${m.target} is in use (${detail(r)}): stop the database using ${id} and rerun the drill; nothing was changed`);
    }
  }
  let privMounted = false;
  try {
    await must(act, mkdirAction(priv, 0o700, 'private mount point of the drill'), (d) => `cannot create ${priv}: ${d}`);
    const type = fstype ?? (await fsType(runner, lv.path));
    if (!type) throw new UserError(`${id} holds no filesystem: nothing to drill`);
    const opt = orig[0]?.options ?? 'rw';
    await must(act, execAction(`mount ${priv}`, `${id} where only the drill writes`, ['mount', '-t', type, '-o', opt, lv.path, priv], { kind: 'create', timeoutMs: 300_000 }), (d) => `mounting ${id} at ${priv} failed: ${d}`);
    privMounted = true;
    const dir = `${priv}/${DRILL_DIR}`;
    const sync = (d: string) => act.run(execAction(`fs ${id}`, 'flush the drill data', ['sync', '-f', d]));
    await act.run(execAction(`dir ${dir}`, 'remove what an earlier drill left', ['rm', '-rf', '--one-file-system', '--', dir], { kind: 'destroy' }));
    await must(act, mkdirAction(dir, 0o700, 'drill data'), (d) => `cannot create ${dir}: ${d}`);

    await phase('write', async () => {
      for (let i = 0; i < fileCount; i++) await must(act, fileAction(`${dir}/f${i}`, drillContent(1000 + i, fileBytes), 'known data'), (d) => `writing ${dir}/f${i} failed: ${d}`);
      await sync(dir);
    });
    if (!act.dryRun) result.before = await sums(runner, dir);

    const policy: SnapshotPolicy = { ...(opts.policy ?? defaultPolicy()), type: result.kind, size: `${Math.max(64, Math.ceil((8 * fileCount * fileBytes) / 1048576))}MiB` };
    const auto = await readAutoextend(runner);
    const plan = planCreate([{ vg: lv.vg, lv: lv.name, policy }], st, { now: runner.now(), set: 'drill', drill: true, autoextend: auto });
    if (plan.refusals.length) throw new UserError(`drill snapshot refused: ${plan.refusals.join('; ')}`);
    const run = await phase('snapshot', () => executeCreate(runner, act, plan, false));
    const c = run.created[0];
    if (!c?.ok) throw new UserError(`drill snapshot failed: ${c?.error ?? 'nothing created'}`);
    result.snapshot = `${c.item.vg}/${c.item.name}`;

    await phase('change', async () => {
      await must(act, fileAction(`${dir}/f0`, drillContent(2000, fileBytes), 'overwrite one file'), (d) => `writing ${dir}/f0 failed: ${d}`);
      if (fileCount > 1) await must(act, execAction(`file ${dir}/f1`, 'delete one file', ['rm', '-f', '--', `${dir}/f1`], { kind: 'destroy' }), (d) => `removing ${dir}/f1 failed: ${d}`);
      await must(act, fileAction(`${dir}/new`, drillContent(3000, fileBytes), 'add one file'), (d) => `writing ${dir}/new failed: ${d}`);
      await sync(dir);
    });
    if (act.dryRun) {
      // The merge (restore --offline with the private mount as the only mount) and the clean-up.
      await act.run(execAction(`mount ${priv}`, 'restore: unmount', ['umount', priv], { kind: 'destroy' }));
      await act.run(execAction(`lv ${id}`, `roll ${id} back to the drill snapshot (merge)`, lvconvertMergeArgv(c.item.kind, result.snapshot), { kind: 'replace' }));
      await act.run(execAction(`mount ${priv}`, 'restore: mount again', ['mount', '-t', type, '-o', opt, lv.path, priv], { kind: 'create' }));
      await act.run(execAction(`dir ${dir}`, 'remove the drill data', ['rm', '-rf', '--one-file-system', '--', dir], { kind: 'destroy' }));
      result.error = 'dry run: nothing run (checksums and comparison need the changes)';
      return result;
    }
    result.changed = await sums(runner, dir);
    if (compareSums(result.before, result.changed).length === 0) throw new UserError('the change step did not change the data (checksums equal): drill invalid');
    const after = await readLvm(runner);
    result.snapshotFillPercent = after.snapshots.find((s) => s.id === result.snapshot)?.fillPercent;

    // Restore with the private mount as the only mount: restoreSnapshot umounts, merges, mounts back.
    await phase('restore', () => restoreSnapshot(runner, act, result.snapshot, 'offline'));
    result.after = await sums(runner, dir);
    result.mismatches = compareSums(result.before, result.after);
    result.pass = result.mismatches.length === 0;
    await act.run(execAction(`dir ${dir}`, 'remove the drill data', ['rm', '-rf', '--one-file-system', '--', dir], { kind: 'destroy' }));
    await sync(priv);
  } catch (e) {
    result.error = (e as Error).message;
  } finally {
    if (privMounted) {
      const u = await act.run(execAction(`mount ${priv}`, 'end of the drill', ['umount', priv], { kind: 'destroy', timeoutMs: 300_000 }));
      if (u.ok) await act.run(execAction(`dir ${priv}`, 'remove the private mount point', ['rmdir', priv], { kind: 'destroy' }));
    }
    await remount(act, lv.path, orig, result);
  }
  return result;
}

/** Mounts `dev` back at each of its former mount points; failures are added to `result.error`. */
export async function remount(act: ActionRunner, dev: string, mounts: MountRow[], result: { remountedAt: string[]; error?: string }): Promise<void> {
  for (const m of mounts) {
    const r = await act.run(execAction(`mount ${m.target}`, 'mount the volume back where it was', ['mount', '-t', m.fstype, '-o', m.options, dev, m.target], { kind: 'create', timeoutMs: 300_000 }));
    if (r.ok) result.remountedAt.push(m.target);
    else result.error = `${result.error ? result.error + '; ' : ''}mounting ${m.target} back failed: ${detail(r)}`;
  }
}
