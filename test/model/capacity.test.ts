import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pvExtents, peStartBytes, percentExtents, resolveLayout, matchDrive, thinMetadataBytes } from '../../src/model/capacity.js';
import { loadPlanText } from '../../src/model/load-plan.js';
import type { HostState, DriveInfo } from '../../src/model/host-state.js';

const MiB = 2 ** 20;
function drive(over: Partial<DriveInfo> = {}): DriveInfo {
  return {
    path: '/dev/nvme0n1', byIds: ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0'], serial: 'JTS-NVME-0', sizeBytes: 4e12,
    logicalSectorSize: 512, physicalSectorSize: 512, rotational: false, discard: true, volatileWriteCache: true, kind: 'nvme',
    partitions: [], signatures: [], mountpoints: [], ...over,
  };
}
function host(...drives: DriveInfo[]): HostState {
  return { source: 'described', drives, pvs: [], vgs: [], lvs: [], filesystems: [], mounts: [] };
}

test('4,000,000,000,000 bytes, --dataalignment 4m, 4 MiB extents = 953,673 extents (measured)', () => {
  assert.equal(peStartBytes(4 * MiB), 4 * MiB);
  assert.equal(pvExtents(4e12, 4 * MiB, 4 * MiB), 953673);
});

test('pe_start follows lvm2: (4 KiB + 1020 KiB) rounded up to the alignment', () => {
  assert.equal(peStartBytes(MiB), MiB); // default 1 MiB
  assert.equal(peStartBytes(64 * 1024), MiB); // small alignment: metadata still ends at 1 MiB
  assert.equal(peStartBytes(3 * MiB), 3 * MiB); // non power of two
  assert.equal(peStartBytes(128 * 1024, { mdaSizeBytes: 2048 * 1024 }), 2176 * 1024); // pvcreate(8) example
  assert.equal(peStartBytes(8 * MiB), 8 * MiB);
});

test('other sizes, alignments and extent sizes', () => {
  // 2 TB drive (3,907,029,168 sectors)
  assert.equal(pvExtents(2000398934016, 4 * MiB, 4 * MiB), 476931);
  // 1 MiB alignment, 4 MiB extents: floor((4e12 - 1 MiB) / 4 MiB)
  assert.equal(pvExtents(4e12, 4 * MiB, MiB), Math.floor((4e12 - MiB) / (4 * MiB)));
  // 32 MiB extents
  assert.equal(pvExtents(4e12, 32 * MiB, 4 * MiB), Math.floor((4e12 - 4 * MiB) / (32 * MiB)));
  // partial trailing sector is ignored
  assert.equal(pvExtents(8 * MiB + 100, 4 * MiB, 4 * MiB), 1);
  assert.equal(pvExtents(3 * MiB, 4 * MiB, 4 * MiB), 0);
});

test('percent of VG floors like lvcreate -l N%VG', () => {
  assert.equal(percentExtents(10, 953673), 95367);
  assert.equal(percentExtents(12.5, 1000), 125);
  assert.equal(percentExtents(100, 953673), 953673);
});

const basePlan = (vols: string, reserve = '0') => `
version: 1
drives: [{ id: d0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: vg, drives: [d0], reserve: "${reserve}" }]
volumes:
${vols}
`;

test('sizes round up to whole extents; GB is decimal; rest takes what is left after the reserve', () => {
  const l = loadPlanText(basePlan(`  - { name: a, vg: vg, size: 800GB }\n  - { name: b, vg: vg, size: 200G }\n  - { name: c, vg: vg, size: 10% }\n  - { name: r, vg: vg, size: rest }`, '10%'), 'p.yaml');
  const lay = resolveLayout(l.plan, host(drive()), l);
  const vg = lay.vgs[0]!;
  assert.equal(vg.totalExtents, 953673);
  const ext = Object.fromEntries(vg.volumes.map((v) => [v.name, v.extents]));
  assert.equal(ext.a, 190735); // ceil(800e9 / 4 MiB)
  assert.equal(ext.b, 51200);
  assert.equal(ext.c, 95367);
  assert.equal(vg.reserveExtents, 95368); // reserve rounds up
  assert.equal(ext.r, 953673 - 190735 - 51200 - 95367 - 95368);
  assert.equal(vg.freeExtents, vg.reserveExtents);
  assert.equal(vg.shortfallBytes, 0);
  assert.deepEqual(lay.findings, []);
});

test('over capacity: shortfall in bytes and a finding saying how much is missing', () => {
  const l = loadPlanText(basePlan(`  - { name: a, vg: vg, size: 2000G }\n  - { name: b, vg: vg, size: 2000G }`), 'p.yaml');
  const lay = resolveLayout(l.plan, host(drive()), l);
  const vg = lay.vgs[0]!;
  assert.equal(vg.shortfallBytes, (1024000 - 953673) * 4 * MiB);
  const f = lay.findings.find((x) => x.rule === 'JTS-CAPACITY')!;
  assert.equal(f.severity, 'error');
  assert.match(f.message, /Missing 70327 extents = 274\.72 GiB \(294\.98 GB\)/);
  assert.match(f.message, /lvcreate of b would fail: "insufficient free space \(441673 extents\): 512000 required"/);
  assert.equal(f.field, 'volumes[1].size');
  assert.equal(f.file, 'p.yaml');
  assert.ok(f.line && f.col);
});

test('drive matching: by-id, serial, WWN; path alone warned; conflicts refused', () => {
  const d = drive({ wwn: 'eui.0025385b71b0e1a2' });
  assert.equal(matchDrive({ id: 'x', serial: 'JTS-NVME-0', tier: 'hot' }, [d]).by, 'serial');
  assert.equal(matchDrive({ id: 'x', byId: '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0', tier: 'hot' }, [d]).by, 'byId');
  assert.equal(matchDrive({ id: 'x', wwn: '0x0025385B71B0E1A2', tier: 'hot' }, [d]).by, 'wwn');
  assert.ok(matchDrive({ id: 'x', serial: 'OTHER', tier: 'hot' }, [d]).problem);
  const conflict = matchDrive({ id: 'x', serial: 'JTS-NVME-0', path: '/dev/nvme1n1', tier: 'hot' }, [d, drive({ path: '/dev/nvme1n1', serial: 'B', byIds: [] })]);
  assert.match(conflict.problem!, /different drives/);

  const l = loadPlanText(`version: 1\ndrives: [{ id: d0, path: /dev/nvme0n1 }]\nvolumeGroups: [{ name: vg, drives: [d0] }]\n`, 'p.yaml');
  const lay = resolveLayout(l.plan, host(drive()), l);
  assert.equal(lay.findings[0]!.rule, 'JTS-DRIVE-UNSTABLE-NAME');
  assert.equal(lay.findings[0]!.severity, 'warning');
  const missing = resolveLayout(loadPlanText(basePlan(`  - { name: a, vg: vg, size: 1G }`), 'p.yaml').plan, host(drive({ serial: 'X', byIds: [] })));
  assert.equal(missing.findings[0]!.rule, 'JTS-DRIVE-NOT-FOUND');
  assert.equal(missing.vgs[0]!.complete, false);
  assert.equal(missing.vgs[0]!.shortfallBytes, 0);
});

test('two drives in one VG add their extents; existing VG uses its real extent count', () => {
  const l = loadPlanText(`version: 1\ndrives: [{ id: a, serial: A }, { id: b, serial: B }]\nvolumeGroups: [{ name: vg, drives: [a, b] }]\nvolumes: [{ name: x, vg: vg, size: rest }]\n`, 'p.yaml');
  const st = host(drive({ serial: 'A', byIds: [] }), drive({ path: '/dev/nvme1n1', serial: 'B', byIds: [], sizeBytes: 2000398934016 }));
  const lay = resolveLayout(l.plan, st, l);
  assert.equal(lay.vgs[0]!.totalExtents, 953673 + 476931);
  // Both drives are already its PVs (a drive that is not is added by vgextend: test/diff/vg-extend.test.ts).
  st.pvs.push({ name: '/dev/nvme0n1', vgName: 'vg', sizeBytes: 4e12 }, { name: '/dev/nvme1n1', vgName: 'vg', sizeBytes: 2000398934016 });
  st.vgs.push({ name: 'vg', sizeBytes: 0, freeBytes: 0, extentSizeBytes: 4 * MiB, extentCount: 1000, freeExtentCount: 1000, pvNames: ['/dev/nvme0n1', '/dev/nvme1n1'] });
  assert.equal(resolveLayout(l.plan, st, l).vgs[0]!.totalExtents, 1000);
});

test('thin pools: data + metadata + spare come out of the VG; thin volumes do not', () => {
  const l = loadPlanText(
    `version: 1\ndrives: [{ id: d0, serial: JTS-NVME-0 }]\nvolumeGroups: [{ name: vg, drives: [d0], thinPools: [{ name: pool, size: 100GiB }] }]\nvolumes:\n  - { name: t, vg: vg, size: 500GiB, thinPool: pool }\n  - { name: r, vg: vg, size: rest }\n`,
    'p.yaml',
  );
  const vg = resolveLayout(l.plan, host(drive()), l).vgs[0]!;
  const pool = vg.thinPools[0]!;
  assert.equal(pool.extents, 25600);
  assert.equal(pool.metadataExtents, Math.ceil(thinMetadataBytes(100 * 2 ** 30) / (4 * MiB)));
  assert.equal(vg.pmspareExtents, pool.metadataExtents);
  assert.equal(vg.volumes.find((v) => v.name === 'r')!.extents, 953673 - 25600 - 2 * pool.metadataExtents);
  assert.equal(vg.volumes.find((v) => v.name === 't')!.virtualSizeBytes, 500 * 2 ** 30);
});

test('over capacity, a script without set -e: every lvcreate that fails is predicted with LVM\'s own figures', () => {
  // The spec's seven lvcreate -L …G on the 4 TB drive (measured: lv_mongodb and lv_backup fail).
  const sizes = [['lv_system', '200G'], ['lv_postgres', '800G'], ['lv_clickhouse', '2000G'], ['lv_kafka', '600G'], ['lv_mongodb', '200G'], ['lv_redis', '50G'], ['lv_backup', '150G']];
  const l = loadPlanText(basePlan(sizes.map(([n, s]) => `  - { name: ${n}, vg: vg, size: ${s} }`).join('\n')), 'p.yaml');
  const f = resolveLayout(l.plan, host(drive()), l).findings.find((x) => x.rule === 'JTS-CAPACITY')!;
  assert.equal(f.field, 'volumes[4].size');
  const predicted = [...f.message.matchAll(/lvcreate of (\w+) would fail: "([^"]+)"/g)].map((m) => `${m[1]}: ${m[2]}`);
  assert.deepEqual(predicted, ['lv_mongodb: insufficient free space (32073 extents): 51200 required', 'lv_backup: insufficient free space (19273 extents): 38400 required']);
});

// ---- existing VGs: extents held outside the plan (test/fixtures/guest: captured in the sandbox guest)
import { readFileSync } from 'node:fs';
import { parseFullReport } from '../../src/probe/lvm.js';

function guestState(): HostState {
  const lvm = parseFullReport(readFileSync(new URL('../../../test/fixtures/guest/probe-fullreport.json', import.meta.url), 'utf8'));
  return { ...host(drive()), source: 'probe', ...lvm };
}
const DEFAULT_LIKE = (extra = '') => `version: 1
drives: [{ id: d0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: vg_jts, drives: [d0], reserve: 10%${extra} }]
volumes:
  - { name: lv_system, vg: vg_jts, size: 200GB }
  - { name: lv_postgres, vg: vg_jts, size: 800GB }
  - { name: lv_clickhouse, vg: vg_jts, size: rest }
  - { name: lv_kafka, vg: vg_jts, size: 600GB }
  - { name: lv_mongodb, vg: vg_jts, size: 200GB }
  - { name: lv_redis, vg: vg_jts, size: 50GB }
  - { name: lv_backup, vg: vg_jts, size: 150GB }
`;

test('existing VG: a snapshot, a thin pool outside the plan and its hidden metadata + spare are used extents', () => {
  const st = guestState();
  const vgi = st.vgs[0]!;
  assert.equal(vgi.extentCount - vgi.freeExtentCount, 859844); // LVM's own figure
  const l = loadPlanText(DEFAULT_LIKE(), 'p.yaml');
  const vg = resolveLayout(l.plan, st, l).vgs[0]!;
  // lv_redis_snap_20261121 (2 GiB COW) + tp_snap (20 GiB data) + [tp_snap_tmeta] 5 + [lvol0_pmspare] 5 (lvs -a, same capture)
  assert.deepEqual(vg.foreignLvs, [
    { name: 'lv_redis_snap_20261121', extents: 512, kind: 'snapshot' },
    { name: 'tp_snap', extents: 5120, kind: 'thin-pool' },
    { name: 'hidden (pool metadata, spare)', extents: 10, kind: 'hidden' },
  ]);
  assert.equal(vg.foreignExtents, 5642);
  // The layout's free figure is LVM's: nothing is double counted or missed.
  assert.equal(vg.freeExtents, vgi.freeExtentCount);
  // rest would be 953673 − 95368 − 476839 − 5642 = 375824, below the 377363 lv_clickhouse has: kept, not shrunk, not grown.
  assert.equal(vg.volumes.find((v) => v.name === 'lv_clickhouse')!.extents, 377363);
});

test('existing VG: a new "rest" volume stops where the extents held outside the plan begin', () => {
  const st = guestState();
  st.lvs = st.lvs.filter((x) => x.name !== 'lv_clickhouse');
  st.vgs[0]!.freeExtentCount += 377363;
  const l = loadPlanText(DEFAULT_LIKE(), 'p.yaml');
  const lay = resolveLayout(l.plan, st, l);
  const vg = lay.vgs[0]!;
  const rest = vg.volumes.find((v) => v.name === 'lv_clickhouse')!.extents;
  assert.equal(rest, 953673 - 95368 - (47684 + 190735 + 143052 + 47684 + 11921 + 35763) - 5642);
  assert.equal(vg.freeExtents, vg.reserveExtents, 'after lvcreate -l <rest>, LVM would report exactly the reserve free');
  assert.ok(!lay.findings.some((f) => f.rule === 'JTS-RESERVE-HELD'));
});

test('existing VG: the reserve eaten by LVs outside the plan is a warning naming them', () => {
  const l = loadPlanText(DEFAULT_LIKE(), 'p.yaml');
  const f = resolveLayout(l.plan, guestState(), l).findings.find((x) => x.rule === 'JTS-RESERVE-HELD')!;
  assert.equal(f.severity, 'warning');
  assert.equal(f.field, 'volumeGroups[0].reserve');
  assert.match(f.message, /keeps 93829 free extents .* less than its reserve of 95368 .*lv_redis_snap_20261121 512, tp_snap 5120, hidden \(pool metadata, spare\) 10/);
});

test('existing VG: the plan\'s own thin pool (and its hidden metadata) is not foreign; thin volumes hold no VG extents', () => {
  const l = loadPlanText(DEFAULT_LIKE(', thinPools: [{ name: tp_snap, size: 20GiB, metadataSize: 20MiB }]'), 'p.yaml');
  const vg = resolveLayout(l.plan, guestState(), l).vgs[0]!;
  assert.deepEqual(vg.foreignLvs, [{ name: 'lv_redis_snap_20261121', extents: 512, kind: 'snapshot' }]);
  assert.equal(vg.thinPools[0]!.metadataExtents, 5);
  assert.equal(vg.pmspareExtents, 5);
});

test('thin pool of size rest: data + metadata + the spare (sized like the metadata) fill exactly what is left', () => {
  for (const [reserve, ext] of [['0', '4m'], ['10%', '4m'], ['0', '32m'], ['1%', '1m']] as const) {
    const l = loadPlanText(
      `version: 1\ndrives: [{ id: d0, serial: JTS-NVME-0 }]\nvolumeGroups: [{ name: vg, drives: [d0], extentSize: ${ext}, reserve: "${reserve}", thinPools: [{ name: pool, size: rest }] }]\nvolumes:\n  - { name: a, vg: vg, size: 100GiB }\n`,
      'p.yaml',
    );
    const vg = resolveLayout(l.plan, host(drive()), l).vgs[0]!;
    const p = vg.thinPools[0]!;
    const e = vg.extentSizeBytes;
    assert.equal(p.metadataExtents, Math.ceil(thinMetadataBytes(p.extents * e) / e), `metadata follows the data size (${ext})`);
    assert.equal(vg.pmspareExtents, p.metadataExtents);
    const used = vg.volumes[0]!.extents + p.extents + 2 * p.metadataExtents;
    assert.ok(used <= vg.totalExtents - vg.reserveExtents, `fits (${ext}, reserve ${reserve})`);
    assert.ok(vg.totalExtents - vg.reserveExtents - used <= 2, `and leaves at most the rounding of the metadata step (${vg.totalExtents - vg.reserveExtents - used})`);
    assert.equal(vg.usedExtents, used);
  }
});
