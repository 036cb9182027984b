import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHealth } from '../../src/health/index.js';
import type { Check, HealthReport } from '../../src/health/types.js';
import type { RunOptions, RunResult } from '../../src/core/runner.js';
import { FakeRunner } from '../support/fake-runner.js';
import { fixture, guestPlan, guestRunner, statfsAt } from './helpers.js';
import { LSBLK_ARGV, lsblkPvArgv } from '../../src/health/sources.js';

function check(r: HealthReport, kind: Check['kind'], subject: string): Check {
  const c = r.checks.find((k) => k.kind === kind && k.subject === subject);
  assert.ok(c, `no ${kind} check for ${subject}; have: ${r.checks.map((k) => `${k.kind}:${k.subject}`).join(', ')}`);
  return c;
}

/** The guest capture without its invalidated snapshot (so volume states decide the exit code). */
function lvmWithout(...names: string[]): string {
  const j = JSON.parse(fixture('lvm-fullreport.json'));
  for (const sec of j.report) sec.lv = sec.lv.filter((l: { lv_name: string }) => !names.includes(l.lv_name));
  return JSON.stringify(j);
}

test('guest capture with its plan: invalid snapshot → CRITICAL "lost", exit 2; the rest still reported', async () => {
  const r = await runHealth(guestRunner(), { plan: guestPlan() });
  assert.equal(r.status, 'critical');
  assert.equal(r.exitCode, 2);
  const lost = check(r, 'snapshot_fill', 'vg_h/lv_logs_snap');
  assert.equal(lost.status, 'critical');
  assert.match(lost.message, /lost/);
  // lv_data's policy: warn 40 %, crit 60 %; the capture shows 56.7 % → warning.
  assert.equal(check(r, 'snapshot_fill', 'vg_h/lv_data_snap').status, 'warning');
  assert.equal(check(r, 'mount', 'vg_h/lv_data').status, 'ok');
  assert.equal(check(r, 'mount_options', 'vg_h/lv_data').status, 'ok');
  assert.equal(check(r, 'mount_options', 'vg_h/lv_logs').status, 'ok');
  assert.equal(check(r, 'volume_used', 'vg_h/lv_data').status, 'ok');
  assert.equal(check(r, 'thinpool_data', 'vg_h/pool').status, 'ok');
  assert.equal(check(r, 'drive_temperature', 'nvme0n1').value, 50);
  assert.equal(check(r, 'drive_smart', 'nvme0n1').status, 'ok');
  assert.equal(check(r, 'scheduler', 'nvme0n1').status, 'ok');
  assert.equal(check(r, 'vg_free', 'vg_h').status, 'ok');
  // The report uses the plan's volume names, and the plan's mount paths.
  assert.deepEqual(
    r.volumes.map((v) => [v.lv, v.mount]),
    [
      ['lv_data', '/mnt/data'],
      ['lv_logs', '/mnt/logs'],
    ],
  );
});

for (const [pct, status, code] of [
  [85, 'warning', 1],
  [90, 'critical', 2],
  [95, 'critical', 2],
  [79, 'ok', 0],
] as const) {
  test(`volume ${pct} % full → ${status}, exit ${code}`, async () => {
    const fr = guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } });
    fr.statfsTable.set('/mnt/data', statfsAt(pct));
    const r = await runHealth(fr, { plan: guestPlan() });
    const c = check(r, 'volume_used', 'vg_h/lv_data');
    assert.equal(c.status, status);
    assert.equal(Math.round(c.value!), pct);
    assert.equal(r.status, status);
    assert.equal(r.exitCode, code);
  });
}

test('root-reserved blocks count as used, as df shows it', async () => {
  const fr = guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap') } });
  // 1 GB fs, 100 MB free of which 50 MB reserved for root: df says 900/(900+50) = 94.7 %.
  fr.statfsTable.set('/mnt/data', { totalBytes: 1e9, freeBytes: 1e8, availBytes: 5e7, totalInodes: 100, freeInodes: 50 });
  const r = await runHealth(fr, { plan: guestPlan() });
  const c = check(r, 'volume_used', 'vg_h/lv_data');
  assert.equal(c.status, 'critical');
  assert.ok(Math.abs(c.value! - 94.74) < 0.01);
  assert.equal(check(r, 'volume_inodes', 'vg_h/lv_data').value, 50);
});

test('plan thresholds are used (warning 60, critical 70)', async () => {
  const fr = guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } });
  fr.statfsTable.set('/mnt/data', statfsAt(65));
  const r = await runHealth(fr, { plan: guestPlan({ health: { warningPercent: 60, criticalPercent: 70 } }) });
  assert.equal(check(r, 'volume_used', 'vg_h/lv_data').status, 'warning');
  assert.equal(r.exitCode, 1);
});

test('nvme-cli and smartctl missing: drive UNKNOWN with the reason, everything else still reported', async () => {
  const fr = guestRunner({ nvme: { notFound: true, exitCode: 127 }, smartctl: { notFound: true, exitCode: 127 }, lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } });
  const r = await runHealth(fr, { plan: guestPlan() });
  const c = check(r, 'drive_smart', 'nvme0n1');
  assert.equal(c.status, 'unknown');
  assert.match(c.message, /neither nvme-cli nor smartctl/);
  assert.equal(check(r, 'volume_used', 'vg_h/lv_data').status, 'ok');
  assert.equal(r.status, 'unknown');
  assert.equal(r.exitCode, 3);
});

test('nvme-cli missing: smartctl reads the same drive', async () => {
  const fr = guestRunner({ nvme: { notFound: true, exitCode: 127 } });
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.equal(check(r, 'drive_smart', 'nvme0n1').status, 'ok');
  assert.equal(r.drives[0]!.source, 'smartctl');
  assert.equal(check(r, 'drive_temperature', 'nvme0n1').value, 50);
});

test('a drive that fails its query is UNKNOWN with the tool message; a warning elsewhere still wins', async () => {
  const fr = guestRunner({ nvme: { exitCode: 1, stderr: '/dev/nvme0n1: Input/output error\n' }, lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } });
  fr.statfsTable.set('/mnt/data', statfsAt(85));
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.match(check(r, 'drive_smart', 'nvme0n1').message, /exited 1: \/dev\/nvme0n1: Input\/output error/);
  assert.equal(r.status, 'warning');
  assert.equal(r.exitCode, 1);
});

class HangingDriveRunner extends FakeRunner {
  override async run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    if (argv[0] === 'nvme') {
      this.calls.push({ argv, opts });
      return { argv, exitCode: 124, stdout: '', stderr: '', durationMs: opts?.timeoutMs ?? 0, timedOut: true };
    }
    return super.run(argv, opts);
  }
}

test('a drive that does not answer: UNKNOWN "did not answer", bounded by the drive timeout', async () => {
  const fr = new HangingDriveRunner();
  const g = guestRunner();
  for (const k of ['lvm', 'findmnt', 'lsblk']) fr.on([k], { stdout: fixture(k === 'lvm' ? 'lvm-fullreport.json' : k === 'lsblk' ? 'lsblk-pvs.json' : `${k}.json`) });
  fr.statfsTable = g.statfsTable;
  const r = await runHealth(fr, { plan: guestPlan(), driveTimeoutMs: 5000 });
  assert.match(check(r, 'drive_smart', 'nvme0n1').message, /did not answer within 5 s/);
  assert.equal(fr.calls.find((c) => c.argv[0] === 'nvme')?.opts?.timeoutMs, 5000);
});

test('lvm missing: LVM checks UNKNOWN, filesystems at the plan paths still measured', async () => {
  const fr = guestRunner({ lvm: { notFound: true, exitCode: 127 } });
  fr.statfsTable.set('/mnt/data', statfsAt(95));
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.match(check(r, 'collect', 'lvm').message, /lvm not installed/);
  assert.equal(check(r, 'volume_used', 'vg_h/lv_data').status, 'critical');
  assert.equal(r.exitCode, 2);
});

test('statfs failing on one volume: that volume UNKNOWN', async () => {
  const fr = guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } });
  fr.statfsTable.delete('/mnt/logs');
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.equal(check(r, 'volume_used', 'vg_h/lv_logs').status, 'unknown');
  assert.equal(check(r, 'volume_used', 'vg_h/lv_data').status, 'ok');
});

test('missing LV, missing VG, unmounted volume → CRITICAL', async () => {
  const plan = guestPlan();
  plan.volumes.push({ ...plan.volumes[0]!, name: 'lv_gone', mount: { ...plan.volumes[0]!.mount!, path: '/mnt/gone' } });
  plan.volumeGroups.push({ ...plan.volumeGroups[0]!, name: 'vg_gone' });
  const r = await runHealth(guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } }), { plan });
  assert.equal(check(r, 'lv_present', 'vg_h/lv_gone').status, 'critical');
  assert.equal(check(r, 'vg_free', 'vg_gone').status, 'critical');
  // lv_thin exists but nothing is mounted for it: add it to the plan with a path
  const plan2 = guestPlan();
  plan2.volumes.push({ ...plan2.volumes[0]!, name: 'lv_thin', mount: { ...plan2.volumes[0]!.mount!, path: '/mnt/thin' } });
  const r2 = await runHealth(guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } }), { plan: plan2 });
  assert.match(check(r2, 'mount', 'vg_h/lv_thin').message, /not mounted/);
  assert.equal(r2.status, 'critical');
});

test('another device mounted at the plan path → CRITICAL, not measured as the volume', async () => {
  const plan = guestPlan();
  plan.volumes[0]!.mount!.path = '/mnt/logs'; // lv_data's path now holds lv_logs
  plan.volumes[1]!.mount!.path = '/mnt/other';
  const r = await runHealth(guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } }), { plan });
  assert.match(check(r, 'mount', 'vg_h/lv_data').message, /mounted from \/dev\/mapper\/vg_h-lv_logs/);
});

test('drift: scheduler and mount options differing from the plan → WARNING', async () => {
  const plan = guestPlan({ tuning: { schedulers: { nvme: 'mq-deadline' } } });
  plan.volumes[1]!.mount!.options = ['noatime', 'logbufs=4', 'largeio'];
  plan.volumes[0]!.mount!.options = ['relatime'];
  const r = await runHealth(guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } }), { plan });
  assert.match(check(r, 'scheduler', 'nvme0n1').message, /scheduler none, plan says mq-deadline/);
  const mo = check(r, 'mount_options', 'vg_h/lv_logs');
  assert.equal(mo.status, 'warning');
  assert.match(mo.message, /logbufs=4 missing/);
  assert.match(mo.message, /largeio missing/);
  assert.match(check(r, 'mount_options', 'vg_h/lv_data').message, /atime: kernel noatime, plan relatime/);
  assert.equal(r.exitCode, 1);
});

test("snapshot reserve: intact when free + snapshot COW space covers it, WARNING when volumes ate it", async () => {
  const ok = await runHealth(guestRunner(), { plan: guestPlan() });
  assert.equal(ok.vgs[0]!.reserveBytes, 1024 ** 3);
  assert.equal(ok.vgs[0]!.reserveIntact, true);
  const plan = guestPlan();
  plan.volumeGroups[0]!.reserve = '95%';
  const bad = await runHealth(guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') } }), { plan });
  assert.equal(check(bad, 'vg_free', 'vg_h').status, 'warning');
  assert.equal(bad.vgs[0]!.reserveIntact, false);
});

test('without a plan: every VG, every volume LV, default thresholds; no drift checks', async () => {
  const r = await runHealth(guestRunner());
  assert.deepEqual(
    r.volumes.map((v) => v.lv),
    ['lv_data', 'lv_logs', 'lv_thin'],
  );
  assert.equal(r.checks.filter((c) => c.kind === 'scheduler' || c.kind === 'mount_options').length, 0);
  // default snapshot policy 70/85: 56.7 % is OK; the invalid one is still lost
  assert.equal(check(r, 'snapshot_fill', 'vg_h/lv_data_snap').status, 'ok');
  assert.equal(check(r, 'snapshot_fill', 'vg_h/lv_logs_snap').status, 'critical');
});

test('one call per tool whatever the number of volumes: 3 host-wide calls + 1 per drive', async () => {
  const fr = guestRunner();
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.deepEqual(
    fr.calls.map((c) => c.argv.slice(0, 2).join(' ')),
    ['lvm fullreport', 'findmnt -J', 'lsblk -J', 'nvme smart-log'],
  );
  assert.equal(r.toolCalls.length, 4);
  assert.equal(fr.mutatingCalls.length, 0);
  // lsblk is asked about the PVs in scope only (and what they sit on), not every LV's dm device.
  assert.deepEqual(fr.calls.find((c) => c.argv[0] === 'lsblk')!.argv, lsblkPvArgv(['/dev/nvme0n1']));
});

test('lsblk of a PV that vanished (exit 64): the other drives are still checked, drives partial (UNKNOWN)', async () => {
  const fx = JSON.parse(fixture('lsblk-pvs-missing.json.argv')) as { exitCode: number; stderr: string };
  const fr = guestRunner({ lvm: { stdout: lvmWithout('lv_logs_snap', 'lv_data_snap') }, lsblkPvs: { stdout: fixture('lsblk-pvs-missing.json'), exitCode: fx.exitCode, stderr: fx.stderr } });
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.match(check(r, 'collect', 'lsblk').message, /drives partial: lsblk -J exited 64: lsblk: \/dev\/nvme9n9: not a block device/);
  assert.equal(check(r, 'drive_smart', 'nvme0n1').status, 'ok');
  assert.equal(r.exitCode, 3);
});

test('without LVM, every drive lsblk lists is checked (the full listing)', async () => {
  const fr = guestRunner({ lvm: { notFound: true, exitCode: 127 } });
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.deepEqual(fr.calls.find((c) => c.argv[0] === 'lsblk')!.argv, LSBLK_ARGV);
  assert.deepEqual(r.drives.map((d) => d.drive).sort(), ['nvme0n1', 'sda']);
});

test('no PV in scope (the plan VG is missing): no lsblk call, no drive', async () => {
  const plan = guestPlan();
  plan.volumeGroups[0]!.name = 'vg_other';
  for (const v of plan.volumes) v.vg = 'vg_other';
  const fr = guestRunner();
  const r = await runHealth(fr, { plan });
  assert.equal(fr.calls.filter((c) => c.argv[0] === 'lsblk').length, 0);
  assert.equal(r.drives.length, 0);
  assert.equal(check(r, 'vg_free', 'vg_other').status, 'critical');
});

test('lvm exiting non-zero with a report: the report is used, the state said partial (UNKNOWN)', async () => {
  const fr = guestRunner({ lvm: { exitCode: 5, stdout: lvmWithout('lv_logs_snap', 'lv_data_snap'), stderr: '  WARNING: Couldn\'t find device with uuid abc.\n' } });
  const r = await runHealth(fr, { plan: guestPlan() });
  assert.match(check(r, 'collect', 'lvm').message, /partial: lvm fullreport exited 5: WARNING: Couldn't find device/);
  assert.equal(check(r, 'lv_present', 'vg_h/lv_data').status, 'ok');
  assert.equal(r.exitCode, 3);
  // Not a report at all: LVM unknown.
  const r2 = await runHealth(guestRunner({ lvm: { exitCode: 5, stdout: '', stderr: 'boom\n' } }), { plan: guestPlan() });
  assert.match(check(r2, 'collect', 'lvm').message, /unknown: lvm fullreport exited 5: boom/);
});
