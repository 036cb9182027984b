import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from '../src/cli.js';

test("--help lists every command", async () => {
  const help = (await buildProgram()).helpInformation();
  for (const c of ['plan', 'apply', 'verify', 'rehearse', 'sandbox', 'tune', 'render', 'health', 'snapshot', 'bench', 'report']) {
    assert.match(help, new RegExp(`\\b${c}\\b`), c);
  }
});

test('a named command loads alone and keeps its options', async () => {
  const p = await buildProgram('plan');
  assert.deepEqual(p.commands.map((c) => c.name()), ['plan']);
  assert.ok(p.commands[0]!.options.some((o) => o.long === '--json'));
});
