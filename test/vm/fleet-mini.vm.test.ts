import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { results } from '../support/guest-results.js';

/**
 * Issue 15's test points in one boot (test/fixtures/fleet/vm-fleet-mini.sh), Debian's ansible 7.7,
 * ansible_connection=local; `export ansible` runs here first (pure: plan + inventory → playbook, as on a
 * workstation), the rest in the guest. Drive 0 is a fresh 4 TB NVMe (sparse), drives 1-3 are 1 GiB. Run 1 is one
 * ansible-playbook with two playbooks: the jts_storage role on an inventory of two hosts of the guest (each its
 * own plan and drive, serial: 1) converges both with a recap line each; then `export ansible` of plan-mini.yaml
 * converges localhost on the 4 TB drive and a host whose drive carries an ext4 fails with no change. verify
 * agrees, run 2 is changed=0, and --check --diff reports a drift and leaves it. --syntax-check and ansible-lint
 * of the export run in the unit tests (test/fleet/*.test.ts) with the same Debian packages.
 */
test('fleet: the role converges two hosts of one guest; the export converges a fresh 4 TB drive, verify clean, changed=0, drift shown, foreign drive refused', { timeout: 3_600_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-fleet-mini-vm-'));
  try {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const script = join(root, 'test/fixtures/fleet/vm-fleet-mini.sh');
    // The guest starts the CLI five times (the role's plan and apply per host, verify): bin/jts-storage.js runs
    // the one-file bundle (scripts/bundle.mjs; a start in the guest 2.1-2.4 s against 6.9-10.4 s from the
    // modules) only when it is not older than dist/src/cli.js. After a `tsc`-only build, make it current first.
    const mtime = (f: string) => statSync(join(root, f), { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (mtime('dist/bundle/cli/jts-storage.mjs') < mtime('dist/src/cli.js')) {
      const b = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      assert.equal(b.status, 0, `scripts/bundle.mjs: ${b.stdout}${b.stderr}`);
      t.diagnostic('the bundle was older than dist/src/cli.js: rebuilt it (scripts/bundle.mjs)');
    }
    // The inventory of the export (the guest sees this machine's root: the same paths): localhost on the 4 TB
    // drive, db-foreign on drive 1 (the guest gives it an ext4 first).
    const fixtures = join(root, 'test/fixtures/fleet');
    writeFileSync(
      join(out, 'inv.yml'),
      [
        'all:',
        '  vars:',
        '    ansible_connection: local',
        '  hosts:',
        '    localhost:',
        `      jts_storage_drives: ${fixtures}/mini-drives-0.yaml`,
        '    db-foreign:',
        `      jts_storage_drives: ${fixtures}/mini-drives-1.yaml`,
        '      jts_storage_drive_ids: { d0: { serial: JTS-MINI-1 } }',
        '',
      ].join('\n'),
    );
    const exp = spawnSync(process.execPath, [join(root, 'bin/jts-storage.js'), 'export', 'ansible', '--plan', 'test/fixtures/fleet/plan-mini.yaml', '--inventory', join(out, 'inv.yml'), '--out', join(out, 'x')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
      timeout: 120_000,
    });
    assert.equal(exp.status, 0, `export ansible: ${exp.stdout}${exp.stderr}`);
    const r = await runInSandbox(['bash', script, out], {
      drives: [0, 1, 2, 3].map((i) => ({ sizeBytes: i === 0 ? 4e12 : 1024 ** 3, serial: `JTS-MINI-${i}`, kind: 'nvme' as const })),
      outDir: out,
      timeoutS: 3300, // three ansible-playbook runs under TCG (docs/fleet.md): minutes on an idle machine, far more under load
      cwd: root,
    });
    const res = results(r.output);
    const ctx = `\n--- guest output tail:\n${r.output.slice(-9000)}\n--- console:\n${r.consoleTail.slice(-1500)}`;
    const fig = (k: string) => `${k} ${res.get(`${k}_seconds`)} s / ${res.get(`${k}_procs`)} module runs`;
    t.diagnostic(`${fig('run1')} (role tasks ${res.get('run1_role_task_seconds')} s), verify ${res.get('verify_seconds')} s, ${fig('run2')}, ${fig('check')}, guest script ${res.get('total_seconds')} s`);
    assert.equal(res.get('drive0_bytes'), '4000000000000', ctx);
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
    assert.equal(res.get('mounted_b'), '/dev/mapper/vg_mini-lv_b,xfs', ctx);
    assert.equal(res.get('pool_extents'), '128', ctx);
    assert.equal(res.get('pool_profile'), 'jts-vg_mini-pool_mini', ctx);
    assert.equal(res.get('thin_of_b'), 'pool_mini', ctx);
    assert.equal(res.get('owner_a'), 'jtsmini:jtsmini:750', ctx);
    assert.equal(res.get('owner_b'), 'jtsmini:jtsmini:750', ctx);
    assert.equal(res.get('user_shell'), '/srv/jts-mini:/usr/sbin/nologin', ctx);
    assert.equal(res.get('sysctl_live'), '67108864', ctx);
    assert.equal(res.get('fstab_block_lines'), '6', ctx);
    assert.equal(res.get('run2_exit'), '0', ctx);
    assert.equal(res.get('run2_changed'), '0', `second run: changed=0${ctx}`);
    assert.equal(res.get('check_exit'), '0', ctx);
    assert.ok(Number(res.get('check_changed')) >= 1, `check --diff reports the drifted unit${ctx}`);
    assert.equal(res.get('check_diff_file'), 'yes', ctx);
    assert.equal(res.get('check_left_file'), 'yes', ctx);
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
