import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PlanSchema } from '../../src/model/plan-schema.js';
import { emptyHostState } from '../../src/model/host-state.js';
import type { Layout } from '../../src/model/capacity.js';
import type { ProbedState } from '../../src/probe/types.js';
import { parseTune2fs, parseXfsInfo } from '../../src/verify/fs-info.js';
import { mountOptionMismatches as compareMountOptions } from '../../src/verify/mount-options.js';
import { verifyHost } from '../../src/verify/verify.js';
import { desiredFstabEntries, mergeManagedBlock } from '../../src/render/fstab-format.js';
import { FakeRunner } from '../support/fake-runner.js';

const fx = (n: string) => readFileSync(new URL(`../../../test/fixtures/verify/${n}`, import.meta.url), 'utf8');

test('tune2fs -l and xfs_info parse (captured in the sandbox)', () => {
  const e = parseTune2fs(fx('tune2fs-l-ext4.txt'));
  assert.equal(e.label, 'la');
  assert.ok(e.features.includes('has_journal') && e.features.includes('metadata_csum'));
  assert.equal(e.blockCount, 409600);
  assert.equal(e.reservedBlockCount, 20480);
  assert.equal(e.inodeCount, 102400);
  const x = parseXfsInfo(fx('xfs_info.txt'));
  assert.deepEqual([x.agcount, x.blockSize, x.dataBlocks, x.sunit, x.logBlocks, x.logBlockSize], [4, 4096, 102400, 0, 16384, 4096]);
});

test('mount options: kernel spelling, hidden defaults, userspace-only options', () => {
  // captured: mount -o noatime,commit=30,data=writeback,barrier=0 → findmnt options
  const ext4 = 'rw,noatime,nobarrier,commit=30,data=writeback'.split(',');
  assert.deepEqual(compareMountOptions('ext4', ['defaults', 'noatime', 'commit=30', 'data=writeback', 'barrier=0', 'nofail', 'x-systemd.device-timeout=30s'], ext4), []);
  assert.deepEqual(compareMountOptions('ext4', ['noatime', 'data=ordered', 'commit=5'], 'rw,noatime'.split(',')), []);
  assert.deepEqual(compareMountOptions('ext4', ['noatime', 'commit=10'], 'rw,relatime,commit=30'.split(',')), [
    { option: 'noatime', found: 'relatime' },
    { option: 'commit=10', found: 'commit=30' },
  ]);
  const xfs = 'rw,noatime,swalloc,attr2,largeio,inode64,logbufs=8,logbsize=256k,noquota'.split(',');
  assert.deepEqual(compareMountOptions('xfs', ['noatime', 'logbufs=8', 'logbsize=256k', 'largeio', 'swalloc', 'inode64'], xfs), []);
  // One comparison with plan and health (src/facts/mount-options.ts): a plan asking only discard
  // also wants relatime (mount(8)'s default) and no largeio/swalloc, which this mount has.
  assert.deepEqual(compareMountOptions('xfs', ['discard'], xfs), [
    { option: 'discard' },
    { option: 'relatime', found: 'noatime' },
    { option: 'swalloc', expected: '(not set)', found: 'swalloc' },
    { option: 'largeio', expected: '(not set)', found: 'largeio' },
  ]);
  assert.deepEqual(compareMountOptions('xfs', ['discard', 'noatime', 'swalloc', 'largeio'], xfs), [{ option: 'discard' }]);
});

const plan = PlanSchema.parse({
  version: 1,
  drives: [{ id: 'd0', byId: '/dev/disk/by-id/nvme-X' }],
  volumeGroups: [{ name: 'vg_jts', drives: ['d0'] }],
  volumes: [
    { name: 'lv_pg', vg: 'vg_jts', size: '400MiB', workload: 'postgresql', filesystem: { type: 'ext4', label: 'la', features: ['^sparse_super2', 'metadata_csum'], reservedPercent: 5 }, mount: { path: '/var/lib/postgresql', options: ['noatime', 'commit=30'], owner: 'postgres', group: 'postgres', mode: '0750' } },
  ],
  users: [{ name: 'postgres', group: 'postgres' }],
});
const layout: Layout = {
  drives: new Map(),
  findings: [],
  vgs: [{ name: 'vg_jts', extentSizeBytes: 4 << 20, dataAlignmentBytes: 4 << 20, pvs: [], totalExtents: 500, reserveExtents: 0, usedExtents: 100, freeExtents: 400, shortfallBytes: 0, thinPools: [], volumes: [{ name: 'lv_pg', vg: 'vg_jts', extents: 100, sizeBytes: 100 * (4 << 20) }] }],
};
function state(): ProbedState {
  const s: ProbedState = emptyHostState('probe');
  s.vgs.push({ name: 'vg_jts', sizeBytes: 0, freeBytes: 0, extentSizeBytes: 4 << 20, extentCount: 500, freeExtentCount: 400, pvNames: [] });
  s.lvs.push({ vgName: 'vg_jts', name: 'lv_pg', sizeBytes: 100 * (4 << 20), attr: '-wi-ao----', path: '/dev/vg_jts/lv_pg', dmPath: '/dev/mapper/vg_jts-lv_pg', readAheadSectors: 'auto' });
  s.filesystems.push({ device: '/dev/mapper/vg_jts-lv_pg', type: 'ext4', label: 'la', uuid: 'u1' });
  s.mounts.push({ target: '/var/lib/postgresql', source: '/dev/mapper/vg_jts-lv_pg', fstype: 'ext4', options: ['rw', 'noatime', 'commit=30'] });
  s.fstab = mergeManagedBlock('UUID=1 / ext4 defaults 0 1\n', desiredFstabEntries(plan, new Map()));
  s.passwd = [{ name: 'postgres', id: 105, gid: 110, shell: '/usr/sbin/nologin' }];
  s.groupEntries = [{ name: 'postgres', id: 110 }];
  s.paths = { '/var/lib/postgresql': { uid: 105, gid: 110, mode: 0o750, isDirectory: true } };
  return s;
}
function runner() {
  return new FakeRunner().on(['tune2fs', '-l'], { stdout: fx('tune2fs-l-ext4.txt') });
}

test('verify: a matching host is clean', async () => {
  const r = await verifyHost(runner(), plan, state(), layout);
  assert.deepEqual(r.drift, []);
  assert.equal(r.clean, true);
  assert.ok(r.checks > 15, String(r.checks));
});

test('verify: every kind of drift is listed with expected vs found', async () => {
  const s = state();
  s.lvs[0]!.sizeBytes = 90 * (4 << 20);
  s.lvs[0]!.readAheadSectors = 64;
  s.mounts[0]!.options = ['rw', 'relatime'];
  s.paths!['/var/lib/postgresql']!.mode = 0o755;
  s.passwd![0]!.shell = '/bin/bash';
  s.fstab = 'UUID=1 / ext4 defaults 0 1\n';
  const r = await verifyHost(runner(), plan, s, layout);
  const got = r.drift.map((d) => `${d.resource}|${d.check}|${d.expected}|${d.found}`);
  assert.deepEqual(got, [
    'lv vg_jts/lv_pg|size (extents)|100|90',
    'lv vg_jts/lv_pg|read-ahead (sectors)|auto|64',
    'mount /var/lib/postgresql|option noatime|noatime|relatime',
    'mount /var/lib/postgresql|option commit=30|commit=30|(not in rw,relatime)',
    'mount /var/lib/postgresql|mode|0750|0755',
    'fstab|managed block|1|0',
  ]);
  assert.match(r.notes.join('\n'), /user postgres: shell is \/bin\/bash/);
});

test('verify: missing volume and unmounted filesystem', async () => {
  const s = state();
  s.mounts = [];
  const r = await verifyHost(runner(), plan, s, layout);
  assert.deepEqual(r.drift.map((d) => d.check), ['mounted']);
  s.lvs = [];
  const r2 = await verifyHost(runner(), plan, s, layout);
  assert.deepEqual(r2.drift.map((d) => `${d.resource} ${d.check}`), ['lv vg_jts/lv_pg exists']);
});

test('verify: a filesystem short of its LV (a grow cut after lvextend) is drift', async () => {
  // The captured superblock, with half the blocks: 200 MiB of ext4 on the 400 MiB LV.
  const half = fx('tune2fs-l-ext4.txt').replace(/^Block count:\s+409600$/m, 'Block count:              204800');
  assert.notEqual(half, fx('tune2fs-l-ext4.txt'));
  const r = await verifyHost(new FakeRunner().on(['tune2fs', '-l'], { stdout: half }), plan, state(), layout);
  // (Halving the block count also doubles the reserved-blocks ratio: only the size check is looked at.)
  assert.deepEqual(r.drift.filter((d) => d.check.startsWith('size (bytes')).map((d) => `${d.resource}|${d.check}|${d.expected}|${d.found}`), [
    `fs vg_jts/lv_pg|size (bytes, fills its LV)|${400 * 2 ** 20} (within 16 MiB)|${200 * 2 ** 20}`,
  ]);
});

test('verify: a cold-tier network mount is checked for mounted, source and type (nfs may come up as nfs4)', async () => {
  const p = { ...plan, networkMounts: [{ source: 'nas1:/export/cold', path: '/mnt/cold', type: 'nfs' as const, options: ['defaults', '_netdev'], tier: 'cold' as const }] };
  const s = state();
  s.fstab = mergeManagedBlock('UUID=1 / ext4 defaults 0 1\n', desiredFstabEntries(p, new Map()));
  const missing = await verifyHost(runner(), p, s, layout);
  assert.deepEqual(missing.drift.map((d) => `${d.resource}|${d.check}|${d.found}`), ['mount /mnt/cold|mounted|(missing)']);
  s.mounts.push({ target: '/mnt/cold', source: 'nas1:/export/cold', fstype: 'nfs4', options: ['rw', 'relatime', 'vers=4.2'] });
  assert.deepEqual((await verifyHost(runner(), p, s, layout)).drift, []);
  s.mounts[s.mounts.length - 1]!.source = 'nas2:/export/cold';
  assert.deepEqual((await verifyHost(runner(), p, s, layout)).drift.map((d) => `${d.check}|${d.expected}|${d.found}`), ['source|nas1:/export/cold|nas2:/export/cold']);
});
