/**
 * The PostgreSQL 15 tools the database benchmarks run (Debian's postgresql-15 package puts them in
 * /usr/lib/postgresql/15/bin: `dpkg -L postgresql-15`): the argv of initdb, pg_ctl, pgbench and
 * pg_test_fsync, the settings of a scratch server, and the parse of what pgbench and pg_test_fsync
 * print. Neither tool has a JSON output; their text lines are matched by name, never by column.
 * Captures: test/fixtures/database (PostgreSQL 15.18 in the sandbox, test/fixtures/database/capture.sh).
 *
 * Also the database drill's (src/snapshot/db-drill.ts) psql and its one-session write load: psql(1)
 * (several -c run one after another in one session, each in autocommit), PostgreSQL 15 docs "43.8
 * Transaction Management" (COMMIT inside a DO block run at top level ends the transaction and starts a new
 * one), "20.5 WAL" (synchronous_commit=on: COMMIT returns after the WAL is flushed), "9.27.9" (pg_stat_file).
 */
import { completeLines } from '../core/line-stream.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** As the cluster's owner (initdb and the server refuse to run as root: initdb(1), postgres(1)). */
export function asUser(user: string, argv: string[]): string[] {
  return ['runuser', '-u', user, '--', ...argv];
}

/**
 * initdb of a scratch cluster (initdb(1)): trust on the local socket only, no fsync of the new files
 * (`--no-sync`: a scratch cluster, the bench measures what comes after), C locale (no collation work).
 */
export function initdbArgv(dataDir: string, user = 'postgres'): string[] {
  return asUser(user, [`${PG_BIN}/initdb`, '-D', dataDir, '-A', 'trust', '-U', user, '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale=C']);
}

/**
 * postgresql.auto.conf of a scratch server: local socket only, durable commits as in production
 * (`synchronous_commit = on`, `fsync = on`, `full_page_writes = on`: postgresql.conf(5) defaults, written out
 * so the figure cannot silently depend on a changed default).
 */
export function scratchServerConf(socketDir: string, port: number, extra: Record<string, string> = {}): string {
  const lines = [
    '# jts-storage scratch server (bench --database)',
    "listen_addresses = ''",
    `unix_socket_directories = '${socketDir}'`,
    `port = ${port}`,
    'synchronous_commit = on',
    'fsync = on',
    'full_page_writes = on',
    'shared_buffers = 128MB',
    ...Object.entries(extra).map(([k, v]) => `${k} = ${v}`),
  ];
  return lines.join('\n') + '\n';
}

export function pgCtlStartArgv(dataDir: string, logFile: string, user = 'postgres'): string[] {
  return asUser(user, [`${PG_BIN}/pg_ctl`, '-D', dataDir, '-l', logFile, '-w', '-t', '300', 'start']);
}

export function pgCtlStopArgv(dataDir: string, user = 'postgres'): string[] {
  return asUser(user, [`${PG_BIN}/pg_ctl`, '-D', dataDir, '-m', 'fast', '-w', '-t', '300', 'stop']);
}

/** `pg_test_fsync -s SECONDS -f FILE` (pg_test_fsync(1)): each sync method for SECONDS on the volume's file. */
export function pgTestFsyncArgv(file: string, seconds: number): string[] {
  return [`${PG_BIN}/pg_test_fsync`, '-s', String(seconds), '-f', file];
}

export interface PgTestFsyncLine {
  /** The section it is printed under, e.g. "one 8kB write", "two 8kB writes", "different write sizes". */
  section: string;
  /** "fdatasync", "open_datasync", "1 * 16kB open_sync write", "write, fsync, close", "write". */
  method: string;
  /** Undefined for "n/a" (a method this platform does not have: fsync_writethrough on Linux). */
  opsPerSec?: number;
  usPerOp?: number;
}

const SECTIONS: [RegExp, string][] = [
  [/using one 8kB write/, 'one 8kB write'],
  [/using two 8kB writes/, 'two 8kB writes'],
  [/open_sync with different write sizes/, 'different write sizes'],
  [/fsync on non-write file descriptor/, 'non-write descriptor'],
  [/^Non-sync'ed 8kB writes/, 'non-synced'],
];

/**
 * Parse pg_test_fsync's report (PostgreSQL 15 src/bin/pg_test_fsync/pg_test_fsync.c prints
 * `%-36s` name, then `%13.3f ops/sec  %6.0f usecs/op`, or "n/a"). Lines are keyed by their section.
 */
export function parsePgTestFsync(text: string): PgTestFsyncLine[] {
  const out: PgTestFsyncLine[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const s = SECTIONS.find(([re]) => re.test(line.trim()));
    if (s) {
      section = s[1];
      continue;
    }
    if (!section || !/^\s/.test(line)) continue;
    const m = /^\s+(.+?)\s+([0-9]+\.[0-9]+) ops\/sec\s+([0-9]+) usecs\/op$/.exec(line);
    if (m) out.push({ section, method: m[1]!, opsPerSec: Number(m[2]), usPerOp: Number(m[3]) });
    else {
      const na = /^\s+(\S.*?)\s+n\/a\b/.exec(line);
      if (na) out.push({ section, method: na[1]! });
    }
  }
  return out;
}

/** The line the WAL profile predicts: one 8 kB write + fdatasync (wal_sync_method's Linux default). */
export function pgTestFsyncFdatasync(lines: readonly PgTestFsyncLine[]): PgTestFsyncLine | undefined {
  return lines.find((l) => l.section === 'one 8kB write' && l.method === 'fdatasync');
}

export interface PgbenchConn {
  socketDir: string;
  port: number;
  user: string;
  db: string;
}

const conn = (c: PgbenchConn) => ['-h', c.socketDir, '-p', String(c.port), '-U', c.user];

/** `pgbench -i -s SCALE -q` (pgbench(1) "Initialization Options"): the four tables, 100,000 accounts per scale unit. */
export function pgbenchInitArgv(c: PgbenchConn, scale: number): string[] {
  return [`${PG_BIN}/pgbench`, '-i', '-s', String(scale), '-q', ...conn(c), c.db];
}

/**
 * One pgbench run (pgbench(1)): the built-in TPC-B-like script (read-write) or `-S` (select-only),
 * `clients` sessions on one thread for `seconds`, with the per-transaction log (`-l`) written as
 * `<logPrefix>.<pid>`, whose latencies give p50/p99 (pgbench prints only the average).
 */
export function pgbenchRunArgv(c: PgbenchConn, o: { selectOnly: boolean; clients: number; seconds: number; logPrefix: string }): string[] {
  return [`${PG_BIN}/pgbench`, ...(o.selectOnly ? ['-S'] : []), '-n', '-c', String(o.clients), '-j', '1', '-T', String(o.seconds), '-l', `--log-prefix=${o.logPrefix}`, ...conn(c), c.db];
}

export interface PgbenchSummary {
  /** "tps = X (without initial connection time)". */
  tps?: number;
  latencyAvgMs?: number;
  transactions?: number;
  failed?: number;
  scale?: number;
  clients?: number;
}

/** Parse pgbench's closing report (stdout), by the names of its lines. */
export function parsePgbenchSummary(text: string): PgbenchSummary {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    tps: num(/^tps = ([0-9.]+) \(without initial connection time\)/m),
    latencyAvgMs: num(/^latency average = ([0-9.]+) ms/m),
    transactions: num(/^number of transactions actually processed: ([0-9]+)/m),
    failed: num(/^number of failed transactions: ([0-9]+)/m),
    scale: num(/^scaling factor: ([0-9]+)/m),
    clients: num(/^number of clients: ([0-9]+)/m),
  };
}

/**
 * The latencies (µs) of pgbench's per-transaction log (pgbench(1) "Per-Transaction Logging":
 * `client_id transaction_no time script_no time_epoch time_us [schedule_lag] [retries]`, where `time`
 * is the transaction's elapsed time in µs, or "failed"/"skipped"). Non-numeric times are counted apart.
 */
export function parsePgbenchLog(text: string): { latenciesUs: number[]; notCompleted: number } {
  const latenciesUs: number[] = [];
  let notCompleted = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const t = Number(f[2]);
    if (/^[0-9]+$/.test(f[2]!) && Number.isFinite(t)) latenciesUs.push(t);
    else notCompleted++;
  }
  return { latenciesUs, notCompleted };
}

/** Nearest-rank percentile (p in 0…100) of values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(rank, s.length) - 1]!;
}

/** Where and as whom a scratch server listens: a unix socket directory only (listen_addresses ''). */
export interface PgEndpoint {
  /** Unix socket directory (unix_socket_directories). */
  socket: string;
  port: number;
  /** OS user = database superuser (peer/trust over the socket). Default postgres. */
  user?: string;
}

/**
 * psql as the database's OS user over the socket, each statement its own `-c` (one session, each in
 * autocommit, stops at the first error: ON_ERROR_STOP), unaligned tuples only (-At), no psqlrc (-X).
 */
export function psqlArgv(e: Partial<PgEndpoint>, sql: string[]): string[] {
  const user = e.user ?? 'postgres';
  return asUser(user, [
    'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1',
    '-h', e.socket ?? '/var/run/postgresql', '-p', String(e.port ?? 5432), '-U', user, '-d', 'postgres',
    ...sql.flatMap((s) => ['-c', s]),
  ]);
}

/**
 * The write load of one session: `table` gets the numbers 1, 2, 3… each INSERTed in its own transaction
 * and COMMITted (synchronous_commit=on: COMMIT returns once its WAL is flushed), then reported to the
 * client as a NOTICE `jts-commit N SENT_MS DONE_MS` (server clock, ms since the epoch: SENT before the
 * INSERT, DONE after the COMMIT returned). A NOTICE is sent to the client as it is raised (elog.c
 * flushes each message), so psql prints one line per commit on stderr while the load runs.
 * Between commits it sleeps `pauseMs`. It ends when the file `stopFile` exists (pg_stat_file, superuser),
 * or after `maxS` seconds with an error naming that bound. `table`/`stopFile`: [A-Za-z0-9._/-] only.
 */
export function commitLoadSql(table: string, stopFile: string, maxS: number, pauseMs: number): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(table + stopFile)) throw new Error(`unsafe table or path ${table} ${stopFile}`);
  const ms = 'extract(epoch from clock_timestamp()) * 1000';
  return (
    `DO $$DECLARE sent double precision; t0 timestamptz := clock_timestamp(); BEGIN ` +
    `FOR i IN 1..100000000 LOOP ` +
    `IF (pg_stat_file('${stopFile}', true)).modification IS NOT NULL THEN RETURN; END IF; ` +
    `IF clock_timestamp() > t0 + interval '${Math.round(maxS)} seconds' THEN RAISE EXCEPTION 'jts-storage: the write load was not stopped within ${Math.round(maxS)} s'; END IF; ` +
    `sent := ${ms}; INSERT INTO ${table} VALUES (i); COMMIT; ` +
    `RAISE NOTICE 'jts-commit % % %', i, round(sent::numeric, 3), round((${ms})::numeric, 3); ` +
    `PERFORM pg_sleep(${(pauseMs / 1000).toFixed(3)}); END LOOP; END$$`
  );
}

/** One commit the load reported: its number and the server's clock before the INSERT and after the COMMIT (ms). */
export interface ReportedCommit {
  n: number;
  sentMs: number;
  doneMs: number;
}

/**
 * The commits in a chunk of psql's stderr (`NOTICE:  jts-commit N SENT DONE` lines); `rest` is the
 * incomplete last line, to prepend to the next chunk.
 */
export function parseCommitNotices(pending: string, chunk: string): { commits: ReportedCommit[]; rest: string } {
  const { lines, rest } = completeLines(pending, chunk);
  const commits: ReportedCommit[] = [];
  for (const l of lines) {
    const m = /jts-commit (\d+) ([\d.]+) ([\d.]+)/.exec(l);
    if (m) commits.push({ n: Number(m[1]), sentMs: Number(m[2]), doneMs: Number(m[3]) });
  }
  return { commits, rest };
}
