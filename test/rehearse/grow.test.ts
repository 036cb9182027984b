import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPlanFile, DEFAULT_PLAN_PATH, loadPlanText } from '../../src/model/load-plan.js';
import { growPlanProblem, growPlanText, growProblem, growSentence, growTargetOf, type GrowSample } from '../../src/rehearse/grow.js';
import { formatRehearseReport, runStepsInGuest, type RehearseReport } from '../../src/rehearse/rehearse.js';
import { DEFAULT_STEPS } from '../../src/rehearse/steps.js';
import { FakeRunner } from '../support/fake-runner.js';
import { readRepo } from '../diff/helpers.js';

const GiB = 1024 ** 3;

test('the rehearsal grows lv_postgres of the default plan (thin, thin snapshot policy, mounted) by 10 GiB; the grown plan loads', async () => {
  const { plan } = await loadPlanFile(DEFAULT_PLAN_PATH);
  const t = growTargetOf(plan)!;
  assert.deepEqual(t, { index: 1, vg: 'vg_jts', lv: 'lv_postgres', mount: '/var/lib/postgresql', from: '800GB', to: '756GiB' });
  const grown = loadPlanText(growPlanText(readRepo('plans/jts.yaml'), t), 'grow.yaml').plan;
  assert.equal(grown.volumes[1]!.size, '756GiB');
  assert.deepEqual(grown.volumes.filter((_, i) => i !== 1), plan.volumes.filter((_, i) => i !== 1), 'nothing else changes');
  const classic = loadPlanText(readRepo('test/fixtures/guest/jts-classic-plan.yaml'), 'c.yaml').plan;
  assert.equal(growTargetOf(classic), undefined, 'no thin snapshotted volume: the grow steps are skipped');
});

test('grow judged from the samples: the LV and the filesystem grew, mounted throughout, the snapshot kept', () => {
  const before: GrowSample = { lvBytes: 800e9 - (800e9 % (4 * 2 ** 20)) + 4 * 2 ** 20, fsBytes: 780 * GiB, mounted: true, snapshots: ['lv_postgres_snap'] };
  const after: GrowSample = { lvBytes: 756 * GiB, fsBytes: 790 * GiB, mounted: true, snapshots: ['lv_postgres_snap'] };
  assert.equal(growProblem(before, after), undefined);
  assert.match(growProblem({ ...before, snapshots: [] }, after)!, /no snapshot of the volume before the grow/);
  assert.match(growProblem(before, { ...after, lvBytes: before.lvBytes })!, /the LV did not grow/);
  assert.match(growProblem(before, { ...after, fsBytes: before.fsBytes })!, /the filesystem did not grow/);
  assert.match(growProblem(before, { ...after, mounted: false })!, /not mounted throughout/);
  assert.match(growProblem(before, { ...after, snapshots: [] })!, /snapshot\(s\) gone after the grow: lv_postgres_snap/);
  assert.match(growSentence('vg_jts/lv_postgres', '/var/lib/postgresql', before, after), /LV 745\.06 → 756\.00 GiB, filesystem 780\.00 → 790\.00 GiB, mounted at \/var\/lib\/postgresql before and after; snapshot lv_postgres_snap still there$/);
});

test('the grow plan must show one lvextend -r and nothing destroyed', () => {
  const ext = { id: 'lv:vg_jts/lv_postgres:extend', kind: 'change', steps: [{ type: 'exec', argv: ['lvextend', '-L', '756g', '-r', '/dev/vg_jts/lv_postgres'] }] };
  assert.equal(growPlanProblem({ actions: [ext] }), undefined);
  assert.match(growPlanProblem({ actions: [] })!, /expected one lvextend, got 0/);
  assert.match(growPlanProblem({ actions: [{ ...ext, steps: [{ type: 'exec', argv: ['lvextend', '-L', '756g', '/dev/x'] }] }] })!, /not lvextend -r/);
  assert.match(growPlanProblem({ actions: [ext, { id: 'fs:x:replace', kind: 'replace', steps: [] }] })!, /destroys or replaces: fs:x:replace/);
});

test('guest side: the grow steps run last on a copy of the plan with the volume larger, and are sampled before and after apply', async () => {
  const f = new FakeRunner();
  f.files.set('/p.yaml', readRepo('plans/jts.yaml'));
  f.on(() => true, () => ({ exitCode: 0, stdout: '{"mutatingCommands":0}' }));
  f.on((argv) => argv[2] === 'plan', () => ({ exitCode: 2, stdout: '{"actions":[]}' }));
  f.on((argv) => argv[2] === 'bench', () => ({ exitCode: 0, stdout: '{"summary":"x","results":[]}' }));
  const r = await runStepsInGuest({ runner: f, planFile: '/p.yaml', outDir: '/out', log: () => {}, node: 'node' });
  assert.deepEqual(DEFAULT_STEPS.slice(-3).map((s) => s.name), ['grow: snapshot', 'grow: plan', 'grow: apply']);
  assert.equal(r.find((x) => x.name === 'grow: snapshot')!.argv.join(' '), 'snapshot create vg_jts/lv_postgres --plan /p.yaml --json');
  assert.equal(r.find((x) => x.name === 'grow: plan')!.argv.join(' '), 'plan --plan /out/plan.grow.yaml --json');
  assert.match(f.files.get('/out/plan.grow.yaml')!, /size: 756GiB/);
  // the fake plan JSON shows no lvextend: the step says so, the apply is skipped
  assert.match(r.find((x) => x.name === 'grow: plan')!.reason!, /expected one lvextend, got 0/);
  assert.equal(r.find((x) => x.name === 'grow: apply')!.skipped, true);
});

test('the summary shows the grow in lines of at most 80 columns', async () => {
  const before: GrowSample = { lvBytes: 745.06 * GiB, fsBytes: 733.3 * GiB, mounted: true, snapshots: ['lv_postgres_databases_20261130T200000Z'] };
  const after: GrowSample = { ...before, lvBytes: 756 * GiB, fsBytes: 744.1 * GiB };
  const r: RehearseReport = {
    ok: true, planFile: 'plans/jts.yaml', drivesFile: 'examples/drives/4tb-nvme.yaml', changes: [], bootMs: 1, wallMs: 2, imageBytes: 1, withinBudget: { time: true, disk: true }, guestExitCode: 0,
    steps: [{ index: 14, name: 'grow: apply', argv: [], exitCode: 0, durationMs: 9000, ok: true, figures: 'LV 745.06 → 756.00 GiB online', measured: { before, after, volume: 'vg_jts/lv_postgres', mount: '/var/lib/postgresql' } }],
  };
  const text = await formatRehearseReport(r);
  const lines = text.split('\n').filter((l) => /grow|filesystem|snapshot/.test(l) && !l.startsWith('│') && !l.startsWith('┌'));
  assert.match(text, /^online grow of vg_jts\/lv_postgres with its snapshot policy in force: LV 745\.06 →/m);
  assert.match(text, /lv_postgres_databases_20261130T200000Z still\s+there/);
  const at = text.indexOf('online grow');
  for (const l of text.slice(at, text.indexOf('\nboot ')).split('\n')) assert.ok(l.length <= 80, l);
  assert.ok(lines.length > 0);
});

test('rehearsal override: thin ext4 volumes are mounted noinit_itable (ext4lazyinit would write zeros into the pool), XFS and linear ones are not', async () => {
  const { rehearsalOverrides } = await import('../../src/rehearse/rehearse.js');
  const text = readRepo('plans/jts.yaml');
  const o = rehearsalOverrides(text, loadPlanText(text, 'p.yaml').plan);
  const got = loadPlanText(o.text, 'r.yaml').plan;
  const withOpt = got.volumes.filter((v) => v.mount?.options.includes('noinit_itable')).map((v) => v.name);
  assert.deepEqual(withOpt, ['lv_postgres', 'lv_clickhouse']);
  assert.ok(o.changes.some((c) => /lv_postgres: mount option noinit_itable added/.test(c)));
  assert.equal(rehearsalOverrides(o.text, got).changes.filter((c) => /noinit_itable/.test(c)).length, 0, 'once');
});

test('rehearsal override: thin ext4 volumes are made with lazy_journal_init=1 (the journal zeroing writes 1 GiB of real zeros into the pool), once; linear ones are not', async () => {
  const { rehearsalOverrides } = await import('../../src/rehearse/rehearse.js');
  const text = readRepo('plans/jts.yaml');
  const o = rehearsalOverrides(text, loadPlanText(text, 'p.yaml').plan);
  const got = loadPlanText(o.text, 'r.yaml').plan;
  const lazy = got.volumes.filter((v) => v.filesystem.extended.includes('lazy_journal_init=1')).map((v) => v.name);
  assert.deepEqual(lazy, ['lv_postgres', 'lv_clickhouse']);
  assert.ok(o.changes.some((c) => /lv_postgres: mkfs\.ext4 -E \(none\) → lazy_journal_init=1 \(no up-front journal zeroing/.test(c)));
  assert.equal(rehearsalOverrides(o.text, got).changes.length, 0, 'once');
});
