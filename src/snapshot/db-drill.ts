/**
 * `snapshot drill VOLUME --database postgresql|redis`: a DR drill that a database must survive.
 *
 * On the volume (taken away from its real mount points and mounted privately, as `snapshot drill` does:
 * the production database must be stopped), a scratch server is created and started on its own socket
 * (PostgreSQL 15: initdb + pg_ctl, synchronous_commit=on; Redis 7: appendonly yes, appendfsync always).
 * A client commits numbered writes one by one (an INSERT in autocommit / an RPUSH, each acknowledged
 * after its commit), recording when each was sent and acknowledged. Mid-load a snapshot set of the
 * volume is taken WITH the set's built-in hook (pg_backup_start/stop, or BGSAVE); writes go on; the server
 * is stopped, the snapshot is merged back (restore --offline), the server is started on the restored
 * volume (crash recovery / AOF load) and the numbers it holds are read:
 *   - committed before the snapshot = acknowledged before the lvcreate started: every one must be there;
 *   - written after the snapshot = sent after the lvcreate ended: none may be there;
 *   - the writes in flight during the lvcreate may be either.
 * Counts are printed; the scratch data is removed and the volume mounted back where it was.
 */
import type { Runner, RunResult } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { ActionRunner } from '../model/actions.js';
import type { Plan, SnapshotHook } from '../model/plan-schema.js';
import { planCreate, defaultPolicy } from './create.js';
import { readAutoextend } from './autoextend.js';
import { fsType, readMounts, restoreSnapshot } from './mount.js';
import { detail, execAction, mkdirAction, must } from './actions.js';
import { drillOrigin, phaseTimer, remount } from './drill.js';
import { createSets, type VolumeGuarantee } from './set-create.js';
import { realSleep } from './hooks.js';
import { commitLoadSql, initdbArgv, parseCommitNotices, pgCtlStartArgv, pgCtlStopArgv, psqlArgv, scratchServerConf } from '../host/postgresql.js';
import { parseWriteReplies, redisCli, redisLoadArgv, redisServerArgv, redisWriteScript } from '../host/redis.js';

export type DrillDatabase = 'postgresql' | 'redis';

export interface DbDrillResult {
  volume: string;
  database: DrillDatabase;
  snapshot: string;
  pass: boolean;
  /** Writes acknowledged before the lvcreate started. */
  committedBefore: number;
  /** Of those, present after the restore (must equal committedBefore). */
  presentBefore: number;
  lost: number;
  /** Writes sent after the lvcreate ended. */
  writtenAfter: number;
  /** Of those, present after the restore (must be 0). */
  presentAfter: number;
  /** Sent before and acknowledged after the lvcreate started (either way is right). */
  inFlight: number;
  presentTotal: number;
  guarantee?: VolumeGuarantee;
  /** PostgreSQL: how the scratch cluster was made (initdb on the volume, or a template unpacked onto it). */
  cluster?: string;
  hooks: string[];
  /** What the restarted server said about its recovery (log lines). */
  recovery: string[];
  phases: { name: string; ms: number }[];
  remountedAt: string[];
  error?: string;
}

interface Write {
  n: number;
  /** When the write began, by the server's clock (before the INSERT / when the script ran), ms. */
  sentMs: number;
  /** When this process read its acknowledgement (after the COMMIT / the AOF fsync), ms. */
  ackMs: number;
}

interface Db {
  /** Create (first) and start the scratch server in `dir`. */
  start(first: boolean): Promise<void>;
  /**
   * The write load as ONE client process: numbered writes, one after another, each acknowledged after it
   * is durable; `onAck` per acknowledgement. Resolves when the process ends (after `stopLoad`, or when
   * the server stops), with its exit code.
   */
  load(onAck: (n: number, sentMs: number) => void): Promise<RunResult>;
  /** Ask the load to end after its current write. */
  stopLoad(): Promise<void>;
  stop(): Promise<void>;
  /** The numbers the server holds. */
  read(): Promise<number[]>;
  recovery(): Promise<string[]>;
  /** How the cluster was made (PostgreSQL: initdb on the volume, or a template copied onto it). */
  made?: string;
  hook: SnapshotHook;
}

const SOCK = '/run/jts-storage-drill-db';
/** Private mount points of the database drills: every level 0755, so the database user reaches its directory. */
export const DB_DRILL_BASE = '/run/jts-storage-db-drill';
const PG_PORT = 5439;
/** The longest the drill waits for its scratch server to answer or to go away (seconds). */
const SERVER_WAIT_S = 120;
/** The longest a write load runs before it ends itself (seconds): covers every phase it spans. */
const LOAD_MAX_S = 900;
/** The pause between two writes of the load (ms): a steady load that leaves the CPU to lvcreate and the hook. */
const LOAD_PAUSE_MS = 50;
/**
 * The drill server's settings over scratchServerConf's: a small shared_buffers (the last line of a setting
 * wins, postgresql.conf(5)), and crash recovery's start-up sync by one syncfs(2) of the filesystem instead
 * of an fsync per file (recovery_init_sync_method, PostgreSQL 14+: the same durability, far fewer system
 * calls under emulation).
 */
const DRILL_SETTINGS = { shared_buffers: '16MB', recovery_init_sync_method: 'syncfs' };

function postgres(runner: Runner, act: ActionRunner, dir: string, template: string | undefined): Db {
  const data = `${dir}/data`;
  const log = `${SOCK}/postgresql.log`;
  const stopFile = `${SOCK}/stop-load`;
  const ep = { socket: SOCK, port: PG_PORT, user: 'postgres' };
  const db: Db = {
    hook: { builtin: 'postgresql', socket: SOCK, port: PG_PORT, user: 'postgres', timeoutS: 120 },
    async start(first) {
      if (first) {
        await must(act, execAction(`dir ${dir}`, 'owned by postgres', ['chown', 'postgres:postgres', dir]), (d) => `chown ${dir}: ${d}`);
        if (template && (await runner.exists(template))) {
          // The catalog files of a cluster made by initdb elsewhere (same binaries), unpacked ON the volume;
          // the server, its WAL and the restore all run on the volume as with initdb here.
          await must(act, execAction(`cluster ${data}`, 'scratch PostgreSQL cluster of the drill, from the template', ['tar', '-xf', template, '-C', dir], { timeoutMs: 600_000 }), (d) => `unpacking the cluster template ${template}: ${d}`);
          await must(act, execAction(`cluster ${data}`, 'owned by postgres', ['chown', '-R', 'postgres:postgres', data]), (d) => d);
          db.made = `initdb's files copied from the template ${template} onto ${dir} (data and WAL on the volume)`;
        } else {
          await must(act, execAction(`cluster ${data}`, 'scratch PostgreSQL cluster of the drill', initdbArgv(data), { timeoutMs: 600_000 }), (d) => `initdb: ${d}`);
          db.made = `initdb on the volume${template ? ` (no template at ${template})` : ''}`;
        }
        await must(act, { id: `snapshot:drill-db:conf`, kind: 'create', resource: `file ${data}/postgresql.auto.conf`, summary: 'drill server settings', dependsOn: [], steps: [{ type: 'write-file', path: `${data}/postgresql.auto.conf`, content: scratchServerConf(SOCK, PG_PORT, DRILL_SETTINGS), mode: 0o600, backup: false }] }, (d) => d);
        await must(act, execAction(`file ${data}/postgresql.auto.conf`, 'owned by postgres', ['chown', 'postgres:postgres', `${data}/postgresql.auto.conf`]), (d) => d);
      }
      await act.run(execAction(`file ${stopFile}`, 'no stop signal for the next load', ['rm', '-rf', '--', stopFile], { kind: 'destroy' }));
      await must(act, execAction(`server ${data}`, 'start the drill server', pgCtlStartArgv(data, log), { timeoutMs: 330_000 }), (d) => `pg_ctl start: ${d}`);
    },
    load(onAck) {
      const sql = ['CREATE TABLE IF NOT EXISTS drill (n bigint PRIMARY KEY)', commitLoadSql('drill', stopFile, LOAD_MAX_S, LOAD_PAUSE_MS)];
      // psql prints each commit's NOTICE on stderr.
      return runLoad(runner, psqlArgv(ep, sql), 'stderr', (pending, chunk) => {
        const p = parseCommitNotices(pending, chunk);
        return { rest: p.rest, acks: p.commits.map((c) => [c.n, c.sentMs] as const) };
      }, onAck);
    },
    async stopLoad() {
      await must(act, mkdirAction(stopFile, 0o755, 'end the write load of the drill'), (d) => d);
    },
    async stop() {
      await act.run(execAction(`server ${data}`, 'stop the drill server', pgCtlStopArgv(data), { timeoutMs: 330_000 }));
    },
    async read() {
      const r = await runner.run(psqlArgv(ep, ['SELECT n FROM drill ORDER BY n']), { timeoutMs: 60_000 });
      if (r.exitCode !== 0) throw new UserError(`reading the drill table failed: ${r.stderr.trim()}`);
      return r.stdout.split('\n').filter(Boolean).map(Number);
    },
    async recovery() {
      const t = (await runner.readFileIfExists(log)) ?? '';
      return t.split('\n').filter((l) => /not properly shut down|redo (starts|done)|automatic recovery|ready to accept/.test(l)).slice(-6);
    },
  };
  return db;
}

/** Poll `ready` every 200 ms until it is true or `s` seconds (runner clock) have passed; false on timeout. */
async function until(runner: Runner, s: number, ready: () => Promise<boolean>): Promise<boolean> {
  const end = runner.now().getTime() + s * 1000;
  while (runner.now().getTime() < end) {
    if (await ready()) return true;
    await realSleep(200);
  }
  return ready();
}

function redis(runner: Runner, act: ActionRunner, dir: string): Db {
  const sock = `${SOCK}/redis.sock`;
  const hook: SnapshotHook = { builtin: 'redis', socket: sock, timeoutS: 120 };
  const cli = (args: string[]) => redisCli(hook, args);
  const log = `${SOCK}/redis.log`;
  const STOP_KEY = 'drill:stop';
  return {
    hook,
    async start(first) {
      if (first) await must(act, execAction(`dir ${dir}`, 'owned by redis', ['chown', 'redis:redis', dir]), (d) => `chown ${dir}: ${d}`);
      const argv = redisServerArgv({ user: 'redis', socket: sock, dir, appendfsync: 'always', logFile: log, pidFile: `${SOCK}/redis.pid` });
      await must(act, execAction(`server ${dir}`, 'start the drill Redis (AOF, appendfsync always)', argv, { timeoutMs: 60_000 }), (d) => `redis-server: ${d}`);
      const up = await until(runner, SERVER_WAIT_S, async () => (await runner.run(cli(['PING']), { timeoutMs: 5000 })).stdout.trim() === 'PONG');
      if (!up) throw new UserError(`the drill Redis did not answer PING within ${SERVER_WAIT_S} s (its log: ${log})`);
    },
    load(onAck) {
      const argv = redisLoadArgv(hook, redisWriteScript('drill', 'drill:n', STOP_KEY), Math.ceil((LOAD_MAX_S * 1000) / LOAD_PAUSE_MS), LOAD_PAUSE_MS / 1000);
      // redis-cli -r prints each EVAL's reply on stdout.
      return runLoad(runner, argv, 'stdout', (pending, chunk) => {
        const p = parseWriteReplies(pending, chunk);
        return { rest: p.rest, acks: p.writes.map((w) => [w.n, w.ranMs] as const) };
      }, onAck);
    },
    async stopLoad() {
      await must(act, execAction(`key ${STOP_KEY}`, 'end the write load of the drill', cli(['SET', STOP_KEY, '1'])), (d) => d);
    },
    async stop() {
      await act.run(execAction(`server ${dir}`, 'stop the drill Redis', cli(['SHUTDOWN', 'NOSAVE']), { timeoutMs: 60_000 }));
      const down = await until(runner, SERVER_WAIT_S, async () => (await runner.run(cli(['PING']), { timeoutMs: 5000 })).stdout.trim() !== 'PONG');
      if (!down) throw new UserError(`the drill Redis still answered PING ${SERVER_WAIT_S} s after SHUTDOWN NOSAVE`);
    },
    async read() {
      const r = await runner.run(cli(['LRANGE', 'drill', '0', '-1']), { timeoutMs: 60_000 });
      if (r.exitCode !== 0) throw new UserError(`reading the drill list failed: ${r.stderr.trim()}`);
      return r.stdout.split('\n').filter(Boolean).map(Number);
    },
    async recovery() {
      const t = (await runner.readFileIfExists(log)) ?? '';
      return t.split('\n').filter((l) => /AOF|DB loaded|Ready to accept/i.test(l)).slice(-6);
    },
  };
}

export interface DbDrillOptions {
  /** Writes acknowledged before the snapshot is taken (default 10), and after it (default 5). */
  before?: number;
  after?: number;
  /** The longest each wait for acknowledged writes may take (seconds, default 300): then the drill fails naming it. */
  waitS?: number;
  /** Progress, one line at a time (phases, hook phases, each acknowledged write): stderr in the command. */
  say?: (line: string) => void;
  /**
   * PostgreSQL: a tar of a cluster made by this PostgreSQL's initdb (its `data/` directory), unpacked onto
   * the volume instead of running initdb there (rehearse makes it on the host: initdb's bootstrap costs
   * ~50-90 s under emulation). Missing file: initdb on the volume, said in the result.
   */
  pgTemplate?: string;
}

/** Run the database drill on `volume` (see the file comment). */
export async function runDbDrill(runner: Runner, act: ActionRunner, volume: string, database: DrillDatabase, o: DbDrillOptions = {}): Promise<DbDrillResult> {
  if (act.dryRun) throw new UserError('the database drill has no --dry-run (its steps depend on the server answers); `snapshot drill VOLUME --dry-run` lists the file drill');
  const phases: { name: string; ms: number }[] = [];
  const say = o.say ? (l: string) => o.say!(`drill ${database}: ${l}`) : undefined;
  const phase = phaseTimer(runner, phases, say);
  const { st, lv, id, orig } = await drillOrigin(runner, volume);
  const priv = `${DB_DRILL_BASE}/${lv.vg}/${lv.name}`;
  const dir = `${priv}/.jts-drill-${database}`;
  const res: DbDrillResult = {
    volume: id, database, snapshot: '', pass: false, committedBefore: 0, presentBefore: 0, lost: 0, writtenAfter: 0, presentAfter: 0, inFlight: 0, presentTotal: 0,
    hooks: [], recovery: [], phases, remountedAt: [],
  };
  for (const m of [...orig].reverse()) {
    const r = await act.run(execAction(`mount ${m.target}`, `take ${id} away for the drill`, ['umount', m.target], { kind: 'destroy', timeoutMs: 300_000 }));
    if (!r.ok) {
      await remount(act, lv.path, orig.filter((x) => x.target.length > m.target.length), res);
      throw new UserError(`${m.target} is in use (${detail(r)}): stop the database using ${id} and rerun the drill; nothing was changed`);
    }
  }
  let privMounted = false;
  let db: Db | undefined;
  let running = false;
  /** Ends the write load (set on every way out, so a failed wait does not leave it writing). */
  let stop = false;
  let load: Promise<unknown> | undefined;
  try {
    await must(act, mkdirAction(priv, 0o755, 'private mount point of the drill'), (d) => d);
    await must(act, execAction(`dir ${DB_DRILL_BASE}`, 'reachable by the database user', ['chmod', '0755', DB_DRILL_BASE, `${DB_DRILL_BASE}/${lv.vg}`, priv]), (d) => d);
    const type = orig[0]?.fstype ?? (await fsType(runner, lv.path));
    if (!type) throw new UserError(`${id} holds no filesystem: nothing to drill`);
    const opt = orig[0]?.options ?? 'rw';
    await must(act, execAction(`mount ${priv}`, `${id} where only the drill writes`, ['mount', '-t', type, '-o', opt, lv.path, priv], { kind: 'create', timeoutMs: 300_000 }), (d) => d);
    privMounted = true;
    await must(act, execAction(`dir ${priv}`, 'reachable by the database user', ['chmod', '0755', priv]), (d) => d);
    await act.run(execAction(`dir ${dir}`, 'remove what an earlier drill left', ['rm', '-rf', '--one-file-system', '--', dir], { kind: 'destroy' }));
    await must(act, mkdirAction(dir, 0o700, 'drill database'), (d) => d);
    await must(act, mkdirAction(SOCK, 0o755, 'sockets and logs of the drill server'), (d) => d);
    await must(act, execAction(`dir ${SOCK}`, 'writable by the database user', ['chmod', '1777', SOCK]), (d) => d);
    db = database === 'postgresql' ? postgres(runner, act, dir, o.pgTemplate) : redis(runner, act, dir);
    await phase('start', () => db!.start(true));
    running = true;
    res.cluster = db.made;

    // The load: ONE client process, one write after another until stopped (each acknowledgement read as it comes).
    const writes: Write[] = [];
    let loadEnded: RunResult | undefined;
    const onAck = (n: number, sentMs: number) => {
      writes.push({ n, sentMs, ackMs: runner.now().getTime() });
      if (n % 25 === 0 || n <= 3) say?.(`write ${n} acknowledged`);
    };
    load = db.load(onAck).then((r) => (loadEnded = r));
    const acked = () => writes.length;
    const waitS = o.waitS ?? 300;
    const waitAcked = async (k: number) => {
      const end = runner.now().getTime() + waitS * 1000;
      while (acked() < k && !loadEnded && runner.now().getTime() < end) await realSleep(50);
      if (acked() < k && loadEnded) throw new UserError(`the write load ended after ${acked()} acknowledged writes (exit ${loadEnded.exitCode}): ${(loadEnded.stderr || loadEnded.stdout).trim().split('\n').slice(-3).join(' / ')}`);
      if (acked() < k) throw new UserError(`only ${acked()} of ${k} writes were acknowledged within ${waitS} s`);
    };
    await phase('load before', () => waitAcked(o.before ?? 10));

    const auto = await readAutoextend(runner);
    const cp = planCreate([{ vg: lv.vg, lv: lv.name, policy: { ...defaultPolicy(), size: '25%' }, workload: database }], st, { now: runner.now(), set: 'drill', drill: true, autoextend: auto });
    if (cp.refusals.length) throw new UserError(`drill snapshot refused: ${cp.refusals.join('; ')}`);
    const plan = { snapshotSets: [{ name: 'drill', freeze: 'auto', hooks: [db.hook] }], volumes: [{ vg: lv.vg, name: lv.name, workload: database }] } as unknown as Plan;
    const mountsNow = await readMounts(runner);
    const sr = await phase('snapshot set (hook + lvcreate)', () => createSets({ runner, act, say }, plan, cp, st.lvs, mountsNow, false));
    res.hooks = [...sr.pre, ...sr.post].map((h) => `${h.hook} ${h.phase}: ${h.ok ? 'ok' : 'FAILED ' + (h.error ?? '')}${h.facts ? ' ' + Object.entries(h.facts).map(([k, v]) => `${k}=${v}`).join(' ') : ''}`);
    res.guarantee = sr.guarantees[0];
    const c = sr.run?.created[0];
    if (!c?.ok) throw new UserError(`drill snapshot failed: ${sr.skipped ?? c?.error ?? 'nothing created'}`);
    res.snapshot = `${c.item.vg}/${c.item.name}`;
    const t1 = Date.parse(c.startedAt);
    const t2 = t1 + c.durationMs;
    const atSnap = acked();
    await phase('load after', () => waitAcked(atSnap + (o.after ?? 5)));
    stop = true;
    await phase('stop', async () => {
      await db!.stopLoad();
      if (database === 'postgresql') await load; // the session sees the stop file and ends; Redis's ends with the server
      await db!.stop();
      running = false;
      await load;
    });
    await phase('restore (merge)', () => restoreSnapshot(runner, act, res.snapshot, 'offline'));
    await phase('start on the restored volume', () => db!.start(false));
    running = true;
    const present = new Set(await db.read());
    res.recovery = await db.recovery();
    const before = writes.filter((w) => w.ackMs < t1);
    const after = writes.filter((w) => w.sentMs > t2);
    res.committedBefore = before.length;
    res.presentBefore = before.filter((w) => present.has(w.n)).length;
    res.lost = res.committedBefore - res.presentBefore;
    res.writtenAfter = after.length;
    // The numbers rise with time: every number from the first written after the snapshot on is "after",
    // also one whose acknowledgement never came (the last write when the server stopped).
    const firstAfter = Math.min(...after.map((w) => w.n));
    res.presentAfter = [...present].filter((n) => n >= firstAfter).length;
    res.inFlight = writes.length - before.length - after.length;
    res.presentTotal = present.size;
    const hooksOk = [...sr.pre, ...sr.post].every((h) => h.ok);
    if (!hooksOk) res.error = `a hook failed: ${res.hooks.filter((h) => h.includes('FAILED')).join('; ')}`;
    res.pass = hooksOk && res.committedBefore > 0 && res.writtenAfter > 0 && res.lost === 0 && res.presentAfter === 0;
  } catch (e) {
    res.error = (e as Error).message;
  } finally {
    if (db && running) {
      if (!stop) await db.stopLoad().catch(() => undefined);
      await db.stop().catch((e) => say?.(`stopping the drill server: ${(e as Error).message}`));
    }
    stop = true;
    // The load's process ends with its server (or its own bound): never left running.
    await load;
    if (privMounted) {
      await act.run(execAction(`dir ${dir}`, 'remove the drill database', ['rm', '-rf', '--one-file-system', '--', dir], { kind: 'destroy' }));
      const u = await act.run(execAction(`mount ${priv}`, 'end of the drill', ['umount', priv], { kind: 'destroy', timeoutMs: 300_000 }));
      if (u.ok) await act.run(execAction(`dir ${priv}`, 'remove the private mount point', ['rmdir', priv], { kind: 'destroy' }));
    }
    await remount(act, lv.path, orig, res);
  }
  return res;
}

/** The drill's counts as text. */
export function renderDbDrill(d: DbDrillResult): string {
  return (
    d.phases.map((p) => `  ${p.name}: ${p.ms} ms\n`).join('') +
    (d.cluster ? `  cluster: ${d.cluster}\n` : '') +
    d.hooks.map((h) => `  hook ${h}\n`).join('') +
    (d.guarantee ? `  snapshot guarantee: ${d.guarantee.guarantee}: ${d.guarantee.why}\n` : '') +
    d.recovery.map((l) => `  server: ${l}\n`).join('') +
    `drill ${d.database} on ${d.volume} (snapshot ${d.snapshot || '-'}): committed before the snapshot ${d.committedBefore}, present after restore ${d.presentBefore}, LOST ${d.lost}; ` +
    `written after the snapshot ${d.writtenAfter}, present ${d.presentAfter}; in flight ${d.inFlight}; rows after restore ${d.presentTotal}\n` +
    `remounted at ${d.remountedAt.join(', ') || '(was not mounted)'}\n` +
    (d.error ? `error: ${d.error}\n` : '') +
    `drill: ${d.pass && !d.error ? 'PASS' : 'FAIL'}\n`
  );
}

/**
 * One write-load process (bounded by LOAD_MAX_S + 60 s): its `stream` is parsed as it arrives, each
 * acknowledged write (number, ms) passed to onAck at once; a line split across chunks is kept for the next.
 */
function runLoad(
  runner: Runner,
  argv: string[],
  stream: 'stdout' | 'stderr',
  parse: (pending: string, chunk: string) => { rest: string; acks: (readonly [number, number])[] },
  onAck: (n: number, ms: number) => void,
): Promise<RunResult> {
  let pending = '';
  return runner.run(argv, {
    timeoutMs: (LOAD_MAX_S + 60) * 1000,
    onOutput: (chunk, s) => {
      if (s !== stream) return;
      const p = parse(pending, chunk);
      pending = p.rest;
      for (const [n, ms] of p.acks) onAck(n, ms);
    },
  });
}
