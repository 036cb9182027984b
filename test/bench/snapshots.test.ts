import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PlanSchema } from '../../src/model/plan-schema.js';
import { checkTargetSnapshots } from '../../src/bench/snapshots.js';
import { lvsArgv } from '../../src/host/lvm.js';
import type { BenchTarget } from '../../src/bench/results.js';
import { FakeRunner } from '../support/fake-runner.js';

// Guest capture: vg_jts laid out like plans/jts.yaml, lv_redis with the classic snapshot lv_redis_snap_20261121.
const LVS = readFileSync('test/fixtures/guest/snapshot-lvs.json', 'utf8');
const plan = PlanSchema.parse({
  version: 1,
  drives: [{ id: 'd0', serial: 'JTS-NVME-0' }],
  volumeGroups: [{ name: 'vg_jts', drives: ['d0'] }],
  volumes: [
    { name: 'lv_redis', vg: 'vg_jts', size: '50GB', workload: 'redis', mount: { path: '/var/lib/redis' } },
    { name: 'lv_system', vg: 'vg_jts', size: '200GB', workload: 'system', mount: { path: '/srv/sys' } },
  ],
});
const target = (id: string): BenchTarget => ({ id, kind: 'volume', label: id, tier: 'hot' });

test('bench refuses a volume with a live classic snapshot, explains copy-on-write, and names --allow-snapshots', async () => {
  const r = new FakeRunner();
  r.on(lvsArgv(), { stdout: LVS });
  await assert.rejects(checkTargetSnapshots(r, plan, [target('lv_system'), target('lv_redis')], false), (e: Error) => {
    assert.match(e.message, /lv_redis: classic snapshot vg_jts\/lv_redis_snap_20261121/);
    assert.match(e.message, /copy-on-write: each first write to a chunk of the origin first copies the old chunk/);
    assert.match(e.message, /--allow-snapshots/);
    assert.doesNotMatch(e.message, /lv_system:/);
    return true;
  });
  // Without a snapshot: nothing found; with --allow-snapshots: found and returned for the results.
  assert.deepEqual(await checkTargetSnapshots(r, plan, [target('lv_system')], false), { found: [] });
  assert.deepEqual((await checkTargetSnapshots(r, plan, [target('lv_redis')], true)).found, [{ target: 'lv_redis', snapshot: 'vg_jts/lv_redis_snap_20261121', kind: 'classic' }]);
  // lvs not there: a note, not a refusal.
  const none = new FakeRunner();
  assert.match((await checkTargetSnapshots(none, plan, [target('lv_redis')], false)).note!, /live snapshots not checked: lvs is not installed/);
});
