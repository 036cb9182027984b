/**
 * Prove offline: the same worker (prove-guest.ts) in ONE boot of the sandbox, for a plan made against
 * described drives (`plan --drives F --prove`): the kernel is the sandbox's (Debian's 6.1), not the
 * planning machine's. Images live in the guest's /tmp (tmpfs over the sandbox's memory: sparse, only what
 * mkfs writes counts); the results come back through --out-dir.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInSandbox } from '../sandbox/index.js';
import { proveGuestScript, type ProveCase, type ProveOutcome, type ProveRun } from './prove.js';

/** Boots the sandbox once and proves every case there. Errors: Error when the guest does not report. */
export async function proveInSandbox(cases: ProveCase[], o: { onProgress?: (m: string) => void } = {}): Promise<ProveRun> {
  const out = mkdtempSync(join(tmpdir(), 'jts-prove-'));
  try {
    const inFile = join(out, 'cases.json');
    const outFile = join(out, 'outcomes.json');
    writeFileSync(inFile, JSON.stringify({ dir: '/tmp', clearLog: true, cases }));
    const r = await runInSandbox([process.execPath, proveGuestScript(), inFile, outFile], {
      outDir: out,
      drives: [{ sizeBytes: 2 ** 30, kind: 'virtio', serial: 'JTS-PROVE-0' }],
      memoryMiB: 3072,
      timeoutS: 900,
      onProgress: o.onProgress,
    });
    if (!existsSync(outFile)) throw new Error(`prove in the sandbox: no outcome (exit ${r.exitCode}): ${r.output.slice(-800)}${r.consoleTail.slice(-400)}`);
    const res = JSON.parse(readFileSync(outFile, 'utf8')) as { kernel: string; outcomes: ProveOutcome[] };
    return { kernel: res.kernel, where: 'sandbox', outcomes: res.outcomes };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
