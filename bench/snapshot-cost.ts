/**
 * What a live snapshot costs the database: the origin's 4 KiB random-write IOPS at QD1 (O_DIRECT,
 * libaio, time-based, fio JSON) with no snapshot, with one classic snapshot and with one thin snapshot,
 * in ONE sandbox run (figures compare only within a run: ../shared/notes/benchmark-method.md).
 *
 *   npx tsc -p . && node dist/bench/snapshot-cost.js [--repeats 3] [--runtime 5]
 *
 * Method, per origin kind (a linear LV for classic, a thin LV for thin):
 *  1. precondition: write the whole measured region once (unwritten/unallocated regions are free);
 *  2. baseline: randwrite × repeats;
 *  3. take the snapshot; first-write: ONE run right after it (most writes hit chunks not yet copied —
 *     what the database sees just after the snapshot: classic copy-on-write, thin block unsharing);
 *  4. write the whole region once more (every chunk copied/unshared), then steady state × repeats.
 * Reported: median IOPS, spread, and ratios to the same origin's no-snapshot median.
 * It runs itself in the guest (`--guest OUTDIR`), on a drive that exists only in the sandbox.
 */
import * as path from 'node:path';
import * as fs from 'node:fs/promises';
import { ExecRunner } from '../src/core/exec-runner.js';
import { fioArgv, preconditionArgv, parseFioOutput, checkJobErrors } from '../src/host/fio.js';
import { stat, type Stat } from '../src/bench/stats.js';

const MiB = 1024 * 1024;
const REGION = 384 * MiB;

interface Figures {
  kernel: string;
  repeats: number;
  runtimeS: number;
  regionBytes: number;
  classic: { none: number[]; firstWrite: number[]; steady: number[]; cowChunkKiB?: number };
  thin: { none: number[]; firstWrite: number[]; steady: number[]; chunkKiB?: number };
}

async function guest(out: string, repeats: number, runtimeS: number): Promise<void> {
  const r = new ExecRunner();
  const sh = async (argv: string[]) => {
    const res = await r.run(argv, { timeoutMs: 600_000 });
    if (res.exitCode !== 0) throw new Error(`${argv.join(' ')}: exit ${res.exitCode}: ${res.stderr}`);
    return res;
  };
  const fio = async (name: string, dev: string): Promise<number> => {
    const res = await r.run(
      fioArgv({ name, filename: dev, sizeBytes: REGION, job: { rw: 'randwrite', bs: 4096, ioengine: 'libaio', iodepth: 1, direct: true }, runtimeS, rampS: 1, mustExist: true }),
      { timeoutMs: 600_000 },
    );
    const o = parseFioOutput(res.stdout);
    checkJobErrors(o, res.stderr);
    return o.jobs[0]!.write!.iops!;
  };
  const precondition = async (dev: string) => {
    const res = await r.run(preconditionArgv('precondition', dev, REGION), { timeoutMs: 600_000 });
    checkJobErrors(parseFioOutput(res.stdout), res.stderr);
  };
  const dev = '/dev/nvme0n1';
  await sh(['pvcreate', '-y', dev]);
  await sh(['vgcreate', 'vg_b', dev]);
  await sh(['lvcreate', '-y', '-n', 'lv_o', '-L', `${REGION / MiB}m`, 'vg_b']);
  await sh(['lvcreate', '-y', '-n', 'pool', '-L', `${(3 * REGION) / MiB}m`, '-T', 'vg_b/pool']);
  await sh(['lvcreate', '-y', '-n', 'lv_t', '-V', `${REGION / MiB}m`, '-T', 'vg_b/pool']);
  const f: Figures = {
    kernel: (await sh(['uname', '-r'])).stdout.trim(),
    repeats,
    runtimeS,
    regionBytes: REGION,
    classic: { none: [], firstWrite: [], steady: [] },
    thin: { none: [], firstWrite: [], steady: [] },
  };
  const lvsJ = async (lv: string, field: string) =>
    JSON.parse((await sh(['lvs', '--reportformat', 'json', '--units', 'k', '--nosuffix', '-o', field, lv])).stdout).report[0].lv[0][field] as string;

  // Classic: linear origin, COW big enough for the whole region (+ metadata) so it never invalidates.
  const o = '/dev/vg_b/lv_o';
  await precondition(o);
  for (let i = 0; i < repeats; i++) f.classic.none.push(await fio('classic-none', o));
  await sh(['lvcreate', '-y', '-s', '-n', 'lv_o.snap.bench.x', '-L', `${Math.ceil((REGION * 1.2) / MiB)}m`, 'vg_b/lv_o']);
  f.classic.cowChunkKiB = Number(await lvsJ('vg_b/lv_o.snap.bench.x', 'chunk_size'));
  f.classic.firstWrite.push(await fio('classic-first', o));
  await precondition(o);
  for (let i = 0; i < repeats; i++) f.classic.steady.push(await fio('classic-steady', o));
  await sh(['lvremove', '-y', 'vg_b/lv_o.snap.bench.x']);

  // Thin: thin origin; the snapshot shares every block until the origin overwrites it.
  const t = '/dev/vg_b/lv_t';
  await precondition(t);
  for (let i = 0; i < repeats; i++) f.thin.none.push(await fio('thin-none', t));
  await sh(['lvcreate', '-y', '-s', '-n', 'lv_t.snap.bench.x', 'vg_b/lv_t']);
  f.thin.chunkKiB = Number(await lvsJ('vg_b/pool', 'chunk_size'));
  f.thin.firstWrite.push(await fio('thin-first', t));
  await precondition(t);
  for (let i = 0; i < repeats; i++) f.thin.steady.push(await fio('thin-steady', t));
  await fs.writeFile(path.join(out, 'snapshot-cost.json'), JSON.stringify(f, null, 2));
}

function report(f: Figures): string {
  const rows: [string, Stat, Stat][] = [];
  const cN = stat(f.classic.none);
  const tN = stat(f.thin.none);
  rows.push(['linear origin, no snapshot', cN, cN]);
  rows.push(['  + classic snapshot, first writes (COW)', stat(f.classic.firstWrite), cN]);
  rows.push(['  + classic snapshot, steady state', stat(f.classic.steady), cN]);
  rows.push(['thin origin, no snapshot', tN, tN]);
  rows.push(['  + thin snapshot, first writes (unshare)', stat(f.thin.firstWrite), tN]);
  rows.push(['  + thin snapshot, steady state', stat(f.thin.steady), tN]);
  const lines = [
    `origin 4 KiB randwrite QD1, O_DIRECT, libaio; region ${f.regionBytes / MiB} MiB preconditioned; ${f.runtimeS} s runs, median of ${f.repeats} (first-write: 1 run); kernel ${f.kernel}`,
    `classic COW chunk ${f.classic.cowChunkKiB} KiB, thin pool chunk ${f.thin.chunkKiB} KiB`,
    '',
    `| case | IOPS (median) | spread | ratio to no snapshot |`,
    `| --- | --- | --- | --- |`,
    ...rows.map(([n, s, base]) => `| ${n.trim()} | ${s.median.toFixed(0)} | ${s.spreadPct.toFixed(1)} % | ${(s.median / base.median).toFixed(2)} |`),
    `| thin origin vs linear origin, no snapshot | | | ${(tN.median / cN.median).toFixed(2)} |`,
  ];
  return lines.join('\n') + '\n';
}

async function host(repeats: number, runtimeS: number): Promise<void> {
  const { runInSandbox } = await import('../src/sandbox/index.js');
  const out = await fs.mkdtemp('/tmp/jts-snapshot-cost-');
  const res = await runInSandbox(['node', path.resolve('dist/bench/snapshot-cost.js'), '--guest', out, '--repeats', String(repeats), '--runtime', String(runtimeS)], {
    drives: [{ sizeBytes: 8 * 1024 ** 3, serial: 'JTS-BENCH-0', kind: 'nvme' }],
    outDir: out,
    timeoutS: 900,
    expectWriteBytes: 3 * 1024 ** 3,
    onProgress: (m) => process.stderr.write(`${m}\n`),
  });
  let f: Figures;
  try {
    f = JSON.parse(await fs.readFile(path.join(out, 'snapshot-cost.json'), 'utf8')) as Figures;
  } catch {
    process.stderr.write(`the guest produced no figures (exit ${res.exitCode}):\n${res.output.slice(-4000)}\n`);
    process.exit(1);
  }
  process.stdout.write(report(f));
  process.stdout.write(`raw: ${JSON.stringify({ classic: f.classic, thin: f.thin })}\n`);
  await fs.rm(out, { recursive: true, force: true });
}

const args = process.argv.slice(2);
const opt = (n: string, d: number) => {
  const i = args.indexOf(n);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const repeats = opt('--repeats', 3);
const runtimeS = opt('--runtime', 5);
const gi = args.indexOf('--guest');
if (gi >= 0) await guest(args[gi + 1]!, repeats, runtimeS);
else await host(repeats, runtimeS);
