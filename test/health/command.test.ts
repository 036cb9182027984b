import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const cli = (...args: string[]) => spawnSync(process.execPath, [resolve(ROOT, 'bin/jts-storage.js'), 'health', ...args], { encoding: 'utf8', timeout: 60_000 });

// These stop before any tool runs (no lvm on the host).
test('bad --format: UNKNOWN (exit 3), as a monitoring plugin reports its own usage errors', () => {
  const r = cli('--format', 'xml');
  assert.equal(r.status, 3);
  assert.match(r.stderr, /table, json or prometheus/);
});

test('unreadable plan: exit 3 with a Nagios line on stdout and the reason on stderr', () => {
  const r = cli('--plan', '/nonexistent/plan.yaml');
  assert.equal(r.status, 3);
  assert.match(r.stdout, /^JTS-STORAGE UNKNOWN - plan \/nonexistent\/plan.yaml unreadable/);
  assert.ok(r.stderr.length > 0);
});

test('--help documents the exit codes', () => {
  const r = cli('--help');
  assert.match(r.stdout.replace(/\s+/g, " "), /exit 0 ok, 1 warning, 2 critical, 3 unknown/);
  assert.match(r.stdout, /--textfile-dir/);
});
