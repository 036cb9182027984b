import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootNeededFor, runCommandLine } from '../../src/cli.js';
import { planCommand } from '../../src/commands/plan.js';
import { FileError, fileOp } from '../../src/core/file-error.js';
import type { CommandIo } from '../../src/ui/io.js';
import { FakeRunner } from '../support/fake-runner.js';
import { readRepo } from '../diff/helpers.js';
import { fixtureResults } from '../report/fixture-results.js';

/**
 * issue 17: every file error is one line (`error: cannot write F: reason`), exit 1, no stack trace; a
 * computed plan is never lost (printed when it cannot be saved); root checked once, up front;
 * offline plans say what they are, and apply refuses them with the same words.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PLAN = path.join(ROOT, 'plans/jts.yaml');
const DRIVES = path.join(ROOT, 'examples/drives/4tb-nvme.yaml');

function captured(extra: Partial<CommandIo> = {}) {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: { NO_COLOR: '1' }, uid: 0, ...extra };
  return { io, out: () => out, err: () => err };
}

async function run(argv: string[], extra: Partial<CommandIo> = {}) {
  const c = captured(extra);
  const code = await runCommandLine(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

function oneErrorLine(err: string, re: RegExp): void {
  const lines = err.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line, got:\n${err}`);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(err, /\n\s+at |Node\.js v|EISDIR|ENOENT/, 'no stack trace, no raw errno');
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'jts-file-errors-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('plan --out into a directory that does not exist: one line, exit 1, and the plan is printed, not lost', async () => {
  const out = path.join(tmp, 'no-such-dir', 'p.json');
  const r = await run(['plan', '--plan', PLAN, '--drives', DRIVES, '--out', out]);
  assert.equal(r.code, 1);
  oneErrorLine(r.err, new RegExp(`^error: cannot write ${out.replace(/[.]/g, '\\.')}: its directory does not exist`));
  assert.match(r.out, /^Plan: 57 to create, 0 to change, 0 to replace, 0 to destroy\.$/m);
});

test('plan --out into an unwritable directory (EACCES): one line, exit 1, the plan printed', async () => {
  const runner = new FakeRunner();
  runner.files.set('plans/jts.yaml', readRepo('plans/jts.yaml'));
  runner.files.set('d.yaml', readRepo('examples/drives/4tb-nvme.yaml'));
  const eacces = (p: string) => Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES', syscall: 'open', path: p });
  runner.writeFileAtomic = (p: string) => fileOp('write', p, () => Promise.reject(eacces(p)));
  const c = captured();
  const code = await planCommand({ plan: 'plans/jts.yaml', drives: 'd.yaml', out: '/srv/ro/p.json', color: false }, { ...c.io, runner });
  assert.equal(code, 1);
  oneErrorLine(c.err(), /^error: cannot write \/srv\/ro\/p\.json: permission denied/);
  assert.match(c.out(), /lvcreate -l 143052 -n lv_kafka/);
});

test('a directory given as a file: plan --plan DIR, plan --drives DIR, apply DIR, report --results DIR', async () => {
  for (const argv of [
    ['plan', '--plan', tmp, '--drives', DRIVES],
    ['plan', '--plan', PLAN, '--drives', tmp],
    ['report', '--results', tmp, '--out', path.join(tmp, 'r.html')],
  ]) {
    const r = await run(argv);
    assert.equal(r.code, 1, argv.join(' '));
    oneErrorLine(r.err, new RegExp(`^error: cannot read ${tmp}: it is a directory, not a file$`));
  }
  const a = await run(['apply', tmp]);
  assert.equal(a.code, 1);
  oneErrorLine(a.err, /^error: cannot read saved plan \S+: it is a directory, not a file$/);
});

test('a missing file: one line naming it', async () => {
  const missing = path.join(tmp, 'missing.yaml');
  const r = await run(['plan', '--plan', missing, '--drives', DRIVES]);
  assert.equal(r.code, 1);
  oneErrorLine(r.err, new RegExp(`^error: cannot read ${missing.replace(/[.]/g, '\\.')}: no such file or directory$`));
  const a = await run(['apply', missing]);
  oneErrorLine(a.err, /^error: cannot read saved plan \S+missing\.yaml: no such file or directory$/);
  const p = await run(['apply', PLAN]);
  oneErrorLine(p.err, /is not a saved plan .*use `apply --plan /);
});

test('report --out into a directory that does not exist: one line, exit 1', async () => {
  const results = path.join(tmp, 'results.json');
  writeFileSync(results, JSON.stringify(await fixtureResults()));
  const out = path.join(tmp, 'nope', 'r.html');
  const r = await run(['report', '--results', results, '--out', out]);
  assert.equal(r.code, 1);
  oneErrorLine(r.err, /^error: cannot write \S+\/nope\/r\.html: its directory does not exist$/);
});

test('FileError keeps the errno code (callers testing e.code still work)', async () => {
  await assert.rejects(
    fileOp('read', '/x', () => Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT', syscall: 'open', path: '/x' }))),
    (e: unknown) => e instanceof FileError && e.code === 'ENOENT' && e.message === 'cannot read /x: no such file or directory',
  );
});

test('root checked once, up front: one line for a non-root run of a command that needs it; offline planning does not', async () => {
  const r = await run(['plan', '--plan', PLAN], { uid: 1000 });
  assert.equal(r.code, 1);
  oneErrorLine(r.err, /^error: jts-storage plan needs root: .*--drives FILE/);
  for (const argv of [['apply'], ['verify'], ['health'], ['snapshot', 'list'], ['tune', 'status'], ['bench']]) assert.ok(rootNeededFor(argv), argv.join(' '));
  for (const argv of [['plan', '--drives', 'd.yaml'], ['render', 'fstab', '--drives', 'd.yaml'], ['report'], ['bench', '--list-profiles'], ['apply', '--help'], ['sandbox']]) assert.equal(rootNeededFor(argv), undefined, argv.join(' '));
  const ok = await run(['plan', '--plan', PLAN, '--drives', DRIVES, '--json'], { uid: 1000 });
  assert.equal(ok.code, 2);
});

test('an offline plan saved with --out says "offline: for review, cannot be applied"; apply refuses it with that message', async () => {
  const saved = path.join(tmp, 'offline.json');
  const p = await run(['plan', '--plan', PLAN, '--drives', DRIVES, '--out', saved]);
  assert.equal(p.code, 2);
  assert.match(p.out.replace(/\n/g, ' '), /Saved the plan to \S+offline\.json: offline: for review, cannot be applied\./);
  assert.doesNotMatch(p.out, /runs exactly these actions/);
  const j = JSON.parse(readFileSync(saved, 'utf8'));
  assert.match(j.note, /^offline: for review, cannot be applied/);
  assert.equal(j.stateSource, 'described');
  const a = await run(['apply', saved]);
  assert.equal(a.code, 1);
  oneErrorLine(a.err, /^error: \S+offline\.json: offline: for review, cannot be applied \(/);
});
