import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { runCommandLine } from '../../src/cli.js';
import { inProcessStep } from '../../src/commands/rehearse.js';
import type { CommandIo } from '../../src/ui/io.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function captured(): { io: CommandIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: { NO_COLOR: '1' } }, out: () => out, err: () => err };
}

test('a command line runs in-process with captured streams: plan --json gives its JSON and exit 2, nothing on process.stdout', async () => {
  const c = captured();
  const write = process.stdout.write;
  const code = await runCommandLine(['plan', '--plan', path.join(ROOT, 'plans/jts.yaml'), '--drives', path.join(ROOT, 'examples/drives/4tb-nvme.yaml'), '--json'], c.io);
  assert.equal(process.stdout.write, write, 'process.stdout.write is never swapped');
  assert.equal(code, 2);
  const j = JSON.parse(c.out());
  assert.ok(Array.isArray(j.actions) && j.actions.length > 0);
  assert.equal(j.exitCode, 2);
});

test('in-process: a UserError is one error line on the command\'s stderr and exit 1; a usage error exits 64', async () => {
  const c = captured();
  assert.equal(await runCommandLine(['render', 'bogus'], c.io), 1);
  assert.match(c.err(), /^error: render: unknown kind "bogus"/);
  const u = captured();
  assert.equal(await runCommandLine(['plan', '--bogus'], u.io), 64);
  assert.match(u.err(), /unknown option '--bogus'/);
  assert.equal(u.out(), '');
});

test('in-process: a command that still prints to the process streams is left to a child process (undefined)', async () => {
  const c = captured();
  assert.equal(await runCommandLine(['no-such-command'], c.io), undefined);
  const step = inProcessStep(async () => undefined);
  assert.equal(await step(['snapshot', 'list'], {}), undefined);
});

test('rehearse\'s in-process step: stdout captured, the step\'s env seen by the command', async () => {
  const seen: (string | undefined)[] = [];
  const step = inProcessStep(async (argv, io) => {
    seen.push(io.env?.JTS_STORAGE_REHEARSAL);
    io.stdout(`{"argv":${JSON.stringify(argv)}}\n`);
    return 0;
  });
  const r = await step(['verify', '--json'], { JTS_STORAGE_REHEARSAL: '1' });
  assert.deepEqual(seen, ['1']);
  assert.equal(r?.exitCode, 0);
  assert.deepEqual(JSON.parse(r!.stdout), { argv: ['verify', '--json'] });
  assert.equal(process.env.JTS_STORAGE_REHEARSAL, undefined, 'the process environment is not changed');
});
