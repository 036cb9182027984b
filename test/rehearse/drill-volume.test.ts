import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drillVolumeOf, DEFAULT_STEPS, keyFigures, planVars, workloadVolumeOf } from '../../src/rehearse/steps.js';
import { loadPlanFile, DEFAULT_PLAN_PATH, loadPlanText } from '../../src/model/load-plan.js';

test('the rehearsal drills the smallest mounted ext4/XFS volume of the plan', async () => {
  const { plan } = await loadPlanFile(DEFAULT_PLAN_PATH);
  assert.equal(drillVolumeOf(plan), 'vg_jts/lv_redis');
  assert.ok(DEFAULT_STEPS.some((s) => s.argv.includes('{drillVolume}')));
});

test('a plan without a mounted volume gives no drill volume', () => {
  const { plan } = loadPlanText(
    ['version: 1', 'drives: [{id: d0, serial: S0}]', 'volumeGroups: [{name: vg0, drives: [d0]}]', 'volumes: [{name: raw, vg: vg0, size: 1GiB, filesystem: {type: none}}]'].join('\n'),
    'inline.yaml',
  );
  assert.equal(drillVolumeOf(plan), undefined);
});

test('the database drills of the rehearsal run on the default plan\'s PostgreSQL and Redis volumes; their counts are key figures', async () => {
  const { plan } = await loadPlanFile(DEFAULT_PLAN_PATH);
  assert.deepEqual(planVars(plan), { drillVolume: 'vg_jts/lv_redis', postgresqlVolume: 'vg_jts/lv_postgres', redisVolume: 'vg_jts/lv_redis' });
  assert.equal(workloadVolumeOf(plan, 'postgresql'), 'vg_jts/lv_postgres');
  for (const db of ['postgresql', 'redis']) assert.ok(DEFAULT_STEPS.some((s) => s.name === `database drill ${db}` && s.argv.includes('--database') && s.argv.includes(db)));
  assert.equal(
    keyFigures('database drill postgresql', { committedBefore: 11, presentBefore: 11, lost: 0, writtenAfter: 6, presentAfter: 0 }),
    'committed before 11, present 11, lost 0; written after 6, present 0',
  );
});
