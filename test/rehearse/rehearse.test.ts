import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPlanText } from '../../src/model/load-plan.js';
import { emptyHostState } from '../../src/model/host-state.js';
import { rehearsalOverrides, judge, sandboxDrives, runStepsInGuest } from '../../src/rehearse/rehearse.js';
import { DEFAULT_STEPS, keyFigures } from '../../src/rehearse/steps.js';
import { FakeRunner } from '../support/fake-runner.js';

const PLAN = `version: 1
drives:
  - { id: d0, serial: S0 }
volumeGroups:
  - { name: vg_a, drives: [d0] }
volumes:
  - name: lv_a
    vg: vg_a
    size: 1GiB
    filesystem: { type: ext4, extended: [lazy_itable_init=0, lazy_journal_init=0, discard] }
  - name: lv_b
    vg: vg_a
    size: 1GiB
    filesystem: { type: xfs }
`;

test('overrides: lazy init forced on for ext4, said, and the plan still loads', () => {
  const loaded = loadPlanText(PLAN, 'p.yaml');
  const o = rehearsalOverrides(PLAN, loaded.plan);
  assert.equal(o.changes.length, 1);
  assert.match(o.changes[0]!, /lazy_itable_init=0,lazy_journal_init=0,discard → lazy_itable_init=1,lazy_journal_init=1,discard/);
  const again = loadPlanText(o.text, 'p2.yaml');
  assert.deepEqual(again.plan.volumes[0]!.filesystem.extended, ['lazy_itable_init=1', 'lazy_journal_init=1', 'discard']);
  const none = rehearsalOverrides(PLAN.replace('lazy_itable_init=0, lazy_journal_init=0, ', ''), loaded.plan);
  assert.equal(rehearsalOverrides(none.text, loadPlanText(none.text, 'x').plan).changes.length, 0);
});

test('judge: exit codes and expected JSON fields', () => {
  const reapply = DEFAULT_STEPS.find((s) => s.name === 're-apply')!;
  assert.equal(judge(reapply, 0, { mutatingCommands: 0 }), undefined);
  assert.match(judge(reapply, 0, { mutatingCommands: 3 })!, /mutatingCommands = 3, expected 0/);
  assert.match(judge(reapply, 1, {})!, /exit 1, expected 0/);
  assert.match(judge(reapply, 0, undefined)!, /no JSON/);
  assert.equal(keyFigures('verify', { drift: [], checks: 140 }), '0 drift, 140 checks');
});

test('drives: NVMe stays NVMe, SATA becomes SCSI with its model', () => {
  const s = emptyHostState('described');
  const base = { byIds: [], logicalSectorSize: 512, physicalSectorSize: 512, rotational: false, discard: true, volatileWriteCache: true, partitions: [], signatures: [], mountpoints: [] };
  s.drives.push({ ...base, path: '/dev/nvme0n1', serial: 'N', sizeBytes: 4e12, kind: 'nvme' }, { ...base, path: '/dev/sda', serial: 'S', model: 'M', sizeBytes: 2e12, kind: 'sata-ssd' });
  assert.deepEqual(sandboxDrives(s), [
    { sizeBytes: 4e12, serial: 'N', kind: 'nvme' },
    { sizeBytes: 2e12, serial: 'S', kind: 'scsi', model: 'M' },
  ]);
});

test('guest side: runs steps in order, writes results, stops after a failure', async () => {
  const f = new FakeRunner();
  let n = 0;
  f.on(() => true, () => (++n === 2 ? { exitCode: 1, stdout: '{"status":"failed"}' } : { exitCode: n === 1 ? 2 : 0, stdout: '{"actions":[1,2]}' }));
  const r = await runStepsInGuest({ runner: f, planFile: '/p.yaml', outDir: '/out', log: () => {}, node: 'node' });
  // plan ok, apply failed, every later step skipped (whatever steps colleagues add after them)
  assert.deepEqual(
    r.map((x) => [x.name, x.ok, !!x.skipped]),
    DEFAULT_STEPS.map((s, i) => [s.name, i === 0, i >= 2]),
  );
  assert.deepEqual(DEFAULT_STEPS.slice(0, 4).map((s) => s.name), ['plan', 'apply', 'verify', 're-apply']);
  assert.equal(f.calls[0]!.argv.slice(2).join(' '), 'plan --plan /p.yaml --json');
  assert.ok(f.files.has('/out/steps/02-apply.json'));
});
