import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from '../../src/cli.js';
import { REHEARSE_BENCH_STEPS } from '../../src/bench/rehearse-steps.js';

test('the rehearse bench steps use only options bench and report have, and --json', async () => {
  const program = await buildProgram();
  for (const s of REHEARSE_BENCH_STEPS) {
    const cmd = program.commands.find((c) => c.name() === s.argv[0]);
    assert.ok(cmd, s.argv[0]);
    const longs = new Set(cmd!.options.map((o) => o.long));
    for (const a of s.argv.filter((x) => x.startsWith('--'))) assert.ok(longs.has(a), `${s.name}: ${a}`);
    assert.ok(s.argv.includes('--json'));
  }
  // The report reads what the bench saved.
  const saved = REHEARSE_BENCH_STEPS[0].argv[REHEARSE_BENCH_STEPS[0].argv.indexOf('--save') + 1];
  assert.equal(REHEARSE_BENCH_STEPS[1].argv[REHEARSE_BENCH_STEPS[1].argv.indexOf('--results') + 1], saved);
});
