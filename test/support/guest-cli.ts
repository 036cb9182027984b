/**
 * The in-process CLI call of the VM test drivers (they run inside the sandbox guest, where every node
 * start costs seconds under TCG, so the drivers call `main` in their own process instead of spawning).
 * Captures stdout/stderr, turns a throw into rc 99, and writes OUT/NAME.out, .err, .rc and .ms for the
 * host side of the test to read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

export interface GuestCliResult {
  rc: number;
  stdout: string;
  stderr: string;
  /** Wall milliseconds of the call. */
  ms: number;
}

/**
 * Runs `jts-storage ARGS...` in this process; never throws for the CLI's own failures. `live`: also pass
 * each stderr chunk on as it comes (progress of a long step, to the guest console), not only at the end.
 */
export async function runCliCaptured(out: string, name: string, args: string[], live?: (chunk: string) => void): Promise<GuestCliResult> {
  let so = '';
  let se = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((so += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => {
    se += String(c);
    live?.(String(c));
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = 0;
  let rc = 0;
  const t = Date.now();
  try {
    await main(['node', 'jts-storage', ...args]);
    rc = Number(process.exitCode ?? 0);
  } catch (e) {
    se += `uncaught: ${(e as Error).stack}\n`;
    rc = 99;
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = 0;
  }
  const ms = Date.now() - t;
  writeFileSync(join(out, `${name}.out`), so);
  writeFileSync(join(out, `${name}.err`), se);
  writeFileSync(join(out, `${name}.rc`), `${rc}\n`);
  writeFileSync(join(out, `${name}.ms`), `${ms}\n`);
  return { rc, stdout: so, stderr: se, ms };
}
