import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { AuditLog, AuditingRunner, parseAuditLog, summarizeRuns } from '../../src/exec/audit.js';
import { Executor, dryRunLines } from '../../src/exec/executor.js';
import { LineProgress, MkfsPhase } from '../../src/exec/progress.js';
import type { Action } from '../../src/model/actions.js';

function setup() {
  const fake = new FakeRunner({ files: { '/etc/fstab': 'UUID=1 / ext4 defaults 0 1\n' } });
  fake.dirs.add('/etc');
  const audit = new AuditLog(fake, '/var/log/jts-storage/audit.jsonl', 'r1');
  const runner = new AuditingRunner(fake, audit);
  return { fake, audit, runner };
}

const actions: Action[] = [
  { id: 'pv:a:create', kind: 'create', resource: 'pv /dev/nvme0n1', summary: 'pvcreate', dependsOn: [], steps: [{ type: 'exec', argv: ['pvcreate', '--dataalignment', '4m', '/dev/nvme0n1'], mutating: true }] },
  { id: 'dir:x:create', kind: 'create', resource: 'dir /srv/x', summary: 'mkdir', dependsOn: [], steps: [{ type: 'mkdir', path: '/srv/x', mode: 0o750 }] },
  {
    id: 'fstab:change', kind: 'change', resource: 'fstab', summary: 'fstab block', dependsOn: [],
    steps: [{ type: 'write-file', path: '/etc/fstab', content: 'NEW\n', backup: true, verifyArgv: ['findmnt', '--verify', '--tab-file', '{file}'] }],
  },
];

test('runs steps in order, audits every command and file step, backs up and replaces fstab', async () => {
  const { fake, audit, runner } = setup();
  fake.on(['pvcreate'], { stdout: 'Physical volume "/dev/nvme0n1" successfully created.\n' });
  fake.on(['findmnt'], { stdout: 'Success, no errors or warnings detected\n' });
  fake.files.set('/etc/.fstab.jts-tmp-999', 'left by a killed run');
  await audit.open();
  const r = await new Executor({ runner, audit }).run(actions);
  assert.equal(r.ok, true);
  assert.equal(r.actionsDone, 3);
  assert.equal(r.mutating, 3);
  assert.equal(fake.files.get('/etc/fstab'), 'NEW\n');
  assert.equal(fake.files.get('/etc/fstab.jts-storage.20261121T120000Z'), 'UUID=1 / ext4 defaults 0 1\n');
  assert.equal(fake.files.has('/etc/.fstab.jts-tmp-999'), false);
  assert.equal(fake.files.has('/etc/.fstab.jts-storage-check'), false);
  // findmnt ran on the candidate, not on /etc/fstab
  const fm = fake.calls.find((c) => c.argv[0] === 'findmnt')!;
  assert.deepEqual(fm.argv, ['findmnt', '--verify', '--tab-file', '/etc/.fstab.jts-storage-check']);
  const recs = parseAuditLog(fake.files.get('/var/log/jts-storage/audit.jsonl')!);
  assert.deepEqual(recs.map((x) => x.event), ['command', 'mkdir', 'command', 'write-file']);
  assert.equal(recs[0]!.actionId, 'pv:a:create');
  assert.equal(recs[0]!.mutating, true);
  assert.equal(recs[2]!.mutating, false);
  assert.equal(summarizeRuns(recs).get('r1')!.mutating, 3);
});

test('a failed fstab check leaves the old file untouched and fails with findmnt\'s message', async () => {
  const { fake, audit, runner } = setup();
  fake.on(['pvcreate'], {});
  fake.on(['findmnt'], { exitCode: 1, stdout: '/var/lib/kafka\n   [E] unreachable on boot required target: unknown filesystem type \'xfz\'\n' });
  const r = await new Executor({ runner, audit }).run(actions);
  assert.equal(r.ok, false);
  assert.equal(r.actionsDone, 2);
  assert.equal(fake.files.get('/etc/fstab'), 'UUID=1 / ext4 defaults 0 1\n');
  assert.match(r.failure!.message, /failed its check/);
  assert.match(r.failure!.message, /xfz/);
  assert.equal([...fake.files.keys()].filter((k) => k.startsWith('/etc/fstab.jts-storage')).length, 0);
});

test('stops at the first failure with command, exit code and stderr tail', async () => {
  const { fake, audit, runner } = setup();
  fake.on(['pvcreate'], { exitCode: 5, stderr: 'line1\n  Cannot use /dev/nvme0n1: device is partitioned\n' });
  const r = await new Executor({ runner, audit }).run(actions);
  assert.equal(r.ok, false);
  assert.equal(r.actionsDone, 0);
  assert.equal(r.failure!.actionId, 'pv:a:create');
  assert.match(r.failure!.message, /pvcreate --dataalignment 4m \/dev\/nvme0n1 failed with exit code 5/);
  assert.match(r.failure!.message, /device is partitioned/);
  assert.equal(fake.calls.length, 1);
});

test('re-running converges: existing dir and already written file are not mutated again', async () => {
  const { fake, audit, runner } = setup();
  fake.files.set('/etc/fstab', 'NEW\n');
  fake.dirs.add('/srv/x');
  const r = await new Executor({ runner, audit }).run(actions.slice(1));
  assert.equal(r.ok, true);
  assert.equal(r.mutating, 0);
  assert.equal(fake.calls.length, 0);
});

test('crash hook fires after action k', async () => {
  const { fake, audit, runner } = setup();
  fake.on(['pvcreate'], {});
  let crashed = 0;
  await assert.rejects(
    new Executor({ runner, audit, crashAfterAction: 1, crash: () => { crashed++; throw new Error('killed'); } }).run(actions),
    /killed/,
  );
  assert.equal(crashed, 1);
  assert.equal(fake.calls.length, 1);
});

test('dry run lists exactly the steps', () => {
  const l = dryRunLines(actions);
  assert.equal(l.filter((x) => /^\[\d+\/3\]/.test(x)).length, 3);
  assert.ok(l.includes('[1/3] pvcreate --dataalignment 4m /dev/nvme0n1'));
  assert.ok(l.includes('    | NEW'));
});

test('progress: plain lines with mkfs phases', () => {
  const out: string[] = [];
  let t = 0;
  const p = new LineProgress((s) => out.push(s), () => t);
  p.stepStart(3, 9, actions[0]!, actions[0]!.steps[0]!);
  p.output('Creating filesystem with 262144 4k blocks\nAllocating group tables: done\nWriting inode tables:  1/8\b\b\b');
  t = 6000;
  p.output('2/8\b\b\b');
  p.stepEnd(3, 9, true, 6000);
  assert.match(out[0]!, /^\[3\/9\] pv \/dev\/nvme0n1: pvcreate/);
  assert.ok(out.some((l) => /Writing inode tables 2\/8 \(6\.0s\)/.test(l)), out.join(''));
  const m = new MkfsPhase();
  m.feed('Writing superblocks and filesystem accounting information: done\n');
  assert.equal(m.text(), 'Writing superblocks and filesystem accounting information');
});

test('busy time counts overlapping commands once', async () => {
  const { commandBusyMs } = await import('../../src/exec/audit.js');
  const r = (t: string, d: number) => ({ time: `2026-01-01T00:00:${t}Z`, run: 'x', event: 'command' as const, durationMs: d });
  assert.equal(commandBusyMs([r('00.000', 1000), r('00.500', 1000), r('05.000', 500)]), 2000);
});
