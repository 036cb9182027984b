/**
 * `npm run bench:plan`: how plan+lint+diff scales with the number of volumes, and proof that the
 * probe's process count does not grow with it. Prints figures and ratios; asserts nothing about time
 * (timing belongs here, not in tests). The only hard check: equal tool-call counts at both sizes.
 *
 *  1. Offline plan (--drives) of generated plans with 7 and 200 volumes on one described 16 TB
 *     NVMe drive: median wall time of several in-process runs of the whole pipeline.
 *  2. The probe against a FakeRunner answering with fixture-shaped JSON (the guest capture's
 *     fullreport/lsblk/findmnt entries, replicated) for 7 and 200 LVs: number of processes started.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeRunner } from '../test/support/fake-runner.js';
import { runPlan } from '../src/pipeline/plan-pipeline.js';
import { probeHost, LSBLK_ARGV, FINDMNT_ARGV, BLKID_ARGV, UNAME_ARGV } from '../src/probe/probe.js';
import { FULLREPORT_ARGV } from '../src/probe/lvm.js';
import { BY_ID_ARGV } from '../src/probe/by-id.js';

const DRIVES = `kernelRelease: 6.1.0-31-amd64
drives:
  - path: /dev/nvme0n1
    byId: /dev/disk/by-id/nvme-BENCH_NVMe_BENCH-0
    serial: BENCH-0
    model: BENCH NVMe
    sizeBytes: 16000000000000
    logicalSectorSize: 512
    physicalSectorSize: 4096
    rotational: false
    discard: true
    volatileWriteCache: false
    kind: nvme
    schedulers: [none, mq-deadline]
    scheduler: none
`;

const WORKLOADS = ['postgresql', 'clickhouse', 'kafka', 'mongodb', 'redis', 'backup', 'generic'] as const;

export function generatePlan(n: number): string {
  const lines = [
    'version: 1',
    'name: bench',
    'drives:',
    '  - { id: nvme0, serial: BENCH-0, kind: nvme }',
    'volumeGroups:',
    '  - { name: vg_bench, drives: [nvme0], extentSize: 4MiB, dataAlignment: 4MiB, reserve: 5% }',
    'volumes:',
  ];
  for (let i = 0; i < n; i++) {
    const w = WORKLOADS[i % WORKLOADS.length]!;
    const xfs = w === 'kafka' || w === 'mongodb';
    lines.push(
      `  - name: lv_${String(i).padStart(3, '0')}`,
      '    vg: vg_bench',
      '    size: 20GiB',
      `    workload: ${w}`,
      `    filesystem: { type: ${xfs ? 'xfs' : 'ext4'}, label: b${i} }`,
      '    mount:',
      `      path: /srv/bench/v${i}`,
      '      options: [defaults, noatime, nofail, x-systemd.device-timeout=30s]',
      `      owner: ${i % 2 ? 'benchsvc' : 'root'}`,
      `      group: ${i % 2 ? 'benchsvc' : 'root'}`,
      '      mode: "0750"',
    );
  }
  lines.push('users:', '  - { name: benchsvc, home: /srv/bench }');
  return lines.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timePlan(n: number, runs: number): Promise<{ median: number; min: number; max: number; actions: number; exit: number; calls: number }> {
  const runner = new FakeRunner({ files: { 'bench.yaml': generatePlan(n), 'drives.yaml': DRIVES } });
  const times: number[] = [];
  let actions = 0;
  let exit = 0;
  // One warm-up run (JIT), not counted.
  await runPlan({ runner, planFile: 'bench.yaml', drivesFile: 'drives.yaml' });
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await runPlan({ runner, planFile: 'bench.yaml', drivesFile: 'drives.yaml' });
    times.push(performance.now() - t0);
    actions = r.result.actions.length;
    exit = r.exitCode;
    if (r.result.errors.length) throw new Error(`bench plan of ${n} volumes has errors: ${r.result.errors.map((e) => e.message).join('; ')}`);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), actions, exit, calls: runner.calls.length };
}

const fixtureDir = fileURLToPath(new URL('../../test/fixtures/guest/', import.meta.url));
function guestJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixtureDir + name, 'utf8')) as Record<string, unknown>;
}

/** The guest capture's outputs with its first plain LV replicated n times (names, paths, mounts). */
function probeRunner(n: number): FakeRunner {
  const full = guestJson('probe-fullreport.json') as { report: { vg: unknown[]; pv: unknown[]; lv: Record<string, string>[] }[] };
  const lvT = full.report[0]!.lv.find((l) => l['lv_attr']!.startsWith('-'))!;
  full.report[0]!.lv = Array.from({ length: n }, (_, i) => ({ ...lvT, lv_name: `lv_${i}`, lv_path: `/dev/vg_jts/lv_${i}`, lv_dm_path: `/dev/mapper/vg_jts-lv_${i}` }));
  const blk = guestJson('lsblk-J-b-O.json') as { blockdevices: Record<string, unknown>[] };
  const disk = blk.blockdevices.find((d) => d['name'] === 'nvme0n1')!;
  const childT = (disk['children'] as Record<string, unknown>[])[0]!;
  disk['children'] = Array.from({ length: n }, (_, i) => ({ ...childT, name: `vg_jts-lv_${i}`, kname: `dm-${i}`, path: `/dev/mapper/vg_jts-lv_${i}`, mountpoints: [`/srv/v${i}`] }));
  const mnt = guestJson('findmnt-J-b.json') as { filesystems: Record<string, unknown>[] };
  const root = mnt.filesystems[0]!;
  root['children'] = Array.from({ length: n }, (_, i) => ({ target: `/srv/v${i}`, source: `/dev/mapper/vg_jts-lv_${i}`, fstype: 'ext4', options: 'rw,noatime' }));
  const r = new FakeRunner({ files: { '/etc/fstab': readFileSync(fixtureDir + 'fstab', 'utf8') } });
  r.on(UNAME_ARGV, { stdout: '6.1.0-56-amd64\n' });
  r.on(LSBLK_ARGV, { stdout: JSON.stringify(blk) });
  r.on(FINDMNT_ARGV, { stdout: JSON.stringify(mnt) });
  r.on(BLKID_ARGV, { stdout: readFileSync(fixtureDir + 'blkid-o-export.txt', 'utf8') });
  r.on(FULLREPORT_ARGV, { stdout: JSON.stringify(full) });
  r.on(BY_ID_ARGV, { stdout: readFileSync(fixtureDir + 'by-id-find.txt', 'utf8') });
  return r;
}

async function main(): Promise<void> {
  const small = await timePlan(7, 21);
  const big = await timePlan(200, 9);
  console.log('plan+lint+diff, offline (--drives), in-process, median of runs after one warm-up:');
  console.log(`  7 volumes:   ${small.median.toFixed(2)} ms  (min ${small.min.toFixed(2)}, max ${small.max.toFixed(2)}; ${small.actions} actions, exit ${small.exit}, processes started: ${small.calls})`);
  console.log(`  200 volumes: ${big.median.toFixed(2)} ms  (min ${big.min.toFixed(2)}, max ${big.max.toFixed(2)}; ${big.actions} actions, exit ${big.exit}, processes started: ${big.calls})`);
  console.log(`  ratio 200/7: ${(big.median / small.median).toFixed(1)}x time for ${(200 / 7).toFixed(1)}x volumes`);

  const counts: Record<number, { calls: number; fileReads: number; lvs: number }> = {};
  for (const n of [7, 200]) {
    const r = probeRunner(n);
    let reads = 0;
    const rf = r.readFileIfExists.bind(r);
    r.readFileIfExists = async (p: string) => {
      reads++;
      return rf(p);
    };
    const s = await probeHost(r);
    counts[n] = { calls: r.calls.length, fileReads: reads, lvs: s.lvs.length };
  }
  console.log('probe against fixture-shaped tool output (FakeRunner):');
  for (const n of [7, 200]) console.log(`  ${n} LVs: ${counts[n]!.calls} tool calls (${counts[n]!.fileReads} file reads: sysfs per drive, fstab, passwd, group), ${counts[n]!.lvs} LVs parsed`);
  const equal = counts[7]!.calls === counts[200]!.calls;
  console.log(`  tool calls equal at both sizes: ${equal ? 'yes' : 'NO'}`);
  if (!equal || counts[200]!.lvs !== 200) process.exitCode = 1;
}

if (process.argv[1]?.endsWith("plan-scale.js")) await main();
