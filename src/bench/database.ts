/**
 * `bench --database`: the databases themselves on the volumes bench measures, next to fio.
 *
 * On each selected PostgreSQL volume: `pg_test_fsync` on a file of the volume (once: it runs 15 tests of
 * `-s` seconds each), then a scratch PostgreSQL 15 cluster on the volume (initdb, synchronous_commit=on,
 * fsync=on, its own socket), `pgbench -i` at a scale that fits the budget, and `repeat` runs of pgbench
 * read-write (TPC-B-like) and select-only, each giving TPS (pgbench's line) and latency p50/p99 (from its
 * per-transaction log). On each Redis volume: a scratch Redis 7 with its AOF on the volume, run with
 * `appendfsync always` and then `everysec`, `repeat` runs of redis-benchmark SET and GET each (its --csv
 * percentiles). One client everywhere: a commit is then exactly one WAL flush (no group commit) and a
 * SET under `always` one AOF fdatasync, so the fio profile's IOPS is a prediction (database-ratios.ts).
 * Every write (files, clusters, servers, runs) is an Action through `act`; everything made is removed.
 */
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { Action, ActionRunner } from '../model/actions.js';
import type { Figures } from './figures.js';
import type { BenchTarget } from './results.js';
import { summarize, type Stat } from './stats.js';
import type { FigureKey } from './figures.js';
import {
  initdbArgv, parsePgTestFsync, parsePgbenchLog, parsePgbenchSummary, percentile, pgbenchInitArgv, pgbenchRunArgv,
  pgCtlStartArgv, pgCtlStopArgv, pgTestFsyncArgv, pgTestFsyncFdatasync, scratchServerConf, type PgbenchConn, type PgTestFsyncLine,
} from '../host/postgresql.js';
import { parseRedisBenchmarkCsv, redisBenchmarkArgv, redisCliArgv, redisServerArgv, type AppendFsync } from '../host/redis.js';

/** Sockets, logs and pgbench's transaction logs of the scratch servers (tmpfs: not on a measured volume). */
export const DB_BENCH_RUN_DIR = '/run/jts-storage-bench-db';
/** Not 5432/6379 (a production server may run) nor 5439 (the database drill). */
export const DB_BENCH_PG_PORT = 5438;
/** pgbench scale 1 = 100,000 accounts, about 16 MiB of tables and indexes (pgbench(1) "-s"). */
export const PGBENCH_BYTES_PER_SCALE = 16 * 2 ** 20;
export const DEFAULT_PGBENCH_SCALE_MAX = 50;
export const DEFAULT_DB_RUNTIME_S = 10;
export const DEFAULT_REDIS_REQUESTS = 20_000;
const CLIENTS = 1;

export type DbTest =
  | 'pg_test_fsync'
  | 'pgbench-rw'
  | 'pgbench-select'
  | `redis-${'set' | 'get'}-${AppendFsync}`;

/** One database test on one volume: shaped like a fio ProfileRun (compare.ts compares both alike). */
export interface DbRun {
  target: string;
  /** The test (in the `profile` field so baselines and compare treat it as one more profile). */
  profile: DbTest;
  tool: 'pg_test_fsync' | 'pgbench' | 'redis-benchmark';
  /** One entry per repeat (pg_test_fsync: one). */
  runs: Figures[];
  summary: Partial<Record<FigureKey, Stat>>;
  argv: string[];
}

export interface DatabaseResults {
  settings: { runtimeS: number; repeat: number; clients: number; pgbenchScale?: number; pgTestFsyncSeconds: number; redisRequests: number };
  versions: { pgbench?: string; redisBenchmark?: string };
  results: DbRun[];
  /** Every line pg_test_fsync printed, per target (the whole comparison of sync methods). */
  pgTestFsync: { target: string; lines: PgTestFsyncLine[] }[];
  ratios: import('./database-ratios.js').DbRatio[];
  notes: string[];
}

export interface DatabaseBenchOptions {
  runtimeS: number;
  repeat: number;
  /** The bench region per target (--size): the pgbench data set gets at most this much. */
  sizeBytes: number;
  /** pgbench -s; default: what fits sizeBytes, at most DEFAULT_PGBENCH_SCALE_MAX. */
  pgbenchScale?: number;
  redisRequests: number;
  say?: (line: string) => void;
  signal?: AbortSignal;
}

/** The pgbench scale: the one asked for, else what fits the budget (at least 1, at most DEFAULT_PGBENCH_SCALE_MAX). */
export function pgbenchScaleFor(sizeBytes: number, asked?: number): number {
  if (asked !== undefined) return asked;
  return Math.max(1, Math.min(DEFAULT_PGBENCH_SCALE_MAX, Math.floor(sizeBytes / PGBENCH_BYTES_PER_SCALE)));
}

/** pg_test_fsync seconds per test: a fifth of the runtime, at least 1 (it runs 15 tests). */
export function pgTestFsyncSeconds(runtimeS: number): number {
  return Math.max(1, Math.floor(runtimeS / 5));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exec(resource: string, summary: string, argv: string[], timeoutMs: number, kind: Action['kind'] = 'change'): Action {
  return { id: `bench:db:${argv[0]}:${argv[argv.length - 1]}`, kind, resource, summary, dependsOn: [], steps: [{ type: 'exec', argv, mutating: true, timeoutMs }] };
}

/** Run an action; its stdout, or a UserError naming `what` with the tool's last stderr lines. */
async function must(act: ActionRunner, a: Action, what: string): Promise<string> {
  const r = await act.run(a);
  const last = r.results[r.results.length - 1];
  if (!r.ok) {
    if (last?.notFound) {
      const argv = a.steps[0]?.type === 'exec' ? a.steps[0].argv : [];
      const tool = (argv[0] === 'runuser' ? argv[argv.indexOf('--') + 1] : argv[0]) ?? '?';
      throw new UserError(`${what}: ${tool.split('/').pop()} is not installed (Debian packages postgresql-15, redis-server, redis-tools)`);
    }
    throw new UserError(`${what} failed: ${(last?.stderr || last?.stdout || r.error || '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  return last?.stdout ?? '';
}

/**
 * Run the database benchmarks on `targets` (those with workload postgresql or redis; others are left
 * out). Under --dry-run every step is recorded and no figure is made.
 */
export async function runDatabaseBench(io: { runner: Runner; act: ActionRunner }, targets: BenchTarget[], o: DatabaseBenchOptions): Promise<DatabaseResults> {
  const { runner, act } = io;
  const fsyncS = pgTestFsyncSeconds(o.runtimeS);
  const scale = pgbenchScaleFor(o.sizeBytes, o.pgbenchScale);
  const res: DatabaseResults = {
    settings: { runtimeS: o.runtimeS, repeat: o.repeat, clients: CLIENTS, pgTestFsyncSeconds: fsyncS, redisRequests: o.redisRequests },
    versions: {},
    results: [],
    pgTestFsync: [],
    ratios: [],
    notes: [],
  };
  const pg = targets.filter((t) => t.workload === 'postgresql' && t.mountPath);
  const rd = targets.filter((t) => t.workload === 'redis' && t.mountPath);
  if (!pg.length && !rd.length) {
    res.notes.push('--database: no selected volume has the workload postgresql or redis; no database benchmark ran');
    return res;
  }
  if (pg.length) res.settings.pgbenchScale = scale;
  const aborted = () => {
    if (o.signal?.aborted) throw new UserError('bench interrupted; the scratch databases were removed');
  };
  const add = (target: string, profile: DbTest, tool: DbRun['tool'], argv: string[], f: Figures) => {
    let r = res.results.find((x) => x.target === target && x.profile === profile);
    if (!r) res.results.push((r = { target, profile, tool, runs: [], summary: {}, argv }));
    r.runs.push(f);
    r.summary = summarize(r.runs);
  };
  await must(act, { id: `bench:db:mkdir:${DB_BENCH_RUN_DIR}`, kind: 'create', resource: `dir ${DB_BENCH_RUN_DIR}`, summary: 'sockets and logs of the scratch database servers', dependsOn: [], steps: [{ type: 'mkdir', path: DB_BENCH_RUN_DIR, mode: 0o755 }] }, 'mkdir');
  await must(act, exec(`dir ${DB_BENCH_RUN_DIR}`, 'writable by the database users', ['chmod', '1777', DB_BENCH_RUN_DIR], 30_000), 'chmod');

  for (const t of pg) {
    aborted();
    const base = t.mountPath!.replace(/\/+$/, '');
    const file = `${base}/.jts-storage-bench-pg_test_fsync.dat`;
    o.say?.(`pg_test_fsync on ${t.label} (${fsyncS} s per test, 15 tests)`);
    try {
      const argv = pgTestFsyncArgv(file, fsyncS);
      const out = await must(act, exec(`file ${file}`, `pg_test_fsync on ${t.label}`, argv, (fsyncS * 20 + 120) * 1000), `pg_test_fsync on ${t.label}`);
      if (!act.dryRun) {
        const lines = parsePgTestFsync(out);
        res.pgTestFsync.push({ target: t.id, lines });
        const fd = pgTestFsyncFdatasync(lines);
        if (fd?.opsPerSec === undefined) throw new UserError(`pg_test_fsync on ${t.label}: no "fdatasync" line under "one 8kB write" in its output`);
        add(t.id, 'pg_test_fsync', 'pg_test_fsync', argv, { 'db.ops': fd.opsPerSec, 'db.lat_avg_us': fd.usPerOp });
      }
    } finally {
      await act.run(exec(`file ${file}`, 'remove the pg_test_fsync file', ['rm', '-f', '--', file], 30_000, 'destroy'));
    }
    await pgbenchOn(runner, act, t, scale, o, add, res);
  }
  for (const t of rd) {
    for (const mode of ['always', 'everysec'] as const) {
      aborted();
      await redisOn(runner, act, t, mode, o, add, res);
    }
  }
  return res;
}

type Add = (target: string, profile: DbTest, tool: DbRun['tool'], argv: string[], f: Figures) => void;

async function pgbenchOn(runner: Runner, act: ActionRunner, t: BenchTarget, scale: number, o: DatabaseBenchOptions, add: Add, res: DatabaseResults): Promise<void> {
  const dir = `${t.mountPath!.replace(/\/+$/, '')}/.jts-storage-bench-pg`;
  const data = `${dir}/data`;
  const log = `${DB_BENCH_RUN_DIR}/postgresql.log`;
  const c: PgbenchConn = { socketDir: DB_BENCH_RUN_DIR, port: DB_BENCH_PG_PORT, user: 'postgres', db: 'postgres' };
  let started = false;
  try {
    await act.run(exec(`dir ${dir}`, 'remove what an earlier bench left', ['rm', '-rf', '--one-file-system', '--', dir], 120_000, 'destroy'));
    await must(act, { id: `bench:db:mkdir:${dir}`, kind: 'create', resource: `dir ${dir}`, summary: 'scratch PostgreSQL cluster', dependsOn: [], steps: [{ type: 'mkdir', path: dir, mode: 0o700 }] }, 'mkdir');
    await must(act, exec(`dir ${dir}`, 'owned by postgres', ['chown', 'postgres:postgres', dir], 30_000), `chown ${dir}`);
    o.say?.(`initdb of a scratch PostgreSQL cluster on ${t.label}`);
    await must(act, exec(`cluster ${data}`, 'scratch PostgreSQL cluster', initdbArgv(data), 900_000, 'create'), 'initdb');
    const conf = `${data}/postgresql.auto.conf`;
    await must(act, { id: 'bench:db:pgconf', kind: 'create', resource: `file ${conf}`, summary: 'scratch server settings', dependsOn: [], steps: [{ type: 'write-file', path: conf, content: scratchServerConf(DB_BENCH_RUN_DIR, DB_BENCH_PG_PORT), mode: 0o600, backup: false }] }, 'postgresql.auto.conf');
    await must(act, exec(`file ${conf}`, 'owned by postgres', ['chown', 'postgres:postgres', conf], 30_000), `chown ${conf}`);
    await must(act, exec(`server ${data}`, 'start the scratch server', pgCtlStartArgv(data, log), 330_000), 'pg_ctl start');
    started = true;
    o.say?.(`pgbench -i -s ${scale} on ${t.label}`);
    await must(act, exec(`cluster ${data}`, `pgbench tables, scale ${scale}`, pgbenchInitArgv(c, scale), 1_800_000), 'pgbench -i');
    for (let rep = 0; rep < o.repeat; rep++) {
      for (const selectOnly of [false, true]) {
        if (o.signal?.aborted) throw new UserError('bench interrupted; the scratch databases were removed');
        const name: DbTest = selectOnly ? 'pgbench-select' : 'pgbench-rw';
        const prefix = `${DB_BENCH_RUN_DIR}/${name}-${rep + 1}`;
        o.say?.(`${name} on ${t.label}, run ${rep + 1} of ${o.repeat} (${o.runtimeS} s)`);
        const argv = pgbenchRunArgv(c, { selectOnly, clients: CLIENTS, seconds: o.runtimeS, logPrefix: prefix });
        const out = await must(act, exec(`cluster ${data}`, `${name}, ${o.runtimeS} s`, argv, (o.runtimeS + 300) * 1000), name);
        if (act.dryRun) continue;
        const s = parsePgbenchSummary(out);
        res.versions.pgbench ??= /^pgbench \((.*)\)$/m.exec(out)?.[1];
        const lat: number[] = [];
        let failed = 0;
        const logName = prefix.slice(DB_BENCH_RUN_DIR.length + 1) + '.';
        for (const f of (await runner.readdir(DB_BENCH_RUN_DIR)).filter((n) => n.startsWith(logName))) {
          const p = parsePgbenchLog(await runner.readFile(`${DB_BENCH_RUN_DIR}/${f}`));
          lat.push(...p.latenciesUs);
          failed += p.notCompleted;
          await act.run(exec(`file ${DB_BENCH_RUN_DIR}/${f}`, 'remove the pgbench log', ['rm', '-f', '--', `${DB_BENCH_RUN_DIR}/${f}`], 30_000, 'destroy'));
        }
        if (s.tps === undefined) throw new UserError(`${name} on ${t.label}: pgbench printed no "tps =" line`);
        if (!lat.length) res.notes.push(`${name} on ${t.label} run ${rep + 1}: no per-transaction log found (${prefix}.*): p50/p99 missing`);
        if (failed) res.notes.push(`${name} on ${t.label} run ${rep + 1}: ${failed} transaction(s) failed or skipped`);
        add(t.id, name, 'pgbench', argv, {
          'db.ops': s.tps,
          ...(s.latencyAvgMs !== undefined ? { 'db.lat_avg_us': s.latencyAvgMs * 1000 } : {}),
          ...(lat.length ? { 'db.lat_p50_us': percentile(lat, 50), 'db.lat_p99_us': percentile(lat, 99) } : {}),
        });
      }
    }
  } finally {
    if (started) await act.run(exec(`server ${data}`, 'stop the scratch server', pgCtlStopArgv(data), 330_000));
    await act.run(exec(`dir ${dir}`, 'remove the scratch cluster', ['rm', '-rf', '--one-file-system', '--', dir], 300_000, 'destroy'));
  }
}

async function redisOn(runner: Runner, act: ActionRunner, t: BenchTarget, mode: AppendFsync, o: DatabaseBenchOptions, add: Add, res: DatabaseResults): Promise<void> {
  const dir = `${t.mountPath!.replace(/\/+$/, '')}/.jts-storage-bench-redis`;
  const sock = `${DB_BENCH_RUN_DIR}/redis.sock`;
  const cli = (args: string[]) => redisCliArgv(sock, args);
  const pong = async () => (await runner.run(cli(['PING']), { timeoutMs: 5000 })).stdout.trim() === 'PONG';
  const waitFor = async (up: boolean) => {
    for (let i = 0; i < 600; i++) {
      if ((await pong()) === up) return true;
      await sleep(200);
    }
    return false;
  };
  let started = false;
  try {
    await act.run(exec(`dir ${dir}`, 'remove what an earlier bench left', ['rm', '-rf', '--one-file-system', '--', dir], 120_000, 'destroy'));
    await must(act, { id: `bench:db:mkdir:${dir}`, kind: 'create', resource: `dir ${dir}`, summary: 'scratch Redis AOF', dependsOn: [], steps: [{ type: 'mkdir', path: dir, mode: 0o700 }] }, 'mkdir');
    await must(act, exec(`dir ${dir}`, 'owned by redis', ['chown', 'redis:redis', dir], 30_000), `chown ${dir}`);
    const argv = redisServerArgv({ socket: sock, dir, appendfsync: mode, logFile: `${DB_BENCH_RUN_DIR}/redis.log`, pidFile: `${DB_BENCH_RUN_DIR}/redis.pid` });
    await must(act, exec(`server ${dir}`, `start a scratch Redis (AOF, appendfsync ${mode})`, argv, 60_000), 'redis-server');
    started = true;
    if (!act.dryRun && !(await waitFor(true))) throw new UserError(`the scratch Redis on ${t.label} did not answer PING within 120 s (log: ${DB_BENCH_RUN_DIR}/redis.log)`);
    for (let rep = 0; rep < o.repeat; rep++) {
      if (o.signal?.aborted) throw new UserError('bench interrupted; the scratch databases were removed');
      o.say?.(`redis-benchmark SET, GET on ${t.label} (appendfsync ${mode}), run ${rep + 1} of ${o.repeat}`);
      const bargv = redisBenchmarkArgv({ socket: sock, tests: ['set', 'get'], requests: o.redisRequests, clients: CLIENTS });
      const out = await must(act, exec(`server ${dir}`, `redis-benchmark, appendfsync ${mode}`, bargv, 1_800_000), 'redis-benchmark');
      if (act.dryRun) continue;
      for (const row of parseRedisBenchmarkCsv(out)) {
        const k = row.test.toLowerCase();
        if (k !== 'set' && k !== 'get') continue;
        const ms = (v: number | undefined) => (v !== undefined ? { v: v * 1000 } : undefined);
        add(t.id, `redis-${k}-${mode}`, 'redis-benchmark', bargv, {
          'db.ops': row.rps,
          ...(ms(row.avgMs) ? { 'db.lat_avg_us': ms(row.avgMs)!.v } : {}),
          ...(ms(row.p50Ms) ? { 'db.lat_p50_us': ms(row.p50Ms)!.v } : {}),
          ...(ms(row.p99Ms) ? { 'db.lat_p99_us': ms(row.p99Ms)!.v } : {}),
        });
      }
    }
    if (!res.versions.redisBenchmark && !act.dryRun) {
      const v = await runner.run(['redis-benchmark', '--version'], { timeoutMs: 10_000 });
      res.versions.redisBenchmark = v.stdout.trim() || undefined;
    }
  } finally {
    if (started) {
      await act.run(exec(`server ${dir}`, 'stop the scratch Redis', cli(['SHUTDOWN', 'NOSAVE']), 60_000));
      if (!act.dryRun && !(await waitFor(false))) res.notes.push(`the scratch Redis on ${t.label} still answered 120 s after SHUTDOWN NOSAVE`);
    }
    await act.run(exec(`dir ${dir}`, 'remove the scratch Redis files', ['rm', '-rf', '--one-file-system', '--', dir], 300_000, 'destroy'));
  }
}
