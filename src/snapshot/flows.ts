/**
 * The `snapshot` subcommands as functions: options in, `{ data, text, exitCode }` out. Reads go
 * through `io.runner`, every change through `io.act` (src/commands/snapshot.ts passes a HostRun:
 * lock, audit log, executor, --dry-run). Each returns the JSON document (`data`) and the human text of
 * its command; nothing here prints. See docs/snapshots.md.
 */
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { ActionRunner } from '../model/actions.js';
import { DEFAULT_PLAN_PATH, loadPlanFile } from '../model/load-plan.js';
import type { Plan } from '../model/plan-schema.js';
import { readLvm, findLv } from './lvm-report.js';
import { planCreate } from './create.js';
import { createSets } from './set-create.js';
import { keptPgBackup } from './backup-record.js';
import { readAutoextend, applyAutoextend } from './autoextend.js';
import { backupMount, reserveMap, retentionFor, selectTargets } from './plan-targets.js';
import { listView, renderList } from './list.js';
import { executePrune, planPrune } from './prune.js';
import { mountSnapshot, umountSnapshot, restoreSnapshot, readMounts, mountsOf } from './mount.js';
import { exportSnapshot, verifyExport } from './export.js';
import { runDrill } from './drill.js';
import { runDbDrill, renderDbDrill, type DrillDatabase } from './db-drill.js';
import { fmtBytes } from './units.js';

export interface SnapshotIo {
  /** Reads (audited when it is the HostRun's runner). */
  runner: Runner;
  /** Changes: run under the lock into the audit log, or recorded under --dry-run. */
  act: ActionRunner;
  /** JTS_STORAGE_PLAN: the plan file when neither --plan nor a volume is given. */
  planEnv?: string;
  /** Wait (hook polling); tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** Progress lines for a human (stderr): the database drill reports its phases as they run. */
  say?: (line: string) => void;
}

export interface FlowOutput {
  data: unknown;
  text: string;
  exitCode: number;
}

async function loadPlan(file: string | undefined, fallback: boolean, env: string | undefined): Promise<Plan | undefined> {
  if (file) return (await loadPlanFile(file)).plan;
  if (fallback) return (await loadPlanFile(env ?? DEFAULT_PLAN_PATH)).plan;
  return undefined;
}

export interface CreateFlowOptions {
  plan?: string;
  set?: string;
  size?: string;
  type?: string;
  scheduled?: boolean;
  keep?: boolean;
  beyondReserve?: boolean;
}

/** `snapshot create [volumes…]`: space checks first, then one lvcreate per volume. */
export async function createFlow(volumes: string[], o: CreateFlowOptions, io: SnapshotIo): Promise<FlowOutput> {
  if (o.type && o.type !== 'classic' && o.type !== 'thin') throw new UserError(`--type: "${o.type}" is not classic or thin`);
  const r = io.runner;
  const p = await loadPlan(o.plan, volumes.length === 0, io.planEnv);
  const st = await readLvm(r);
  const targets = selectTargets(p, st.lvs, volumes, { set: o.set, size: o.size, type: o.type as 'classic' | 'thin' | undefined });
  const auto = await readAutoextend(r);
  const cp = planCreate(targets, st, { now: r.now(), set: o.set, scheduled: o.scheduled, keep: o.keep, reserveBytes: reserveMap(p, st.vgs), autoextend: auto, beyondReserve: o.beyondReserve });
  let text = '';
  for (const s of cp.space)
    text += `VG ${s.vg}: free ${fmtBytes(s.freeBytes)}, new COW ${fmtBytes(s.needBytes)}, autoextend headroom ${fmtBytes(s.headroomBytes)}, classic snapshot space ${fmtBytes(s.classicBytesBefore)} → ${fmtBytes(s.classicBytesAfter)}${s.reserveBytes !== undefined ? ` (reserve ${fmtBytes(s.reserveBytes)})` : ' (no plan reserve)'}\n`;
  for (const i of cp.items) text += `  ${i.argv.join(' ')}\n`;
  for (const n of cp.notes) text += `note: ${n}\n`;
  if (cp.refusals.length) return { data: { ok: false, refused: cp.refusals, plan: cp }, text: text + cp.refusals.map((x) => `refused: ${x}\n`).join(''), exitCode: 1 };
  const mounts = await readMounts(r);
  const sr = await createSets({ runner: r, act: io.act, sleep: io.sleep }, p, cp, st.lvs, mounts, auto.threshold < 100 && auto.monitoring);
  for (const h of [...sr.pre, ...sr.post]) text += `hook ${h.set}/${h.hook} ${h.phase}: ${h.ok ? 'ok' : 'FAILED'} (${h.ms} ms)${h.error ? ': ' + h.error : ''}${h.facts ? ' ' + Object.entries(h.facts).map(([k, v]) => `${k}=${v}`).join(' ') : ''}\n`;
  if (io.act.dryRun) return { data: { ok: true, dryRun: true, plan: cp, hooks: { pre: sr.pre, post: sr.post }, freeze: sr.freeze }, text: text + '(dry run: nothing run)\n', exitCode: 0 };
  const run = sr.run ?? { created: [], spreadMs: 0 };
  const failed = run.created.filter((c) => !c.ok);
  const notRun = cp.items.length - run.created.length;
  const hookFailed = [...sr.pre, ...sr.post].some((h) => !h.ok) || sr.thawErrors.length > 0;
  text += run.created.map((c) => `${c.ok ? 'created' : 'FAILED '} ${c.item.vg}/${c.item.name} (${c.item.kind}${c.item.kind === 'classic' ? ' ' + fmtBytes(c.item.cowBytes) : ''}, ${c.durationMs} ms)${c.error ? ': ' + c.error : ''}${c.monitored === false ? ' [not monitored by dmeventd: no autoextend]' : ''}\n`).join('');
  const together = Object.values(sr.freeze).some((f) => f.freeze);
  text += `set ${[...new Set(cp.items.map((i) => i.set))].join(',')}: ${run.created.filter((c) => c.ok).length} snapshot(s) over ${run.spreadMs} ms (${together ? 'frozen together' : 'not atomic across volumes'})\n`;
  for (const g of sr.guarantees) text += `  ${g.origin}: ${g.guarantee}: ${g.why}\n`;
  for (const i of cp.items) text += `  ${i.origin}: ${i.consistency}\n`;
  for (const e of sr.thawErrors) text += `THAW FAILED: ${e} (run it by hand)\n`;
  if (sr.skipped) text += `${sr.skipped}\n`;
  if (notRun > 0 && !sr.skipped) text += `${notRun} volume(s) not snapshotted after the failure: the set is PARTIAL\n`;
  return {
    data: { ok: failed.length === 0 && notRun === 0 && !hookFailed, plan: cp, run, hooks: { pre: sr.pre, post: sr.post }, freeze: sr.freeze, guarantees: sr.guarantees, thawErrors: sr.thawErrors, skipped: sr.skipped },
    text,
    exitCode: failed.length || notRun || hookFailed ? 1 : 0,
  };
}

/** `snapshot list`: read-only. */
export async function listFlow(o: { plan?: string }, io: Pick<SnapshotIo, 'runner'>): Promise<FlowOutput> {
  const p = await loadPlan(o.plan, false, undefined);
  const st = await readLvm(io.runner);
  const rows = listView(st.snapshots, io.runner.now(), p);
  return { data: { snapshots: rows }, text: renderList(rows), exitCode: 0 };
}

/** `snapshot prune`: retention per origin; removes through `act`. */
export async function pruneFlow(o: { plan?: string; removeLost?: boolean }, io: SnapshotIo): Promise<FlowOutput> {
  const r = io.runner;
  const p = await loadPlan(o.plan, true, io.planEnv);
  const st = await readLvm(r);
  const mounts = await readMounts(r);
  const busy = new Set(st.snapshots.filter((s) => mountsOf(st.lvs.find((l) => l.vg === s.vg && l.name === s.name)!, mounts).length).map((s) => s.id));
  const pp = planPrune(st.snapshots, retentionFor(p), { now: r.now(), removeLost: o.removeLost, busy });
  const dry = io.act.dryRun;
  let text = pp.decisions.map((d) => `${d.action === 'remove' ? (dry ? 'would remove' : 'remove') : d.action === 'lost' ? 'LOST' : 'keep'}  ${d.id}  (${d.reasons.join('; ')})\n`).join('');
  for (const u of pp.unmanagedOrigins) text += `skip  ${u}: no retention policy in the plan\n`;
  const res = await executePrune(io.act, pp);
  if (dry) return { data: { dryRun: true, ...pp }, text: text || 'no jts snapshots\n', exitCode: 0 };
  text += res.failed.map((f) => `FAILED to remove ${f.id}: ${f.error}\n`).join('');
  return { data: { ...pp, ...res }, text: text || 'no jts snapshots\n', exitCode: res.failed.length ? 1 : 0 };
}

/** What a --dry-run of a flow without its own dry-run wording prints: the recorded steps. */
function dryText(lines: string[]): string {
  return lines.length ? `dry run: these steps would run, none ran:\n${lines.join('\n')}\n` : 'dry run: nothing to do\n';
}

/** `snapshot mount NAME`. */
export async function mountFlow(name: string, o: { path?: string; norecovery?: boolean }, io: SnapshotIo, dryLines: () => string[]): Promise<FlowOutput> {
  const m = await mountSnapshot(io.runner, io.act, name, { path: o.path, norecovery: o.norecovery });
  if (io.act.dryRun) return { data: { dryRun: true, ...m, steps: dryLines() }, text: dryText(dryLines()), exitCode: 0 };
  return { data: m, text: `${m.snapshot} ${m.alreadyMounted ? 'already mounted' : 'mounted'} at ${m.path} (${m.fstype}, ${m.options.join(',')})\n`, exitCode: 0 };
}

/** `snapshot umount NAME`. */
export async function umountFlow(name: string, io: SnapshotIo, dryLines: () => string[]): Promise<FlowOutput> {
  const u = await umountSnapshot(io.runner, io.act, name);
  if (io.act.dryRun) return { data: { dryRun: true, ...u, steps: dryLines() }, text: dryText(dryLines()), exitCode: 0 };
  return { data: u, text: u.unmounted.length ? `${u.snapshot}: unmounted ${u.unmounted.join(', ')}${u.deactivated ? ', deactivated' : ''}\n` : `${u.snapshot} was not mounted\n`, exitCode: 0 };
}

/** Without --yes restore only says what it would lose (read-only). */
export async function restoreConfirmText(name: string, runner: Runner): Promise<string> {
  const st = await readLvm(runner);
  const lv = findLv(st.lvs, name);
  const s = st.snapshots.find((x) => x.id === `${lv.vg}/${lv.name}`);
  return `restore rolls ${s ? `${s.vg}/${s.origin}` : 'the origin'} back to ${lv.vg}/${lv.name}${s?.time ? ` (${s.time.toISOString()})` : ''}: everything written to it since is lost. Rerun with --yes`;
}

/** `snapshot restore NAME --yes`. */
export async function restoreFlow(name: string, o: { offline?: boolean; schedule?: boolean }, io: SnapshotIo, dryLines: () => string[]): Promise<FlowOutput> {
  if (o.offline && o.schedule) throw new UserError('--offline and --schedule exclude each other');
  const res = await restoreSnapshot(io.runner, io.act, name, o.offline ? 'offline' : o.schedule ? 'schedule' : 'refuse-if-open');
  if (io.act.dryRun) return { data: { ...res, steps: dryLines() }, text: dryText(dryLines()) + res.message + '\n', exitCode: 0 };
  // a set taken with the postgresql hook kept the backup's label and WAL: say where, and what they are for
  const pg = await keptPgBackup(io.runner, name);
  const note = pg
    ? `note: PostgreSQL's backup of this set (${pg.found === 'recorded' ? 'named by the set\'s record' : 'no record names this snapshot: the label nearest its time, within 10 minutes'}) is kept in ${pg.backupLabel}${pg.walDir ? ` and ${pg.walDir}/ (the WAL it needs)` : ' (its WAL directory is missing)'}; PostgreSQL starts on the restored volume by crash recovery, or, with the label copied to DATA/backup_label and the WAL into DATA/pg_wal/ first, as from a base backup (docs/snapshots.md)\n`
    : '';
  return { data: { ...res, ...(pg ? { postgresqlBackup: pg } : {}) }, text: res.steps.map((s) => `  ${s}\n`).join('') + res.message + '\n' + note, exitCode: 0 };
}

/** `snapshot export NAME`: temp mount (when not mounted), archive, umount. */
export async function exportFlow(name: string, o: { to?: string; plan?: string; compress?: boolean }, io: SnapshotIo, dryLines: () => string[]): Promise<FlowOutput> {
  const r = io.runner;
  const dest = o.to ?? backupMount(await loadPlan(o.plan, true, io.planEnv));
  if (!dest) throw new UserError('no --to directory and no backup volume with a mount in the plan');
  const m = await mountSnapshot(r, io.act, name);
  const st = await readLvm(r);
  const s = st.snapshots.find((x) => x.id === m.snapshot)!;
  try {
    const e = await exportSnapshot(r, io.act, s, m.path, dest, { compress: o.compress });
    if (io.act.dryRun) return { data: { dryRun: true, ...e, steps: dryLines() }, text: dryText(dryLines()), exitCode: 0 };
    return { data: e, text: `${e.snapshot} → ${e.archive} (${e.files} files, ${fmtBytes(e.bytes)} → ${fmtBytes(e.archiveBytes)}, ${e.compression}); manifest ${e.manifest}\n`, exitCode: 0 };
  } finally {
    // The temporary mount goes again (under --dry-run it was never made: nothing to undo).
    if (!m.alreadyMounted && !io.act.dryRun) await umountSnapshot(r, io.act, m.snapshot);
  }
}

/** `snapshot verify ARCHIVE`. */
export async function verifyFlow(archive: string, io: SnapshotIo): Promise<FlowOutput> {
  const v = await verifyExport(io.runner, io.act, archive);
  const text =
    `${v.archive}: archive checksum ${v.archiveOk ? 'ok' : 'MISMATCH'}; ${v.files} files ${v.filesOk ? 'ok' : 'NOT ok'}` +
    `${v.failed.length ? `; changed: ${v.failed.slice(0, 10).join(', ')}` : ''}${v.missing.length ? `; missing: ${v.missing.slice(0, 10).join(', ')}` : ''}${v.extra.length ? `; not in manifest: ${v.extra.slice(0, 10).join(', ')}` : ''}\n` +
    (v.ok ? 'verify: PASS\n' : 'verify: FAIL\n');
  return { data: v, text, exitCode: v.ok ? 0 : 1 };
}

/** `snapshot drill VOLUME --yes`. */
export async function drillFlow(volume: string, io: SnapshotIo, dryLines: () => string[]): Promise<FlowOutput> {
  const d = await runDrill(io.runner, io.act, volume);
  if (io.act.dryRun) return { data: { dryRun: true, volume: d.volume, kind: d.kind, steps: dryLines() }, text: dryText(dryLines()), exitCode: 0 };
  const text =
    d.phases.map((p) => `  ${p.name}: ${p.ms} ms\n`).join('') +
    `drill ${d.volume} (${d.kind} snapshot ${d.snapshot || '-'}): ${d.files} files, ${fmtBytes(d.bytes)}; snapshot fill before restore ${d.snapshotFillPercent ?? '?'}%; ` +
    `remounted at ${d.remountedAt.join(', ') || '(was not mounted)'}\n` +
    (d.error ? `error: ${d.error}\n` : '') +
    (d.mismatches.length ? `mismatches: ${d.mismatches.join('; ')}\n` : '') +
    `drill: ${d.pass && !d.error ? 'PASS' : 'FAIL'}\n`;
  return { data: d, text, exitCode: !d.pass || d.error ? 1 : 0 };
}

/** `snapshot drill VOLUME --database postgresql|redis --yes`: the database drill (src/snapshot/db-drill.ts). */
export async function dbDrillFlow(volume: string, database: string, io: SnapshotIo, o: { pgTemplate?: string } = {}): Promise<FlowOutput> {
  if (database !== 'postgresql' && database !== 'redis') throw new UserError(`--database: "${database}" is not postgresql or redis`);
  if (o.pgTemplate && database !== 'postgresql') throw new UserError('--pg-template is for --database postgresql only');
  const d = await runDbDrill(io.runner, io.act, volume, database as DrillDatabase, { say: io.say, pgTemplate: o.pgTemplate });
  return { data: d, text: renderDbDrill(d), exitCode: d.pass && !d.error ? 0 : 1 };
}

/** `snapshot autoextend`: lvm.conf threshold/percent from the plan (or flags), dmeventd monitoring. */
export async function autoextendFlow(o: { plan?: string; threshold?: string; percent?: string }, io: SnapshotIo): Promise<FlowOutput> {
  const r = io.runner;
  const p = o.threshold && o.percent ? undefined : await loadPlan(o.plan, true, io.planEnv);
  const want = {
    threshold: Number(o.threshold ?? p?.tuning.snapshotAutoextend.threshold ?? 70),
    percent: Number(o.percent ?? p?.tuning.snapshotAutoextend.percent ?? 20),
  };
  if (!Number.isInteger(want.threshold) || want.threshold < 50 || want.threshold > 100) throw new UserError(`threshold ${want.threshold}: a whole number 50-100`);
  if (!Number.isInteger(want.percent) || want.percent < 0) throw new UserError(`percent ${want.percent}: a whole number ≥ 0`);
  const st = await readLvm(r);
  const classic = st.snapshots.filter((s) => s.kind === 'classic' && s.valid && s.active && !s.merging);
  const dry = io.act.dryRun;
  const res = await applyAutoextend(r, io.act, want, classic);
  const text =
    `lvm.conf activation: threshold ${res.before.threshold} → ${want.threshold}, percent ${res.before.percent} → ${want.percent}${res.changed ? (dry ? ' (dry run: not written)' : ` (written, backup ${res.backup})`) : ' (already so)'}\n` +
    res.monitored.map((m) => `  monitor ${m.id}: ${m.ok ? 'ok' : 'FAILED ' + m.error}\n`).join('');
  return { data: dry ? { ...res, backup: undefined } : res, text, exitCode: res.monitored.some((m) => !m.ok) ? 1 : 0 };
}
