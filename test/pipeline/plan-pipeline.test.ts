import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { runPlan, splitFindings, summarize, planJson } from '../../src/pipeline/plan-pipeline.js';
import { readRepo } from '../diff/helpers.js';
import { guestRunner } from '../probe/guest-runner.js';

function files(): FakeRunner {
  return new FakeRunner({ files: { 'plan.yaml': readRepo('plans/jts.yaml'), '4tb.yaml': readRepo('examples/drives/4tb-nvme.yaml') } });
}

test('runPlan offline: no process, exit 2, stateHash stable across runs', async () => {
  const r = files();
  const a = await runPlan({ runner: r, planFile: 'plan.yaml', drivesFile: '4tb.yaml' });
  const b = await runPlan({ runner: r, planFile: 'plan.yaml', drivesFile: '4tb.yaml' });
  assert.equal(r.calls.length, 0);
  assert.equal(a.exitCode, 2);
  assert.equal(a.result.stateHash, b.result.stateHash);
  assert.match(a.planSha256!, /^[0-9a-f]{64}$/);
  assert.deepEqual(a.result.summary, summarize(a.result.actions));
  const j = planJson(a) as { layout: { drives: Record<string, { path: string }> } };
  assert.equal(j.layout.drives['nvme0']!.path, '/dev/nvme0n1');
});

test('runPlan: offline without --drives refuses to probe; a broken drives file is exit 1 with its location', async () => {
  const r = files();
  const off = await runPlan({ runner: r, planFile: 'plan.yaml', offline: true });
  assert.equal(off.exitCode, 1);
  assert.equal(off.result.errors[0]!.rule, 'PLAN-OFFLINE');
  r.files.set('bad-drives.yaml', 'drives:\n  - path: /dev/nvme0n1\n    sizeBytes: -5\n');
  const bad = await runPlan({ runner: r, planFile: 'plan.yaml', drivesFile: 'bad-drives.yaml' });
  assert.equal(bad.exitCode, 1);
  assert.equal(bad.result.errors[0]!.file, 'bad-drives.yaml');
  assert.ok(bad.result.errors[0]!.line);
  assert.equal(r.calls.length, 0);
});

test('runPlan with the probe: the state hash changes when the host changes', async () => {
  const plan = { '/p.yaml': readRepo('plans/jts.yaml') };
  const a = await runPlan({ runner: guestRunner(plan), planFile: '/p.yaml' });
  const changed = guestRunner({ ...plan, '/etc/fstab': '# emptied\n' });
  const b = await runPlan({ runner: changed, planFile: '/p.yaml' });
  assert.notEqual(a.result.stateHash, b.result.stateHash);
  assert.equal(a.state!.source, 'probe');
});

test('splitFindings: an overridden error never blocks; duplicates shown once', () => {
  const f = { rule: 'X', severity: 'error' as const, message: 'm', field: 'a' };
  const s = splitFindings([f, { ...f }, { ...f, rule: 'Y', overridden: 'drive has PLP, checked by vendor spec sheet' }, { rule: 'Z', severity: 'info', message: 'i' }]);
  assert.equal(s.errors.length, 1);
  assert.equal(s.warnings.length, 1);
  assert.equal(s.infos.length, 1);
});
