import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTuneFacts, parseLvsReadAhead, parseSystemctlShow, LVS_ARGV } from '../../src/tune/facts.js';
import { tuneStatus, formatTuneStatus } from '../../src/tune/status.js';
import { tuneActions } from '../../src/tune/actions.js';
import { renderUdevRules, UDEV_RULE_PATH } from '../../src/render/udev.js';
import { renderSystemdUnits } from '../../src/render/systemd.js';
import { emptyHostState } from '../../src/model/host-state.js';
import { fakeHost, lvsJson, smallPlan, countReads, udevDbOfNvme, NVME0N1_BY_ID, type FakeDisk } from './helpers.js';

const NVME0N1_WWN = 'nvme.1b36-4a54532d4e564d452d30-51454d55204e564d65204374726c-00000001';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const CLI = ['/usr/bin/node', '/opt/jts/bin/jts-storage.js'];

function disks(n: number): FakeDisk[] {
  return Array.from({ length: n }, (_, i) => ({ name: `nvme${i}n1`, scheduler: '[none] mq-deadline' }));
}
function lvs(n: number) {
  return lvsJson(Array.from({ length: n }, (_, i) => ({ vg: 'vg0', name: `lv${i}`, ra: 'auto', minor: i })));
}

test('one read per sysfs file and one call per tool, at 1 and at 60 drives and volumes; disks the plan does not declare cost no read', async () => {
  const counts: Record<number, { calls: Map<string, number>; reads: Map<string, number> }> = {};
  for (const n of [1, 60]) {
    // n NVMe disks on the host, the plan declares all of them (by serial) or only the first
    const plan = smallPlan({ drives: Array.from({ length: n }, (_, i) => `  - { id: d${i}, serial: JTS-NVME-${i}, kind: nvme }`), vgDrives: Array.from({ length: n }, (_, i) => `d${i}`).join(', ') }).plan;
    const r = fakeHost({ disks: disks(n), others: ['loop0', 'dm-0'], lvs: lvs(n), systemd: true, udevDb: udevDbOfNvme(n) });
    const reads = countReads(r);
    const f = await readTuneFacts(r, plan);
    assert.equal(f.disks.length, n);
    const calls = new Map<string, number>();
    for (const c of r.calls) calls.set(c.argv[0]!, (calls.get(c.argv[0]!) ?? 0) + 1);
    counts[n] = { calls, reads };
    // every file read at most once
    for (const [p, k] of reads) assert.equal(k, 1, `${p} read ${k} times`);
    // four queue files per drive, one per active LV
    assert.equal([...reads.keys()].filter((p) => p.startsWith('/sys/block/nvme')).length, 4 * n);
    assert.equal([...reads.keys()].filter((p) => p.startsWith('/sys/block/dm-')).length, n);
    // loop/dm whole disks cost no read
    assert.ok(![...reads.keys()].some((p) => p.startsWith('/sys/block/loop0')));
    // a plan of one drive on the same host: the other disks are neither read nor in the facts
    const r1 = fakeHost({ disks: disks(n), lvs: lvs(0), udevDb: udevDbOfNvme(n) });
    const reads1 = countReads(r1);
    const f1 = await readTuneFacts(r1, smallPlan({ drives: ['  - { id: d0, serial: JTS-NVME-0, kind: nvme }'] }).plan);
    assert.deepEqual(f1.disks.map((d) => [d.name, d.driveId, d.udev?.key]), [['nvme0n1', 'd0', 'ID_WWN']]);
    assert.equal([...reads1.keys()].filter((p) => p.startsWith('/sys/block/')).length, 4);
    assert.equal(f1.otherDisks.length, n - 1);
  }
  assert.deepEqual(Object.fromEntries(counts[1]!.calls), Object.fromEntries(counts[60]!.calls));
  assert.deepEqual(Object.fromEntries(counts[60]!.calls), { udevadm: 1, lvs: 1, findmnt: 1, systemctl: 1, getconf: 1 });
});

test('status: clean after apply, drift after a manual scheduler change (exit 2 semantics)', async () => {
  const loaded = smallPlan({ file: '/plans/t.yaml' });
  const planFile = path.resolve(loaded.file);
  const files = {
    [UDEV_RULE_PATH]: renderUdevRules(loaded.plan, [{ driveId: 'd0', cls: 'nvme', key: 'ID_WWN', value: NVME0N1_WWN }], planFile).content,
    ...Object.fromEntries(renderSystemdUnits(loaded.plan, { cli: CLI, planFile, distributionFstrimTimer: { path: '/usr/lib/systemd/system/fstrim.timer', onCalendar: ['weekly'] }, fstrimPath: '/usr/sbin/fstrim' }).files.map((f) => [f.path, f.content])),
  };
  const lvsOk = lvsJson([
    { vg: 'vg0', name: 'lv_mongo', ra: '16384', minor: 0 },
    { vg: 'vg0', name: 'lv_ch', ra: 'auto', minor: 1 },
    { vg: 'vg0', name: 'lv_pg', ra: '32768', minor: 2 },
  ]);
  const r = fakeHost({ disks: disks(2), lvs: lvsOk, files });
  const clean = tuneStatus(loaded, await readTuneFacts(r, loaded.plan), { cli: CLI });
  assert.deepEqual(clean.drift, []);
  assert.equal(clean.timers.length, 2);
  assert.ok(clean.timers.every((t) => /not active: systemd is not running here: PID 1 is "init"/.test(t.note ?? '')));
  assert.match(formatTuneStatus(clean), /No drift/);
  // nothing to apply either: status and apply agree
  assert.deepEqual(tuneActions(loaded, emptyHostState('probe'), undefined, await readTuneFacts(r, loaded.plan), { cli: CLI }), []);

  r.files.set('/sys/block/nvme0n1/queue/scheduler', 'none [mq-deadline]\n');
  const drifted = tuneStatus(loaded, await readTuneFacts(r, loaded.plan), { cli: CLI });
  assert.deepEqual(drifted.drift, ['drive /dev/nvme0n1: scheduler mq-deadline, plan wants none']);
  assert.match(formatTuneStatus(drifted), /! \/dev\/nvme0n1 /);
});

test('status reports write cache, discard, rotational, read-ahead and mount discard', async () => {
  const loaded = smallPlan({ drives: [`  - { id: d0, byId: ${NVME0N1_BY_ID}, kind: nvme }`, '  - { id: d1, serial: JTS-SCSI-0 }'], vgDrives: 'd0, d1' });
  const r = fakeHost({
    disks: [
      { name: 'nvme0n1', writeCache: 'write back', discardMaxBytes: '2199023255040' },
      { name: 'sda', rotational: '1', scheduler: 'mq-deadline [bfq] none', writeCache: 'write through', discardMaxBytes: '0' },
    ],
    lvs: lvsJson([{ vg: 'vg0', name: 'lv_mongo', ra: 'auto', kra: '131072', minor: 4 }]),
    findmnt: JSON.stringify({ filesystems: [{ target: '/var/lib/mongodb', source: '/dev/mapper/vg0-lv_mongo', fstype: 'xfs', options: 'rw,noatime,discard', 'maj:min': '253:4' }] }),
    files: { '/sys/block/dm-4/queue/discard_max_bytes': '2147483648\n' },
  });
  const s = tuneStatus(loaded, await readTuneFacts(r, loaded.plan), { cli: CLI });
  const nv = s.drives.find((d) => d.name === 'nvme0n1')!;
  assert.deepEqual([nv.class, nv.rotational, nv.writeCache, nv.discard], ['nvme', false, 'write back', true]);
  const sda = s.drives.find((d) => d.name === 'sda')!;
  assert.deepEqual([sda.class, sda.rotational, sda.writeCache, sda.discard, sda.scheduler, sda.drift], ['hdd', true, 'write through', false, 'bfq', undefined]);
  const mv = s.volumes.find((v) => v.lv === 'lv_mongo')!;
  assert.deepEqual([mv.readAhead, mv.kernelReadAheadSectors, mv.wantReadAhead, mv.discard, mv.mountpoint, mv.mountDiscard], ['auto', 256, 32, true, '/var/lib/mongodb', true]);
  assert.match(mv.drift!, /read-ahead auto, plan wants 32/);
  assert.ok(s.volumes.find((v) => v.lv === 'lv_ch')!.exists === false);
});

test('parsers: lvs JSON captured in the sandbox; systemctl show blocks', () => {
  const lv = parseLvsReadAhead(readFileSync('test/fixtures/guest/lvs-a-lv_all-b.json', 'utf8'));
  const backup = lv.find((l) => l.name === 'lv_backup')!;
  assert.deepEqual([backup.readAhead, backup.kernelReadAheadSectors, backup.dmName, backup.devno], ['auto', 256, 'dm-5', '253:5']);
  const t = parseSystemctlShow('Id=a.timer\nUnitFileState=enabled\nActiveState=active\nNextElapseUSecRealtime=@1764547200\n\nId=b.timer\nUnitFileState=disabled\nActiveState=inactive\nNextElapseUSecRealtime=\n', ['a.timer', 'b.timer', 'c.timer']);
  assert.deepEqual(t[0], { unit: 'a.timer', loadState: undefined, unitFileState: 'enabled', activeState: 'active', nextRun: '2025-12-01T00:00:00.000Z', lastRun: undefined });
  assert.equal(t[1]!.unitFileState, 'disabled');
  assert.deepEqual(t[2], { unit: 'c.timer' });
  assert.ok(LVS_ARGV.includes('--reportformat') && LVS_ARGV.includes('json'));
});

test('no LVM on the host: volumes unknown, said why, drives still reported', async () => {
  const r = fakeHost({ disks: disks(1) });
  r.on(['lvs'], { exitCode: 5, stderr: '  /dev/mapper/control: open failed: No such device\n  Failure to communicate with kernel device-mapper driver.\n' });
  const s = tuneStatus(smallPlan(), await readTuneFacts(r, smallPlan().plan), { cli: CLI });
  assert.match(s.notes.join('\n'), /lvs failed \(exit 5\): Failure to communicate with kernel device-mapper driver\./);
  assert.equal(s.drives.length, 1);
});

test('parser on the exact lvs call captured in the sandbox after tune apply', () => {
  const lv = parseLvsReadAhead(readFileSync('test/tune/fixtures/lvs-readahead-guest.json', 'utf8'));
  const by = Object.fromEntries(lv.map((l) => [l.name, l]));
  assert.deepEqual([by.lv_mongo!.readAhead, by.lv_mongo!.kernelReadAheadSectors], [32, 32]);
  assert.deepEqual([by.lv_ch!.readAhead, by.lv_ch!.kernelReadAheadSectors], ['auto', 256]);
  assert.deepEqual([by.lv_pg!.readAhead, by.lv_pg!.kernelReadAheadSectors], [512, 512]);
  assert.ok(lv.every((l) => l.dmName?.startsWith('dm-') && l.devno?.startsWith('253:')));
});
