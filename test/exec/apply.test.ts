import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { runApply, type ApplyOptions, type PlanOutcome } from '../../src/exec/apply.js';
import { parseAuditLog } from '../../src/exec/audit.js';
import { PlanSchema } from '../../src/model/plan-schema.js';
import { emptyHostState, type DriveInfo } from '../../src/model/host-state.js';
import type { Action } from '../../src/model/actions.js';

const plan = PlanSchema.parse({ version: 1, drives: [{ id: 'd0', serial: 'S0' }], volumeGroups: [{ name: 'vg', drives: ['d0'] }] });
const drive: DriveInfo = { path: '/dev/nvme0n1', byIds: [], serial: 'S0', sizeBytes: 1e12, logicalSectorSize: 512, physicalSectorSize: 512, rotational: false, discard: true, volatileWriteCache: true, kind: 'nvme', partitions: [], signatures: [], mountpoints: [] };
const pv: Action = { id: 'pv:create', kind: 'create', resource: 'pv /dev/nvme0n1', summary: 'pv', dependsOn: [], steps: [{ type: 'exec', argv: ['pvcreate', '/dev/nvme0n1'], mutating: true }] };

function outcome(actions: Action[], hash = 'h1', signatures: string[] = []): PlanOutcome {
  const state = emptyHostState('probe');
  const d = { ...drive, signatures };
  state.drives.push(d);
  return { plan, state, layout: { vgs: [], drives: new Map([['d0', d]]), findings: [] }, result: { planFile: 'p.yaml', errors: [], warnings: [], infos: [], actions, stateHash: hash, summary: { create: actions.length, change: 0, replace: 0, destroy: 0 } } };
}

function opts(f: FakeRunner, o: PlanOutcome, over: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    runner: f,
    deps: { plan: async () => o, verify: async () => ({ clean: true, drift: [], checks: 1, notes: [] }) },
    yes: true, dryRun: false, allowDestroy: [], auditLog: '/log/a.jsonl', lockPath: '/run/lock/j.lock', interactive: false, say: () => {}, pid: 10,
    ...over,
  };
}

function fake() {
  return new FakeRunner().on(['wipefs'], { stdout: '' }).on(['pvcreate'], {});
}

test('applies, verifies, audits start/end and counts mutating commands', async () => {
  const f = fake();
  const r = await runApply(opts(f, outcome([pv])));
  assert.equal(r.status, 'applied');
  assert.equal(r.exitCode, 0);
  assert.equal(r.mutatingCommands, 1);
  const recs = parseAuditLog(f.files.get('/log/a.jsonl')!);
  assert.equal(recs[0]!.event, 'start');
  assert.equal(recs.at(-1)!.event, 'end');
  assert.equal(recs.at(-1)!.mutatingCommands, 1);
  assert.equal(f.files.has('/run/lock/j.lock'), false, 'lock released');
});

test('nothing to do: 0 mutating commands, exit 0', async () => {
  const r = await runApply(opts(fake(), outcome([])));
  assert.equal(r.status, 'nothing-to-do');
  assert.equal(r.mutatingCommands, 0);
});

test('without a terminal and without --yes: refused, nothing run', async () => {
  const f = fake();
  const r = await runApply(opts(f, outcome([pv]), { yes: false }));
  assert.equal(r.status, 'refused');
  assert.match(r.refusals[0]!, /--yes/);
  assert.equal(f.mutatingCalls.length, 0);
});

test('lock held by a live pid: refused at once naming it', async () => {
  const f = fake();
  f.files.set('/run/lock/j.lock', JSON.stringify({ pid: 77, command: 'jts-storage apply', started: 'T' }));
  f.dirs.add('/proc/77');
  const r = await runApply(opts(f, outcome([pv])));
  assert.equal(r.status, 'refused');
  assert.match(r.refusals[0]!, /pid 77/);
  assert.equal(f.calls.length, 0);
});

test('stale saved plan refused; matching one applied', async () => {
  const f = fake();
  const saved = outcome([pv], 'old').result;
  const r = await runApply(opts(f, outcome([], 'new'), { saved }));
  assert.equal(r.status, 'refused');
  assert.match(r.refusals[0]!, /saved plan was made for another state/);
  assert.equal(f.mutatingCalls.length, 0);
  const ok = await runApply(opts(fake(), outcome([], 'same'), { saved: outcome([pv], 'same').result }));
  assert.equal(ok.status, 'applied');
});

test('dry run prints the steps, runs nothing mutating, writes no audit file', async () => {
  const f = fake();
  const r = await runApply(opts(f, outcome([pv]), { dryRun: true }));
  assert.equal(r.status, 'dry-run');
  assert.deepEqual(r.dryRunSteps!.filter((s) => s.startsWith('[')), ['[1/1] pvcreate /dev/nvme0n1']);
  assert.equal(f.mutatingCalls.length, 0);
  assert.equal(f.files.has('/log/a.jsonl'), false);
});

test('a drive with a signature is refused; with --allow-destroy it is wiped first', async () => {
  const f = fake();
  const r = await runApply(opts(f, outcome([pv], 'h', ['ext4'])));
  assert.equal(r.status, 'refused');
  assert.equal(f.mutatingCalls.length, 0);
  const f2 = fake();
  f2.on(['wipefs', '--all'], {});
  const said: string[] = [];
  const ok = await runApply(opts(f2, outcome([pv], 'h', ['ext4']), { allowDestroy: ['d0'], say: (s) => said.push(s) }));
  assert.equal(ok.status, 'applied');
  assert.deepEqual(f2.mutatingCalls.map((c) => c.argv.join(' ')), ['wipefs --all /dev/nvme0n1', 'pvcreate /dev/nvme0n1']);
  assert.ok(said.some((s) => /WILL DESTROY drive d0/.test(s)));
});

test('interactive confirmation: "no" refuses, "yes" applies', async () => {
  const f = fake();
  const no = await runApply(opts(f, outcome([pv]), { yes: false, interactive: true, confirm: async () => false }));
  assert.equal(no.status, 'refused');
  assert.equal(f.mutatingCalls.length, 0);
  let asked = '';
  const yes = await runApply(opts(f, outcome([pv]), { yes: false, interactive: true, confirm: async (q) => ((asked = q), true) }));
  assert.equal(yes.status, 'applied');
  assert.match(asked, /Apply 1 action/);
});

test('verify reuses the plan\'s state when nothing ran', async () => {
  let got: unknown = 'unset';
  const o = outcome([]);
  const r = await runApply({ ...opts(fake(), o), deps: { plan: async () => o, verify: async (_r, _p, s) => ((got = s), { clean: true, drift: [], checks: 1, notes: [] }) } });
  assert.equal(r.status, 'nothing-to-do');
  assert.equal(got, o.state);
});

test('an interrupted mkfs.xfs (superblock inprogress) is found and redone; a finished one is left alone', async () => {
  const { interruptedMkfs } = await import('../../src/pipeline/plan-for-apply.js');
  const p = PlanSchema.parse({ version: 1, drives: [{ id: 'd0', serial: 'S0' }], volumeGroups: [{ name: 'vg', drives: ['d0'] }], volumes: [{ name: 'lv_k', vg: 'vg', size: '1GiB', filesystem: { type: 'xfs', label: 'k' } }, { name: 'lv_m', vg: 'vg', size: '1GiB', filesystem: { type: 'xfs' }, mount: { path: '/m' } }] });
  const s = emptyHostState('probe');
  for (const n of ['lv_k', 'lv_m']) {
    s.lvs.push({ vgName: 'vg', name: n, sizeBytes: 1, attr: '-wi-a-----', path: `/dev/vg/${n}`, dmPath: `/dev/mapper/vg-${n}` });
    s.filesystems.push({ device: `/dev/mapper/vg-${n}`, type: 'xfs' });
  }
  s.mounts.push({ target: '/m', source: '/dev/mapper/vg-lv_m', fstype: 'xfs', options: [] });
  const f = new FakeRunner().on(['xfs_db'], { stdout: 'inprogress = 1\n' });
  const a = await interruptedMkfs(f, p, s);
  assert.deepEqual(a.map((x) => x.steps.map((st) => (st.type === 'exec' ? st.argv.join(' ') : ''))), [['wipefs --all /dev/vg/lv_k', 'mkfs.xfs -L k /dev/vg/lv_k']]);
  assert.equal(f.calls.length, 1, 'the mounted one is not even asked about');
  const done = new FakeRunner().on(['xfs_db'], { stdout: 'inprogress = 0\n' });
  assert.deepEqual(await interruptedMkfs(done, p, s), []);
});
