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

test('with a wait: polls until the holder releases, then takes the lock', async () => {
  const f = new FakeRunner();
  f.dirs.add('/proc/100');
  await acquireLock(f, { path: '/run/lock/j.lock', pid: 100, command: 'jts-storage apply' });
  let waitedFor: number | undefined;
  let polls = 0;
  const b = await acquireLock(f, {
    path: '/run/lock/j.lock',
    pid: 200,
    command: 'jts-storage snapshot create',
    waitMs: 10_000,
    onWait: (h) => (waitedFor = h.pid),
    sleep: async (ms) => {
      polls++;
      f.clock = new Date(f.clock.getTime() + ms);
      if (polls === 3) f.dirs.delete('/proc/100'); // the apply ends (its pid is gone)
    },
  });
  assert.equal(waitedFor, 100);
  assert.equal(polls, 3);
  assert.match(f.files.get('/run/lock/j.lock')!, /"pid":200/);
  await b.release();
});

test('with a wait that runs out: refused naming the holder and how long it waited', async () => {
  const f = new FakeRunner();
  f.dirs.add('/proc/100');
  await acquireLock(f, { path: '/run/lock/j.lock', pid: 100, command: 'jts-storage apply' });
  let slept = 0;
  await assert.rejects(
    acquireLock(f, {
      path: '/run/lock/j.lock',
      pid: 200,
      command: 'x',
      waitMs: 2_000,
      sleep: async (ms) => {
        slept += ms;
        f.clock = new Date(f.clock.getTime() + ms);
      },
    }),
    (e: unknown) => {
      assert.ok(e instanceof LockHeldError);
      assert.match((e as Error).message, /pid 100 \(jts-storage apply, started .*\); waited 2 s/);
      return true;
    },
  );
  assert.equal(slept, 2_000);
});

test('without a wait the message says how to wait', async () => {
  const f = new FakeRunner();
  f.dirs.add('/proc/100');
  await acquireLock(f, { path: '/run/lock/j.lock', pid: 100, command: 'jts-storage apply' });
  await assert.rejects(acquireLock(f, { path: '/run/lock/j.lock', pid: 200, command: 'x' }), /--lock-timeout/);
});
