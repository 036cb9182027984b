import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { snapFixture } from '../snapshot/fixtures.js';
import { snapshotCommand } from '../../src/commands/snapshot.js';
import * as flows from '../../src/snapshot/flows.js';
import { parseAuditLog } from '../../src/exec/audit.js';
import { LockHeldError } from '../../src/exec/lock.js';

const SNAP = 'vg_t/lv_pg.snap.databases.20261121T120000Z';

function lvmRunner(): FakeRunner {
  return new FakeRunner()
    .on(['lvs'], { stdout: snapFixture('lvs-fresh.json') })
    .on(['vgs'], { stdout: snapFixture('vgs.json') })
    .on(['findmnt'], { stdout: snapFixture('findmnt.json') })
    .on(['udevadm'], {});
}

function io(r: FakeRunner) {
  const out: string[] = [];
  return { out, io: { runner: r, stdout: (s: string) => void out.push(s), stderr: () => {}, pid: 42 } };
}

const cli = { auditLog: '/log/a.jsonl', lockFile: '/run/lock/j.lock' };

test('restore --offline --dry-run: lists umount, merge and mount again, runs nothing, writes no audit file, takes no lock', async () => {
  const r = lvmRunner();
  const { out, io: cio } = io(r);
  const code = await snapshotCommand('restore', { ...cli, dryRun: true }, cio, (fio, dl) => flows.restoreFlow(SNAP, { offline: true }, fio, dl));
  assert.equal(code, 0);
  const text = out.join('');
  assert.match(text, /dry run: these steps would run, none ran/);
  assert.match(text, /\[1\/3\] umount \/mnt\/pg/);
  assert.match(text, /\[2\/3\] lvconvert --merge --interval 1 vg_t\/lv_pg\.snap\.databases/);
  assert.match(text, /\[3\/3\] mount -t \S+ -o \S+ \/dev\/vg_t\/lv_pg \/mnt\/pg/);
  assert.equal(r.mutatingCalls.length, 0);
  assert.equal(r.files.has('/log/a.jsonl'), false);
  assert.equal(r.files.has('/run/lock/j.lock'), false);
});

test('restore --offline: every change is an audited command of the snapshot restore run, under the lock', async () => {
  const r = lvmRunner().on(['umount'], {}).on(['mount'], {}).on(['lvchange'], {}).on(['lvconvert', '--startpoll'], {});
  let lockSeen = '';
  r.on(['lvconvert', '--merge'], () => {
    lockSeen = r.files.get('/run/lock/j.lock') ?? '';
    r.on(['lvs'], { stdout: snapFixture('lvs-after-merge.json') });
    return {};
  });
  const { io: cio } = io(r);
  const code = await snapshotCommand('restore', cli, cio, (fio, dl) => flows.restoreFlow(SNAP, { offline: true }, fio, dl));
  assert.equal(code, 0);
  assert.match(lockSeen, /"command":"jts-storage snapshot restore"/);
  const recs = parseAuditLog(r.files.get('/log/a.jsonl')!);
  assert.equal(recs[0]!.event, 'start');
  assert.equal(recs[0]!.command, 'snapshot restore');
  const changes = recs.filter((x) => x.event === 'command' && x.mutating).map((x) => x.argv!.join(' '));
  assert.match(changes[0]!, /^umount \/mnt\/pg$/);
  assert.ok(changes.includes(`lvconvert --merge --interval 1 ${SNAP}`));
  assert.match(changes.at(-1)!, /^mount .* \/mnt\/pg$/);
  assert.ok(recs.filter((x) => x.event === 'command' && x.mutating).every((x) => x.actionId?.startsWith('snapshot:')));
  assert.equal(recs.at(-1)!.event, 'end');
  assert.equal(r.files.has('/run/lock/j.lock'), false);
});

test('snapshot prune while another run holds the lock: refused naming it, nothing read or run', async () => {
  const r = lvmRunner();
  r.files.set('/run/lock/j.lock', JSON.stringify({ pid: 77, command: 'jts-storage apply', started: '2026-11-21T11:59:00.000Z' }));
  r.dirs.add('/proc/77');
  const { io: cio } = io(r);
  await assert.rejects(
    snapshotCommand('prune', cli, cio, (fio) => flows.pruneFlow({}, fio)),
    (e: unknown) => e instanceof LockHeldError && /pid 77 \(jts-storage apply, started 2026-11-21T11:59:00.000Z\)/.test((e as Error).message),
  );
  assert.equal(r.calls.length, 0);
  assert.equal(parseAuditLog(r.files.get('/log/a.jsonl')!)[0]!.event, 'refused');
});
