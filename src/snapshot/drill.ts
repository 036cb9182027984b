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
import { fsType, mountsOf, readMounts, restoreSnapshot, type MountRow } from './mount.js';
import { parseSha256Lines } from './export.js';

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

export async function runDrill(
  runner: Runner,
  volume: string,
  opts: { fileCount?: number; fileBytes?: number; policy?: SnapshotPolicy } = {},
): Promise<DrillResult> {
  const fileCount = opts.fileCount ?? 4;
  const fileBytes = opts.fileBytes ?? 256 * 1024;
  const phases: DrillPhase[] = [];
  const phase = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = runner.now().getTime();
    try {
      return await f();
    } finally {
      phases.push({ name, ms: runner.now().getTime() - t });
    }
  };
  const st = await readLvm(runner);
  const lv = findLv(st.lvs, volume);
  const id = `${lv.vg}/${lv.name}`;
  if (lv.origin || lv.attr[0] === 's' || lv.attr[0] === 'S') throw new UserError(`${id} is a snapshot; drill its origin`);
  const mounts = await readMounts(runner);
  const orig: MountRow[] = mountsOf(lv, mounts).sort((a, b) => a.target.length - b.target.length);
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
    const r = await runner.run(['umount', m.target], { mutating: true, timeoutMs: 300_000 });
    if (!ok(r)) {
      // Put back what was already unmounted (the deeper mount points) before giving up.
      await remount(runner, lv.path, orig.filter((o) => o.target.length > m.target.length), result);
      throw new UserError(`${m.target} is in use (${(r.stderr || r.stdout).trim()}): stop the database using ${id} and rerun the drill; nothing was changed`);
    }
  }
  let privMounted = false;
  try {
    await runner.mkdir(priv, { recursive: true, mode: 0o700 });
    const type = fstype ?? (await fsType(runner, lv.path));
    if (!type) throw new UserError(`${id} holds no filesystem: nothing to drill`);
    const opt = orig[0]?.options ?? 'rw';
    const m = await runner.run(['mount', '-t', type, '-o', opt, lv.path, priv], { mutating: true, timeoutMs: 300_000 });
    if (!ok(m)) throw new UserError(`mounting ${id} at ${priv} failed: ${(m.stderr || m.stdout).trim()}`);
    privMounted = true;
    const dir = `${priv}/${DRILL_DIR}`;
    await runner.run(['rm', '-rf', '--one-file-system', '--', dir], { mutating: true });
    await runner.mkdir(dir, { mode: 0o700 });

    await phase('write', async () => {
      for (let i = 0; i < fileCount; i++) await runner.writeFile(`${dir}/f${i}`, drillContent(1000 + i, fileBytes));
      await runner.run(['sync', '-f', dir], { mutating: true });
    });
    result.before = await sums(runner, dir);

    const policy: SnapshotPolicy = { ...(opts.policy ?? defaultPolicy()), type: result.kind, size: `${Math.max(64, Math.ceil((8 * fileCount * fileBytes) / 1048576))}MiB` };
    const auto = await readAutoextend(runner);
    const plan = planCreate([{ vg: lv.vg, lv: lv.name, policy }], st, { now: runner.now(), set: 'drill', drill: true, autoextend: auto });
    if (plan.refusals.length) throw new UserError(`drill snapshot refused: ${plan.refusals.join('; ')}`);
    const run = await phase('snapshot', () => executeCreate(runner, plan, false));
    const c = run.created[0];
    if (!c?.ok) throw new UserError(`drill snapshot failed: ${c?.error ?? 'nothing created'}`);
    result.snapshot = `${c.item.vg}/${c.item.name}`;

    await phase('change', async () => {
      await runner.writeFile(`${dir}/f0`, drillContent(2000, fileBytes));
      if (fileCount > 1) await runner.unlink(`${dir}/f1`);
      await runner.writeFile(`${dir}/new`, drillContent(3000, fileBytes));
      await runner.run(['sync', '-f', dir], { mutating: true });
    });
    result.changed = await sums(runner, dir);
    if (compareSums(result.before, result.changed).length === 0) throw new UserError('the change step did not change the data (checksums equal): drill invalid');
    const after = await readLvm(runner);
    result.snapshotFillPercent = after.snapshots.find((s) => s.id === result.snapshot)?.fillPercent;

    // Restore with the private mount as the only mount: restoreSnapshot umounts, merges, mounts back.
    await phase('restore', () => restoreSnapshot(runner, result.snapshot, 'offline'));
    result.after = await sums(runner, dir);
    result.mismatches = compareSums(result.before, result.after);
    result.pass = result.mismatches.length === 0;
    await runner.run(['rm', '-rf', '--one-file-system', '--', dir], { mutating: true });
    await runner.run(['sync', '-f', priv], { mutating: true });
  } catch (e) {
    result.error = (e as Error).message;
  } finally {
    if (privMounted) {
      const u = await runner.run(['umount', priv], { mutating: true, timeoutMs: 300_000 });
      if (ok(u)) await runner.run(['rmdir', priv], { mutating: true });
    }
    await remount(runner, lv.path, orig, result);
  }
  return result;
}

async function remount(runner: Runner, dev: string, mounts: MountRow[], result: DrillResult): Promise<void> {
  for (const m of mounts) {
    const r = await runner.run(['mount', '-t', m.fstype, '-o', m.options, dev, m.target], { mutating: true, timeoutMs: 300_000 });
    if (ok(r)) result.remountedAt.push(m.target);
    else result.error = `${result.error ? result.error + '; ' : ''}mounting ${m.target} back failed: ${(r.stderr || r.stdout).trim()}`;
  }
}
