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
  st.vgs.push({ name: 'vg', sizeBytes: 0, freeBytes: 0, extentSizeBytes: 4 * MiB, extentCount: 1000, freeExtentCount: 1000, pvNames: [] });
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
