// The CLI run inside the current process (rehearse's guest harness steps), stdout captured.
import { performance } from 'node:perf_hooks';

/**
 * A step run inside the guest harness's own process: the CLI's `main` (passed in by cli.ts, so no
 * module imports back up into the CLI) with stdout captured (the
 * step's JSON) and stderr passed through (its progress). Steps run one at a time, so swapping
 * process.stdout.write for the duration is safe; process.exitCode is read and reset after each.
 */
export type CliMain = (argv: string[]) => Promise<void>;

export async function runCliInProcess(main: CliMain, argv: string[], env: Record<string, string>): Promise<{ exitCode: number; stdout: string; stderr: string; durationMs: number }> {
  const t0 = performance.now();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  process.exitCode = 0;
  let stderr = '';
  try {
    await main(['node', 'jts-storage', ...argv]);
  } catch (e) {
    stderr = `${(e as Error).stack ?? e}`;
    process.stderr.write(stderr + '\n');
    process.exitCode = 1;
  } finally {
    process.stdout.write = write;
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { exitCode, stdout, stderr, durationMs: performance.now() - t0 };
}
