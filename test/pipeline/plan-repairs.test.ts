// `plan` shows every action apply will run, repairs included (issue 11): the grow of a filesystem short
// of its LV is found by runPlan itself from the superblock (tune2fs -l), on the guest capture of the
// probe; offline planning says it cannot see repairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPlan } from '../../src/pipeline/plan-pipeline.js';
import { planForApply } from '../../src/pipeline/plan-for-apply.js';
import { readRepo } from '../diff/helpers.js';
import { guestRunner } from '../probe/guest-runner.js';
import { FakeRunner } from '../support/fake-runner.js';

const fixture = (n: string) => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/${n}`, import.meta.url)), 'utf8');

function guest() {
  // lv_system has no captured superblock: tune2fs gets no answer there and the volume is left alone.
  return guestRunner({ '/p.yaml': readRepo('plans/jts.yaml') }).on(['xfs_info', '/dev/vg_jts/lv_mongodb'], { stdout: fixture('guest/xfs_info-lv_mongodb.txt') });
}

test('plan on the host: a filesystem that fills its LV gets no repair; the superblock reads are read-only', async () => {
  const r = guest().on(['tune2fs', '-l', '/dev/vg_jts/lv_redis'], { stdout: fixture('guest/tune2fs-l-lv_redis.txt') });
  const run = await runPlan({ runner: r, planFile: '/p.yaml' });
  assert.equal(run.result.actions.filter((a) => a.id.startsWith('fs:vg_jts/lv_redis')).length, 0);
  assert.ok(r.calls.some((c) => c.argv.join(' ') === 'tune2fs -l /dev/vg_jts/lv_redis'));
  assert.equal(r.mutatingCalls.length, 0);
});

test('plan on the host lists the grow of a filesystem short of its LV (captured 400 MiB ext4 on the 50 GB lv_redis), where apply runs it', async () => {
  const r = guest().on(['tune2fs', '-l', '/dev/vg_jts/lv_redis'], { stdout: fixture('verify/tune2fs-l-ext4.txt') });
  const run = await runPlan({ runner: r, planFile: '/p.yaml' });
  const ids = run.result.actions.map((a) => a.id);
  const grow = run.result.actions.find((a) => a.resource === 'fs vg_jts/lv_redis');
  assert.ok(grow, `no repair in ${ids.join(', ')}`);
  assert.match(grow.summary, /400 MiB, .* short of its LV .*an earlier grow stopped after lvextend/);
  assert.deepEqual(
    grow.steps.map((s) => (s.type === 'exec' ? s.argv.join(' ') : s.type)),
    ['resize2fs /dev/vg_jts/lv_redis'],
  );
  // After the storage actions (mounts), before the tuning actions; counted in the summary.
  const at = ids.indexOf(grow.id);
  assert.ok(at > ids.lastIndexOf('mount:/backup:create'));
  assert.ok(at < ids.findIndex((i) => i.startsWith('tune:')));
  assert.equal(run.result.summary.change, run.result.actions.filter((a) => a.kind === 'change').length);
  // apply plans through the same function: the same actions, in the same order.
  const forApply = await planForApply(guest().on(['tune2fs', '-l', '/dev/vg_jts/lv_redis'], { stdout: fixture('verify/tune2fs-l-ext4.txt') }), '/p.yaml');
  assert.deepEqual(forApply.result.actions.map((a) => a.id), ids);
});

test('plan offline (--drives): no superblock read, an info line says repairs are not shown', async () => {
  const r = new FakeRunner({ files: { 'plan.yaml': readRepo('plans/jts.yaml'), '4tb.yaml': readRepo('examples/drives/4tb-nvme.yaml') } });
  const run = await runPlan({ runner: r, planFile: 'plan.yaml', drivesFile: '4tb.yaml' });
  assert.equal(r.calls.length, 0);
  assert.ok(run.result.infos.some((f) => f.rule === 'JTS-REPAIRS-OFFLINE' && /superblocks cannot be read/.test(f.message)));
});
