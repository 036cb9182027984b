import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { results } from '../support/guest-results.js';

/**
 * Issue 15 in one boot: `export ansible` of the tiny plan, run by ansible-playbook (Debian's ansible 7.7,
 * ansible_connection=local: the guest shares the host's root) on a blank 4 GiB NVMe drive; verify agrees,
 * a host whose drive carries a foreign ext4 fails without any change, and the second run changes
 * nothing (changed=0).
 */
test('exported playbook: converges, verify clean, foreign signature refused, second run changed=0', { timeout: 7_500_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-fleet-vm-'));
  try {
    const script = fileURLToPath(new URL('../../../test/fixtures/fleet/vm-fleet.sh', import.meta.url));
    const r = await runInSandbox(['bash', script, out], {
      drives: [
        { sizeBytes: 4 * 1024 ** 3, serial: 'JTS-TINY-0', kind: 'nvme' },
        { sizeBytes: 4 * 1024 ** 3, serial: 'JTS-TINY-1', kind: 'nvme' },
      ],
      outDir: out,
      timeoutS: 7200, // one playbook run took 1634 s under TCG on a loaded 2-core host (4 VMs at once)
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    });
    const res = results(r.output);
    const ctx = `\n--- guest output tail:\n${r.output.slice(-8000)}\n--- console:\n${r.consoleTail.slice(-1500)}`;
    t.diagnostic(`ansible-playbook first run ${res.get('run1_seconds')} s (changed=${res.get('run1_changed')}), second run ${res.get('run2_seconds')} s (changed=${res.get('run2_changed')}), guest script ${res.get('total_seconds')} s`);
    assert.equal(res.get('export_exit'), '0', ctx);
    assert.equal(res.get('syntax_exit'), '0', ctx);
    assert.equal(res.get('run1_exit'), '0', ctx);
    assert.equal(res.get('run1_failed'), '0', ctx);
    assert.ok(Number(res.get('run1_changed')) > 0, ctx);
    assert.equal(res.get('verify1_exit'), '0', `verify agrees with the exported playbook${ctx}`);
    assert.equal(res.get('lv_data_extents'), '128', ctx);
    assert.equal(res.get('lv_log_extents'), '128', ctx);
    assert.equal(res.get('data_owner'), 'jtstiny:jtstiny:750', ctx);
    assert.equal(res.get('log_label'), 'tiny_log', ctx);
    assert.equal(res.get('fstab_block_lines'), '6', ctx);
    assert.equal(res.get('run2_exit'), '0', ctx);
    assert.equal(res.get('run2_changed'), '0', `second run: changed=0${ctx}`);
    assert.equal(res.get('export2_exit'), '0', ctx);
    assert.equal(res.get('foreign_exit'), '2', ctx);
    assert.equal(res.get('foreign_failed'), '1', ctx);
    assert.equal(res.get('foreign_changed'), '0', ctx);
    assert.equal(res.get('foreign_msg'), 'yes', ctx);
    assert.equal(res.get('foreign_intact'), 'yes', ctx);
    assert.equal(res.get('foreign_fstab_same'), 'yes', ctx);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
