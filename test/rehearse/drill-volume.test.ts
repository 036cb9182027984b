import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drillVolumeOf, DEFAULT_STEPS } from '../../src/rehearse/steps.js';
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
