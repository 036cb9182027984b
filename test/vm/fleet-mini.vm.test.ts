import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { results } from '../support/guest-results.js';

/**
 * Issue 15's test points in one boot with a small plan (test/fixtures/fleet/vm-fleet-mini.sh): the in-suite
 * sample of the opt-in full run (fleet.vm). Debian's ansible 7.7, ansible_connection=local, four 1 GiB NVMe
 * drives. `export ansible` of plan-mini.yaml converges localhost, verify agrees, a second run is changed=0,
 * --check --diff reports a drift and leaves it, a host whose drive carries an ext4 fails with no change;
 * then the jts_storage role on an inventory of two hosts of the guest (each its own plan and drive, serial: 1)
 * converges both with a recap line each. --syntax-check and ansible-lint of the export run in the unit tests
 * (test/fleet/*.test.ts) with the same Debian packages.
 */
test('fleet sample: export converges, verify clean, changed=0, drift shown, foreign drive refused; the role converges two hosts of one guest', { timeout: 3_600_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-fleet-mini-vm-'));
  try {
    const script = fileURLToPath(new URL('../../../test/fixtures/fleet/vm-fleet-mini.sh', import.meta.url));
    const r = await runInSandbox(['bash', script, out], {
      drives: [0, 1, 2, 3].map((i) => ({ sizeBytes: 1024 ** 3, serial: `JTS-MINI-${i}`, kind: 'nvme' as const })),
      outDir: out,
      timeoutS: 3300, // five ansible-playbook runs under TCG: ~8 min on an idle machine, far more under load
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    });
    const res = results(r.output);
    const ctx = `\n--- guest output tail:\n${r.output.slice(-9000)}\n--- console:\n${r.consoleTail.slice(-1500)}`;
    const fig = (k: string) => `${k} ${res.get(`${k}_seconds`)} s / ${res.get(`${k}_procs`)} module runs`;
    t.diagnostic(`${fig('run1')}, ${fig('run2')}, ${fig('check')}, ${fig('role')}, verify ${res.get('verify_seconds')} s, guest script ${res.get('total_seconds')} s`);
    assert.equal(res.get('export_exit'), '0', ctx);
    assert.equal(res.get('run1_exit'), '2', `db-foreign fails, so ansible-playbook exits 2${ctx}`);
    assert.equal(res.get('run1_failed'), '0', ctx);
    assert.ok(Number(res.get('run1_changed')) > 0, ctx);
    assert.equal(res.get('foreign_failed'), '1', ctx);
    assert.equal(res.get('foreign_changed'), '0', ctx);
    assert.equal(res.get('foreign_msg'), 'yes', ctx);
    assert.equal(res.get('foreign_intact'), 'yes', ctx);
    assert.equal(res.get('foreign_pvs'), '0', ctx);
    assert.equal(res.get('verify1_exit'), '0', `verify agrees with the exported playbook${ctx}`);
    assert.equal(res.get('lv_extents'), '16', ctx);
    assert.equal(res.get('mounted'), '/dev/mapper/vg_mini-lv_a,ext4', ctx);
    assert.equal(res.get('fstab_block_lines'), '4', ctx);
    assert.equal(res.get('run2_exit'), '0', ctx);
    assert.equal(res.get('run2_changed'), '0', `second run: changed=0${ctx}`);
    assert.equal(res.get('check_exit'), '0', ctx);
    assert.ok(Number(res.get('check_changed')) >= 1, `check --diff reports the drifted unit${ctx}`);
    assert.equal(res.get('check_diff_file'), 'yes', ctx);
    assert.equal(res.get('check_left_file'), 'yes', ctx);
    assert.equal(res.get('role_exit'), '0', ctx);
    for (const h of ['db-a', 'db-b']) {
      assert.ok(Number(res.get(`role_${h}_changed`)) >= 1, `${h} converged${ctx}`);
      assert.equal(res.get(`role_${h}_failed`), '0', ctx);
      assert.equal(res.get(`role_${h}_summary`), 'yes', `${h}: its own plan summary${ctx}`);
    }
    assert.equal(res.get('role_a_pv'), 'vg_role_a', ctx);
    assert.equal(res.get('role_b_pv'), 'vg_role_b', ctx);
    assert.equal(res.get('role_a_lv'), 'lv_a', ctx);
    assert.equal(res.get('role_b_lv'), 'lv_b', ctx);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
