import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { acquireLock, LockHeldError } from '../../src/exec/lock.js';

test('second holder fails at once naming the first; release frees it', async () => {
  const f = new FakeRunner();
  f.dirs.add('/proc/100');
  const a = await acquireLock(f, { path: '/run/lock/j.lock', pid: 100, command: 'apply' });
  await assert.rejects(acquireLock(f, { path: '/run/lock/j.lock', pid: 200, command: 'apply' }), (e: unknown) => {
    assert.ok(e instanceof LockHeldError);
    assert.match((e as Error).message, /pid 100 \(apply, started/);
    return true;
  });
  await a.release();
  const b = await acquireLock(f, { path: '/run/lock/j.lock', pid: 200, command: 'apply' });
  assert.equal(b.tookOverFrom, undefined);
});

test('a stale lock of a dead pid is taken over', async () => {
  const f = new FakeRunner({ files: { '/run/lock/j.lock': JSON.stringify({ pid: 4242, command: 'apply', started: 'x' }) } });
  const b = await acquireLock(f, { path: '/run/lock/j.lock', pid: 200, command: 'apply' });
  assert.equal(b.tookOverFrom?.pid, 4242);
  assert.match(f.files.get('/run/lock/j.lock')!, /"pid":200/);
  assert.equal(f.files.has('/run/lock/j.lock.stale.200'), false);
});
