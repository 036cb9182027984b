import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { results } from '../support/guest-results.js';

/**
 * Issue 15 in one boot (test/fixtures/fleet/vm-fleet.sh): `export ansible` of the tiny plan for two hosts
 * of one guest (Debian's ansible 7.7, ansible_connection=local). localhost on a fresh 4 TB NVMe converges,
 * db-replica (its drive carries a foreign ext4) fails at the drive check with no change; verify and plan
 * agree with the playbook (TRIM included); a second run changes nothing; --check --diff on a drifted host
 * reports the drift and leaves it.
 */
test('exported playbook: converges on a fresh 4 TB drive, verify and plan clean, foreign signature refused, second run changed=0, check --diff shows drift', { timeout: 7_500_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-fleet-vm-'));
  try {
    const script = fileURLToPath(new URL('../../../test/fixtures/fleet/vm-fleet.sh', import.meta.url));
    const r = await runInSandbox(['bash', script, out], {
      drives: [
        { sizeBytes: 4e12, serial: 'JTS-TINY-0', kind: 'nvme' },
        { sizeBytes: 4 * 1024 ** 3, serial: 'JTS-TINY-1', kind: 'nvme' },
      ],
      outDir: out,
      timeoutS: 7200, // three ansible-playbook runs under TCG: minutes each on an idle machine, far more under load
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    });
    const res = results(r.output);
    const ctx = `\n--- guest output tail:\n${r.output.slice(-9000)}\n--- console:\n${r.consoleTail.slice(-1500)}`;
    t.diagnostic(
      `run1 ${res.get('run1_seconds')} s (${res.get('run1_tasks')} tasks, changed=${res.get('run1_changed')}), run2 ${res.get('run2_seconds')} s (changed=${res.get('run2_changed')}), check --diff ${res.get('check_seconds')} s (changed=${res.get('check_changed')}), guest script ${res.get('total_seconds')} s`,
    );
    assert.equal(res.get('export_exit'), '0', ctx);
    assert.equal(res.get('run1_exit'), '2', `db-replica fails, so ansible-playbook exits 2${ctx}`);
    assert.equal(res.get('run1_failed'), '0', ctx);
    assert.ok(Number(res.get('run1_changed')) > 0, ctx);
    assert.equal(res.get('foreign_failed'), '1', ctx);
    assert.equal(res.get('foreign_changed'), '0', ctx);
    assert.equal(res.get('foreign_msg'), 'yes', ctx);
    assert.equal(res.get('foreign_intact'), 'yes', ctx);
    assert.equal(res.get('foreign_pvs'), '0', ctx);
    assert.equal(res.get('verify1_exit'), '0', `verify agrees with the exported playbook${ctx}`);
    assert.equal(res.get('plan_after_exit'), '0', `plan after the playbook: nothing to do (TRIM units chosen as apply chooses)${ctx}`);
    assert.equal(res.get('lv_data_extents'), '128', ctx);
    assert.equal(res.get('lv_log_extents'), '128', ctx);
    assert.equal(res.get('data_owner'), 'jtstiny:jtstiny:750', ctx);
    assert.equal(res.get('log_label'), 'tiny_log', ctx);
    assert.equal(res.get('fstab_block_lines'), '6', ctx);
    if (res.get('dist_fstrim_timer') !== '0') assert.equal(res.get('own_fstrim_units'), '0', `the distribution's fstrim.timer is used, as apply does${ctx}`);
    assert.equal(res.get('run2_exit'), '0', ctx);
    assert.equal(res.get('run2_changed'), '0', `second run: changed=0${ctx}`);
    assert.equal(res.get('check_exit'), '0', ctx);
    assert.ok(Number(res.get('check_changed')) >= 2, `check --diff reports the mode and the unit file${ctx}`);
    assert.equal(res.get('check_diff_file'), 'yes', ctx);
    assert.equal(res.get('check_diff_mode'), 'yes', ctx);
    assert.equal(res.get('check_left_mode'), '700', ctx);
    assert.equal(res.get('check_left_file'), 'yes', ctx);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
