/**
 * Redis 7 for the database benchmarks (Debian's redis-server and redis-tools): the argv of a scratch
 * server on a volume and of redis-benchmark, and the parse of `redis-benchmark --csv` (Redis 7 prints a
 * header `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
 * "p99_latency_ms","max_latency_ms"` and one row per test: redis-benchmark.c, Redis 7.0).
 * Captures: test/fixtures/database (redis-benchmark 7.0.15 in the sandbox).
 */

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
