import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Capacity arithmetic on the real kernel and lvm2, ONE boot, four drives of different sizes and kinds:
 *
 *   CAP-0  nvme    4,000,000,000,000 bytes ("4 TB")
 *   CAP-1  virtio  2,000,398,934,016 bytes ("2 TB", 3,907,029,168 sectors)
 *   CAP-2  nvme    1,000,204,886,016 bytes ("1 TB")
 *   CAP-3  virtio    960,197,124,096 bytes ("960 GB")
 *
 * For every --dataalignment {1m, 4m, 8m} × extent size {4m, 16m, 32m}: pvcreate all four, one VG per
 * drive plus, for two of the combinations, one VG over all four; `vgs -o vg_extent_count` and
 * `pvs -o pe_start,pv_pe_count` (JSON) against resolveLayout's totalExtents and peStartBytes; then wiped.
 * Then a plan with percent, bytes and "rest" volumes and two thin pools (one with its metadata size
 * estimated, one "rest"), created with the diff's own commands (which pass --poolmetadatasize): every
 * LV's extents, the hidden [pool_tmeta] and [lvol0_pmspare], and the VG's free count against the
 * layout. Last, LVM's own metadata size for pools created WITHOUT --poolmetadatasize against
 * thinMetadataBytes (the estimate the layout uses when the plan gives none). They must agree exactly.
 *
 * Guest side: this file run by node in the guest (JTS_CAP_GUEST=outDir) executes steps.json and records
 * each command's exit code and output in results.json.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Step {
  name: string;
  argv: string[];
}
interface Result {
  name: string;
  argv: string[];
  rc: number;
  stdout: string;
  stderr: string;
}

function guestMain(out: string): void {
  const steps = JSON.parse(readFileSync(join(out, 'steps.json'), 'utf8')) as Step[];
  const results: Result[] = [];
  for (const s of steps) {
    const r = spawnSync(s.argv[0]!, s.argv.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    results.push({ name: s.name, argv: s.argv, rc: r.status ?? 128, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') });
    process.stdout.write(`${r.status === 0 ? 'ok  ' : `rc=${r.status}`} ${s.name}\n`);
  }
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
  writeFileSync(join(out, 'done'), 'done\n');
}

if (process.env.JTS_CAP_GUEST) {
  guestMain(process.env.JTS_CAP_GUEST);
} else {
  await hostTests();
}

async function hostTests(): Promise<void> {
  const { loadPlanText } = await import('../../src/model/load-plan.js');
  const { resolveLayout, thinMetadataBytes } = await import('../../src/model/capacity.js');
  const { diffPlanDetailed } = await import('../../src/diff/diff.js');
  const { runInSandbox } = await import('../../src/sandbox/index.js');
  type HostState = import('../../src/model/host-state.js').HostState;
  type DriveInfo = import('../../src/model/host-state.js').DriveInfo;

  const MiB = 2 ** 20;
  const DRIVES = [
    { serial: 'CAP-0', kind: 'nvme' as const, sizeBytes: 4_000_000_000_000 },
    { serial: 'CAP-1', kind: 'virtio' as const, sizeBytes: 2_000_398_934_016 },
    { serial: 'CAP-2', kind: 'nvme' as const, sizeBytes: 1_000_204_886_016 },
    { serial: 'CAP-3', kind: 'virtio' as const, sizeBytes: 960_197_124_096 },
  ];
  // The guest's stable names (udev's by-id rules for QEMU's NVMe and virtio-blk with a serial).
  const byId = (d: (typeof DRIVES)[number]) => (d.kind === 'nvme' ? `/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_${d.serial}` : `/dev/disk/by-id/virtio-${d.serial}`);
  const state: HostState = {
    source: 'described',
    drives: DRIVES.map(
      (d, i): DriveInfo => ({
        path: d.kind === 'nvme' ? `/dev/nvme${i === 0 ? 0 : 1}n1` : `/dev/vd${i === 1 ? 'a' : 'b'}`,
        byIds: [byId(d)],
        serial: d.serial,
        sizeBytes: d.sizeBytes,
        logicalSectorSize: 512,
        physicalSectorSize: 512,
        rotational: false,
        discard: true,
        volatileWriteCache: true,
        kind: d.kind === 'nvme' ? 'nvme' : 'virtio',
        partitions: [],
        signatures: [],
        mountpoints: [],
      }),
    ),
    pvs: [],
    vgs: [],
    lvs: [],
    filesystems: [],
    mounts: [],
  };
  const drivesYaml = `drives:\n${DRIVES.map((d, i) => `  - { id: d${i}, serial: ${d.serial} }`).join('\n')}\n`;

  const ALIGN = ['1m', '4m', '8m'];
  const EXTENT = ['4m', '16m', '32m'];
  const ALL_IN_ONE = new Set(['4m/4m', '8m/32m']);
  const steps: Step[] = [];
  const expected: { combo: string; vg: string; extents: number; pvs: { path: string; peStart: number; extents: number }[] }[] = [];
  for (const a of ALIGN) {
    for (const e of EXTENT) {
      const combo = `${a}/${e}`;
      const all = ALL_IN_ONE.has(combo);
      const vgs = all ? [{ name: 'vg_all', drives: DRIVES.map((_, i) => `d${i}`) }] : DRIVES.map((_, i) => ({ name: `vg_c${i}`, drives: [`d${i}`] }));
      const yaml = `version: 1\n${drivesYaml}volumeGroups:\n${vgs.map((v) => `  - { name: ${v.name}, drives: [${v.drives.join(', ')}], dataAlignment: ${a}, extentSize: ${e} }`).join('\n')}\n`;
      const loaded = loadPlanText(yaml, `capacity-${combo}.yaml`);
      const layout = resolveLayout(loaded.plan, state, loaded);
      assert.deepEqual(layout.findings, []);
      steps.push({ name: `${combo}:pvcreate`, argv: ['pvcreate', '-y', '--dataalignment', a, ...DRIVES.map(byId)] });
      for (const v of layout.vgs) {
        steps.push({ name: `${combo}:vgcreate:${v.name}`, argv: ['vgcreate', '-s', e, v.name, ...v.pvs.map((p) => state.drives.find((d) => d.path === p.path)!.byIds[0]!)] });
        expected.push({ combo, vg: v.name, extents: v.totalExtents, pvs: v.pvs.map((p) => ({ path: state.drives.find((d) => d.path === p.path)!.byIds[0]!, peStart: p.peStartBytes!, extents: p.extents })) });
      }
      steps.push({ name: `${combo}:vgs`, argv: ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_extent_size,vg_extent_count,vg_free_count'] });
      steps.push({ name: `${combo}:pvs`, argv: ['pvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'pv_name,vg_name,pe_start,pv_pe_count,dev_size'] });
      steps.push({ name: `${combo}:vgremove`, argv: ['vgremove', '-y', ...layout.vgs.map((v) => v.name)] });
      steps.push({ name: `${combo}:pvremove`, argv: ['pvremove', '-y', ...DRIVES.map(byId)] });
    }
  }

  // Volumes and thin pools with the diff's own commands, on the 960 GB drive.
  const POOL_PLAN = `version: 1
drives: [{ id: d3, serial: CAP-3 }]
volumeGroups:
  - name: vg_thin
    drives: [d3]
    dataAlignment: 1m
    extentSize: 4m
    reserve: 5%
    thinPools:
      - { name: tp_fixed, size: 100GiB }
      - { name: tp_rest, size: rest }
volumes:
  - { name: lv_pct, vg: vg_thin, size: 10%, filesystem: { type: none } }
  - { name: lv_bytes, vg: vg_thin, size: 123GB, filesystem: { type: none } }
  - { name: lv_thin, vg: vg_thin, size: 300GiB, thinPool: tp_rest, filesystem: { type: none } }
`;
  const poolLoaded = loadPlanText(POOL_PLAN, 'pools.yaml');
  const poolLayout = resolveLayout(poolLoaded.plan, state, poolLoaded);
  assert.deepEqual(poolLayout.findings.filter((f) => f.severity === 'error'), []);
  const poolActions = diffPlanDetailed(poolLoaded, state, poolLayout).actions.filter((a) => /^(pv|vg|pool|lv):/.test(a.id));
  for (const a of poolActions) for (const [k, s] of a.steps.entries()) if (s.type === 'exec') steps.push({ name: `pools:${a.id}#${k}`, argv: s.argv });
  steps.push({ name: 'pools:lvs', argv: ['lvs', '-a', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,lv_size,seg_size_pe,lv_metadata_size,chunk_size', 'vg_thin'] });
  steps.push({ name: 'pools:vgs', argv: ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_extent_count,vg_free_count', 'vg_thin'] });
  steps.push({ name: 'pools:vgremove', argv: ['vgremove', '-y', '-f', 'vg_thin'] });
  steps.push({ name: 'pools:pvremove', argv: ['pvremove', '-y', byId(DRIVES[3]!)] });
  // LVM's own metadata estimate (no --poolmetadatasize), for pool sizes on both sides of the chunk doubling.
  const ESTIMATE_POOLS_GIB = [1, 20, 128, 500];
  steps.push({ name: 'est:pvcreate', argv: ['pvcreate', '-y', '--dataalignment', '4m', byId(DRIVES[3]!)] });
  steps.push({ name: 'est:vgcreate', argv: ['vgcreate', '-s', '4m', 'vg_est', byId(DRIVES[3]!)] });
  for (const g of ESTIMATE_POOLS_GIB) {
    steps.push({ name: `est:lvcreate:${g}`, argv: ['lvcreate', '--type', 'thin-pool', '-L', `${g}g`, '-n', `tp_${g}g`, '--yes', 'vg_est'] });
    steps.push({ name: `est:lvs:${g}`, argv: ['lvs', '-a', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,lv_size,lv_metadata_size,chunk_size', `vg_est/tp_${g}g`] });
    steps.push({ name: `est:lvremove:${g}`, argv: ['lvremove', '-y', `vg_est/tp_${g}g`] });
  }

  if (process.env.JTS_CAP_DRY) {
    // Print the guest's commands and the layout's figures without booting (for a look before a run).
    console.log(JSON.stringify({ steps, expected, pools: poolLayout.vgs[0] }, null, 1));
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'jts-capacity-vm-'));
  writeFileSync(join(out, 'steps.json'), JSON.stringify(steps, null, 1));

  test('capacity arithmetic = the kernel\'s lvm2, for 4 drive sizes × 3 alignments × 3 extent sizes, volumes and thin pools (one boot)', { timeout: 1_800_000 }, async (t) => {
    let err = '';
    let boot: Awaited<ReturnType<typeof runInSandbox>> | undefined;
    try {
      boot = await runInSandbox([process.execPath, fileURLToPath(import.meta.url)], {
        drives: DRIVES.map((d) => ({ sizeBytes: d.sizeBytes, serial: d.serial, kind: d.kind })),
        outDir: out,
        env: { JTS_CAP_GUEST: out },
        cwd: ROOT,
        timeoutS: 1500,
        expectWriteBytes: 2 * 1024 ** 3,
        ...(process.env.JTS_VM_VERBOSE ? { onOutput: (c: string) => process.stderr.write(c) } : {}),
      });
    } catch (e) {
      err = String((e as Error).stack ?? e);
    }
    assert.ok(existsSync(join(out, 'done')), `guest run did not finish: ${err}\nexit ${boot?.exitCode}\n${boot?.output.slice(-3000)}\n${boot?.consoleTail.slice(-2000)}`);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Result[];
    const R = (n: string) => {
      const r = results.find((x) => x.name === n);
      assert.ok(r, `step ${n}`);
      assert.equal(r.rc, 0, `${n}: ${r.argv.join(' ')} → ${r.rc}\n${r.stderr}`);
      return r;
    };
    const rows = <T,>(r: Result, key: string) => (JSON.parse(r.stdout) as { report: Record<string, T[]>[] }).report[0]![key]!;
    const figures: string[] = [];

    await t.test('vg_extent_count and pe_start: every drive, alignment and extent size', () => {
      for (const x of expected) {
        const vg = rows<Record<string, string>>(R(`${x.combo}:vgs`), 'vg').find((v) => v.vg_name === x.vg)!;
        assert.ok(vg, `${x.combo} ${x.vg} reported`);
        const pvs = rows<Record<string, string>>(R(`${x.combo}:pvs`), 'pv').filter((p) => p.vg_name === x.vg);
        assert.equal(Number(vg.vg_extent_count), x.extents, `${x.combo} ${x.vg}: lvm2 ${vg.vg_extent_count} extents, resolveLayout ${x.extents}`);
        assert.equal(pvs.length, x.pvs.length);
        for (const p of pvs) {
          // pvs names the PV by its kernel name; map by size (every drive here has a different one).
          const want = x.pvs.find((w) => DRIVES.find((d) => byId(d) === w.path)!.sizeBytes === Number(p.dev_size))!;
          assert.ok(want, `${p.pv_name} (${p.dev_size} bytes) expected`);
          assert.equal(Number(p.pe_start), want.peStart, `${x.combo} ${p.pv_name}: pe_start`);
          assert.equal(Number(p.pv_pe_count), want.extents, `${x.combo} ${p.pv_name}: pv_pe_count`);
          figures.push(`${x.combo}\t${x.vg}\t${p.dev_size}\tpe_start ${p.pe_start}\t${p.pv_pe_count} extents`);
        }
      }
      assert.equal(expected.length, 7 * 4 + 2);
    });

    await t.test('volumes (%, bytes), thin pools (estimated and rest metadata, spare) and free extents, created with the diff\'s commands', () => {
      for (const a of poolActions) for (const [k, s] of a.steps.entries()) if (s.type === 'exec') R(`pools:${a.id}#${k}`);
      const poolArgv = poolActions.filter((a) => a.id.startsWith('pool:')).map((a) => (a.steps[0] as { argv: string[] }).argv);
      assert.ok(poolArgv.every((v) => v.includes('--poolmetadatasize')), 'the diff passes the metadata size explicitly');
      const vgl = poolLayout.vgs[0]!;
      const lvs = rows<Record<string, string>>(R('pools:lvs'), 'lv');
      const ext = (name: string) => Number(lvs.find((l) => l.lv_name === name)?.lv_size) / vgl.extentSizeBytes;
      for (const v of vgl.volumes.filter((x) => !x.thinPool)) assert.equal(ext(v.name), v.extents, v.name);
      for (const p of vgl.thinPools) {
        assert.equal(ext(p.name), p.extents, `${p.name} data`);
        assert.equal(ext(`[${p.name}_tmeta]`), p.metadataExtents, `${p.name} metadata`);
      }
      assert.equal(ext('[lvol0_pmspare]'), vgl.pmspareExtents, 'pool metadata spare');
      assert.equal(Number(lvs.find((l) => l.lv_name === 'lv_thin')!.lv_size), 300 * 2 ** 30);
      const vgs = rows<Record<string, string>>(R('pools:vgs'), 'vg')[0]!;
      assert.equal(Number(vgs.vg_extent_count), vgl.totalExtents);
      assert.equal(Number(vgs.vg_free_count), vgl.freeExtents, 'free extents after the plan = the layout\'s');
      assert.equal(vgl.freeExtents, vgl.reserveExtents, 'rest leaves exactly the reserve');
      figures.push(`pools: ${JSON.stringify(vgl.thinPools)} spare ${vgl.pmspareExtents} free ${vgs.vg_free_count} reserve ${vgl.reserveExtents}`);
    });

    await t.test('LVM\'s own thin pool metadata size (no --poolmetadatasize) = thinMetadataBytes', () => {
      for (const g of ESTIMATE_POOLS_GIB) {
        R(`est:lvcreate:${g}`);
        const lvs = rows<Record<string, string>>(R(`est:lvs:${g}`), 'lv');
        const pool = lvs.find((l) => l.lv_name === `tp_${g}g`)!;
        const meta = Number(pool.lv_metadata_size);
        const want = Math.ceil(thinMetadataBytes(g * 2 ** 30) / (4 * MiB)) * 4 * MiB;
        figures.push(`pool ${g} GiB: lvm2 metadata ${meta} bytes, chunk ${pool.chunk_size}; estimate ${want}`);
        assert.equal(meta, want, `${g} GiB pool: lvm2 made ${meta} bytes of metadata (chunk ${pool.chunk_size}), estimate ${want}`);
      }
    });
    writeFileSync(join(out, 'figures.txt'), figures.join('\n') + '\n');
    if (process.env.JTS_CAP_KEEP) console.error(`results kept in ${out}`);
    else rmSync(out, { recursive: true, force: true });
  });
}
