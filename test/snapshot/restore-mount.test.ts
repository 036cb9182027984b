import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { restoreSnapshot, mountSnapshot, mergePending } from '../../src/snapshot/mount.js';
import { parseLvsJson } from '../../src/snapshot/lvm-report.js';
import { compareSums, drillContent } from '../../src/snapshot/drill.js';
import { UserError } from '../../src/core/exit-codes.js';
import { snapFixture } from './fixtures.js';
import { actFor } from '../support/host-run.js';

function lvmRunner(lvsFile: string): FakeRunner {
  return new FakeRunner()
    .on(['lvs'], { stdout: snapFixture(lvsFile) })
    .on(['vgs'], { stdout: snapFixture('vgs.json') })
    .on(['findmnt'], { stdout: snapFixture('findmnt.json') });
}

test('restore: refused while the origin is mounted, says what to do, runs nothing', async () => {
  const r = lvmRunner('lvs-fresh.json');
  await assert.rejects(restoreSnapshot(r, actFor(r), 'vg_t/lv_pg.snap.databases.20261121T120000Z', 'refuse-if-open'), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /mounted at \/mnt\/pg/);
    assert.match(e.message, /umount \/mnt\/pg; lvchange -an vg_t\/lv_pg; lvchange -ay vg_t\/lv_pg/);
    return true;
  });
  assert.equal(r.mutatingCalls.length, 0);
});

test('restore: an invalidated (LOST) snapshot cannot be merged', async () => {
  const r = lvmRunner('lvs-invalid.json');
  await assert.rejects(restoreSnapshot(r, actFor(r), 'vg_t/lv_pg.snap.databases.20261121T120000Z', 'offline'), /LOST/);
  assert.equal(r.mutatingCalls.length, 0);
});

test('restore --schedule: lvconvert --merge, then reports the next activation', async () => {
  const r = lvmRunner('lvs-fresh.json').on(['lvconvert', '--merge'], () => {
    r.on(['lvs'], { stdout: snapFixture('lvs-merging.json') });
    return { stderr: 'Delaying merge since origin is open.' };
  });
  const res = await restoreSnapshot(r, actFor(r), 'vg_t/lv_kafka.snap.databases.20261121T120000Z', 'schedule');
  assert.equal(res.status, 'scheduled');
  assert.match(res.message, /next activation of vg_t\/lv_kafka/);
});

test('merge pending: the origin shows O while a merge waits (captured)', () => {
  assert.equal(mergePending(parseLvsJson(snapFixture('lvs-merging.json')), 'vg_t', 'lv_kafka.snap.databases.20261121T120000Z', 'lv_kafka'), true);
  assert.equal(mergePending(parseLvsJson(snapFixture('lvs-after-merge.json')), 'vg_t', 'lv_kafka.snap.databases.20261121T120000Z', 'lv_kafka'), false);
});

test('mount: a thin snapshot is activated with -K, then mounted ro,nodev,nosuid,noexec', async () => {
  const r = lvmRunner('lvs-fresh.json')
    .on(['lvchange'], {})
    .on(['blkid'], { stdout: 'DEVNAME=/dev/vg_t/x\nTYPE=ext4\n' })
    .on(['mount'], {});
  const m = await mountSnapshot(r, actFor(r), 'vg_t/lv_thin.snap.databases.20261121T120000Z');
  const argvs = r.mutatingCalls.map((c) => c.argv.join(' '));
  assert.equal(argvs[0], 'lvchange --activate y --ignoreactivationskip vg_t/lv_thin.snap.databases.20261121T120000Z');
  assert.equal(argvs[1], `mount -t ext4 -o ro,nodev,nosuid,noexec /dev/vg_t/lv_thin.snap.databases.20261121T120000Z ${m.path}`);
});

test('mount: an invalidated snapshot is refused', async () => {
  await assert.rejects(mountSnapshot(lvmRunner('lvs-invalid.json'), actFor(new FakeRunner()), 'lv_pg.snap.databases.20261121T120000Z'), /LOST/);
});

test('drill data is deterministic and comparisons name the files', () => {
  assert.equal(drillContent(7, 1000), drillContent(7, 1000));
  assert.notEqual(drillContent(7, 1000), drillContent(8, 1000));
  assert.equal(drillContent(1, 4096).length, 4096);
  assert.deepEqual(compareSums({ './a': 'x', './b': 'y' }, { './a': 'x', './b': 'y' }), []);
  assert.equal(compareSums({ './a': 'x', './b': 'y' }, { './a': 'z', './c': 'y' }).length, 3);
});

test('restore: a classic merge is polled every second (--interval 1); a thin merge takes no --interval (lvconvert --mergethin)', async () => {
  for (const [snap, want] of [
    ['vg_t/lv_kafka.snap.databases.20261121T120000Z', 'lvconvert --merge --interval 1 vg_t/lv_kafka.snap.databases.20261121T120000Z'],
    ['vg_t/lv_thin.snap.databases.20261121T120000Z', 'lvconvert --merge vg_t/lv_thin.snap.databases.20261121T120000Z'],
  ] as const) {
    const r = lvmRunner('lvs-fresh.json').on(['lvconvert', '--merge'], () => {
      r.on(['lvs'], { stdout: snapFixture('lvs-merging.json') });
      return { stderr: 'Delaying merge since origin is open.' };
    });
    await restoreSnapshot(r, actFor(r), snap, 'schedule');
    assert.equal(r.mutatingCalls.map((c) => c.argv.join(' ')).find((a) => a.startsWith('lvconvert')), want);
  }
});
