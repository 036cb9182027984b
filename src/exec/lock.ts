// The host lock: one changing run at a time per host (apply, tune apply, snapshot, bench). A file
// created with O_EXCL holding the owner's pid, command and start time; a second run fails at once
// naming the holder, or, given a wait (`--lock-timeout`), polls until the holder is gone or the wait
// is over; a lock whose pid is dead (run killed; after a power cut the tmpfs /run is gone anyway) is
// taken over.
import * as path from 'node:path';
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';

export const DEFAULT_LOCK_PATH = '/run/lock/jts-storage.lock';

export interface LockInfo {
  pid: number;
  command: string;
  started: string;
  host?: string;
}

export class LockHeldError extends UserError {
  constructor(
    readonly lockPath: string,
    readonly holder: LockInfo | undefined,
    /** How long this run waited for the holder before giving up (0: it did not wait). */
    readonly waitedMs = 0,
  ) {
    super(
      holder
        ? `another jts-storage run holds ${lockPath}: pid ${holder.pid} (${holder.command}, started ${holder.started}); ${waitedMs > 0 ? `waited ${Math.round(waitedMs / 1000)} s for it` : 'wait for it to finish, or pass --lock-timeout SECONDS to wait'}`
        : `${lockPath} exists but cannot be read; if no jts-storage is running, remove it`,
      { code: 'LOCKED' },
    );
  }
}

/** Poll interval while waiting for a held lock. */
export const LOCK_POLL_MS = 500;

export interface AcquireOptions {
  path?: string;
  pid: number;
  command: string;
  /** Wait up to this long for a live holder to go (0 or undefined: fail at once). Measured on runner.now(). */
  waitMs?: number;
  /** How to wait between polls (tests pass one that advances a fake clock). Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Told once when this run starts waiting, with the holder. */
  onWait?: (holder: LockInfo) => void;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Take the lock; with `waitMs`, wait for a live holder up to that long (polling every LOCK_POLL_MS).
 * Throws LockHeldError naming the holder (pid, command, start time) when the lock stays held.
 */
export async function acquireLock(runner: Runner, opts: AcquireOptions): Promise<Lock> {
  const wait = Math.max(0, opts.waitMs ?? 0);
  const t0 = runner.now().getTime();
  let told = false;
  for (;;) {
    try {
      return await tryAcquireLock(runner, opts);
    } catch (e) {
      const waited = runner.now().getTime() - t0;
      if (!(e instanceof LockHeldError) || !e.holder || waited >= wait) {
        if (e instanceof LockHeldError && waited > 0) throw new LockHeldError(e.lockPath, e.holder, waited);
        throw e;
      }
      if (!told) opts.onWait?.(e.holder);
      told = true;
      await (opts.sleep ?? realSleep)(Math.min(LOCK_POLL_MS, wait - waited));
    }
  }
}

export interface Lock {
  path: string;
  tookOverFrom?: LockInfo;
  release(): Promise<void>;
}

function parseLock(text: string | undefined): LockInfo | undefined {
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as LockInfo;
    return typeof j.pid === 'number' ? j : undefined;
  } catch {
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 ? { pid, command: '?', started: '?' } : undefined;
  }
}

/** A pid is alive while /proc/PID exists (same pid namespace: the lock lives in this host's /run). */
async function alive(runner: Runner, pid: number): Promise<boolean> {
  return runner.exists(`/proc/${pid}`);
}

async function create(runner: Runner, p: string, data: string): Promise<boolean> {
  if (runner.createExclusive) return runner.createExclusive(p, data, { mode: 0o644 });
  if (await runner.exists(p)) return false;
  await runner.writeFile(p, data);
  return true;
}

async function tryAcquireLock(runner: Runner, opts: AcquireOptions): Promise<Lock> {
  const p = opts.path ?? DEFAULT_LOCK_PATH;
  const me: LockInfo = { pid: opts.pid, command: opts.command, started: runner.now().toISOString() };
  const data = JSON.stringify(me) + '\n';
  await runner.mkdir(path.dirname(p), { recursive: true });
  let tookOverFrom: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await create(runner, p, data)) {
      return {
        path: p,
        tookOverFrom,
        release: async () => {
          // Only remove a lock that is still ours.
          const cur = parseLock(await runner.readFileIfExists(p));
          if (cur?.pid === me.pid) await runner.unlink(p);
        },
      };
    }
    const text = await runner.readFileIfExists(p);
    const holder = parseLock(text);
    if (!holder) {
      if (text === undefined) continue; // vanished between create and read: try again
      throw new LockHeldError(p, undefined);
    }
    if (holder.pid !== opts.pid && (await alive(runner, holder.pid))) throw new LockHeldError(p, holder);
    // Stale: move it aside (rename is atomic), then check that what we moved is the stale lock we
    // read and not a fresh one another taker created meanwhile; if it is fresh, put it back and yield.
    const aside = `${p}.stale.${opts.pid}`;
    try {
      await runner.rename(p, aside);
    } catch {
      continue;
    }
    const moved = parseLock(await runner.readFileIfExists(aside));
    if (moved && moved.pid !== holder.pid) {
      await runner.rename(aside, p);
      throw new LockHeldError(p, moved);
    }
    await runner.unlink(aside);
    tookOverFrom = holder;
  }
  throw new LockHeldError(p, parseLock(await runner.readFileIfExists(p)));
}
