import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox, type SandboxDrive } from '../../src/sandbox/index.js';

/**
 * Issue 5 on a real kernel, in two boots on the same drive images (test/tune/vm-scenario.sh is the
 * guest side). Three drives: two NVMe controllers and one SCSI disk; the plan declares only the first NVMe.
 * Boot 1: the old catch-all rule (60-…) is installed and nvme1n1 set to mq-deadline by hand; apply a small
 * plan (it removes the old rule), tune apply, `udevadm test` on every disk (the 61- rule writes a scheduler
 * to the plan's drive only, matched by its ID_WWN), change events on every disk (`udevadm trigger`): the plan
 * drive gets its scheduler back, nvme1n1 keeps mq-deadline; drift after a manual scheduler change and clean after tune apply,
 * `systemd-analyze verify` of every installed unit, fstrim's own command in dry-run lists every
 * volume, an unknown scheduler refused with nothing written.
 * Boot 2: the guest's /etc is a fresh tmpfs (no rule); every disk is set to none, the
 * rule file is installed again and the boot-time add events replayed: udev alone sets the plan's
 * scheduler on the plan's NVMe drive and leaves the other NVMe and the SCSI disk alone; LVM re-applied
 * the read-ahead from the VG metadata without any help.
 */
const script = fileURLToPath(new URL('../../../test/tune/vm-scenario.sh', import.meta.url));

const volumes = `volumes:
  - name: lv_mongo
    vg: vg_t
    size: 512MiB
    workload: mongodb
    filesystem: { type: xfs }
    mount: { path: /var/lib/mongodb, options: [defaults, noatime] }
  - name: lv_ch
    vg: vg_t
    size: 512MiB
    workload: clickhouse
    mount: { path: /var/lib/clickhouse, options: [defaults, noatime] }
  - name: lv_pg
    vg: vg_t
    size: 512MiB
    workload: postgresql
    readAhead: 512
    mount: { path: /var/lib/postgresql, options: [defaults, noatime] }
`;
const PLAN = (schedulers: string) => `version: 1
name: tunetest
drives:
  - { id: d0, serial: JTS-NVME-0, kind: nvme }
volumeGroups:
  - { name: vg_t, drives: [d0], reserve: 256MiB }
${volumes}tuning:
  schedulers: ${schedulers}
`;

const DRIVES: SandboxDrive[] = [
  { sizeBytes: 4 * 1024 ** 3, serial: 'JTS-NVME-0', kind: 'nvme' },
  { sizeBytes: 1 * 1024 ** 3, serial: 'JTS-NVME-1', kind: 'nvme' },
  { sizeBytes: 1 * 1024 ** 3, serial: 'JTS-SCSI-0', kind: 'scsi' },
];

function schedLines(text: string): Map<string, { active: string; rot: string }> {
  const m = new Map<string, { active: string; rot: string }>();
  for (const l of text.trim().split('\n')) {
    const name = l.split(' ')[0]!;
    m.set(name, { active: /\[([^\]]+)\]/.exec(l)?.[1] ?? l.split(' ')[1]!, rot: /rot=(\d)/.exec(l)?.[1] ?? '?' });
  }
  return m;
}

test('tune on the test bed: udev rule by class, drift and repair, units verify, fstrim lists volumes, reboot re-applies', { timeout: 1_600_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-tune-vm-'));
  const images = join(out, 'images');
  mkdirSync(images);
  writeFileSync(join(out, 'plan-a.yaml'), PLAN('{ nvme: none, sata-ssd: keep, hdd: keep, virtio: keep }'));
  writeFileSync(join(out, 'plan-b.yaml'), PLAN('{ nvme: mq-deadline, sata-ssd: keep, hdd: keep, virtio: keep }'));
  writeFileSync(join(out, 'plan-bad.yaml'), PLAN('{ nvme: noop, sata-ssd: keep, hdd: keep, virtio: keep }'));
  const f = (n: string) => (existsSync(join(out, n)) ? readFileSync(join(out, n), 'utf8') : '');
  const j = (n: string) => JSON.parse(f(`${n}.out`) || 'null');
  const rc = (n: string) => Number(f(`${n}.rc`).trim());
  const why = (n: string) => `${n}: rc ${f(`${n}.rc`).trim()}\n${f(`${n}.out`).slice(0, 3000)}\n${f(`${n}.err`).slice(0, 3000)}`;
  try {
    const r1 = await runInSandbox(['bash', script, out, '1'], { drives: DRIVES, outDir: out, imageDir: images, keep: true, timeoutS: 1000, expectWriteBytes: 1024 ** 3 });
    assert.equal(f('done-1').trim(), 'done', `boot 1 did not finish (exit ${r1.exitCode}):\n${r1.output.slice(-3000)}\n${r1.consoleTail.slice(-2000)}`);

    await t.test('apply built the volumes (read-ahead per workload set at lvcreate) and ran the tuning: status clean at once', () => {
      assert.equal(rc('apply'), 0, why('apply'));
      const ids = j('apply').actions.map((a: { id: string }) => a.id);
      assert.ok(ids.includes('tune:udev-rule'), ids.join(' '));
      // the upgrade: the old catch-all rule removed through the executor, the new one in its place
      assert.ok(ids.includes('tune:udev-rule:legacy'), ids.join(' '));
      assert.ok(!ids.includes('tune:scheduler:nvme1n1') && !ids.includes('tune:scheduler:sda'), ids.join(' '));
      assert.deepEqual(f('rules-d.out').trim().split('\n').filter((n) => n.includes('jts')), ['61-jts-storage-scheduler.rules']);
      assert.equal(rc('status-0'), 0, why('status-0'));
      assert.deepEqual(j('status-0').drift, []);
    });

    await t.test('tune apply after apply: nothing to do; clean status, per drive and per volume facts reported', () => {
      assert.equal(rc('tune-apply-1'), 0, why('tune-apply-1'));
      assert.deepEqual(j('tune-apply-1').actions, []);
      assert.equal(rc('status-1'), 0, why('status-1'));
      const s = j('status-1');
      assert.deepEqual(s.drift, []);
      // only the plan's drive is read and reported; the others are named in a note, never changed
      assert.deepEqual(s.drives.map((d: { name: string; id: string }) => [d.name, d.id]), [['nvme0n1', 'd0']]);
      assert.ok(s.notes.some((n: string) => /2 disk\(s\) not in the plan, neither read nor changed: (nvme1n1, sda|sda, nvme1n1)/.test(n)), s.notes.join('\n'));
      // nvme1n1, set to mq-deadline by hand before apply, kept it through apply and tune apply
      assert.equal(schedLines(f('schedulers-0.txt')).get('nvme1n1')?.active, 'mq-deadline', f('schedulers-0.txt'));
      assert.equal(schedLines(f('schedulers-1.txt')).get('nvme1n1')?.active, 'mq-deadline', f('schedulers-1.txt'));
      assert.equal(schedLines(f('schedulers-1.txt')).get('nvme0n1')?.active, 'none', f('schedulers-1.txt'));
      for (const d of s.drives) assert.ok(d.writeCache && typeof d.discard === 'boolean' && typeof d.rotational === 'boolean', JSON.stringify(d));
      const mongo = s.volumes.find((v: { lv: string }) => v.lv === 'lv_mongo');
      assert.equal(mongo.readAhead, 32);
      assert.equal(mongo.kernelReadAheadSectors, 32);
      assert.equal(s.volumes.find((v: { lv: string }) => v.lv === 'lv_pg').readAhead, 512);
      assert.equal(s.volumes.find((v: { lv: string }) => v.lv === 'lv_ch').readAhead, 'auto');
      // no systemd in the guest: timers reported not active, with the reason
      assert.equal(s.systemd.running, false);
      assert.ok(s.timers.every((x: { note?: string }) => /not active: systemd is not running here: PID 1 is/.test(x.note ?? '')), JSON.stringify(s.timers));
      assert.match(f('ra-sysfs.out'), /vg_t-lv_mongo 16\n/); // 32 sectors = 16 KiB in the kernel
    });

    await t.test('udevadm test: the 61- rule writes the scheduler on the plan drive only (its ID_WWN), not on the other NVMe nor the SCSI disk', () => {
      const rule = /61-jts-storage-scheduler\.rules:\d+ ATTR '([^']*\/queue\/scheduler)' writing '([^']+)'/g;
      for (const d of ['nvme0n1', 'nvme1n1', 'sda']) {
        const text = f(`udevtest-${d}.out`) + f(`udevtest-${d}.err`);
        // the rule file was loaded for every disk, so "no write" on the others means "did not match"
        assert.match(text, /Reading rules file: \/etc\/udev\/rules\.d\/61-jts-storage-scheduler\.rules/, why(`udevtest-${d}`));
        assert.doesNotMatch(text, /60-jts-storage-scheduler\.rules/, `${d}: the old rule is gone`);
        const writes = [...text.matchAll(rule)].map((m) => m[2]);
        if (d === 'nvme0n1') assert.deepEqual(writes, ['none'], `${d}:\n${text.slice(-3000)}`);
        else assert.deepEqual(writes, [], `${d}:\n${text.slice(-3000)}`);
      }
    });

    await t.test('udevadm trigger (change on every disk): the plan drive gets its scheduler back, nvme1n1 keeps its own', () => {
      assert.equal(rc('udev-trigger-1'), 0, why('udev-trigger-1'));
      const after = schedLines(f('schedulers-1-trigger.txt'));
      assert.equal(after.get('nvme0n1')?.active, 'none', f('schedulers-1-trigger.txt'));
      assert.equal(after.get('nvme1n1')?.active, 'mq-deadline', f('schedulers-1-trigger.txt'));
      assert.equal(after.get('sda')?.active, schedLines(f('schedulers-1.txt')).get('sda')?.active, f('schedulers-1-trigger.txt'));
    });

    await t.test('drift after a manual scheduler change (exit 2), clean after tune apply, then nothing to do', () => {
      assert.equal(rc('status-drift'), 2, why('status-drift'));
      assert.deepEqual(j('status-drift').drift, ['drive /dev/nvme0n1: scheduler mq-deadline, plan wants none']);
      assert.equal(rc('tune-apply-2'), 0, why('tune-apply-2'));
      assert.deepEqual(j('tune-apply-2').actions.map((a: { id: string }) => a.id), ['tune:scheduler:nvme0n1']);
      assert.equal(rc('status-2'), 0, why('status-2'));
      assert.equal(rc('tune-apply-3'), 0, why('tune-apply-3'));
      assert.deepEqual(j('tune-apply-3').actions, []);
    });

    await t.test('systemd-analyze verify passes on every installed unit', () => {
      assert.match(f('units-ls.out'), /jts-storage-health\.service/);
      assert.equal(rc('verify-units'), 0, why('verify-units'));
      assert.equal((f('verify-units.out') + f('verify-units.err')).trim(), '');
    });

    await t.test("fstrim's own command (fstrim.service), dry run, lists every mounted volume", () => {
      assert.equal(rc('fstrim-dry'), 0, why('fstrim-dry'));
      for (const m of ['/var/lib/mongodb', '/var/lib/clickhouse', '/var/lib/postgresql']) assert.match(f('fstrim-dry.out'), new RegExp(`^${m}: .*\\(dry run\\)`, 'm'), why('fstrim-dry'));
    });

    // "noop" is what old guides (and ClickHouse's tips) name for SSDs: the single-queue scheduler removed in 5.0.
    await t.test('unknown scheduler for the device: exit 1, clear message, nothing written', () => {
      assert.equal(rc('bad-sched'), 1, why('bad-sched'));
      assert.match(f('bad-sched.err'), /tuning\.schedulers\.nvme: scheduler "noop" is not offered by \/dev\/nvme0n1 \(nvme\): \/sys\/block\/nvme0n1\/queue\/scheduler lists none, mq-deadline and this kernel has no module noop-iosched/);
      assert.equal(f('schedulers-after-bad.txt'), f('schedulers-1.txt'));
    });

    const r2 = await runInSandbox(['bash', script, out, '2'], { drives: DRIVES, outDir: out, imageDir: images, keep: true, timeoutS: 450, expectWriteBytes: 256 * 1024 ** 2 });
    assert.equal(f('done-2').trim(), 'done', `boot 2 did not finish (exit ${r2.exitCode}):\n${r2.output.slice(-3000)}\n${r2.consoleTail.slice(-2000)}`);

    await t.test('second boot on the same images: read-ahead kept by LVM; the rule alone sets the plan drive, not the other NVMe nor the SCSI disk', () => {
      const reset = schedLines(f('schedulers-boot2-reset.txt'));
      const after = schedLines(f('schedulers-boot2-after.txt'));
      // every disk set to none before the rule is installed; the plan-b rule wants mq-deadline on NVMe
      for (const d of ['nvme0n1', 'nvme1n1', 'sda']) assert.equal(reset.get(d)?.active, 'none', f('schedulers-boot2-reset.txt'));
      assert.equal(rc('render-udev'), 0, why('render-udev'));
      assert.equal(rc('udev-trigger'), 0, why('udev-trigger'));
      assert.equal(after.get('nvme0n1')?.active, 'mq-deadline', f('schedulers-boot2-after.txt'));
      for (const d of ['nvme1n1', 'sda']) assert.equal(after.get(d)?.active, 'none', f('schedulers-boot2-after.txt'));
      const lv = JSON.parse(f('lvs-boot2.out')).report[0].lv as Record<string, string>[];
      const mongo = lv.find((x) => x.lv_name === 'lv_mongo')!;
      assert.equal(Number(mongo.lv_read_ahead), 32 * 512);
      assert.equal(Number(mongo.lv_kernel_read_ahead), 32 * 512);
    });
  } finally {
    if (!process.env.JTS_KEEP_VM_OUT) rmSync(out, { recursive: true, force: true });
    else process.stderr.write(`kept ${out}\n`);
  }
});
