import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { HostRun, withHostRun, lockTimeoutMs } from '../../src/exec/host-run.js';
import { parseAuditLog } from '../../src/exec/audit.js';
import { LockHeldError } from '../../src/exec/lock.js';
import type { Action } from '../../src/model/actions.js';

const lvremove: Action = { id: 'snap:vg/s1:remove', kind: 'destroy', resource: 'snapshot vg/s1', summary: 'prune', dependsOn: [], steps: [{ type: 'exec', argv: ['lvremove', '--yes', 'vg/s1'], mutating: true }] };
const base = { command: 'snapshot prune', pid: 10, auditLog: '/log/a.jsonl', lockPath: '/run/lock/j.lock' };

test('withHostRun: audit start, the action audited with its id, end; lock held during, released after', async () => {
  const f = new FakeRunner().on(['lvremove'], { stdout: '  Logical volume "s1" successfully removed.\n' });
  const r = await withHostRun({ ...base, runner: f, dryRun: false }, async (h) => {
    assert.match(f.files.get('/run/lock/j.lock')!, /"command":"jts-storage snapshot prune"/);
    return h.run(lvremove);
  }, (x) => x.ok);
  assert.equal(r.ok, true);
  assert.match(r.results[0]!.stdout, /successfully removed/);
  const recs = parseAuditLog(f.files.get('/log/a.jsonl')!);
  assert.deepEqual(recs.map((x) => x.event), ['start', 'command', 'end']);
  assert.equal(recs[0]!.command, 'snapshot prune');
  assert.equal(recs[1]!.actionId, 'snap:vg/s1:remove');
  assert.equal(recs[1]!.mutating, true);
  assert.equal(recs[2]!.mutatingCommands, 1);
  assert.equal(recs[2]!.ok, true);
  assert.equal(f.files.has('/run/lock/j.lock'), false);
});

test('dry run: the action is recorded and printed, nothing runs, no audit file, no lock', async () => {
  const f = new FakeRunner();
  const h = new HostRun({ ...base, runner: f, dryRun: true });
  await h.open();
  const r = await h.run(lvremove);
  await h.end(true);
  assert.deepEqual(r, { ok: true, dryRun: true, results: [], error: undefined });
  assert.deepEqual(h.dryRunLines(), ['# destroy snapshot vg/s1: prune', '[1/1] lvremove --yes vg/s1']);
  assert.equal(f.calls.length, 0);
  assert.equal(f.files.size, 0);
});

test('a live holder: refused naming it, audited as refused, body never runs', async () => {
  const f = new FakeRunner({ files: { '/run/lock/j.lock': JSON.stringify({ pid: 77, command: 'jts-storage apply', started: 'T' }) } });
  f.dirs.add('/proc/77');
  let ran = false;
  await assert.rejects(
    withHostRun({ ...base, runner: f, dryRun: false }, async () => {
      ran = true;
    }),
    (e: unknown) => e instanceof LockHeldError && /pid 77 \(jts-storage apply, started T\)/.test((e as Error).message),
  );
  assert.equal(ran, false);
  const recs = parseAuditLog(f.files.get('/log/a.jsonl')!);
  assert.deepEqual(recs.map((x) => x.event), ['refused']);
  assert.equal(f.calls.length, 0);
});

test('a failing body: end record ok=false, lock released, error passed on', async () => {
  const f = new FakeRunner();
  await assert.rejects(withHostRun({ ...base, runner: f, dryRun: false }, async () => {
    throw new Error('boom');
  }), /boom/);
  const recs = parseAuditLog(f.files.get('/log/a.jsonl')!);
  assert.equal(recs.at(-1)!.event, 'end');
  assert.equal(recs.at(-1)!.ok, false);
  assert.equal(f.files.has('/run/lock/j.lock'), false);
});

test('--lock-timeout: seconds to ms; bad input refused', () => {
  assert.equal(lockTimeoutMs(undefined, 0), 0);
  assert.equal(lockTimeoutMs(undefined, 900), 900_000);
  assert.equal(lockTimeoutMs('2.5', 0), 2500);
  assert.throws(() => lockTimeoutMs('soon', 0), /--lock-timeout: "soon"/);
  assert.throws(() => lockTimeoutMs('-1', 0), /--lock-timeout/);
});

test('two runs of one process in the same second get distinct run ids', () => {
  const f = new FakeRunner();
  const a = new HostRun({ ...base, runner: f, dryRun: true, pid: 4711 });
  const b = new HostRun({ ...base, runner: f, dryRun: true, pid: 4711 });
  assert.notEqual(a.runId, b.runId);
  assert.equal(b.runId, `${a.runId}-2`);
});
