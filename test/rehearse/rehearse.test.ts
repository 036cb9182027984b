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

test('guest side: the bench step fails when a check that counts failed, though bench exited 0; not-judged checks do not fail it', async () => {
  const check = (pass: boolean, notJudged?: string) => ({ figure: 'write.clat_p99_us', max: 1000, why: 'spec 1015: sub-millisecond response times (checked at p99)', value: pass ? 420 : 1800, pass, ...(notJudged ? { notJudged } : {}) });
  const benchJson = (checks: unknown[]) =>
    JSON.stringify({ summary: 'x', results: [{ target: 'lv_system', profile: 'rand4k-qd1-write', runs: [], summary: {}, argv: [], checks }] });
  for (const [checks, ok] of [
    [[check(true), check(false)], false],
    [[check(true), check(false, 'not judged: the drive is emulated')], true],
    [[check(true)], true],
  ] as const) {
    const f = new FakeRunner();
    // Every step exits as expected; only the bench's JSON differs (the last registered reply wins).
    f.on(() => true, () => ({ exitCode: 0, stdout: '{"mutatingCommands":0}' }));
    f.on((argv) => argv[2] === 'plan', () => ({ exitCode: 2, stdout: '{"actions":[]}' }));
    f.on((argv) => argv[2] === 'bench', () => ({ exitCode: 0, stdout: benchJson([...checks]) }));
    const r = await runStepsInGuest({ runner: f, planFile: '/p.yaml', outDir: '/out', log: () => {}, node: 'node', vars: { drillVolume: 'vg/lv' } });
    const bench = r.find((x) => x.name === 'bench')!;
    assert.equal(bench.exitCode, 0);
    assert.equal(bench.ok, ok, JSON.stringify(bench.reason));
    if (!ok) {
      assert.match(bench.reason!, /^1 check failed: lv_system rand4k-qd1-write: write clat p99 1800 µs \(max 1000 µs\) — spec 1015/);
      assert.equal(r.find((x) => x.name === 'report')!.skipped, true);
    } else assert.equal(bench.reason, undefined);
  }
});
