// LVM refusals at plan time (src/lint/lvm-rules.ts). Case inputs copied from ../shared/cases/field/ into
// test/fixtures/field/ (CI does not read ../shared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPlanText } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { lintPlan } from '../../src/lint/lint.js';
import type { HostState } from '../../src/model/host-state.js';

const FIELD = new URL('../../../test/fixtures/field/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, FIELD), 'utf8');

function lint(planText: string, state: HostState) {
  const loaded = loadPlanText(planText, 'plan.yaml');
  return lintPlan(loaded, state, resolveLayout(loaded.plan, state, loaded));
}

test('01: one VG over a 512-byte and a 4Kn drive is refused at plan time, naming drives and sizes', () => {
  const state = parseDrivesFile(read('01-mixed-sector-sizes/drives.yaml'), 'drives.yaml');
  const fs = lint(read('01-mixed-sector-sizes/plan.yaml'), state);
  const f = fs.find((x) => x.rule === 'JTS-LVM-MIXED-BLOCK-SIZE')!;
  assert.ok(f, JSON.stringify(fs.map((x) => x.rule)));
  assert.equal(f.severity, 'error');
  assert.equal(f.field, 'volumeGroups[0].drives');
  assert.equal(f.line, 8);
  assert.match(f.message, /a \(\/dev\/nvme0n1\) 512-byte, b \(\/dev\/nvme1n1\) 4096-byte/);
  assert.match(f.message, /Devices have inconsistent logical block sizes \(512 and 4096\)/);
  assert.match(f.message, /one volume group per block size/);
  assert.match(f.source!, /allow_mixed_block_sizes/);
});

test('01 kind: same sizes pass; a 4Kn drive added to an existing 512-byte VG is refused too', () => {
  const state = parseDrivesFile(read('01-mixed-sector-sizes/drives.yaml').replace('logicalSectorSize: 4096', 'logicalSectorSize: 512'), 'drives.yaml');
  assert.equal(lint(read('01-mixed-sector-sizes/plan.yaml'), state).find((x) => x.rule === 'JTS-LVM-MIXED-BLOCK-SIZE'), undefined);
  const mixed = parseDrivesFile(read('01-mixed-sector-sizes/drives.yaml'), 'drives.yaml');
  // vg_data exists on drive a alone; the plan names only b: vgextend would mix them.
  mixed.pvs = [{ name: '/dev/nvme0n1', vgName: 'vg_data', sizeBytes: 1920383410176 }];
  mixed.vgs = [{ name: 'vg_data', sizeBytes: 1920379215872, freeBytes: 1920379215872, extentSizeBytes: 4194304, extentCount: 457854, freeExtentCount: 457854, pvNames: ['/dev/nvme0n1'] }];
  const plan = read('01-mixed-sector-sizes/plan.yaml').replace('drives: [a, b]', 'drives: [b]');
  const f = lint(plan, mixed).find((x) => x.rule === 'JTS-LVM-MIXED-BLOCK-SIZE')!;
  assert.match(f.message, /\/dev\/nvme0n1 \(already a PV of vg_data\) 512-byte/);
});

test('07: plan-c2 grows lv_data that has a classic snapshot: refused at plan time with the ways out', async () => {
  const { parseLsblk } = await import('../../src/probe/lsblk.js');
  const { parseFullReport } = await import('../../src/probe/lvm.js');
  const { emptyHostState } = await import('../../src/model/host-state.js');
  // The state captured by the LVM-truth sweep right after `lvcreate -s -L 64M vg_c/lv_data` (drive LT-C).
  const truth = new URL('../../../test/fixtures/lvm-truth/', import.meta.url);
  const st = emptyHostState('probe');
  st.drives = parseLsblk(readFileSync(new URL('lsblk-after.json', truth), 'utf8')).drives;
  Object.assign(st, parseFullReport(readFileSync(new URL('classic-snapshot.fullreport.json', truth), 'utf8')));
  const c2 = read('07-grow-with-snapshot/plan-c2.yaml').replace('serial: SB-C', 'serial: LT-C');
  const f = lint(c2, st).find((x) => x.rule === 'JTS-LVM-ORIGIN-RESIZE')!;
  assert.ok(f);
  assert.equal(f.severity, 'error');
  assert.equal(f.field, 'volumes[0].size');
  assert.match(f.message, /Snapshot origin volumes can be resized only while inactive/);
  assert.match(f.message, /Ways out: \(1\) remove the snapshots/);
  const c1 = read('07-grow-with-snapshot/plan-c1.yaml').replace('serial: SB-C', 'serial: LT-C');
  assert.equal(lint(c1, st).find((x) => x.rule === 'JTS-LVM-ORIGIN-RESIZE'), undefined);
});
