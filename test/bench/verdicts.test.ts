import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkProfile, failedChecks, judgedChecks } from '../../src/bench/verdicts.js';
import { getProfile } from '../../src/bench/profiles.js';
import { benchStepProblem } from '../../src/bench/rehearse-steps.js';

const stat = (median: number) => ({ n: 1, median, min: median, max: median, mean: median, spreadPct: 0 });

test('checks on an emulated drive keep their value and pass/fail but are not judged: failedChecks and the rehearsal step ignore them', () => {
  const p = getProfile('rand4k-qd1-write')!;
  const summary = { 'write.clat_p99_us': stat(1800) } as never;
  const real = checkProfile(p, summary, false)!;
  const emu = checkProfile(p, summary, true)!;
  assert.equal(real[0]!.pass, false);
  assert.equal(real[0]!.notJudged, undefined);
  assert.equal(emu[0]!.pass, false);
  assert.match(emu[0]!.notJudged!, /emulated/);
  const run = (checks: typeof real) => ({ results: [{ target: 'lv_system', profile: p.name, runs: [], summary, argv: [], checks }] });
  assert.equal(failedChecks(run(real)).length, 1);
  assert.equal(failedChecks(run(emu)).length, 0);
  assert.deepEqual(judgedChecks(run(emu)), { pass: 0, fail: 0, notJudged: 1 });
  assert.match(benchStepProblem(run(real))!, /^1 check failed: lv_system rand4k-qd1-write/);
  assert.equal(benchStepProblem(run(emu)), undefined);
  assert.equal(benchStepProblem({}), 'no results in the bench output');
});
