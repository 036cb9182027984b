import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from '../src/cli.js';

test('--help lists every command', () => {
  const help = buildProgram().helpInformation();
  for (const c of ['plan', 'apply', 'verify', 'rehearse', 'sandbox', 'tune', 'render', 'health', 'snapshot', 'bench', 'report']) {
    assert.match(help, new RegExp(`\\b${c}\\b`), c);
  }
});
