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
import { constants } from 'node:os';
import type { RunOptions, RunResult } from '../core/runner.js';
import { NodeFsRunner } from '../core/node-fs-runner.js';

export class SpawnRunner extends NodeFsRunner {
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
}
