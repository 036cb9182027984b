/**
 * The built-in snapshot-set hooks.
 *
 * postgresql: PostgreSQL 15's non-exclusive base backup (docs "26.3.3. Making a Base Backup Using the
 * Low Level API"): pg_backup_start and pg_backup_stop must run in the SAME session, which stays open
 * while the snapshots are taken. One psql process holds that session (several -c in one psql run share
 * one connection, psql(1)): it runs pg_backup_start and writes the start LSN into a file of a scratch
 * directory (server-side COPY TO, as the database superuser), waits — bounded by the hook's timeout —
 * until a `go` directory appears there, then runs pg_backup_stop(true) and prints the stop LSN and the
 * backup_label text. The pre phase starts that process through the executor and waits for the start
 * file; the post phase creates `go`, waits for the process and keeps the label (with the WAL names it
 * gives) in /var/lib/jts-storage/backup-labels/. pg_backup_stop(true) waits until the WAL it names is
 * archived when archive_mode is on (docs, pg_backup_stop). When the session dies, PostgreSQL ends the
 * backup itself.
 *
 * redis: BGSAVE, then LASTSAVE polled until it changes (redis.io LASTSAVE: "a client may check if a
 * BGSAVE succeeded reading LASTSAVE, issuing BGSAVE, and checking at regular intervals every N seconds
 * if LASTSAVE changed"), and rdb_last_bgsave_status:ok in INFO persistence.
 */
import type { ActionRun } from '../model/actions.js';
import type { SnapshotHook } from '../model/plan-schema.js';
import { execAction, mkdirAction, detail } from './actions.js';
import type { HookContext, HookPhase, ResolvedHook } from './hooks.js';
import { commandPhase } from './hooks.js';

export const LABEL_DIR = '/var/lib/jts-storage/backup-labels';
/**
 * The longest the backup session waits for the snapshots (seconds): it covers the other hooks' phases and
 * the lvcreates of the set, and bounds a session whose caller died (the session then ends the backup
 * with an error naming this bound). The 275 s "pre to post" once measured here was not the lvcreates:
 * the session never saw its `go` (see pgHolderSql) and waited out its bound; with that fixed, pre to
 * post of the drill's set takes seconds under TCG.
 */
export const PG_HOLD_MAX_S = 600;
export const PG_SCRATCH = '/run/jts-storage-pg-backup';

/** psql as the database's OS user (peer authentication over the socket): runuser -u USER -- psql … */
export function psqlArgv(h: Pick<SnapshotHook, 'socket' | 'port' | 'user'>, sql: string[]): string[] {
  const user = h.user ?? 'postgres';
  return [
    'runuser', '-u', user, '--', 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1',
    '-h', h.socket ?? '/var/run/postgresql', '-p', String(h.port ?? 5432), '-U', user, '-d', 'postgres',
    ...sql.flatMap((s) => ['-c', s]),
  ];
}

/** redis-cli to the hook's unix socket, or to 127.0.0.1:port. */
export function redisCli(h: Pick<SnapshotHook, 'socket' | 'port'>, args: string[]): string[] {
  return h.socket ? ['redis-cli', '-s', h.socket, ...args] : ['redis-cli', '-h', '127.0.0.1', '-p', String(h.port ?? 6379), ...args];
}

/**
 * The SQL of the session that holds the backup open (`dir` and `label` are [A-Za-z0-9._/-] only).
 * The wait tests ONE field of pg_stat_file's row: a row-valued `IS NOT NULL` is true only when every
 * field is non-null (PostgreSQL 15 docs, 9.2 "Comparison Functions and Operators"), and `creation` is
 * always null outside Windows (docs, 9.27.9 pg_stat_file), so `pg_stat_file(...) IS NOT NULL` never
 * became true: the session waited out its bound, pg_backup_stop never ran, and the drill hung.
 */
export function pgHolderSql(dir: string, label: string, timeoutS: number): string[] {
  if (!/^[A-Za-z0-9._\/-]+$/.test(dir + label)) throw new Error(`unsafe path or label ${dir} ${label}`);
  const polls = timeoutS * 20;
  return [
    `COPY (SELECT pg_backup_start('${label}', true)) TO '${dir}/start_lsn'`,
    `DO $$BEGIN FOR i IN 1..${polls} LOOP IF (pg_stat_file('${dir}/go', true)).modification IS NOT NULL THEN RETURN; END IF; PERFORM pg_sleep(0.05); END LOOP; ` +
      `RAISE EXCEPTION 'jts-storage: no go within ${timeoutS} s: backup abandoned'; END$$`,
    `SELECT 'stop_lsn=' || lsn || E'\\n' || labelfile FROM pg_backup_stop(true)`,
  ];
}

function postgresqlHook(set: string, name: string, h: SnapshotHook): ResolvedHook {
  let holder: Promise<ActionRun> | undefined;
  let dir = '';
  let label = '';
  const pre: HookPhase = async (ctx) => {
    label = `jts-${set}-${ctx.stamp}`;
    dir = `${PG_SCRATCH}/${label}`;
    const user = h.user ?? 'postgres';
    for (const a of [mkdirAction(PG_SCRATCH, 0o755, 'scratch directories of the PostgreSQL backup hook'), mkdirAction(dir, 0o700, `scratch directory of the PostgreSQL backup hook of set ${set}`), execAction(`dir ${dir}`, `owned by ${user} (the server writes the start LSN there)`, ['chown', user, dir])]) {
      const r = await ctx.act.run(a);
      if (!r.ok) return { ok: false, error: detail(r) };
    }
    const argv = psqlArgv(h, pgHolderSql(dir, label, PG_HOLD_MAX_S));
    holder = ctx.act.run({ ...execAction(`snapshot set ${set}`, `PostgreSQL backup session of set ${set} (pg_backup_start … pg_backup_stop)`, argv, { timeoutMs: (PG_HOLD_MAX_S + 60) * 1000 }), id: `snapshot-hook:${set}:${name}:session` });
    if (ctx.act.dryRun) return { ok: true, guarantee: 'PostgreSQL backup mode (dry run)' };
    let done = false;
    void holder.then(() => (done = true));
    const deadline = ctx.runner.now().getTime() + h.timeoutS * 1000;
    while (ctx.runner.now().getTime() < deadline) {
      const lsn = await ctx.runner.readFileIfExists(`${dir}/start_lsn`);
      if (lsn && lsn.trim()) return { ok: true, facts: { startLsn: lsn.trim(), label }, guarantee: `PostgreSQL backup mode from LSN ${lsn.trim()} (pg_backup_start, one session)` };
      if (done) {
        const r = await holder;
        return { ok: false, error: `pg_backup_start failed: ${detail(r).slice(-400)}` };
      }
      await ctx.sleep(100);
    }
    return { ok: false, error: `pg_backup_start did not return within ${h.timeoutS} s` };
  };
  const post: HookPhase = async (ctx) => {
    if (!holder) return { ok: true };
    const g = await ctx.act.run(mkdirAction(`${dir}/go`, 0o755, `let the backup session of set ${set} run pg_backup_stop`));
    if (!g.ok) return { ok: false, error: detail(g) };
    const r = await holder;
    if (ctx.act.dryRun) return { ok: true };
    if (!r.ok) return { ok: false, error: `pg_backup_stop: ${detail(r).slice(-400)}` };
    const out = r.results[r.results.length - 1]?.stdout ?? '';
    const m = /stop_lsn=(\S+)\n([\s\S]*)$/.exec(out);
    if (!m) return { ok: false, error: `pg_backup_stop printed no label: ${out.slice(0, 200)}` };
    const labelText = m[2]!.replace(/\n+$/, '\n');
    const path = `${LABEL_DIR}/${label}.backup_label`;
    const w = await ctx.act.run({
      id: `snapshot-hook:${set}:${name}:label`,
      kind: 'create',
      resource: `file ${path}`,
      summary: `backup_label of set ${set} (pg_backup_stop's labelfile: the WAL the backup needs)`,
      dependsOn: [],
      steps: [{ type: 'mkdir', path: LABEL_DIR, mode: 0o700 }, { type: 'write-file', path, content: labelText, mode: 0o600, backup: false }],
    });
    const wal = /START WAL LOCATION: (\S+) \(file ([0-9A-F]+)\)/.exec(labelText);
    const facts: Record<string, string> = { stopLsn: m[1]!, label, backupLabel: path };
    if (wal) facts.startWalFile = wal[2]!;
    return w.ok ? { ok: true, facts } : { ok: false, error: detail(w), facts };
  };
  return { set, name, workload: 'postgresql', pre, post, describe: { pre: psqlArgv(h, ['SELECT pg_backup_start(…)']), post: psqlArgv(h, ['SELECT pg_backup_stop(true)']), timeoutS: h.timeoutS } };
}

function redisHook(set: string, name: string, h: SnapshotHook): ResolvedHook {
  const pre: HookPhase = async (ctx) => {
    const before = (await ctx.runner.run(redisCli(h, ['LASTSAVE']), { timeoutMs: 10_000 })).stdout.trim();
    const bg = await commandPhase(set, name, 'pre', redisCli(h, ['BGSAVE']), h.timeoutS)(ctx);
    if (!bg.ok) return bg;
    if (ctx.act.dryRun) return { ok: true, guarantee: 'Redis BGSAVE (dry run)' };
    const deadline = ctx.runner.now().getTime() + h.timeoutS * 1000;
    while (ctx.runner.now().getTime() < deadline) {
      const now = (await ctx.runner.run(redisCli(h, ['LASTSAVE']), { timeoutMs: 10_000 })).stdout.trim();
      if (now && now !== before) {
        const info = (await ctx.runner.run(redisCli(h, ['INFO', 'persistence']), { timeoutMs: 10_000 })).stdout;
        if (!/rdb_last_bgsave_status:ok/.test(info)) return { ok: false, error: `BGSAVE finished with rdb_last_bgsave_status ${/rdb_last_bgsave_status:(\S+)/.exec(info)?.[1] ?? '?'}` };
        return { ok: true, facts: { lastsave: now }, guarantee: `Redis RDB written by BGSAVE at ${new Date(Number(now) * 1000).toISOString()}` };
      }
      await ctx.sleep(100);
    }
    return { ok: false, error: `BGSAVE did not finish within ${h.timeoutS} s (LASTSAVE still ${before})` };
  };
  return { set, name, workload: 'redis', pre, describe: { pre: redisCli(h, ['BGSAVE']), timeoutS: h.timeoutS } };
}

/** A built-in hook as its phases. */
export function builtinHook(set: string, name: string, h: SnapshotHook): ResolvedHook {
  if (h.builtin === 'postgresql') return postgresqlHook(set, name, h);
  return redisHook(set, name, h);
}

export type { HookContext };
