import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox, type SandboxDrive } from '../../src/sandbox/index.js';
import { results } from '../support/guest-results.js';

/**
 * apply / verify on a real kernel, in two boots (guest sides: test/fixtures/apply/vm-*.sh).
 * Boot 1, four drives: refusals (ext4 signature, mounted, foreign VG: content intact), an allowed
 * destruction by drive id, first apply → verify clean → re-apply runs 0 mutating commands, data on
 * every volume survives a re-apply and an online grow (sha256), shrink refused, lock held / stale,
 * stale saved plan refused, a bad fstab render never replaces /etc/fstab, a three-drive two-tier layout.
 * Boot 2: apply SIGKILLed after action k, for every k → the next apply converges and verify is clean;
 * mkfs killed midway → the next apply converges. JTS_VM_CRASH_KS="1 5 9" limits k (default: all;
 * "none": only the mkfs kills).
 */
const fixtures = fileURLToPath(new URL('../../../test/fixtures/apply/', import.meta.url));

async function boot(script: string, drives: SandboxDrive[], args: string[], timeoutS: number) {
  const out = mkdtempSync(join(tmpdir(), 'jts-apply-vm-'));
  try {
    const r = await runInSandbox(['bash', join(fixtures, script), out, ...args], { drives, outDir: out, timeoutS, cwd: fileURLToPath(new URL('../../../', import.meta.url)) });
    return { r, res: results(r.output) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test('apply on a real kernel: refusals, apply, verify, idempotence, data kept over re-apply and grow, lock, stale plan, bad fstab, tiers', { timeout: 3_600_000 }, async () => {
  const GiB = 1024 ** 3;
  const { r, res } = await boot(
    'vm-apply.sh',
    [
      { sizeBytes: 8 * GiB, serial: 'JTS-SMALL-0', kind: 'nvme' },
      { sizeBytes: 4 * GiB, serial: 'JTS-HOT-1', kind: 'nvme' },
      { sizeBytes: 4 * GiB, serial: 'JTS-HOT-2', kind: 'nvme' },
      { sizeBytes: 4 * GiB, serial: 'JTS-WARM-0', kind: 'scsi' },
    ],
    [],
    3000,
  );
  const ctx = `\n--- guest output tail:\n${r.output.slice(-6000)}\n--- console:\n${r.consoleTail.slice(-2000)}`;
  const want: Record<string, string> = {
    refuse_ext4_exit: '1', refuse_ext4_intact: 'yes', refuse_ext4_msg: 'yes',
    refuse_mounted_exit: '1', refuse_mounted_msg: 'yes', refuse_mounted_intact: 'yes',
    refuse_vg_exit: '1', refuse_vg_msg: 'yes', refuse_vg_intact: 'keep',
    apply1_exit: '0', apply1_losses_printed: 'yes', verify1_exit: '0',
    apply2_exit: '0', apply2_mutating: '0', apply2_status: 'nothing-to-do', fstab_backup: 'yes',
    reapply_exit: '0', data_after_reapply: '0',
    grow_exit: '0', grow_verify_exit: '0', data_after_grow: '0', grow_pg_bytes: String(1536 * 1024 ** 2),
    shrink_exit: '1', shrink_msg: 'yes',
    lock_exit: '1', lock_msg: 'yes', stale_lock_exit: '0', lock_released: 'yes',
    saved_plan_exit: '0', saved_stale_exit: '1', saved_stale_msg: 'yes',
    badfstab_exit: '1', badfstab_unchanged: 'yes', badfstab_msg: 'yes', badfstab_temp_files: '0', after_badfstab_exit: '0',
    tiers_exit: '0', tiers_verify_exit: '0', tiers2_mutating: '0', tiers_hot_pvs: '2', tiers_warm_fstype: 'xfs',
    fstab_block_tiers: '2 0',
  };
  for (const [k, v] of Object.entries(want)) assert.equal(res.get(k), v, `${k}${ctx}`);
  // the filesystems grew with their LVs (online): more than the old 1 GiB
  assert.ok(Number(res.get('grow_pg_fs_bytes')) > 1.2 * GiB, `ext4 grew${ctx}`);
  assert.ok(Number(res.get('grow_kafka_fs_bytes')) > 1.2 * GiB, `xfs grew${ctx}`);
});

test('apply killed after every action k (and mkfs killed midway) converges on the next apply', { timeout: 7_200_000 }, async (t) => {
  const ks = process.env.JTS_VM_CRASH_KS ?? 'all';
  const { r, res } = await boot('vm-crash.sh', [{ sizeBytes: 4 * 1024 ** 3, serial: 'JTS-TINY-0', kind: 'nvme' }], [ks], 7000);
  const ctx = `\n--- guest output tail:\n${r.output.slice(-6000)}\n--- console:\n${r.consoleTail.slice(-2000)}`;
  const n = Number(res.get('actions'));
  assert.ok(n >= 10, `the tiny plan has every kind of action (${n})${ctx}`);
  const list = ks === 'all' ? Array.from({ length: n }, (_, i) => i + 1) : ks === 'none' ? [] : ks.split(/\s+/).map(Number);
  t.diagnostic(`${n} actions; k tested: ${list.join(' ')}`);
  t.diagnostic(`mkfs killed midway: caught ${res.get('mkfs_kill_caught')}, left ${res.get('mkfs_kill_fs')}; mkfs.xfs killed: caught ${res.get('xfs_kill_caught')}, blkid ${res.get('xfs_kill_fs')}, ${res.get('xfs_kill_inprogress')}`);
  for (const k of list) {
    // 137 = killed by SIGKILL right after action k (the last k completes everything first: 137 too)
    assert.equal(res.get(`crash_${k}_exit`), '137', `crash after ${k}${ctx}`);
    assert.equal(res.get(`resume_${k}_exit`), '0', `resume after ${k}${ctx}`);
    assert.equal(res.get(`verify_${k}_exit`), '0', `verify after ${k}${ctx}`);
  }
  assert.equal(res.get('mkfs_resume_exit'), '0', `resume after mkfs killed (caught: ${res.get('mkfs_kill_caught')}, fs left: ${res.get('mkfs_kill_fs')})${ctx}`);
  assert.equal(res.get('mkfs_verify_exit'), '0', ctx);
  assert.equal(res.get('xfs_resume_exit'), '0', `resume after mkfs.xfs killed (caught: ${res.get('xfs_kill_caught')}, left: ${res.get('xfs_kill_fs')} ${res.get('xfs_kill_inprogress')})${ctx}`);
  assert.equal(res.get('xfs_verify_exit'), '0', ctx);
});
