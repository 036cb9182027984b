import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanSchema } from '../../src/model/plan-schema.js';
import { emptyHostState, type DriveInfo } from '../../src/model/host-state.js';
import { checkSafety, parseWipefsJson } from '../../src/exec/safety.js';
import { FakeRunner } from '../support/fake-runner.js';

const plan = PlanSchema.parse({
  version: 1,
  drives: [{ id: 'hot0', byId: '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS0001' }],
  volumeGroups: [{ name: 'vg_jts', drives: ['hot0'] }],
  volumes: [],
});

function drive(over: Partial<DriveInfo> = {}): DriveInfo {
  return {
    path: '/dev/nvme0n1', byIds: ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS0001'], serial: 'JTS0001', sizeBytes: 4e12,
    logicalSectorSize: 512, physicalSectorSize: 512, rotational: false, discard: true, volatileWriteCache: true,
    kind: 'nvme', partitions: [], signatures: [], mountpoints: [], ...over,
  };
}

async function check(d: DriveInfo, allow: string[] = [], mod?: (s: ReturnType<typeof emptyHostState>) => void, runner?: FakeRunner) {
  const state = emptyHostState('probe');
  state.drives.push(d);
  mod?.(state);
  return checkSafety({ plan, state, drives: new Map([['hot0', d]]), actions: [], errors: [], allowDestroy: allow, runner });
}

test('blank drive passes', async () => {
  const r = await check(drive());
  assert.deepEqual(r.refusals, []);
});

test('signature, partitions, foreign VG: refused unless allowed by id, then wiped after listing losses', async () => {
  const sig = await check(drive({ signatures: ['ext4'] }));
  assert.equal(sig.refusals.length, 1);
  assert.match(sig.refusals[0]!, /not blank: signature ext4.*--allow-destroy hot0/);
  const part = await check(drive({ partitions: ['/dev/nvme0n1p1'] }));
  assert.match(part.refusals[0]!, /partition \/dev\/nvme0n1p1/);
  const vg = await check(drive(), [], (s) => {
    s.pvs.push({ name: '/dev/nvme0n1', vgName: 'vg_other', sizeBytes: 1 });
    s.lvs.push({ vgName: 'vg_other', name: 'lv_keep', sizeBytes: 2 ** 30, attr: '-wi-a-----', path: '/dev/vg_other/lv_keep' });
  });
  assert.match(vg.refusals[0]!, /PV of volume group vg_other with 1 logical volume\(s\): lv_keep \(1\.0 GiB\)/);
  for (const allow of ['hot0', 'nvme-QEMU_NVMe_Ctrl_JTS0001', '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS0001', 'JTS0001']) {
    const ok = await check(drive({ signatures: ['ext4'], partitions: ['/dev/nvme0n1p1'] }), [allow]);
    assert.deepEqual(ok.refusals, [], allow);
    assert.equal(ok.losses.length, 1);
    assert.deepEqual(ok.wipeActions[0]!.steps.map((s) => (s.type === 'exec' ? s.argv.join(' ') : '')), ['wipefs --all /dev/nvme0n1p1', 'wipefs --all /dev/nvme0n1']);
  }
  // a kernel name does not count as naming the drive
  assert.equal((await check(drive({ signatures: ['ext4'] }), ['/dev/nvme0n1'])).refusals.length, 1);
});

test('root disk and mounted drives: never, even when allowed', async () => {
  assert.match((await check(drive({ isRootDisk: true }), ['hot0'])).refusals[0]!, /never the root disk/);
  assert.match((await check(drive({ signatures: ['ext4'], mountpoints: ['/mnt/x'] }), ['hot0'])).refusals[0]!, /mounted.*\/mnt\/x/);
});

test('our own PV (or an orphan PV from a killed run) is not a refusal', async () => {
  const r = await check(drive({ signatures: ['LVM2_member'], mountpoints: ['/var/lib/postgresql'] }), [], (s) => s.pvs.push({ name: '/dev/nvme0n1', vgName: 'vg_jts', sizeBytes: 1 }));
  assert.deepEqual(r.refusals, []);
  const o = await check(drive({ signatures: ['LVM2_member'] }), [], (s) => s.pvs.push({ name: '/dev/nvme0n1', vgName: '', sizeBytes: 1 }));
  assert.deepEqual(o.refusals, []);
});

test('wipefs --no-act finds a signature the probe missed', async () => {
  const f = new FakeRunner();
  f.on(['wipefs'], { stdout: JSON.stringify({ signatures: [{ device: 'nvme0n1', offset: '0x438', type: 'ext4', uuid: 'u', label: 'old' }] }) });
  const r = await check(drive(), [], undefined, f);
  assert.match(r.refusals[0]!, /signature ext4 label "old" at offset 0x438/);
  assert.deepEqual(parseWipefsJson(''), []);
});

test('destructive replace refused without naming the volume', async () => {
  const state = emptyHostState('probe');
  const actions = [{ id: 'fs:vg_jts/lv_kafka:replace', kind: 'replace' as const, resource: 'fs vg_jts/lv_kafka', summary: '', steps: [], dependsOn: [], destructive: { forcedBy: 'filesystem.type ext4 → xfs', loses: 'all data on vg_jts/lv_kafka' } }];
  const r = await checkSafety({ plan, state, drives: new Map(), actions, errors: [], allowDestroy: [] });
  assert.match(r.refusals[0]!, /forced by: filesystem\.type ext4 → xfs.*--allow-destroy vg_jts\/lv_kafka/);
  const ok = await checkSafety({ plan, state, drives: new Map(), actions, errors: [], allowDestroy: ['vg_jts/lv_kafka'] });
  assert.deepEqual(ok.refusals, []);
});

test('the diff\'s replace of a non-blank drive follows the drive verdict (any of its names)', async () => {
  const state = emptyHostState('probe');
  const d = drive({ signatures: ['ext4'] });
  state.drives.push(d);
  const actions = [{ id: 'pv:hot0:create', kind: 'replace' as const, resource: 'pv hot0', summary: '', steps: [], dependsOn: [], destructive: { forcedBy: 'drive hot0 is not blank', loses: 'signature ext4' } }];
  const refused = await checkSafety({ plan, state, drives: new Map([['hot0', d]]), actions, errors: [], allowDestroy: [] });
  assert.equal(refused.refusals.length, 1);
  const ok = await checkSafety({ plan, state, drives: new Map([['hot0', d]]), actions, errors: [], allowDestroy: ['JTS0001'] });
  assert.deepEqual(ok.refusals, []);
  assert.equal(ok.losses.length, 1);
});
