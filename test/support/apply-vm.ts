// One boot of an apply guest script (test/fixtures/apply/vm-*.sh) with its RESULT lines parsed.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
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


/**
 * apply SIGKILLed after action k (JTS_STORAGE_CRASH_AFTER_ACTION) → the next apply converges and verify
 * is clean, for the k in `which` (odd/even split across two files that run side by side; the
 * JTS_VM_CRASH_KS env, "1 5 9", overrides); `mkfs` adds the two mkfs kills (guest: vm-crash.sh).
 */
export async function crashAfterEachAction(t: TestContext, which: 'odd' | 'even', mkfs: boolean): Promise<void> {
  const ks = process.env.JTS_VM_CRASH_KS ?? which;
  const { r, res } = await boot('vm-crash.sh', [{ sizeBytes: 4 * 1024 ** 3, serial: 'JTS-TINY-0', kind: 'nvme' }], [ks, mkfs ? 'mkfs' : 'nomkfs'], 7000);
  const ctx = `\n--- guest output tail:\n${r.output.slice(-6000)}\n--- console:\n${r.consoleTail.slice(-2000)}`;
  const n = Number(res.get('actions'));
  assert.ok(n >= 10, `the tiny plan has every kind of action (${n})${ctx}`);
  const all = Array.from({ length: n }, (_, i) => i + 1);
  const list = ks === 'odd' ? all.filter((k) => k % 2 === 1) : ks === 'even' ? all.filter((k) => k % 2 === 0) : ks === 'all' ? all : ks === 'none' ? [] : ks.split(/\s+/).map(Number);
  t.diagnostic(`${n} actions; k tested: ${list.join(' ')}`);
  for (const k of list) {
    // 137 = killed by SIGKILL right after action k (the last k completes everything first: 137 too)
    assert.equal(res.get(`crash_${k}_exit`), '137', `crash after ${k}${ctx}`);
    assert.equal(res.get(`resume_${k}_exit`), '0', `resume after ${k}${ctx}`);
    assert.equal(res.get(`verify_${k}_exit`), '0', `verify after ${k}${ctx}`);
  }
  if (!mkfs) return;
  t.diagnostic(`mkfs killed midway: caught ${res.get('mkfs_kill_caught')}, left ${res.get('mkfs_kill_fs')}; mkfs.xfs killed: caught ${res.get('xfs_kill_caught')}, blkid ${res.get('xfs_kill_fs')}, ${res.get('xfs_kill_inprogress')}`);
  assert.equal(res.get('mkfs_resume_exit'), '0', `resume after mkfs killed (caught: ${res.get('mkfs_kill_caught')}, fs left: ${res.get('mkfs_kill_fs')})${ctx}`);
  assert.equal(res.get('mkfs_verify_exit'), '0', ctx);
  assert.equal(res.get('xfs_resume_exit'), '0', `resume after mkfs.xfs killed (caught: ${res.get('xfs_kill_caught')}, left: ${res.get('xfs_kill_fs')} ${res.get('xfs_kill_inprogress')})${ctx}`);
  assert.equal(res.get('xfs_verify_exit'), '0', ctx);
}
