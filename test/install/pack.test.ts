import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * issue 17: `npm pack` gives an installable package. The tarball is packed from this checkout (dist/ is
 * already built by the test run, so `--ignore-scripts` skips prepack's rebuild; prepack itself is
 * checked in package.json), installed with `npm install -g --prefix TMP` (its dependencies from the
 * npm registry), and `jts-storage --help` runs from another directory through the bin link; the
 * systemd units it renders call the installed launcher, not this checkout.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('package.json: bin, files (dist/src, plans, schema), prepack builds', () => {
  assert.equal(pkg.bin['jts-storage'], 'bin/jts-storage.js');
  for (const f of ['bin/', 'dist/src/', 'plans/', 'schema/', 'examples/']) assert.ok(pkg.files.includes(f), f);
  assert.match(pkg.scripts.prepack, /npm run build/);
});

test('npm pack → npm install -g --prefix TMP → jts-storage --help from another directory; units call the installed launcher', { timeout: 600_000 }, (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jts-pack-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true })); // the tarball and a whole npm prefix
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp, ROOT], { encoding: 'utf8', cwd: tmp });
  assert.equal(pack.status, 0, pack.stderr);
  const tgz = readdirSync(tmp).find((f) => /^jts-storage-.*\.tgz$/.test(f));
  assert.ok(tgz, 'a jts-storage-*.tgz');
  const list = spawnSync('tar', ['-tzf', path.join(tmp, tgz)], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(list.includes('package/dist/src/cli.js') && list.includes('package/plans/jts.yaml'));
  assert.ok(!list.some((f) => f.startsWith('package/dist/test/') || f.startsWith('package/test/')), 'no tests in the package');
  const prefix = path.join(tmp, 'prefix');
  const inst = spawnSync('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, `./${tgz}`], { encoding: 'utf8', cwd: tmp });
  assert.equal(inst.status, 0, inst.stderr);
  const bin = path.join(prefix, 'bin', 'jts-storage');
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'jts-elsewhere-'));
  t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
  const help = spawnSync(bin, ['--help'], { encoding: 'utf8', cwd: elsewhere });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: jts-storage /);
  const installed = realpathSync(bin);
  assert.ok(installed.startsWith(realpathSync(prefix)), `${installed} inside the prefix`);
  const drives = path.join(prefix, 'lib/node_modules/jts-storage/examples/drives/4tb-nvme.yaml');
  const units = spawnSync(bin, ['render', 'systemd', '--drives', drives], { encoding: 'utf8', cwd: elsewhere });
  assert.equal(units.status, 0, units.stderr);
  const exec = units.stdout.split('\n').filter((l) => l.startsWith('ExecStart='));
  assert.ok(exec.length > 0);
  for (const l of exec) assert.ok(l.includes(` ${installed} `), `${l} runs the installed ${installed}`);
  assert.ok(!units.stdout.includes(ROOT + '/bin/'), 'not this checkout');
});
