import { execa } from 'execa';
import type { RunOptions, RunResult } from './runner.js';
import { NodeFsRunner } from './node-fs-runner.js';

/**
 * The real Runner: child processes through execa (argv arrays, no shell); files through node:fs in
 * NodeFsRunner. With health's SpawnRunner (same file half, node's child_process), the only modules of
 * the product that touch the host.
 */
export class ExecRunner extends NodeFsRunner {
  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) throw new Error('ExecRunner.run: empty argv');
    const start = performance.now();
    const child = execa(file, args, {
      input: opts.input,
      timeout: opts.timeoutMs,
      env: opts.env,
      cwd: opts.cwd,
      reject: false,
      stripFinalNewline: false,
      // LVM tools warn about leaked descriptors of the parent; keep their stdin closed when unused.
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
      // Machine-readable output must not be translated.
      extendEnv: true,
    });
    if (opts.onOutput) {
      child.stdout?.on('data', (b: Buffer) => opts.onOutput!(b.toString(), 'stdout'));
      child.stderr?.on('data', (b: Buffer) => opts.onOutput!(b.toString(), 'stderr'));
    }
    const r = await child;
    const durationMs = performance.now() - start;
    const notFound = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(r.message ?? '')) && r.exitCode === undefined;
    return {
      argv,
      exitCode: r.timedOut ? 124 : (r.exitCode ?? (notFound ? 127 : 1)),
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      durationMs,
      notFound: notFound || undefined,
      timedOut: r.timedOut || undefined,
    };
  }
}
