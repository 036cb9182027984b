import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { planCommand } from '../../src/commands/plan.js';
import { readSavedPlan } from '../../src/pipeline/saved-plan.js';
import { readRepo, repoFile } from '../diff/helpers.js';
import { LSBLK_ARGV, FINDMNT_ARGV, BLKID_ARGV, UNAME_ARGV } from '../../src/probe/probe.js';
import { BY_ID_ARGV } from '../../src/probe/by-id.js';
import { fixture } from '../probe/fixtures.js';
import { loadPlanText } from '../../src/model/load-plan.js';

/** A FakeRunner that serves the repo's plan and example files (read through the Runner, as the CLI does). */
function offlineRunner(): FakeRunner {
  const r = new FakeRunner();
  for (const f of ['plans/jts.yaml', 'examples/seed-literal.yaml', 'examples/drives/4tb-nvme.yaml', 'examples/drives/2tb-nvme.yaml']) {
    r.files.set(f, readRepo(f));
    r.files.set(repoFile(f), readRepo(f));
  }
  return r;
}

async function plan(args: Parameters<typeof planCommand>[0], runner = offlineRunner()) {
  let out = '';
  let err = '';
  const code = await planCommand(args, { runner, stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err, runner };
}

test('Done when: default plan vs the 4 TB drive, --json: exit 2, no errors, an action for every volume, no command run', async () => {
  const { code, out, runner } = await plan({ drives: 'examples/drives/4tb-nvme.yaml', json: true });
  assert.equal(code, 2);
  assert.deepEqual(runner.calls, [], 'offline with --drives: no process at all');
  const j = JSON.parse(out);
  for (const k of ['errors', 'warnings', 'infos', 'actions', 'stateHash', 'summary', 'layout']) assert.ok(k in j, k);
  assert.deepEqual(j.errors, []);
  assert.match(j.stateHash, /^[0-9a-f]{64}$/);
  const p = loadPlanText(readRepo('plans/jts.yaml'), 'plans/jts.yaml').plan;
  for (const v of p.volumes) {
    assert.ok(j.actions.some((a: { id: string }) => a.id === `lv:${v.vg}/${v.name}:create`), `lvcreate for ${v.name}`);
    assert.ok(j.actions.some((a: { id: string }) => a.id === `fs:${v.vg}/${v.name}:create`), `mkfs for ${v.name}`);
  }
  assert.equal(j.summary.create, j.actions.length);
  assert.equal(j.layout.vgs[0].totalExtents, 953673, 'the measured extent count');
  assert.equal(j.layout.drives.nvme0.path, '/dev/nvme0n1');
});

test('Done when: seed-literal plan exits 1 with one error per applicable defect', async () => {
  const { code, out, runner } = await plan({ plan: 'examples/seed-literal.yaml', drives: 'examples/drives/4tb-nvme.yaml', json: true });
  assert.equal(code, 1);
  assert.deepEqual(runner.calls, []);
  const j = JSON.parse(out);
  const rules = new Set(j.errors.map((e: { rule: string }) => e.rule));
  assert.ok(j.errors.length >= 5, `errors: ${[...rules].join(', ')}`);
  assert.ok([...rules].some((r) => /CAPACITY/.test(String(r))), 'capacity (LVM G is GiB)');
  for (const e of j.errors) assert.ok(e.file && e.line && e.col, `located: ${e.rule}`);
});

test('Done when: default plan vs the 2 TB drive exits 1 and says how much space is missing', async () => {
  const { code, out } = await plan({ drives: 'examples/drives/2tb-nvme.yaml', json: true });
  assert.equal(code, 1);
  const j = JSON.parse(out);
  // The thick volumes fit on 2 TB; the thin databases' pool (rest) cannot back their sizes: the
  // over-commit error says how much is missing.
  const cap = j.errors.find((e: { rule: string }) => /CAPACITY|THIN-OVERCOMMIT/.test(e.rule));
  assert.ok(cap, JSON.stringify(j.errors));
  assert.match(cap.message, /[Mm]issing [\d,.]+ (extents = [\d.]+ )?GiB/);
  assert.ok(!j.actions.some((a: { steps: { argv?: string[] }[] }) => a.steps.some((s) => s.argv?.join(' ').includes('-l 0 '))), 'no lvcreate -l 0');
});

test('human output: Terraform symbols, exact commands, summary line, findings as file:line:col', async () => {
  const { code, out } = await plan({ drives: 'examples/drives/4tb-nvme.yaml', color: false });
  assert.equal(code, 2);
  assert.match(out, /^ {2}\+ physical volume on \/dev\/disk\/by-id\/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0/m);
  assert.match(out, /\$ lvcreate -l 143052 -n lv_kafka /);
  assert.match(out, /^Plan: \d+ to create, 0 to change, 0 to replace, 0 to destroy\.$/m);
  assert.doesNotMatch(out, /\x1b\[/, 'no colour with --no-color');
  const bad = await plan({ drives: 'examples/drives/2tb-nvme.yaml', color: false });
  // An invalid plan: only the diagnostics, on stderr (issue 17), each naming file:line:col.
  assert.equal(bad.out, '');
  assert.match(bad.err, /^│ Error: JTS-THIN-OVERCOMMIT$/m);
  assert.match(bad.err, /^│ {3}on \S*plans\/jts\.yaml:\d+:\d+,\s/m);
  assert.match(bad.err, /Nothing may be applied until they are fixed/);
});

test('bad plan input: exit 1, file:line error, nothing probed or run', async () => {
  const r = offlineRunner();
  r.files.set('bad.yaml', 'version: 1\ndrives:\n  - id: a\n    serail: X\n');
  const { code, out } = await plan({ plan: 'bad.yaml', drives: 'examples/drives/4tb-nvme.yaml', json: true }, r);
  assert.equal(code, 1);
  assert.deepEqual(r.calls, []);
  const j = JSON.parse(out);
  const unknown = j.errors.find((e: { field: string }) => e.field === 'drives[0].serail');
  assert.deepEqual([unknown.file, unknown.line, unknown.col], ['bad.yaml', 4, 5]);
  assert.match(unknown.message, /did you mean "serial"/);
  const missing = await plan({ plan: 'nope.yaml', json: true });
  assert.equal(missing.code, 1);
  assert.match(JSON.parse(missing.out).errors[0].message, /cannot read nope\.yaml: no such file/);
  assert.deepEqual(missing.runner.calls, []);
});

test('--out saves a plan that readSavedPlan accepts; an invalid plan is not saved', async () => {
  const { code, runner } = await plan({ drives: 'examples/drives/4tb-nvme.yaml', out: '/tmp/p.json', json: true });
  assert.equal(code, 2);
  const saved = await readSavedPlan(runner, '/tmp/p.json');
  assert.equal(saved.formatVersion, 1);
  assert.equal(saved.stateSource, 'described');
  assert.match(saved.planSha256, /^[0-9a-f]{64}$/);
  assert.equal(saved.createdAt, '2026-11-21T12:00:00.000Z');
  assert.ok(saved.result.actions.length > 0);
  const bad = await plan({ drives: 'examples/drives/2tb-nvme.yaml', out: '/tmp/q.json', json: true });
  assert.equal(bad.code, 1);
  assert.equal(bad.runner.files.has('/tmp/q.json'), false);
  assert.match(bad.err, /not saved/);
});

test('live probe path (host capture): only read-only tools run, one call each', async () => {
  const r = offlineRunner();
  r.files.set('/etc/passwd', fixture('host/passwd'));
  r.files.set('/etc/group', fixture('host/group'));
  r.on(UNAME_ARGV, { stdout: fixture('host/uname-r.txt') });
  r.on(LSBLK_ARGV, { stdout: fixture('host/lsblk-J-b-O.json') });
  r.on(FINDMNT_ARGV, { stdout: fixture('host/findmnt-J-b.json') });
  r.on(BLKID_ARGV, { exitCode: 2 });
  r.on(BY_ID_ARGV, { exitCode: 1, stderr: 'No such file or directory' });
  r.on(['lvm'], { notFound: true });
  const { code, out } = await plan({ json: true }, r);
  assert.equal(code, 1, 'the plan\'s drive is not on this host');
  // The probe's six tools, then the tuning facts' own read-only calls (getconf; no lvs or findmnt
  // again: read-ahead is the diff's): each argv once, none mutating.
  const argvs = r.calls.map((c) => c.argv.join(' '));
  for (const a of [UNAME_ARGV, LSBLK_ARGV, FINDMNT_ARGV, BLKID_ARGV, BY_ID_ARGV]) assert.ok(argvs.includes(a.join(' ')), a.join(' '));
  assert.equal(new Set(argvs).size, argvs.length, `each call once: ${argvs.join(' | ')}`);
  assert.equal(r.mutatingCalls.length, 0);
  assert.ok(r.calls.every((c) => !/^(pvcreate|vgcreate|lvcreate|lvchange|mkfs|wipefs|mount|systemctl)/.test(c.argv[0] ?? '')));
  // udevadm only reads its database (tune's scope: which disk each plan drive is)
  assert.ok(r.calls.every((c) => c.argv[0] !== 'udevadm' || c.argv.join(' ') === 'udevadm info --export-db'));
  const j = JSON.parse(out);
  assert.ok(j.errors.some((e: { rule: string }) => e.rule === 'JTS-DRIVE-NOT-FOUND'));
  assert.ok(j.warnings.some((w: { rule: string; message: string }) => w.rule === 'PROBE-PARTIAL' && /lvm2 is not installed/.test(w.message)));
  assert.equal(j.stateSource, 'probe');
});
