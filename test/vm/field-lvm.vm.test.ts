/**
 * The field cases that need a kernel (../shared/cases/field/, copied into test/fixtures/field/), two boots:
 *   boot 1 — 01 mixed sector sizes: `plan` refuses (JTS-LVM-MIXED-BLOCK-SIZE) before any command, and
 *            vgcreate on the same drives refuses "Devices have inconsistent logical block sizes";
 *            06 (first half): the two-drive VG applied, health OK;
 *            07 grow with a snapshot: apply plan-c1, `snapshot create` (classic), `plan` of plan-c2 refuses
 *            (JTS-LVM-ORIGIN-RESIZE), and lvextend -r refuses "Snapshot origin volumes can be resized only
 *            while inactive";
 *   boot 2 — 06 (second half): the same SB-A image kept, SB-B gone: health CRITICAL (exit 2), naming the
 *            partial VG, the partial LVs and the absent drive; the same in the Prometheus output.
 * Guest side: test/lint/vm/field-lvm.sh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import type { HealthReport } from '../../src/health/types.js';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const SCRIPT = join(ROOT, 'test/lint/vm/field-lvm.sh');
const GiB = 1024 ** 3;

test('field cases 01, 06, 07 on the real kernel: plan predicts what LVM refuses; a drive gone is CRITICAL', { timeout: 1_500_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'jts-field-lvm-vm-'));
  const imageDir = mkdtempSync(join(tmpdir(), 'jts-field-lvm-img-'));
  const base: Omit<SandboxOptions, 'drives'> = { imageDir, keep: true, outDir: out, cwd: ROOT, timeoutS: 900, expectWriteBytes: 512 * 1024 ** 2 };
  try {
    const f = (n: string) => readFileSync(join(out, n), 'utf8');
    const rc = (n: string) => Number(f(`${n}.rc`).trim());
    const why = (n: string) => `${n}: rc ${existsSync(join(out, `${n}.rc`)) ? f(`${n}.rc`).trim() : '?'}\n${existsSync(join(out, `${n}.out`)) ? f(`${n}.out`).slice(-2500) : ''}\n${existsSync(join(out, `${n}.err`)) ? f(`${n}.err`).slice(-2500) : ''}`;

    // SB-A stays drive 0 in both boots: the kept image is found by index, kind and serial.
    const r1 = await runInSandbox(['bash', SCRIPT, out, 'boot1'], {
      ...base,
      drives: [
        { sizeBytes: 2 * GiB, serial: 'SB-A', kind: 'nvme' },
        { sizeBytes: 2 * GiB, serial: 'SB-B', kind: 'nvme' },
        { sizeBytes: 1 * GiB, serial: 'SERIAL-A', kind: 'nvme', lbs: 512 },
        { sizeBytes: 1 * GiB, serial: 'SERIAL-B', kind: 'nvme', lbs: 4096 },
        { sizeBytes: 4 * GiB, serial: 'SB-C', kind: 'nvme' },
      ],
    });
    assert.ok(existsSync(join(out, 'done-boot1')), `boot 1 did not finish (exit ${r1.exitCode}):\n${r1.output.slice(-3000)}\n${r1.consoleTail}`);

    // ---- 01: the drives really are 512 and 4096; plan refuses with nothing run; LVM agrees.
    assert.match(f('01-lbs.out'), /^\/dev\/nvme\S+ 512 \/dev\/nvme\S+ 4096$/m, f('01-lbs.out'));
    assert.equal(rc('01-plan'), 1, why('01-plan'));
    assert.match(f('01-plan.out') + f('01-plan.err'), /JTS-LVM-MIXED-BLOCK-SIZE/, why('01-plan'));
    assert.equal(rc('01-pvcreate'), 0, why('01-pvcreate'));
    assert.notEqual(rc('01-vgcreate'), 0, why('01-vgcreate'));
    assert.match(f('01-vgcreate.err'), /Devices have inconsistent logical block sizes/, why('01-vgcreate'));

    // ---- 06, first half: applied with both drives; one LV at least lies on SB-B.
    assert.equal(rc('06-apply'), 0, why('06-apply'));
    assert.notEqual(rc('06-health-before'), 2, why('06-health-before'));
    assert.ok(!(JSON.parse(f('06-health-before.out')) as HealthReport).checks.some((c) => c.status === 'critical'), why('06-health-before'));
    assert.match(f('06-lvs.json'), /"devices":"\/dev\/nvme1n1\(/, f('06-lvs.json'));

    // ---- 07: classic snapshot present; the grow is refused by plan and by LVM.
    assert.equal(rc('07-apply'), 0, why('07-apply'));
    assert.equal(rc('07-snap'), 0, why('07-snap'));
    assert.match(f('07-lvs.json'), /"origin":"lv_data"/, f('07-lvs.json'));
    assert.equal(rc('07-plan'), 1, why('07-plan'));
    assert.match(f('07-plan.out') + f('07-plan.err'), /JTS-LVM-ORIGIN-RESIZE/, why('07-plan'));
    assert.match(f('07-plan.out') + f('07-plan.err'), /Ways out/, why('07-plan'));
    assert.notEqual(rc('07-lvextend'), 0, why('07-lvextend'));
    assert.match(f('07-lvextend.err'), /Snapshot origin volumes can be resized only while inactive/, why('07-lvextend'));

    // ---- 06, second half: boot again with SB-A only.
    const r2 = await runInSandbox(['bash', SCRIPT, out, 'boot2'], { ...base, drives: [{ sizeBytes: 2 * GiB, serial: 'SB-A', kind: 'nvme' }] });
    assert.ok(existsSync(join(out, 'done-boot2')), `boot 2 did not finish (exit ${r2.exitCode}):\n${r2.output.slice(-3000)}\n${r2.consoleTail}`);
    assert.equal(rc('06-health-after'), 2, why('06-health-after'));
    const h = JSON.parse(f('06-health-after.out')) as HealthReport;
    const by = (kind: string, subject: string) => h.checks.find((c) => c.kind === kind && c.subject === subject);
    assert.equal(h.status, 'critical');
    assert.equal(by('vg_partial', 'vg_hot')?.status, 'critical', JSON.stringify(h.checks));
    assert.match(by('vg_partial', 'vg_hot')!.message, /vgreduce --removemissing vg_hot/);
    assert.equal(by('lv_partial', 'vg_hot/lv_b')?.status, 'critical', JSON.stringify(h.checks));
    assert.equal(by('drive_absent', 'b0')?.status, 'critical', JSON.stringify(h.checks));
    assert.equal(by('drive_absent', 'a0'), undefined);
    assert.equal(rc('06-prom'), 2, why('06-prom'));
    assert.match(f('06-prom.out'), /^jts_storage_vg_partial\{vg="vg_hot"\} 1$/m);
    assert.match(f('06-prom.out'), /^jts_storage_lv_partial\{vg="vg_hot",lv="lv_b"\} 1$/m);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(imageDir, { recursive: true, force: true });
  }
});
