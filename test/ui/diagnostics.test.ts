import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FakeRunner } from '../support/fake-runner.js';
import { planCommand } from '../../src/commands/plan.js';
import { readRepo, repoFile } from '../diff/helpers.js';
import { renderDiagnostics, tokenLength, triage } from '../../src/ui/diagnostics.js';
import { termWidth, wrap } from '../../src/ui/text.js';
import type { Finding } from '../../src/model/actions.js';

/**
 * Terminal output of an invalid plan captured at 80 columns (issue 17): golden files in
 * test/fixtures/diagnostics/. JTS_UPDATE_GOLDEN=1 rewrites them from the current output (review the diff).
 */
const OTHER_DRIVE = 'test/fixtures/diagnostics/other-drive.yaml';

function runner(): FakeRunner {
  const r = new FakeRunner();
  for (const f of ['plans/jts.yaml', 'examples/seed-literal.yaml', 'examples/drives/4tb-nvme.yaml', 'examples/drives/2tb-nvme.yaml', OTHER_DRIVE, 'test/fixtures/guest/jts-classic-plan.yaml']) r.files.set(f, readRepo(f));
  return r;
}

async function plan80(args: { plan?: string; drives: string }) {
  let out = '';
  let err = '';
  const code = await planCommand({ ...args, color: false }, { runner: runner(), stdout: (s) => (out += s), stderr: (s) => (err += s), env: { COLUMNS: '80' } });
  return { code, out, err };
}

function golden(name: string, actual: string): void {
  const file = repoFile(`test/fixtures/diagnostics/${name}`);
  if (process.env['JTS_UPDATE_GOLDEN'] === '1' || !existsSync(file)) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the golden file (JTS_UPDATE_GOLDEN=1 rewrites it)`);
}

function widest(text: string): number {
  return Math.max(...text.split('\n').map((l) => [...l].length));
}

for (const c of [
  { name: 'seed-literal.80.txt', args: { plan: 'examples/seed-literal.yaml', drives: 'examples/drives/4tb-nvme.yaml' } },
  { name: '2tb.80.txt', args: { plan: 'plans/jts.yaml', drives: 'examples/drives/2tb-nvme.yaml' } },
  { name: 'other-drive.80.txt', args: { plan: 'plans/jts.yaml', drives: OTHER_DRIVE } },
]) {
  test(`invalid plan at 80 columns (${c.name}): only diagnostics on stderr, each line ≤ 80 columns, golden file`, async () => {
    const r = await plan80(c.args);
    assert.equal(r.code, 1);
    assert.equal(r.out, '', 'no action list, no layout on stdout');
    assert.ok(widest(r.err) <= 80, `widest line ${widest(r.err)}`);
    assert.doesNotMatch(r.err, /will perform the following actions|Plan: \d+ to create/);
    golden(c.name, r.err);
  });
}

test('a drive that is not there: the root cause first, the reserve/capacity findings that follow from it left out', async () => {
  // The plan with classic snapshot policies (the default before its databases went thin): its reserve
  // check is the consequence a missing drive brings.
  const CLASSIC = 'test/fixtures/guest/jts-classic-plan.yaml';
  const r = await plan80({ plan: CLASSIC, drives: OTHER_DRIVE });
  assert.match(r.err, /Error: JTS-DRIVE-NOT-FOUND/);
  assert.doesNotMatch(r.err, /JTS-SNAPSHOT-RESERVE/, 'no false second error');
  assert.match(r.err, /1 more follows from it/);
  // --json keeps every finding (shape unchanged) and gains formatVersion.
  let out = '';
  await planCommand({ plan: CLASSIC, drives: OTHER_DRIVE, json: true }, { runner: runner(), stdout: (s) => (out += s), stderr: () => {} });
  const j = JSON.parse(out);
  assert.equal(j.formatVersion, 1);
  assert.ok(j.errors.some((e: Finding) => e.rule === 'JTS-SNAPSHOT-RESERVE'));
});

test('a plan drive absent from this host: the block suggests --drives', () => {
  const f: Finding = { rule: 'JTS-DRIVE-NOT-FOUND', severity: 'error', message: 'drive "nvme0" not found on this host: no drive has serial X', file: 'p.yaml', line: 2, col: 5, field: 'drives[0]' };
  const text = renderDiagnostics([f], { width: 80, color: false, sources: new Map([['p.yaml', 'drives:\n  - id: nvme0\n']]), offline: false });
  assert.match(text.replace(/\n│ /g, ' '), /jts-storage plan --drives FILE/);
  assert.match(text, /^│ {3}2: {3}- id: nvme0\n│ {10}\^{9}$/m);
});

test('triage: root causes first (files, drives, capacity), stable otherwise', () => {
  const f = (rule: string): Finding => ({ rule, severity: 'error', message: rule });
  const t = triage([f('JTS-NOFAIL'), f('JTS-CAPACITY'), f('JTS-DRIVE-NOT-FOUND'), f('JTS-SNAPSHOT-RESERVE'), f('DRIVES-SCHEMA')]);
  assert.deepEqual(t.shown.map((x) => x.rule), ['DRIVES-SCHEMA', 'JTS-DRIVE-NOT-FOUND', 'JTS-NOFAIL']);
  assert.deepEqual(t.suppressed.map((x) => x.finding.rule), ['JTS-CAPACITY', 'JTS-SNAPSHOT-RESERVE']);
});

test('the marked field: quoted string, flow list, plain scalar up to a comment', () => {
  assert.equal(tokenLength('  features: ["^has_journal", extent]', 13), 14);
  assert.equal(tokenLength('  options: [noatime, nofail]', 11), 17);
  assert.equal(tokenLength('    size: 10%   # the reserve', 10), 3);
});

test('width: COLUMNS, then the terminal, never under 80; wrap keeps words and indents', () => {
  assert.equal(termWidth({ env: {} }), 80);
  assert.equal(termWidth({ env: {}, columns: 132 }), 132);
  assert.equal(termWidth({ env: { COLUMNS: '100' }, columns: 132 }), 100);
  assert.equal(termWidth({ env: {}, columns: 40 }), 80);
  assert.deepEqual(wrap('aaa bbb ccc', 8, '  ', ''), ['aaa bbb', '  ccc']);
});

test('output fits 80 columns: a valid plan (findings, layout table, commands, file contents) and bench --list-profiles', async () => {
  let out = '';
  const code = await planCommand({ plan: 'plans/jts.yaml', drives: 'examples/drives/4tb-nvme.yaml', color: false }, { runner: runner(), stdout: (s) => (out += s), stderr: () => {}, env: { COLUMNS: '80' } });
  assert.equal(code, 2);
  assert.ok(widest(out) <= 80, `plan: widest line ${widest(out)}`);
  assert.match(out, /^\| pool_db +\| rest +\| +619373 \| +2419\.43 \| +\| \(thin pool\) +\|$/m, 'the layout table keeps its borders');
  assert.match(out, /^\| lv_clickhouse +\| 1500GB +\| in pool_db \| +1396\.98 \| ext4 \| \/var\/lib\/clickhouse \|$/m, 'a thin volume on one line');
  const { runCommandLine } = await import('../../src/cli.js');
  let list = '';
  assert.equal(await runCommandLine(['bench', '--list-profiles'], { stdout: (s) => void (list += s), stderr: () => {}, env: { COLUMNS: '80' } }), 0);
  assert.ok(widest(list) <= 80, `bench --list-profiles: widest line ${widest(list)}`);
});
