// A grow cut between lvextend's commit and the filesystem grow (found by the power-cut VM test):
// apply must find the short filesystem from its superblock and grow it; a filesystem that fills its
// LV (what mkfs leaves) must not be touched. tune2fs/xfs_info outputs are the guest captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeRunner } from '../support/fake-runner.js';
import { PlanSchema } from '../../src/model/plan-schema.js';
import { emptyHostState } from '../../src/model/host-state.js';
import type { ProbedState } from '../../src/probe/types.js';
import { fillActions, findShortFilesystems, isShort, FS_FILL_SLACK_BYTES } from '../../src/pipeline/fs-fill.js';

const fixture = (n: string) => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/verify/${n}`, import.meta.url)), 'utf8');
const MiB = 2 ** 20;
// Both captures are 400 MiB filesystems (ext4 409600 × 1 KiB blocks, XFS 102400 × 4 KiB).
const FS = 400 * MiB;

const plan = PlanSchema.parse({
  version: 1,
  drives: [{ id: 'd0', serial: 'S0' }],
  volumeGroups: [{ name: 'vg', drives: ['d0'] }],
  volumes: [
    { name: 'data', vg: 'vg', size: '1GiB', workload: 'postgresql', filesystem: { type: 'ext4' }, mount: { path: '/srv/data' } },
    { name: 'log', vg: 'vg', size: '1GiB', workload: 'kafka', filesystem: { type: 'xfs' }, mount: { path: '/srv/log' } },
    { name: 'raw', vg: 'vg', size: '1GiB', workload: 'backup', filesystem: { type: 'xfs' } },
  ],
});

function state(sizes: Record<string, number>): ProbedState {
  const s = emptyHostState('probe') as ProbedState;
  for (const [name, sizeBytes] of Object.entries(sizes)) {
    s.lvs.push({ vgName: 'vg', name, sizeBytes, attr: '-wi-a-----', path: `/dev/vg/${name}` });
    s.filesystems.push({ device: `/dev/vg/${name}`, type: name === 'data' ? 'ext4' : 'xfs' });
  }
  return s;
}

function runner(): FakeRunner {
  return new FakeRunner()
    .on(['tune2fs', '-l'], { stdout: fixture('tune2fs-l-ext4.txt') })
    .on(['xfs_info'], { stdout: fixture('xfs_info.txt') });
}

test('slack: what mkfs/grow tools leave over is not short; a missed grow is', () => {
  assert.equal(isShort(FS, FS), false);
  assert.equal(isShort(FS + FS_FILL_SLACK_BYTES, FS), false);
  assert.equal(isShort(FS + FS_FILL_SLACK_BYTES + 4 * MiB, FS), true);
});

test('filesystems that fill their LVs: no action, one read-only call per volume', async () => {
  const r = runner();
  const short = await findShortFilesystems(r, plan, state({ data: FS, log: FS + 4 * MiB, raw: FS }));
  assert.deepEqual(short, []);
  assert.equal(r.calls.length, 3);
  assert.equal(r.mutatingCalls.length, 0);
});

test('LVs grown, filesystems not: online grow after the mounts; XFS without a mount point is a warning', async () => {
  const r = runner();
  const short = await findShortFilesystems(r, plan, state({ data: 1024 * MiB, log: 1024 * MiB, raw: 1024 * MiB }));
  assert.deepEqual(short.map((s) => [s.volume.name, s.lvBytes - s.fsBytes]), [['data', 624 * MiB], ['log', 624 * MiB], ['raw', 624 * MiB]]);
  const { actions, warnings } = fillActions(short);
  assert.deepEqual(actions.map((a) => [a.id, a.steps.map((s) => (s.type === 'exec' ? s.argv.join(' ') : s.type))]), [
    ['fs:vg/data:fill', ['resize2fs /dev/vg/data']],
    ['fs:vg/log:fill', ['xfs_growfs /srv/log']],
  ]);
  assert.match(actions[0]!.summary, /624 MiB short of its LV \(1024 MiB\): an earlier grow stopped after lvextend/);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /vg\/raw .*XFS grows only while mounted/);
});

test('an unmounted ext4 is checked (e2fsck -f -p) before resize2fs, as resize2fs requires offline', () => {
  const v = { ...plan.volumes[0]!, mount: undefined };
  const { actions } = fillActions([{ volume: v, lv: state({ data: 1024 * MiB }).lvs[0]!, lvBytes: 1024 * MiB, fsBytes: FS }]);
  assert.deepEqual(actions[0]!.steps.map((s) => (s.type === 'exec' ? s.argv.join(' ') : '')), ['e2fsck -f -p /dev/vg/data', 'resize2fs /dev/vg/data']);
});

test('a tool that cannot read the filesystem: not guessed short', async () => {
  const r = new FakeRunner().on(['tune2fs'], { exitCode: 1, stderr: 'Bad magic number' }).on(['xfs_info'], { exitCode: 1 });
  assert.deepEqual(await findShortFilesystems(r, plan, state({ data: 1024 * MiB, log: 1024 * MiB })), []);
});
