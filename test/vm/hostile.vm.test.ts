/**
 * Hostile plans on a real kernel (one boot; guest side test/fixtures/hostile/vm-hostile.sh): `apply` with one
 * plan of each kind of issue 13 (free text into written files, a value LVM refuses, a network mount, a mount
 * path through a symlink, a YAML alias bomb, a bare float size, a drive identity two NVMe namespaces share,
 * a sysctl key outside the storage area) exits 1 with JSON naming the field's file:line, runs no mutating
 * command, and leaves the drives (wipefs/blkid signatures, lsblk, LVM), /etc/fstab, /etc/udev/rules.d, the
 * systemd units dir and /etc/sysctl.d byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { results } from '../support/guest-results.js';

const script = fileURLToPath(new URL('../../../test/fixtures/hostile/vm-hostile.sh', import.meta.url));

test('apply with one hostile plan of each kind: exit 1, JSON at the field, nothing run, drives and system files unchanged', { timeout: 1_800_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'jts-hostile-vm-'));
  try {
    const r = await runInSandbox(['bash', script, out], {
      drives: [
        { sizeBytes: 4_000_000_000_000, serial: 'H-NVME-0', kind: 'nvme' },
        { sizeBytes: 1024 ** 3, serial: 'H-NS-0', kind: 'nvme' },
        { sizeBytes: 1024 ** 3, kind: 'nvme', namespaceOf: 2 },
      ],
      outDir: out,
      timeoutS: 1500,
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    });
    const res = results(r.output);
    const ctx = `\n--- guest output tail:\n${r.output.slice(-6000)}\n--- console:\n${r.consoleTail.slice(-2000)}`;
    assert.ok(Number(res.get('before_lines')) > 10, `the snapshot shows the drives and files${ctx}`);
    for (let k = 1; k <= 8; k++) {
      assert.equal(res.get(`exit_${k}`), '1', `kind ${k}: apply exits 1${ctx}`);
      // failed: the plan file is refused by the loader; refused: a plan error found with the host (identity)
      assert.ok(['failed', 'refused'].includes(res.get(`status_${k}`) ?? ''), `kind ${k}: JSON status ${res.get(`status_${k}`)}${ctx}`);
      assert.equal(res.get(`mutating_${k}`), '0', `kind ${k}: no mutating command${ctx}`);
      assert.equal(res.get(`located_${k}`), 'yes', `kind ${k}: the refusal names the #HOSTILE line${ctx}`);
    }
    assert.equal(res.get('audit_mutating') ?? '0', '0', `the audit log records no mutating command${ctx}`);
    assert.equal(res.get('unchanged'), 'yes', `drives, fstab, udev rules, units and sysctl.d byte-identical${ctx}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
