/**
 * The Runner `jts-storage health` runs with: ExecRunner's contract (src/core/runner.ts) on node's own
 * child_process and fs, without execa.
 *
 * Why a second real Runner: health is started every minute by a timer, and its cost is start-up. execa
 * and its dependencies are about 170 module files; in the sandbox guest (QEMU TCG, modules read over
 * 9p) loading them cost seconds per run, more than every tool health calls (bench/health-overhead.ts,
 * docs/health.md "Overhead"). Health needs four things of a child process: argv (no shell), a clean
 * environment merge, a timeout, and stdout/stderr as text. Everything else stays on ExecRunner.
 *
 * Same contract as ExecRunner: never throws for a non-zero exit; ENOENT → notFound, exit 127; timeout →
 * timedOut, exit 124. One difference on purpose: on a timeout the child is sent SIGKILL and the result
 * returns at once, without waiting for the child to exit (a process stuck in the kernel on a drive that
 * does not answer cannot be reaped, and the next minute's run must not queue behind it).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { constants } from 'node:os';
import * as path from 'node:path';
import type { Runner, RunOptions, RunResult } from '../core/runner.js';

export class SpawnRunner implements Runner {
  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) return Promise.reject(new Error('SpawnRunner.run: empty argv'));
    const start = performance.now();
    return new Promise<RunResult>((resolvePromise) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (r: Omit<RunResult, 'argv' | 'stdout' | 'stderr' | 'durationMs'>) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        resolvePromise({
          argv,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          durationMs: performance.now() - start,
          ...r,
        });
      };
      let child;
      try {
        child = spawn(file, args, {
          cwd: opts.cwd,
          env: opts.env ? { ...process.env, ...opts.env } : process.env,
          stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        });
      } catch (e) {
        // Synchronous spawn errors (bad cwd type, argv with NUL…): reported like a failed start.
        err.push(Buffer.from(`${(e as Error).message}\n`));
        finish({ exitCode: 127, notFound: (e as NodeJS.ErrnoException).code === 'ENOENT' || undefined });
        return;
      }
      child.stdout!.on('data', (b: Buffer) => {
        out.push(b);
        opts.onOutput?.(b.toString(), 'stdout');
      });
      child.stderr!.on('data', (b: Buffer) => {
        err.push(b);
        opts.onOutput?.(b.toString(), 'stderr');
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        // Not started (ENOENT: not installed; EACCES…). A kill() error after a timeout lands here too.
        if (e.code === 'ENOENT') finish({ exitCode: 127, notFound: true });
        else {
          err.push(Buffer.from(`${e.message}\n`));
          finish({ exitCode: 126 });
        }
      });
      // 'close': the exit and the end of both pipes, so no output is lost.
      // Killed by a signal: the shell's convention, 128 + its number.
      child.on('close', (code, signal) => finish({ exitCode: code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1) }));
      if (opts.input !== undefined) {
        child.stdin!.on('error', () => {}); // the child may exit without reading its input (EPIPE)
        child.stdin!.end(opts.input);
      }
      if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          // Do not wait for an unkillable child (D state): drop our ends and let node exit without it.
          child.stdout?.destroy();
          child.stderr?.destroy();
          child.unref();
          finish({ exitCode: 124, timedOut: true });
        }, opts.timeoutMs);
      }
    });
  }
  readFile(p: string): Promise<string> {
    return fs.readFile(p, 'utf8');
  }
  async readFileIfExists(p: string): Promise<string | undefined> {
    try {
      return await fs.readFile(p, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  async writeFile(p: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    await fs.writeFile(p, data, { mode: opts.mode });
  }
  async writeFileAtomic(p: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    const tmp = path.join(path.dirname(p), `.${path.basename(p)}.jts-tmp-${process.pid}`);
    const fh = await fs.open(tmp, 'w', opts.mode ?? 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, p);
    // fsync the directory so the rename itself survives a power cut.
    const dir = await fs.open(path.dirname(p), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
  rename(a: string, b: string): Promise<void> {
    return fs.rename(a, b);
  }
  unlink(p: string): Promise<void> {
    return fs.unlink(p);
  }
  async mkdir(p: string, opts: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    await fs.mkdir(p, opts);
  }
  readdir(p: string): Promise<string[]> {
    return fs.readdir(p);
  }
  async exists(p: string): Promise<boolean> {
    try {
      await fs.lstat(p);
      return true;
    } catch {
      return false;
    }
  }
  async stat(p: string) {
    try {
      const s = await fs.stat(p);
      return { uid: s.uid, gid: s.gid, mode: s.mode & 0o7777, isDirectory: s.isDirectory(), size: s.size };
    } catch {
      return undefined;
    }
  }
  async statfs(p: string) {
    const s = await fs.statfs(p);
    return {
      totalBytes: s.blocks * s.bsize,
      freeBytes: s.bfree * s.bsize,
      availBytes: s.bavail * s.bsize,
      totalInodes: s.files,
      freeInodes: s.ffree,
    };
  }
  now(): Date {
    return new Date();
  }
  async appendFile(p: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    await fs.appendFile(p, data, { mode: opts.mode ?? 0o640 });
  }
  async createExclusive(p: string, data: string, opts: { mode?: number } = {}): Promise<boolean> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(p, 'wx', opts.mode ?? 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }
}
