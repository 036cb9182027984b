/**
 * SpawnRunner (health's Runner without execa): the contract ExecRunner keeps, on harmless host
 * commands (sh, cat, sleep). No lvm here: the host has no device-mapper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpawnRunner } from '../../src/health/spawn-runner.js';
import { ok } from '../../src/core/runner.js';

const r = new SpawnRunner();

test('exit code, stdout and stderr of an argv (no shell in between)', async () => {
  const res = await r.run(['sh', '-c', 'printf "a b\\n"; printf "oops\\n" >&2; exit 3']);
  assert.equal(res.exitCode, 3);
  assert.equal(res.stdout, 'a b\n');
  assert.equal(res.stderr, 'oops\n');
  assert.deepEqual(res.argv, ['sh', '-c', 'printf "a b\\n"; printf "oops\\n" >&2; exit 3']);
  assert.equal(res.notFound, undefined);
  assert.equal(ok(res), false);
  // An argument with shell metacharacters arrives as one word.
  const w = await r.run(['printf', '%s', '$(echo no); `x` "q"']);
  assert.equal(w.stdout, '$(echo no); `x` "q"');
  assert.ok(ok(w));
});

test('a program that is not installed: notFound, exit 127, no throw', async () => {
  const res = await r.run(['jts-no-such-tool-xyz', '--version']);
  assert.equal(res.notFound, true);
  assert.equal(res.exitCode, 127);
  assert.equal(ok(res), false);
});

test('timeout: timedOut, exit 124, the child killed', async () => {
  const res = await r.run(['sleep', '30'], { timeoutMs: 200 });
  assert.equal(res.timedOut, true);
  assert.equal(res.exitCode, 124);
});

test('input on stdin, environment merged over the process environment, cwd', async () => {
  assert.equal((await r.run(['cat'], { input: 'line 1\nline 2\n' })).stdout, 'line 1\nline 2\n');
  const env = await r.run(['sh', '-c', 'printf "%s %s" "$JTS_T" "${PATH:+path-kept}"'], { env: { JTS_T: 'x' } });
  assert.equal(env.stdout, 'x path-kept');
  assert.equal((await r.run(['pwd'], { cwd: '/' })).stdout, '/\n');
});

test('killed by a signal: 128 + signal number; onOutput sees the chunks', async () => {
  const chunks: string[] = [];
  const res = await r.run(['sh', '-c', 'echo before; kill -TERM $$'], { onOutput: (c, s) => chunks.push(`${s}:${c}`) });
  assert.equal(res.exitCode, 143);
  assert.deepEqual(chunks, ['stdout:before\n']);
});

test('files: atomic write leaves no temp file, statfs of / has sane figures', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jts-spawn-runner-'));
  try {
    const p = join(dir, 'x.prom');
    await r.writeFileAtomic(p, 'a 1\n', { mode: 0o644 });
    await r.writeFileAtomic(p, 'a 2\n', { mode: 0o644 });
    assert.equal(readFileSync(p, 'utf8'), 'a 2\n');
    assert.deepEqual(readdirSync(dir), ['x.prom']);
    assert.equal(await r.readFileIfExists(join(dir, 'none')), undefined);
    assert.equal(await r.exists(p), true);
    const s = await r.statfs('/');
    assert.ok(s.totalBytes > 0 && s.availBytes <= s.freeBytes && s.freeBytes <= s.totalBytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
