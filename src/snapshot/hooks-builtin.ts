/**
 * The built-in snapshot-set hooks.
 *
 * postgresql: PostgreSQL 15's non-exclusive base backup (docs "26.3.3. Making a Base Backup Using the
 * Low Level API"): pg_backup_start and pg_backup_stop must run in the SAME session, which stays open
 * while the snapshots are taken. One psql process holds that session (several -c in one psql run share
 * one connection, psql(1)): it runs pg_backup_start and writes the start LSN into a file of a scratch
 * directory (server-side COPY TO, as the database superuser), waits — bounded by the hook's timeout —
 * until a `go` directory appears there, then runs pg_backup_stop(true) and prints the stop LSN and the
 * backup_label text into a second file, then waits for `copied`. The pre phase starts that process
 * through the executor and waits for the start file; the post phase creates `go`, reads the stop file,
 * keeps the label in /var/lib/jts-storage/backup-labels/LABEL.backup_label and the WAL the backup needs
 * (start segment through pg_walfile_name(stop LSN), ./pg-wal.ts) in LABEL.wal/ beside it, checked by
 * names and sizes, then creates `copied`. A temporary replication slot of the session keeps those
 * segments from being recycled until then. pg_backup_stop(true) also waits until the WAL is archived
 * when archive_mode is on (docs, pg_backup_stop). When the session dies, PostgreSQL ends the backup
 * itself and drops the slot.
 *
 * redis: BGSAVE, then LASTSAVE polled until it changes (redis.io LASTSAVE: "a client may check if a
 * BGSAVE succeeded reading LASTSAVE, issuing BGSAVE, and checking at regular intervals every N seconds
 * if LASTSAVE changed"), and rdb_last_bgsave_status:ok in INFO persistence.
 */
import type { ActionRun } from '../model/actions.js';
import type { SnapshotHook } from '../model/plan-schema.js';
import { execAction, mkdirAction, detail } from './actions.js';
import { psqlArgv as pgPsqlArgv } from '../host/postgresql.js';
import { redisCli } from '../host/redis.js';
import type { HookContext, HookPhase, ResolvedHook } from './hooks.js';
import { commandPhase } from './hooks.js';
import { LABEL_DIR } from './backup-record.js';
import { labelStart, parseBackupStop, walRange, type BackupStop } from './pg-wal.js';

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
  return pgPsqlArgv({ socket: h.socket, port: h.port, user: h.user }, sql);
}

export { redisCli };

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
  const waitFor = (file: string, what: string) =>
    `DO $$BEGIN FOR i IN 1..${polls} LOOP IF (pg_stat_file('${dir}/${file}', true)).modification IS NOT NULL THEN RETURN; END IF; PERFORM pg_sleep(0.05); END LOOP; ` +
    `RAISE EXCEPTION 'jts-storage: no ${file} within ${timeoutS} s: ${what}'; END$$`;
  return [
    // A temporary physical slot reserves the WAL from here until the session ends (docs 27.2.6
    // "Replication Slots"; pg_create_physical_replication_slot(name, immediately_reserve, temporary)), so no
    // checkpoint recycles a segment of the backup before the post phase copied it. Where slots are
    // unavailable (wal_level minimal, max_replication_slots 0) the backup goes on without it.
    `DO $$BEGIN PERFORM pg_create_physical_replication_slot('${pgSlotName(label)}', true, true); EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'jts-storage: no temporary replication slot: %', SQLERRM; END$$`,
    `COPY (SELECT pg_backup_start('${label}', true)) TO '${dir}/start_lsn'`,
    waitFor('go', 'backup abandoned'),
    // one COPY text row (src/snapshot/pg-wal.ts parseBackupStop): hex keeps COPY's escaping out of the label
    `COPY (SELECT lsn, pg_walfile_name(lsn), encode(convert_to(labelfile, 'UTF8'), 'hex'), pg_size_bytes(current_setting('wal_segment_size')), ` +
      `encode(convert_to(current_setting('data_directory'), 'UTF8'), 'hex') FROM pg_backup_stop(true)) TO '${dir}/stop'`,
    waitFor('copied', 'the WAL copy did not finish (the backup itself ended)'),
  ];
}

/** The temporary slot's name: lower-case letters, digits and underscores, at most 63 (docs, pg_create_physical_replication_slot). */
export function pgSlotName(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}

/**
 * After pg_backup_stop: read the session's stop file, keep the backup_label in LABEL_DIR/LABEL.backup_label
 * and copy the WAL it needs (pg-wal.ts walRange: the start segment through pg_walfile_name(stop LSN)) from
 * DATA/pg_wal into LABEL_DIR/LABEL.wal/, synced, then checked: exactly those names, each wal_segment_size
 * bytes. Facts name the range, the count and the paths.
 */
async function keepBackup(ctx: HookContext, set: string, name: string, h: SnapshotHook, dir: string, label: string, holder: Promise<ActionRun>): Promise<{ ok: boolean; error?: string; facts?: Record<string, string> }> {
  let done = false;
  void holder.then(() => (done = true));
  const deadline = ctx.runner.now().getTime() + h.timeoutS * 1000;
  let text: string | undefined;
  while (!(text = await ctx.runner.readFileIfExists(`${dir}/stop`))?.trim()) {
    if (done && !(text = await ctx.runner.readFileIfExists(`${dir}/stop`))?.trim()) return { ok: false, error: `pg_backup_stop: ${detail(await holder).slice(-400)}` };
    if (ctx.runner.now().getTime() >= deadline) return { ok: false, error: `pg_backup_stop did not return within ${h.timeoutS} s` };
    await ctx.sleep(100);
  }
  let stop: BackupStop;
  try {
    stop = parseBackupStop(text!);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const path = `${LABEL_DIR}/${label}.backup_label`;
  const facts: Record<string, string> = { stopLsn: stop.stopLsn, label, backupLabel: path, stopWalFile: stop.stopWalFile };
  const w = await ctx.act.run({
    id: `snapshot-hook:${set}:${name}:label`,
    kind: 'create',
    resource: `file ${path}`,
    summary: `backup_label of set ${set} (pg_backup_stop's labelfile: the WAL the backup needs)`,
    dependsOn: [],
    steps: [{ type: 'mkdir', path: LABEL_DIR, mode: 0o700 }, { type: 'write-file', path, content: stop.labelText, mode: 0o600, backup: false }],
  });
  if (!w.ok) return { ok: false, error: detail(w), facts };
  const start = labelStart(stop.labelText);
  if (!start) return { ok: false, error: `backup_label has no START WAL LOCATION line: ${stop.labelText.slice(0, 200)}`, facts };
  facts.startWalFile = start.file;
  let names: string[];
  try {
    names = walRange(start.file, stop.stopWalFile, stop.walSegmentBytes);
  } catch (e) {
    return { ok: false, error: (e as Error).message, facts };
  }
  const walDir = `${LABEL_DIR}/${label}.wal`;
  const files = names.map((n) => `${walDir}/${n}`);
  const sources = names.map((n) => `${stop.dataDirectory.replace(/\/+$/, '')}/pg_wal/${n}`);
  for (const a of [
    mkdirAction(walDir, 0o700, `WAL of set ${set}'s backup (${names.length} segment(s))`),
    execAction(`dir ${walDir}`, `copy the WAL ${names[0]} … ${names[names.length - 1]} the backup needs`, ['cp', '--preserve=mode,timestamps', '--', ...sources, `${walDir}/`], { timeoutMs: 600_000 }),
    execAction(`dir ${walDir}`, 'flush the copied WAL to disk', ['sync', '--', ...files], { timeoutMs: 600_000 }),
  ]) {
    const r = await ctx.act.run(a);
    if (!r.ok) return { ok: false, error: `keeping the WAL: ${detail(r).slice(-400)}`, facts };
  }
  const present = (await ctx.runner.readdir(walDir)).sort();
  if (present.join(' ') !== names.join(' ')) return { ok: false, error: `${walDir} holds ${present.join(', ') || 'nothing'}, expected ${names.join(', ')}`, facts };
  for (const f of files) {
    const st = await ctx.runner.stat(f);
    if (st?.size !== stop.walSegmentBytes) return { ok: false, error: `${f}: ${st?.size ?? 'no'} bytes, expected ${stop.walSegmentBytes} (wal_segment_size)`, facts };
  }
  Object.assign(facts, { walDir, walFiles: `${names[0]}..${names[names.length - 1]}`, walCount: String(names.length), walBytes: String(names.length * stop.walSegmentBytes) });
  return { ok: true, facts };
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
    if (ctx.act.dryRun) {
      await ctx.act.run(mkdirAction(`${dir}/copied`, 0o755, `end the backup session of set ${set} (its WAL is kept)`));
      await holder;
      return { ok: true };
    }
    let kept: Awaited<ReturnType<typeof keepBackup>>;
    try {
      kept = await keepBackup(ctx, set, name, h, dir, label, holder);
    } finally {
      // the session holds its temporary slot (the WAL) until this exists; it then ends
      await ctx.act.run(mkdirAction(`${dir}/copied`, 0o755, `end the backup session of set ${set} (its WAL is kept)`));
    }
    const r = await holder;
    if (!r.ok && kept.ok) return { ok: false, error: `backup session: ${detail(r).slice(-400)}`, facts: kept.facts };
    return kept;
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

