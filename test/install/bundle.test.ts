import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { proveGuestScript } from '../../src/prove/prove.js';

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
const PROVE_BUNDLE = path.join(ROOT, 'dist/bundle/prove/prove-guest.mjs');
const PROVE_MODULE = path.join(ROOT, 'dist/src/prove/prove-guest.js');

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

// apply's proof worker (src/prove/prove-guest.ts) has its own bundle beside the CLI's, which the CLI bundle runs
// (src/prove/prove.ts proveGuestScript): both workers, given no case, report the same kernel and no outcome.
test('bundle and modules agree: the prove worker', (t) => {
  assert.equal(proveGuestScript(), PROVE_MODULE, 'the modules run the module worker');
  if (!current && !process.env['CI']) return t.skip('no current bundle (built with tsc alone): npm run build');
  assert.ok(mtime(PROVE_BUNDLE) >= mtime(PROVE_MODULE), 'npm run build writes the prove worker bundle too');
  const dir = mkdtempSync(path.join(tmpdir(), 'jts-prove-bundle-'));
  try {
    writeFileSync(path.join(dir, 'in.json'), JSON.stringify({ dir, cases: [] }));
    const outs = [PROVE_MODULE, PROVE_BUNDLE].map((script, i) => {
      const out = path.join(dir, `out-${i}.json`);
      const r = spawnSync(process.execPath, [script, path.join(dir, 'in.json'), out], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(out, 'utf8');
    });
    assert.equal(outs[1], outs[0]);
    assert.match(outs[0]!, /"outcomes":\[\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Modules the CLI loads on demand must be in the bundle: `report --plan` on results without health runs the
// health module then (src/report/health.ts). Its computed import specifier once left it out of the bundle, and
// bench's results said "not part of this build" (bench.vm caught it, 2026-12-01).
test('bundle and modules agree: the health module loaded on demand (report --plan)', (t) => {
  if (!current && !process.env['CI']) return t.skip('no current bundle (built with tsc alone): npm run build');
  const dir = mkdtempSync(path.join(tmpdir(), 'jts-bundle-health-'));
  try {
    const results = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/report/rehearse-1947.bench.json'), 'utf8'));
    delete results.health;
    writeFileSync(path.join(dir, 'r.json'), JSON.stringify(results));
    for (const bundle of [false, true]) {
      const out = path.join(dir, `${bundle}.html`);
      const r = run(['report', '--results', path.join(dir, 'r.json'), '--plan', 'plans/jts.yaml', '--out', out, '--json'], bundle);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(readFileSync(out, 'utf8'), /not part of this build|has no runHealth/, `bundle: ${bundle}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
