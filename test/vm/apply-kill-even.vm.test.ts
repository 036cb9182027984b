import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot } from '../support/apply-vm.js';

/**
 * apply SIGKILLed after action k (JTS_STORAGE_CRASH_AFTER_ACTION) → the next apply converges and verify
 * is clean, for even k. The other half of k runs in apply-kill.vm.test.ts side by side
 * (scripts/run-tests.mjs). JTS_VM_CRASH_KS="1 5 9" limits k to a list in this file alone.
 */
test('apply killed after every even action k converges on the next apply', { timeout: 7_200_000 }, async (t) => {
  const ks = process.env.JTS_VM_CRASH_KS ?? 'even';
  const { r, res } = await boot('vm-crash.sh', [{ sizeBytes: 4 * 1024 ** 3, serial: 'JTS-TINY-0', kind: 'nvme' }], [ks, 'nomkfs'], 7000);
  const ctx = `\n--- guest output tail:\n${r.output.slice(-6000)}\n--- console:\n${r.consoleTail.slice(-2000)}`;
  const n = Number(res.get('actions'));
  assert.ok(n >= 10, `the tiny plan has every kind of action (${n})${ctx}`);
  const all = Array.from({ length: n }, (_, i) => i + 1);
  const list = ks === 'all' ? all : ks === 'odd' ? all.filter((k) => k % 2 === 1) : ks === 'even' ? all.filter((k) => k % 2 === 0) : ks === 'none' ? [] : ks.split(/\s+/).map(Number);
  t.diagnostic(`${n} actions; k tested: ${list.join(' ')}`);
  for (const k of list) {
    // 137 = killed by SIGKILL right after action k (the last k completes everything first: 137 too)
    assert.equal(res.get(`crash_${k}_exit`), '137', `crash after ${k}${ctx}`);
    assert.equal(res.get(`resume_${k}_exit`), '0', `resume after ${k}${ctx}`);
    assert.equal(res.get(`verify_${k}_exit`), '0', `verify after ${k}${ctx}`);
  }
});
