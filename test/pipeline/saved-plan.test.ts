import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { runPlan } from '../../src/pipeline/plan-pipeline.js';
import { makeSavedPlan, readSavedPlan, writeSavedPlan } from '../../src/pipeline/saved-plan.js';
import { UserError } from '../../src/core/exit-codes.js';
import { readRepo } from '../diff/helpers.js';

async function saved() {
  const r = new FakeRunner({ files: { 'plan.yaml': readRepo('plans/jts.yaml'), '4tb.yaml': readRepo('examples/drives/4tb-nvme.yaml') } });
  const run = await runPlan({ runner: r, planFile: 'plan.yaml', drivesFile: '4tb.yaml' });
  return { r, run, s: makeSavedPlan(run, r.now()) };
}

test('saved plan round-trips and records plan and state hashes', async () => {
  const { r, run, s } = await saved();
  await writeSavedPlan(r, '/tmp/plan.json', s);
  const back = await readSavedPlan(r, '/tmp/plan.json');
  assert.deepEqual(back, JSON.parse(JSON.stringify(s)));
  assert.equal(back.stateHash, run.result.stateHash);
  assert.equal(back.planSha256, run.planSha256);
});

test('readSavedPlan: clear errors for missing, not JSON, other format, edited hash, bad step', async () => {
  const { r, s } = await saved();
  const rejects = async (content: string | undefined, re: RegExp) => {
    if (content === undefined) r.files.delete('/x.json');
    else r.files.set('/x.json', content);
    await assert.rejects(readSavedPlan(r, '/x.json'), (e: unknown) => e instanceof UserError && re.test((e as Error).message));
  };
  await rejects(undefined, /no such file/);
  await rejects('{not json', /invalid JSON/);
  await rejects(JSON.stringify({ ...s, formatVersion: 9 }), /format 9 is not supported/);
  await rejects(JSON.stringify({ ...s, stateHash: 'a'.repeat(64) }), /was edited/);
  const bad = structuredClone(s) as unknown as { result: { actions: { steps: unknown[] }[] } };
  bad.result.actions[0]!.steps[0] = { type: 'exec', argv: [] };
  await rejects(JSON.stringify(bad), /not a valid saved plan: result\.actions\.0\.steps\.0/);
});

test('an invalid plan cannot be saved', async () => {
  const r = new FakeRunner({ files: { 'plan.yaml': readRepo('plans/jts.yaml'), '2tb.yaml': readRepo('examples/drives/2tb-nvme.yaml') } });
  const run = await runPlan({ runner: r, planFile: 'plan.yaml', drivesFile: '2tb.yaml' });
  assert.throws(() => makeSavedPlan(run, r.now()), /not saved/);
});
