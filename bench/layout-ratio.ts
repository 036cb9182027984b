/**
 * The figures issue 8 exists for, from ONE sandbox run:
 *   1. each profile on each volume of the tuned default layout (plans/jts.yaml, applied by the
 *      product) ÷ the same profile on a scratch LV without a filesystem (goal ≥ 0.97);
 *   2. the tuned default layout ÷ the seed-literal layout (examples/seed-literal.yaml: the specs'
 *      mkfs and mount options as written, minus the options the kernel refuses to mount — each
 *      mount option is tried alone on the made filesystem and the refused ones are listed).
 *
 * Both layouts live on two identical 4 TB NVMe images in the same guest, with the same LV sizes (the
 * seed's own sizes do not fit a 4 TB drive, seed-defects row 1), so only filesystem and mount options
 * differ; every run is interleaved with the others (repeat → profile → target) so drift hits all alike.
 *
 *   npm run build && node dist/bench/layout-ratio.js [--runtime 2] [--repeat 3] [--size 256MiB] [--out DIR]
 *       [--database [--db-runtime 3] [--pgbench-scale 1] [--redis-requests 500]]
 *   node dist/bench/layout-ratio.js --print DIR/layout-ratio.json [--baseline OTHER/layout-ratio.json]
 *
 * Prints the tables; leaves layout-ratio.json (bench results with the layout comparison) and
 * report.html in DIR. Absolute figures are the emulator's, not a drive's; the ratios are the result.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecRunner } from '../src/core/exec-runner.js';
import { loadPlanFile } from '../src/model/load-plan.js';
import { runBench } from '../src/bench/run.js';
import { withHostRun } from '../src/exec/host-run.js';
import { PROFILE_GROUPS, getProfile } from '../src/bench/profiles.js';
import { FIGURES, formatFigure, type FigureKey } from '../src/bench/figures.js';
import { saveResults, type BenchResults } from '../src/bench/results.js';
import { formatLayoutRatio, layoutRows, layoutVerdict, seedPairs } from '../src/bench/layout-compare.js';
import { compareRatios } from '../src/bench/ratio-compare.js';
import { writeReport } from '../src/report/report.js';
import { healthNow } from '../src/report/health.js';
import { parseBytes } from '../src/model/units.js';

const DB = ['postgresql', 'clickhouse', 'kafka', 'mongodb', 'redis'];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

function sh(argv: string[], log: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  log.push(`$ ${argv.join(' ')}  # exit ${r.status}${r.status ? ` ${String(r.stderr).trim().split('\n').slice(-1)[0]}` : ''}`);
  return { status: r.status ?? 125, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The stable by-id path of the NVMe namespace with this serial (kernel names can swap between drives). */
function bySerial(serial: string): string {
  const dir = '/dev/disk/by-id';
  const hit = fs.readdirSync(dir).find((n) => n.startsWith('nvme-') && n.includes(serial) && !n.includes('-part'));
  if (!hit) throw new Error(`no /dev/disk/by-id entry for serial ${serial}`);
  return path.join(dir, hit);
}

async function guest(out: string): Promise<void> {
  const log: string[] = [];
  const runtimeS = Number(arg('--runtime', '2'));
  const repeat = Number(arg('--repeat', '3'));
  const sizeBytes = parseBytes(arg('--size', '256MiB'));
  // --database: also pgbench / pg_test_fsync / redis-benchmark on both layouts' PostgreSQL and Redis volumes.
  const database = process.argv.includes('--database')
    ? { runtimeS: Number(arg('--db-runtime', '3')), pgbenchScale: Number(arg('--pgbench-scale', '1')), redisRequests: Number(arg('--redis-requests', '500')) }
    : undefined;
  const tunedPlanFile = path.resolve('plans/jts.yaml');
  const seedPlanFile = path.resolve('examples/seed-literal.yaml');

  // 1. The tuned default layout, applied by the product on drive JTS-NVME-0.
  const apply = sh(['node', path.resolve('bin/jts-storage.js'), 'apply', '--plan', tunedPlanFile, '--yes', '--json'], log);
  if (apply.status !== 0) throw new Error(`apply of the default plan failed:\n${apply.stderr.slice(-3000)}`);
  const lvs = JSON.parse(sh(['lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,lv_size', 'vg_jts'], log).stdout) as {
    report: { lv: { lv_name: string; lv_size: string }[] }[];
  };
  const tunedSize = new Map(lvs.report[0]!.lv.map((l) => [l.lv_name, Number(l.lv_size)]));
  const tuned = await loadPlanFile(tunedPlanFile);

  // 2. The seed-literal layout on drive JTS-NVME-1: the seed's mkfs and mount options, the tuned sizes.
  const seed = (await loadPlanFile(seedPlanFile)).plan;
  const dev = bySerial('JTS-NVME-1');
  const omitted: string[] = [
    'mkfs -E lazy_itable_init=0,lazy_journal_init=0 (they only move inode-table and journal zeroing from later to mkfs time; on a 2 TB volume they would write ~32 GB into the sparse test image)',
  ];
  for (const a of [['pvcreate', '-y', '--dataalignment', '4m', dev], ['vgcreate', '-s', '4m', 'vg_seed', dev]]) {
    if (sh(a, log).status !== 0) throw new Error(`${a.join(' ')} failed`);
  }
  const seedDirs: { path: string; workload: string; id: string; label: string }[] = [];
  for (const v of seed.volumes) {
    if (!DB.includes(v.workload) || !v.mount) continue;
    const tunedVol = tuned.plan.volumes.find((t) => t.workload === v.workload);
    const bytes = tunedVol ? tunedSize.get(tunedVol.name) : undefined;
    if (!tunedVol || !bytes) throw new Error(`no tuned volume for ${v.workload}`);
    if (sh(['lvcreate', '-y', '-L', `${bytes}b`, '-n', v.name, 'vg_seed'], log).status !== 0) throw new Error(`lvcreate ${v.name} failed`);
    const lv = `/dev/vg_seed/${v.name}`;
    const fsx = v.filesystem;
    let mkfs: string[];
    if (fsx.type === 'xfs') {
      mkfs = ['mkfs.xfs', '-f'];
      if (fsx.data.length) mkfs.push('-d', fsx.data.join(','));
      if (fsx.log.length) mkfs.push('-l', fsx.log.join(','));
    } else {
      mkfs = ['mkfs.ext4', '-F', '-q'];
      const ext = fsx.extended.filter((e) => !/^lazy_(itable|journal)_init=/.test(e));
      if (ext.length) mkfs.push('-E', ext.join(','));
      if (fsx.features.length) mkfs.push('-O', fsx.features.join(','));
    }
    const mk = sh([...mkfs, lv], log);
    if (mk.status !== 0) throw new Error(`${mkfs.join(' ')} failed: ${mk.stderr}`);
    const mnt = `/seed/${v.workload}`;
    fs.mkdirSync(mnt, { recursive: true });
    // Each option alone: the ones the kernel refuses on this filesystem are left out (and said).
    const accepted: string[] = [];
    for (const o of v.mount.options.filter((x) => x !== 'defaults')) {
      if (sh(['mount', '-o', o, lv, mnt], log).status === 0) {
        sh(['umount', mnt], log);
        accepted.push(o);
      } else omitted.push(`${v.name} (${fsx.type}${fsx.features.includes('^has_journal') ? ', no journal' : ''}): mount option ${o} — the kernel refuses it`);
    }
    const m = sh(['mount', '-o', ['defaults', ...accepted].join(','), lv, mnt], log);
    if (m.status !== 0) throw new Error(`mount ${lv} with ${accepted.join(',')} failed: ${m.stderr}`);
    seedDirs.push({ path: mnt, workload: v.workload, id: `seed:${v.name}`, label: `seed-literal ${v.name} (${mnt})` });
  }

  // 3. One bench over both layouts and a scratch LV in vg_jts's reserve.
  const runner = new ExecRunner();
  const tunedVols = tuned.plan.volumes.filter((v) => DB.includes(v.workload) && v.mount);
  const t0 = Date.now();
  // Like `jts-storage bench`: the scratch LV and the test files are Actions under the host lock and audit log.
  const results = await withHostRun({ runner, command: 'bench', pid: process.pid, dryRun: false }, (h) => runBench({ runner: h.runner, act: h }, {
    plan: { plan: tuned.plan, file: tuned.file, text: tuned.text },
    volumes: tunedVols.map((v) => v.name),
    dirs: seedDirs,
    raw: 'scratch:vg_jts',
    // Each volume's own workload profiles (each fio start costs seconds under TCG: keep the count down).
    profilesFor: (t) => (t.workload && PROFILE_GROUPS[t.workload] ? [...PROFILE_GROUPS[t.workload]!] : undefined),
    runtimeS,
    rampS: 1,
    repeat,
    sizeBytes,
    onProgress: (p) => process.stdout.write(`[${p.step}/${p.total}] ${p.message} (~${p.secondsLeft} s left)\n`),
    collectHealth: () => healthNow(runner, tuned.plan, tuned.file),
    database,
  }));

  // 4. Tuned ÷ seed, per volume: each fio profile's headline figures, each database test's ops/s and p99
  //    (> 1: the tuned layout is better), with the range over the runs (bench/layout-compare.ts).
  const rows = layoutRows(
    results,
    seedDirs.map((s) => ({ tuned: tunedVols.find((v) => v.workload === s.workload)!.name, seed: s.id })),
  );
  results.layoutComparison = {
    note:
      `Tuned default layout (plans/jts.yaml, applied by jts-storage) ÷ the seed-literal layout (examples/seed-literal.yaml) on an identical drive, ` +
      `same LV sizes, same run, ${repeat} interleaved runs of ${runtimeS} s per profile. Higher than 1 means the tuned layout is faster; ` +
      `the seed's barrier=0 and journal-less filesystems buy speed by risking committed data on power loss (seed-defects.md).`,
    omitted,
    rows,
  };
  results.notes.push(`layout-ratio: bench wall time ${Math.round((Date.now() - t0) / 1000)} s`);
  await saveResults(runner, results, path.join(out, 'layout-ratio.json'), out);
  await writeReport(runner, { results: path.join(out, 'layout-ratio.json'), resultsDir: out, out: path.join(out, 'report.html') });
  fs.writeFileSync(path.join(out, 'guest.log'), log.join('\n') + '\n');
}

export function printTables(r: BenchResults): string {
  const lines: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  lines.push(`Volume ÷ raw (scratch LV, no filesystem); goal ≥ 0.97. Latency ratios are raw ÷ volume, so > 1 is better everywhere.`, '');
  lines.push(`| volume | profile | figure | volume | raw | ratio | spread volume / raw |`, `| --- | --- | --- | --- | --- | --- | --- |`);
  for (const x of r.ratios) {
    lines.push(
      `| ${x.target} | ${x.profile} | ${FIGURES[x.figure].label} | ${formatFigure(x.figure, x.targetMedian)} | ${formatFigure(x.figure, x.rawMedian)} | ${x.ratio.toFixed(3)} | ${spreadOf(r, x.target, r.rawTarget ?? 'raw', x.profile, x.figure)} |`,
    );
  }
  const lc = r.layoutComparison;
  if (lc) {
    lines.push('', 'Tuned default ÷ seed-literal (> 1: tuned faster).', '');
    lines.push(`| volume | profile / test | figure | tuned | seed-literal | tuned ÷ seed (range) | spread tuned / seed | this run says |`, `| --- | --- | --- | --- | --- | --- | --- | --- |`);
    for (const x of lc.rows) {
      const sp = x.spreadPct ? `${x.spreadPct.tuned.toFixed(0)} % / ${x.spreadPct.seed.toFixed(0)} %` : spreadOf(r, x.volume, `seed:${x.volume}`, x.profile, x.figure);
      lines.push(`| ${x.volume} | ${x.profile} | ${FIGURES[x.figure].label} | ${formatFigure(x.figure, x.tuned)} | ${formatFigure(x.figure, x.seed)} | ${formatLayoutRatio(x)} | ${sp} | ${layoutVerdict(x)} |`);
    }
    lines.push('', 'Seed options left out:', '');
    for (const o of lc.omitted) lines.push(`- ${o}`);
  }
  if (r.database?.ratios.length) {
    lines.push('', 'Database ÷ what fio predicts (same volume, same run).', '', '| volume | ratio | database | predicted by |', '| --- | --- | --- | --- |');
    for (const x of r.database.ratios) lines.push(`| ${x.target} | ${x.ratio.toFixed(3)} | ${x.database} ${formatFigure('db.ops', x.databaseMedian)} | ${x.predictedBy.profile} ${formatFigure('db.ops', x.predictedMedian)} |`);
  }
  lines.push('', `spread (max − min)/median over the runs: median ${pad(medianSpread(r).toFixed(1), 0)} %, worst ${worstSpread(r).toFixed(1)} %`);
  return lines.join('\n');
}

/** "12 % / 30 %": the spread of one figure on two targets. */
function spreadOf(r: BenchResults, a: string, b: string, profile: string, figure: FigureKey): string {
  const s = (t: string) => r.results.find((x) => x.target === t && x.profile === profile)?.summary[figure]?.spreadPct;
  const x = s(a);
  const y = s(b);
  return x !== undefined && y !== undefined ? `${x.toFixed(0)} % / ${y.toFixed(0)} %` : '';
}

function spreads(r: BenchResults): number[] {
  return r.results.flatMap((x) => (getProfile(x.profile)?.primary ?? []).map((f) => x.summary[f]?.spreadPct).filter((v): v is number => v !== undefined));
}
function medianSpread(r: BenchResults): number {
  const s = spreads(r).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}
function worstSpread(r: BenchResults): number {
  return Math.max(0, ...spreads(r));
}

/**
 * `--print FILE [--baseline FILE2]`: the tables of a saved run, its layout rows recomputed with the
 * current code (ranges, database rows), and with a baseline each in-run ratio of both runs side by side.
 */
function printSaved(file: string, baselineFile: string | undefined): void {
  const load = (f: string) => {
    const r = JSON.parse(fs.readFileSync(f, 'utf8')) as BenchResults;
    if (r.layoutComparison) r.layoutComparison.rows = layoutRows(r, seedPairs(r));
    return r;
  };
  const r = load(file);
  process.stdout.write(printTables(r) + '\n');
  if (!baselineFile) return;
  const lines = ['', `In-run ratios: ${baselineFile} → ${file}`, '', '| ratio | volume | test | of | baseline | now | change |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const x of compareRatios(r, load(baselineFile))) {
    const rg = (v?: { min: number; max: number }) => (v ? ` (${v.min.toFixed(3)}–${v.max.toFixed(3)})` : '');
    const of = x.kind === 'database ÷ fio' ? x.of : (FIGURES[x.of as FigureKey]?.label ?? x.of);
    lines.push(`| ${x.kind} | ${x.target} | ${x.test} | ${of} | ${x.baseline.toFixed(3)}${rg(x.baselineRange)} | ${x.current.toFixed(3)}${rg(x.currentRange)} | ${x.changePct >= 0 ? '+' : ''}${x.changePct.toFixed(1)} % |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function host(): Promise<void> {
  const { runInSandbox } = await import('../src/sandbox/index.js');
  const out = path.resolve(arg('--out', '/tmp/jts-layout-ratio'));
  fs.mkdirSync(out, { recursive: true });
  const pass = ['--runtime', arg('--runtime', '2'), '--repeat', arg('--repeat', '3'), '--size', arg('--size', '256MiB')];
  if (process.argv.includes('--database')) pass.push('--database', '--db-runtime', arg('--db-runtime', '3'), '--pgbench-scale', arg('--pgbench-scale', '1'), '--redis-requests', arg('--redis-requests', '500'));
  const t0 = Date.now();
  const res = await runInSandbox(['node', path.resolve('dist/bench/layout-ratio.js'), '--guest', out, ...pass], {
    drives: [
      { sizeBytes: 4_000_000_000_000, serial: 'JTS-NVME-0', kind: 'nvme' },
      { sizeBytes: 4_000_000_000_000, serial: 'JTS-NVME-1', kind: 'nvme' },
    ],
    outDir: out,
    timeoutS: 3600,
    expectWriteBytes: 8 * 1024 ** 3,
    onOutput: (c) => process.stderr.write(c),
    onProgress: (m) => process.stderr.write(m + '\n'),
  });
  if (res.exitCode !== 0 || !fs.existsSync(path.join(out, 'layout-ratio.json'))) {
    process.stderr.write(`layout-ratio: the guest run failed (exit ${res.exitCode})\n${res.consoleTail}\n`);
    process.exitCode = 1;
    return;
  }
  const r = JSON.parse(fs.readFileSync(path.join(out, 'layout-ratio.json'), 'utf8')) as BenchResults;
  process.stdout.write(printTables(r) + '\n');
  process.stdout.write(`\nwall ${Math.round((Date.now() - t0) / 1000)} s; results ${path.join(out, 'layout-ratio.json')}, report ${path.join(out, 'report.html')}\n`);
}

if (process.argv[2] === '--guest') await guest(process.argv[3]!);
else if (process.argv[2] === '--print') printSaved(process.argv[3]!, process.argv.includes('--baseline') ? arg('--baseline', '') : undefined);
else await host();
