import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffPlanDetailed } from '../../src/diff/diff.js';
import { loadPlanText } from '../../src/model/load-plan.js';
import { appliedState, described, layoutOf } from './helpers.js';

// A drive added to an existing VG and its space used by the same plan (docs/dr-runbook.md "add a drive"):
// the diff runs pvcreate + vgextend before any lvcreate of that VG, so the capacity arithmetic and the
// free-extent check count the new drive's extents (vgextend(8)). Before, both refused the plan
// (JTS-CAPACITY and DIFF-VG-NO-FREE: "63 free extents … needs 96" in the runbook's VM run).
function planText(drives: string[], volumes: string): string {
  return `version: 1\ndrives: [${drives.map((d, i) => `{ id: ${d}, serial: JTS-NVME-${i} }`).join(', ')}]\nvolumeGroups: [{ name: vg, drives: [${drives.join(', ')}], reserve: 0 }]\nvolumes:\n${volumes}\n`;
}

function hostWithTwoDrives() {
  const base = described();
  const first = base.drives[0]!;
  base.drives.push({ ...structuredClone(first), path: '/dev/nvme1n1', serial: 'JTS-NVME-1', byIds: ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-1'], sizeBytes: 2e12 });
  return base;
}

test('a drive the plan adds to an existing VG gives its extents to the volumes of the same plan', () => {
  const before = loadPlanText(planText(['a'], '  - { name: x, vg: vg, size: 3000GiB }'), 'before.yaml');
  const base = hostWithTwoDrives();
  const state = appliedState(before, base, layoutOf(before, base));
  assert.equal(state.vgs[0]!.freeExtentCount, 953673 - 768000);

  const after = loadPlanText(planText(['a', 'b'], '  - { name: x, vg: vg, size: 3000GiB }\n  - { name: y, vg: vg, size: 1000GiB }'), 'after.yaml');
  const layout = layoutOf(after, state);
  const vgl = layout.vgs[0]!;
  assert.equal(vgl.vgExtendExtents, 476836); // 2,000,000,000,000 bytes at 4 MiB extents, pe_start 4 MiB
  assert.equal(vgl.totalExtents, 953673 + 476836);
  assert.deepEqual(layout.findings.filter((f) => f.severity === 'error'), []);
  const { actions, findings } = diffPlanDetailed(after, state, layout);
  assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => f.rule), []);
  const ids = actions.map((a) => a.id);
  assert.ok(ids.indexOf('vg:vg:extend') >= 0 && ids.indexOf('vg:vg:extend') < ids.indexOf('lv:vg/y:create'), ids.join(', '));
  const lv = actions.find((a) => a.id === 'lv:vg/y:create')!;
  assert.ok(lv.dependsOn?.includes('vg:vg:extend'), `lvcreate waits for vgextend: ${lv.dependsOn?.join(', ')}`);
});

test('the added drive does not hide a real shortfall: more than both drives give is still refused', () => {
  const before = loadPlanText(planText(['a'], '  - { name: x, vg: vg, size: 3000GiB }'), 'before.yaml');
  const base = hostWithTwoDrives();
  const state = appliedState(before, base, layoutOf(before, base));
  const after = loadPlanText(planText(['a', 'b'], '  - { name: x, vg: vg, size: 3000GiB }\n  - { name: y, vg: vg, size: 3000GiB }'), 'after.yaml');
  const layout = layoutOf(after, state);
  const capacity = layout.findings.find((f) => f.rule === 'JTS-CAPACITY');
  assert.ok(capacity, 'JTS-CAPACITY');
  assert.match(capacity.message, /1430509 extents/);
});

test('a drive already a PV of the VG adds nothing', () => {
  const before = loadPlanText(planText(['a', 'b'], '  - { name: x, vg: vg, size: 3000GiB }'), 'before.yaml');
  const base = hostWithTwoDrives();
  const state = appliedState(before, base, layoutOf(before, base));
  const layout = layoutOf(before, state);
  assert.equal(layout.vgs[0]!.vgExtendExtents, 0);
  assert.equal(layout.vgs[0]!.totalExtents, 953673 + 476836);
});
