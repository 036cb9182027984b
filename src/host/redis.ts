/**
 * Redis 7 for the database benchmarks (Debian's redis-server and redis-tools): the argv of a scratch
 * server on a volume and of redis-benchmark, and the parse of `redis-benchmark --csv` (Redis 7 prints a
 * header `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
 * "p99_latency_ms","max_latency_ms"` and one row per test: redis-benchmark.c, Redis 7.0).
 * Captures: test/fixtures/database (redis-benchmark 7.0.15 in the sandbox).
 *
 * Also the database drill's write load of one redis-cli process: redis-cli(1) ("-r <repeat> -i
 * <interval>": the command is sent again after each reply, one reply per line when stdout is not a
 * terminal), redis.io "Redis persistence" (appendfsync always: the AOF is fsynced before the reply is
 * sent), redis.io EVAL (a script's writes are one atomic unit; TIME is allowed in scripts).
 */
import { completeLines } from '../core/line-stream.js';

export type AppendFsync = 'always' | 'everysec';

/**
 * A scratch redis-server (redis.conf directives as arguments): unix socket only, AOF on with the given
 * appendfsync, no RDB saves, daemonized as the redis user, its files in `dir`.
 */
export function redisServerArgv(o: { socket: string; dir: string; appendfsync: AppendFsync; logFile: string; pidFile: string; user?: string }): string[] {
  return [
    'runuser', '-u', o.user ?? 'redis', '--',
    'redis-server', '--port', '0', '--unixsocket', o.socket, '--unixsocketperm', '700', '--dir', o.dir,
    '--appendonly', 'yes', '--appendfsync', o.appendfsync, '--save', '', '--daemonize', 'yes',
    '--logfile', o.logFile, '--pidfile', o.pidFile,
  ];
}

export function redisCliArgv(socket: string, args: string[]): string[] {
  return ['redis-cli', '-s', socket, ...args];
}

/** `redis-benchmark -s SOCK -t set,get -n N -c C -d 64 --csv` (redis-benchmark(1)). */
export function redisBenchmarkArgv(o: { socket: string; tests: string[]; requests: number; clients: number; dataBytes?: number }): string[] {
  return ['redis-benchmark', '-s', o.socket, '-t', o.tests.join(','), '-n', String(o.requests), '-c', String(o.clients), '-d', String(o.dataBytes ?? 64), '--csv'];
}

export interface RedisBenchmarkRow {
  /** "SET", "GET", … as redis-benchmark names the test. */
  test: string;
  rps: number;
  avgMs?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

/** Parse `--csv` output by its header's column names. Throws when the header is missing. */
export function parseRedisBenchmarkCsv(text: string): RedisBenchmarkRow[] {
  const rows = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => [...l.matchAll(/"([^"]*)"/g)].map((m) => m[1]!));
  const head = rows[0];
  if (!head || head[0] !== 'test' || !head.includes('rps')) throw new Error(`redis-benchmark --csv: no header line (got ${JSON.stringify(text.slice(0, 120))})`);
  const col = (r: string[], name: string) => {
    const i = head.indexOf(name);
    const v = i >= 0 ? Number(r[i]) : NaN;
    return Number.isFinite(v) ? v : undefined;
  };
  return rows.slice(1).map((r) => ({
    test: r[0]!,
    rps: col(r, 'rps') ?? NaN,
    avgMs: col(r, 'avg_latency_ms'),
    p50Ms: col(r, 'p50_latency_ms'),
    p95Ms: col(r, 'p95_latency_ms'),
    p99Ms: col(r, 'p99_latency_ms'),
    maxMs: col(r, 'max_latency_ms'),
  }));
}

/** redis-cli to a unix socket, or to 127.0.0.1:port. */
export function redisCli(h: { socket?: string; port?: number }, args: string[]): string[] {
  return h.socket ? ['redis-cli', '-s', h.socket, ...args] : ['redis-cli', '-h', '127.0.0.1', '-p', String(h.port ?? 6379), ...args];
}

/**
 * The Lua of one write of the load: unless the key `stopKey` exists, the next number (INCR `counter`)
 * is RPUSHed to `list` and the reply is `jts-write N SEC USEC` (the server's TIME when the write ran;
 * the reply itself is sent after the AOF fsync under appendfsync always); after the stop, only the
 * error `jts-stopped` (nothing written).
 */
export function redisWriteScript(list: string, counter: string, stopKey: string): string {
  for (const k of [list, counter, stopKey]) if (!/^[A-Za-z0-9:._-]+$/.test(k)) throw new Error(`unsafe key ${k}`);
  return (
    `if redis.call('EXISTS', '${stopKey}') == 1 then return redis.error_reply('jts-stopped') end ` +
    `local n = redis.call('INCR', '${counter}') redis.call('RPUSH', '${list}', n) local t = redis.call('TIME') ` +
    `return 'jts-write ' .. n .. ' ' .. t[1] .. ' ' .. t[2]`
  );
}

/**
 * The load as one redis-cli process: the script sent `repeat` times, `intervalS` apart (redis-cli -r -i).
 * It ends after `repeat` writes, or when the server goes away (SHUTDOWN: the next send fails).
 */
export function redisLoadArgv(h: { socket?: string; port?: number }, script: string, repeat: number, intervalS: number): string[] {
  return redisCli(h, ['-r', String(repeat), '-i', String(intervalS), 'EVAL', script, '0']);
}

/** One write the load reported: its number and the server's clock when it ran (ms since the epoch). */
export interface ReportedWrite {
  n: number;
  ranMs: number;
}

/** The writes in a chunk of the load's stdout (`jts-write N SEC USEC` lines); `rest` = the incomplete last line. */
export function parseWriteReplies(pending: string, chunk: string): { writes: ReportedWrite[]; rest: string } {
  const { lines, rest } = completeLines(pending, chunk);
  const writes: ReportedWrite[] = [];
  for (const l of lines) {
    const m = /jts-write (\d+) (\d+) (\d+)/.exec(l);
    if (m) writes.push({ n: Number(m[1]), ranMs: Number(m[2]) * 1000 + Math.floor(Number(m[3]) / 1000) });
  }
  return { writes, rest };
}
