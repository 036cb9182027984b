import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one-file bundle (scripts/bundle.mjs, part of `npm run build`) runs the same CLI as the compiled
 * modules: same output and exit code for the default plan offline and for a bad plan, and the launcher
 * picks it only when it is not older than dist/src/cli.js. A checkout built with `tsc` alone has no
 * current bundle: the comparison is skipped there, never in CI.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLE = path.join(ROOT, 'dist/bundle/cli/jts-storage.mjs');
const CLI = path.join(ROOT, 'dist/src/cli.js');
const mtime = (f: string) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const current = mtime(BUNDLE) >= mtime(CLI);

function run(args: string[], bundle: boolean) {
  const env = { ...process.env, LC_ALL: 'C', NO_COLOR: '1', COLUMNS: '80', JTS_STORAGE_NO_BUNDLE: bundle ? '0' : '1' };
  const argv = bundle ? [BUNDLE, ...args] : [path.join(ROOT, 'bin/jts-storage.js'), ...args];
  return spawnSync(process.execPath, argv, { cwd: ROOT, env, encoding: 'utf8' });
}

for (const [name, args] of [
  ['the default plan offline', ['plan', '--plan', 'plans/jts.yaml', '--drives', 'examples/drives/4tb-nvme.yaml']],
  ['a bad plan (exit code and diagnostics)', ['plan', '--plan', 'test/fixtures/hostile/h09-cifs-credentials-newline.yaml', '--drives', 'test/fixtures/hostile/drives-one-nvme.yaml']],
  ['--version', ['--version']],
] as const) {
  test(`bundle and modules agree: ${name}`, (t) => {
    if (!current && !process.env['CI']) return t.skip('no current bundle (built with tsc alone): npm run build');
    assert.ok(current, 'npm run build writes a bundle not older than dist/src/cli.js');
    const a = run([...args], false);
    const b = run([...args], true);
    assert.equal(b.status, a.status, b.stderr);
    assert.equal(b.stdout, a.stdout);
    assert.equal(b.stderr, a.stderr);
  });
}
