import { termWidth, wrap } from '../ui/text.js';
import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import { EXIT, UserError } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH, loadPlanFile } from '../model/load-plan.js';
import { parseBytes } from '../model/units.js';
import { compareResults, DEFAULT_NOISE_PCT } from '../bench/compare.js';
import { PROFILES, PROFILE_GROUPS } from '../bench/profiles.js';
import { DEFAULT_REPEAT, DEFAULT_RUNTIME_S, runBench, summaryLine, type BenchProgress } from '../bench/run.js';
import { DEFAULT_RESULTS_DIR, loadResults, saveResults } from '../bench/results.js';
import { renderBenchText } from '../bench/text.js';
import { FIGURES } from '../bench/figures.js';
import { healthNow } from '../report/health.js';
import type { Runner } from '../core/runner.js';
import type { CommandIo } from '../ui/io.js';
import type { CommandContext } from './context.js';
import { show } from '../ui/view.js';
import { DEFAULT_AUDIT_LOG } from '../exec/audit.js';
import { DEFAULT_LOCK_PATH } from '../exec/lock.js';
import { lockTimeoutMs, withHostRun } from '../exec/host-run.js';
import { numberArg } from '../ui/argv.js';
import { DEFAULT_DB_RUNTIME_S, DEFAULT_REDIS_REQUESTS } from '../bench/database.js';

export interface BenchOpts {
  plan?: string;
  profile?: string[];
  volume?: string[];
  dir?: string[];
  raw?: string;
  runtime: string | number;
  ramp?: string;
  repeat: string | number;
  size: string;
  save?: string;
  compare?: string;
  noise: string | number;
  resultsDir: string;
  listProfiles?: boolean;
  json?: boolean;
  dryRun?: boolean;
  auditLog?: string;
  lockFile?: string;
  lockTimeout?: string;
  allowSnapshots?: boolean;
  database?: boolean;
  dbRuntime: string | number;
  pgbenchScale?: string | number;
  redisRequests: string | number;
  fioBatch?: boolean;
  onePerPath?: boolean;
}

function num(v: string | number, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UserError(`${flag} ${v}: expected a number ≥ ${min}`);
  return n;
}

function fmtTime(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** Progress on stderr (stdout carries the results): one line per step, redrawn in place on a terminal. */
function progressPrinter(io: CommandIo): (p: BenchProgress) => void {
  const tty = !!io.progressTo?.isTTY;
  return (p) => {
    const line = p.phase === 'cleanup' ? p.message : `[${p.step}/${p.total}] ${p.message} — about ${fmtTime(p.secondsLeft)} of measurement left`;
    if (tty) io.stderr(`\r\x1b[K${line}${p.phase === 'cleanup' ? '\n' : ''}`);
    else io.stderr(line + '\n');
  };
}

/** `jts-storage bench`: fio per database workload on each mounted volume, ratio to raw, save and compare. Returns the exit code. */
export async function benchCommand(o: BenchOpts, io: CommandIo & { runner: Runner }): Promise<number> {
  if (o.listProfiles) {
    if (o.json) show(io, true, { profiles: PROFILES, groups: PROFILE_GROUPS, figures: FIGURES }, () => '');
    else {
      // Fitted to the terminal (80 columns and up): each paragraph wraps with a hanging indent.
      const w = termWidth(io);
      const para = (text: string, indent: string) => wrap(text, w, indent + '  ', indent).join('\n') + '\n';
      for (const p of PROFILES) {
        io.stdout(para(`${p.name} — ${p.title}`, '') + para(p.reason, '  ') + para(`reports: ${p.reports.join(', ')}`, '  ') + (p.compareWith ? para(`compare with: ${p.compareWith}`, '  ') : ''));
      }
      io.stdout(para(`groups: ${Object.entries(PROFILE_GROUPS).map(([k, v]) => `${k} = ${v.join(' ')}`).join('; ')}`, ''));
    }
    return EXIT.OK;
  }
  const runtimeS = num(o.runtime, '--runtime', 1);
  const repeat = num(o.repeat, '--repeat', 1);
  const noisePct = num(o.noise, '--noise', 0);
  let sizeBytes: number;
  try {
    sizeBytes = parseBytes(o.size);
  } catch (e) {
    throw new UserError(`--size: ${(e as Error).message}`);
  }
  const database = o.database
    ? {
        runtimeS: num(o.dbRuntime, '--db-runtime', 1),
        pgbenchScale: o.pgbenchScale !== undefined ? num(o.pgbenchScale, '--pgbench-scale', 1) : undefined,
        redisRequests: num(o.redisRequests, '--redis-requests', 1),
        say: (l: string) => io.stderr(l + '\n'),
      }
    : undefined;
  const runner = io.runner;
  // Read the baseline first: a typo in --compare must not cost a whole bench run.
  const baseline = o.compare ? await loadResults(runner, o.compare, o.resultsDir) : undefined;
  // Like apply and rehearse: the default plan, unless only directories were asked for.
  const planFile = o.plan ?? (o.dir?.length ? undefined : DEFAULT_PLAN_PATH);
  const loaded = planFile ? await loadPlanFile(planFile) : undefined;
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  let results;
  let dryLines: string[] = [];
  try {
    // The scratch LV, the test files and the fio runs are Actions: under the host lock, in the audit log.
    results = await withHostRun(
      {
        runner,
        command: 'bench',
        pid: io.pid ?? process.pid,
        dryRun: !!o.dryRun,
        auditLog: o.auditLog,
        lockPath: o.lockFile,
        lockTimeoutMs: lockTimeoutMs(o.lockTimeout, 0),
        say: (s) => io.stderr(s + '\n'),
      },
      async (h) => {
        const r = await runBench({ runner: h.runner, act: h }, {
      plan: loaded ? { plan: loaded.plan, file: loaded.file, text: loaded.text } : undefined,
      profiles: o.profile,
      volumes: o.volume,
      dirs: o.dir,
      raw: o.raw,
      runtimeS,
      rampS: o.ramp !== undefined ? num(o.ramp, '--ramp', 0) : undefined,
      repeat,
      sizeBytes,
      onProgress: progressPrinter(io),
      // Health covers the plan's storage: without a plan there is nothing to say it about.
      collectHealth: loaded ? () => healthNow(runner, loaded.plan, loaded.file) : undefined,
      signal: ac.signal,
      allowSnapshots: !!o.allowSnapshots,
      database,
      fioBatch: !!o.fioBatch,
      onePerPath: !!o.onePerPath,
        });
        dryLines = h.dryRunLines();
        return r;
      },
    );
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
  if (o.dryRun) {
    show(io, o.json, { dryRun: true, steps: dryLines }, () => `dry run: these steps would run, none ran:\n${dryLines.join('\n')}\n`);
    return EXIT.OK;
  }
  if (baseline) {
    results.comparison = compareResults(results, baseline, { noisePct, baselineName: o.compare });
    results.summary = summaryLine(results);
  }
  if (o.save) {
    results.name = o.save;
    const p = await saveResults(runner, results, o.save, o.resultsDir);
    if (!o.json) io.stderr(`saved ${p}\n`);
  }
  show(io, o.json, results, () => renderBenchText(results));
  return results.comparison?.regressions.length ? EXIT.CHANGES : EXIT.OK;
}

export const takesIo = true;

/** Thin commander wiring; the logic is benchCommand. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('bench')
    .description('benchmark each mounted volume with fio per database workload; ratio to the raw drive or a scratch LV, save and compare baselines (exit 2 on a regression)')
    .option('--plan <file>', 'plan file: the volumes, their mount points, workloads and tiers (default: the default plan, unless --dir is given)')
    .option('--profile <name...>', `profiles or groups (${Object.keys(PROFILE_GROUPS).join(', ')}); default: baseline + each volume's workload`)
    .option('--volume <name...>', 'only these plan volumes (or network mount paths)')
    .option('--dir <path...>', 'also benchmark these directories (no plan needed)')
    .option('--allow-snapshots', 'measure plan volumes that have live snapshots (refused otherwise: copy-on-write or pool allocation skews writes); recorded in the results')
    .option('--raw <drive|scratch[:VG]>', 'ratio to the same profiles on a scratch LV in the VG free space ("scratch"), or on a BLANK device (refused if it holds anything)')
    .option('--one-per-path', 'measure one plan volume per I/O path (same volume group, thin pool or linear LV, filesystem and mkfs options, mount options that change I/O): the first in plan order; the results name the volumes each one stands for')
    .option('--fio-batch', 'run the preconditioning, then each repeat\'s measurements, as the jobs of one fio process, one after another (fio stonewall), instead of one process per run: saves fio\'s start-up per run (about 2 s under emulation); progress and Ctrl-C act per process')
    .option('--runtime <s>', 'seconds per measurement run', numberArg, DEFAULT_RUNTIME_S)
    .option('--ramp <s>', 'seconds of warm-up before each run (default: min(2, runtime/3))')
    .option('--repeat <n>', 'runs per profile and target (median and spread reported)', numberArg, DEFAULT_REPEAT)
    .option('--size <size>', 'test region per target, written fully before measuring', '1GiB')
    .option('--save <name>', 'store the results as NAME in the results dir (or a path ending in .json)')
    .option('--compare <name>', 'compare with saved results NAME (or a .json path); regressions beyond the noise band exit 2')
    .option('--noise <pct>', 'noise band for --compare, percent', numberArg, DEFAULT_NOISE_PCT)
    .option('--results-dir <dir>', 'where --save and --compare look', DEFAULT_RESULTS_DIR)
    .option('--database', 'also run the databases on their volumes, after fio: pg_test_fsync and pgbench (read-write, select-only) on each PostgreSQL volume, redis-benchmark (appendfsync always, everysec) on each Redis volume; ratios to the fio profiles that predict them (docs/bench.md)')
    .option('--db-runtime <s>', 'seconds per pgbench run (--database; pg_test_fsync gets a fifth per method)', numberArg, DEFAULT_DB_RUNTIME_S)
    .option('--pgbench-scale <n>', 'pgbench -s (--database; default: what fits --size at 16 MiB per unit, 1 to 50)', numberArg)
    .option('--redis-requests <n>', 'requests per redis-benchmark test (--database)', numberArg, DEFAULT_REDIS_REQUESTS)
    .option('--list-profiles', 'print the profiles, their reasons and fio jobs, and exit')
    .option('--dry-run', 'run the checks, print every step (scratch LV, each fio run, clean-up), run none of them')
    .option('--audit-log <path>', 'JSON-lines audit log', DEFAULT_AUDIT_LOG)
    .option('--lock-file <path>', 'lock file (one changing run at a time)', DEFAULT_LOCK_PATH)
    .option('--lock-timeout <seconds>', 'wait this long for another run holding the lock; 0 refuses at once, naming it (default: 0)')
    .option('--json', 'print the results document as JSON')
    .action(async (o: BenchOpts) => ctx.exit(await benchCommand(o, { ...ctx.io, runner: new ExecRunner() })));
}
