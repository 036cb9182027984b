// One boot of an apply guest script (test/fixtures/apply/vm-*.sh) with its RESULT lines parsed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox, type SandboxDrive } from '../../src/sandbox/index.js';
import { results } from './guest-results.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/apply/', import.meta.url));

export async function boot(script: string, drives: SandboxDrive[], args: string[], timeoutS: number) {
  const out = mkdtempSync(join(tmpdir(), 'jts-apply-vm-'));
  try {
    const r = await runInSandbox(['bash', join(fixtures, script), out, ...args], { drives, outDir: out, timeoutS, cwd: fileURLToPath(new URL('../../../', import.meta.url)) });
    return { r, res: results(r.output) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

