// Case 06 (../shared/cases/field/06-missing-pv, copied into test/fixtures/field/): one NVMe drive of a
// two-drive VG removed on the real kernel (lvm2 2.03.16). `lvm fullreport` exits 0 with the PV as
// `[unknown]`, vg_attr wz-pn-, lv_b -wi-a---p-; health said "All 8 checks OK". Now: CRITICAL, exit 2,
// naming the VG, the partial LV, the absent plan drive and what to do; the same in Prometheus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeRunner } from '../support/fake-runner.js';
import { runHealth, renderPrometheus, renderTable } from '../../src/health/index.js';
import { loadPlanText } from '../../src/model/load-plan.js';

const dir = new URL('../../../test/fixtures/field/06-missing-pv/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');

function runner(): FakeRunner {
  const r = new FakeRunner();
  r.on(['lvm', 'fullreport'], { stdout: read('lvm-fullreport.json'), stderr: read('lvm-fullreport.stderr') });
  r.on(['findmnt'], { stdout: read('findmnt.json') });
  r.on(['lsblk'], { stdout: read('lsblk.json') });
  r.on(['nvme', 'smart-log'], { exitCode: 1, stderr: 'not captured\n' });
  r.on(['smartctl'], { exitCode: 1, stderr: 'not captured\n' });
  return r;
}

test('06: a missing PV, a partial VG and LV, an absent plan drive are CRITICAL (exit 2)', async () => {
  const plan = loadPlanText(read('plan.yaml'), 'plan.yaml').plan;
  const r = await runHealth(runner(), { plan });
  assert.equal(r.status, 'critical');
  assert.equal(r.exitCode, 2);
  const by = (kind: string, subject: string) => r.checks.find((c) => c.kind === kind && c.subject === subject);
  const vg = by('vg_partial', 'vg_hot')!;
  assert.equal(vg.status, 'critical');
  assert.match(vg.message, /1 PV missing \(last written to \/dev\/nvme1n1\); partial LVs: lv_b/);
  assert.match(vg.message, /vgreduce --removemissing vg_hot/);
  const lv = by('lv_partial', 'vg_hot/lv_b')!;
  assert.equal(lv.status, 'critical');
  assert.match(lv.message, /I\/O there fails/);
  assert.equal(by('lv_partial', 'vg_hot/lv_pg'), undefined);
  const drive = by('drive_absent', 'b0')!;
  assert.equal(drive.status, 'critical');
  assert.match(drive.message, /b0 \(serial SB-B\)/);
  assert.equal(by('drive_absent', 'a0'), undefined);
  assert.equal(r.vgs[0]!.missingPvs, 1);
  assert.equal(r.volumes.find((v) => v.lv === 'lv_b')!.partial, true);
  assert.match(renderTable(r), /CRITICAL/);

  const prom = renderPrometheus(r);
  assert.match(prom, /^jts_storage_status 2$/m);
  assert.match(prom, /^jts_storage_vg_missing_pvs\{vg="vg_hot"\} 1$/m);
  assert.match(prom, /^jts_storage_vg_partial\{vg="vg_hot"\} 1$/m);
  assert.match(prom, /^jts_storage_lv_partial\{vg="vg_hot",lv="lv_b"\} 1$/m);
  assert.match(prom, /^jts_storage_lv_partial\{vg="vg_hot",lv="lv_pg"\} 0$/m);
  assert.match(prom, /^jts_storage_check_status\{check="drive_absent",subject="b0",vg="vg_hot",drive="b0"\} 2$/m);
});

test('06 without a plan: the partial VG and LV are still CRITICAL', async () => {
  const r = await runHealth(runner(), {});
  assert.equal(r.exitCode, 2);
  assert.ok(r.checks.some((c) => c.kind === 'vg_partial' && c.status === 'critical'));
  assert.ok(r.checks.some((c) => c.kind === 'lv_partial' && c.subject === 'vg_hot/lv_b'));
});
