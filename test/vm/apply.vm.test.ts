import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot } from '../support/apply-vm.js';

/**
 * apply / verify on a real kernel, in two boots (guest sides: test/fixtures/apply/vm-*.sh).
 * Boot 1, four drives: refusals (ext4 signature, mounted, foreign VG: content intact), an allowed
 * destruction by drive id, first apply → verify clean → re-apply runs 0 mutating commands, data on
 * every volume survives a re-apply and an online grow (sha256), shrink refused, lock held / stale,
 * stale saved plan refused, a bad fstab render never replaces /etc/fstab, a three-drive two-tier layout.
 * Boot 2 (apply-kill*.vm.test.ts, two files that run side by side): apply SIGKILLed after action k.
 */
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
