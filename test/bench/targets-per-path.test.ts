import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPlanFile, DEFAULT_PLAN_PATH } from '../../src/model/load-plan.js';
import { ioPath, onePerIoPath } from '../../src/bench/targets.js';
import type { BenchTarget } from '../../src/bench/results.js';

// The targets bench found on the default plan applied in the sandbox (findmnt's mount options).
const targets = (): BenchTarget[] => JSON.parse(readFileSync(path.resolve('test/fixtures/fio/default-plan-targets.json'), 'utf8')) as BenchTarget[];

test('--one-per-path on the default plan: one volume per VG, LV kind, filesystem and I/O mount options; the raw side kept', async () => {
  const { plan } = await loadPlanFile(DEFAULT_PLAN_PATH);
  const all = targets();
  assert.equal(all.length, 8);
  const r = onePerIoPath(plan, all);
  assert.deepEqual(r.targets.map((t) => t.id), ['lv_system', 'lv_postgres', 'lv_kafka', 'lv_mongodb', 'raw']);
  assert.deepEqual(r.paths.map((p) => [p.target, p.standsFor]), [
    ['lv_system', ['lv_redis', 'lv_backup']],
    ['lv_postgres', ['lv_clickhouse']],
    ['lv_kafka', []],
    ['lv_mongodb', []],
  ]);
  assert.match(r.paths[0]!.path, /^ext4 on a linear LV of vg_jts$/, 'nodev,nosuid of /backup and noatime do not part it');
  assert.match(r.paths[1]!.path, /thin LV of vg_jts\/pool_db/);
});

test('ioPath: another mkfs option, mount option that changes I/O, thin pool or VG parts two volumes; the label does not', async () => {
  const { plan } = await loadPlanFile(DEFAULT_PLAN_PATH);
  const sys = targets().find((t) => t.id === 'lv_system')!;
  const redis = targets().find((t) => t.id === 'lv_redis')!;
  assert.equal(ioPath(plan, sys)!.key, ioPath(plan, redis)!.key);
  assert.notEqual(ioPath(plan, sys)!.key, ioPath(plan, { ...redis, mountOptions: [...redis.mountOptions!, 'data=journal'] })!.key);
  const p2 = structuredClone(plan);
  p2.volumes.find((v) => v.name === 'lv_redis')!.filesystem.features = ['^has_journal'];
  assert.notEqual(ioPath(p2, sys)!.key, ioPath(p2, redis)!.key);
  const p3 = structuredClone(plan);
  p3.volumes.find((v) => v.name === 'lv_redis')!.filesystem.label = 'other';
  assert.equal(ioPath(p3, sys)!.key, ioPath(p3, redis)!.key);
  assert.equal(ioPath(plan, targets().find((t) => t.id === 'raw')!), undefined);
});
