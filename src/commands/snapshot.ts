import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH, loadPlanFile } from '../model/load-plan.js';
import type { Plan } from '../model/plan-schema.js';
import { readLvm, findLv } from '../snapshot/lvm-report.js';
import { executeCreate, planCreate } from '../snapshot/create.js';
import { readAutoextend, applyAutoextend } from '../snapshot/autoextend.js';
import { backupMount, reserveMap, retentionFor, selectTargets } from '../snapshot/plan-targets.js';
import { listView, renderList } from '../snapshot/list.js';
import { executePrune, planPrune } from '../snapshot/prune.js';
import { mountSnapshot, umountSnapshot, restoreSnapshot, readMounts, mountsOf } from '../snapshot/mount.js';
import { exportSnapshot, verifyExport } from '../snapshot/export.js';
import { runDrill } from '../snapshot/drill.js';
import { fmtBytes } from '../snapshot/units.js';

/**
 * `jts-storage snapshot …`: create, list, prune, mount, umount, restore, export, verify, drill,
 * autoextend. Logic lives in src/snapshot/; this file wires options and prints. See docs/snapshots.md.
 */

function out(json: boolean, data: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : text);
}

async function plan(file: string | undefined, fallback: boolean): Promise<Plan | undefined> {
  if (file) return (await loadPlanFile(file)).plan;
  if (fallback) return (await loadPlanFile(process.env.JTS_STORAGE_PLAN ?? DEFAULT_PLAN_PATH)).plan;
  return undefined;
}

const runner = (): Runner => new ExecRunner();

export function register(program: Command): void {
  const snap = program.command('snapshot').description('LVM snapshots: create, list, prune, mount, umount, restore, export, verify, drill, autoextend (docs/snapshots.md)');

  snap
    .command('create')
    .description('snapshot volumes (a set), after checking VG free space and the plan reserve')
    .argument('[volumes...]', 'plan volume names, LV names or VG/LV (default: every plan volume with a snapshot policy)')
    .option('--plan <file>', 'plan file (policies, reserve); default the embedded plan when no volume is named')
    .option('--set <name>', 'set name (default: the policy set, "timeline" with --scheduled, else "manual")')
    .option('--size <size>', 'COW size for classic snapshots: "10%" of the origin or absolute ("2GiB")')
    .option('--type <type>', 'classic or thin')
    .option('--scheduled', 'taken by the timer (tag jts-sched)')
    .option('--keep', 'pin: prune never removes it (tag jts-keep)')
    .option('--beyond-reserve', "accept snapshot space beyond the plan's VG reserve")
    .option('--dry-run', 'print what would run, run nothing')
    .option('--json', 'JSON output')
    .action(async (volumes: string[], o: { plan?: string; set?: string; size?: string; type?: string; scheduled?: boolean; keep?: boolean; beyondReserve?: boolean; dryRun?: boolean; json?: boolean }) => {
      if (o.type && o.type !== 'classic' && o.type !== 'thin') throw new UserError(`--type: "${o.type}" is not classic or thin`);
      const r = runner();
      const p = await plan(o.plan, volumes.length === 0);
      const st = await readLvm(r);
      const targets = selectTargets(p, st.lvs, volumes, { set: o.set, size: o.size, type: o.type as 'classic' | 'thin' | undefined });
      const auto = await readAutoextend(r);
      const cp = planCreate(targets, st, { now: r.now(), set: o.set, scheduled: o.scheduled, keep: o.keep, reserveBytes: reserveMap(p, st.vgs), autoextend: auto, beyondReserve: o.beyondReserve });
      let text = '';
      for (const s of cp.space)
        text += `VG ${s.vg}: free ${fmtBytes(s.freeBytes)}, new COW ${fmtBytes(s.needBytes)}, autoextend headroom ${fmtBytes(s.headroomBytes)}, classic snapshot space ${fmtBytes(s.classicBytesBefore)} → ${fmtBytes(s.classicBytesAfter)}${s.reserveBytes !== undefined ? ` (reserve ${fmtBytes(s.reserveBytes)})` : ' (no plan reserve)'}\n`;
      for (const i of cp.items) text += `  ${i.argv.join(' ')}\n`;
      for (const n of cp.notes) text += `note: ${n}\n`;
      if (cp.refusals.length) {
        out(!!o.json, { ok: false, refused: cp.refusals, plan: cp }, text + cp.refusals.map((x) => `refused: ${x}\n`).join(''));
        process.exitCode = 1;
        return;
      }
      if (o.dryRun) {
        out(!!o.json, { ok: true, dryRun: true, plan: cp }, text + '(dry run: nothing run)\n');
        return;
      }
      const run = await executeCreate(r, cp, auto.threshold < 100 && auto.monitoring);
      const failed = run.created.filter((c) => !c.ok);
      const notRun = cp.items.length - run.created.length;
      text += run.created.map((c) => `${c.ok ? 'created' : 'FAILED '} ${c.item.vg}/${c.item.name} (${c.item.kind}${c.item.kind === 'classic' ? ' ' + fmtBytes(c.item.cowBytes) : ''}, ${c.durationMs} ms)${c.error ? ': ' + c.error : ''}${c.monitored === false ? ' [not monitored by dmeventd: no autoextend]' : ''}\n`).join('');
      text += `set ${[...new Set(cp.items.map((i) => i.set))].join(',')}: ${run.created.filter((c) => c.ok).length} snapshot(s) over ${run.spreadMs} ms (not atomic across volumes)\n`;
      for (const i of cp.items) text += `  ${i.origin}: ${i.consistency}\n`;
      if (notRun > 0) text += `${notRun} volume(s) not snapshotted after the failure: the set is PARTIAL\n`;
      out(!!o.json, { ok: failed.length === 0 && notRun === 0, plan: cp, run }, text);
      if (failed.length || notRun) process.exitCode = 1;
    });

  snap
    .command('list')
    .description('snapshots with fill, age, set, origin and validity (LOST = invalidated)')
    .option('--plan <file>', 'plan file for per-volume fill thresholds')
    .option('--json', 'JSON output')
    .action(async (o: { plan?: string; json?: boolean }) => {
      const r = runner();
      const p = await plan(o.plan, false);
      const st = await readLvm(r);
      const rows = listView(st.snapshots, r.now(), p);
      out(!!o.json, { snapshots: rows }, renderList(rows));
    });

  snap
    .command('prune')
    .description("remove snapshots outside each volume's retention policy (never the newest valid; LOST ones only with --remove-lost)")
    .option('--plan <file>', 'plan file (default: the embedded plan)')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--remove-lost', 'also remove invalidated (LOST) snapshots')
    .option('--json', 'JSON output')
    .action(async (o: { plan?: string; dryRun?: boolean; removeLost?: boolean; json?: boolean }) => {
      const r = runner();
      const p = await plan(o.plan, true);
      const st = await readLvm(r);
      const mounts = await readMounts(r);
      const busy = new Set(st.snapshots.filter((s) => mountsOf(st.lvs.find((l) => l.vg === s.vg && l.name === s.name)!, mounts).length).map((s) => s.id));
      const pp = planPrune(st.snapshots, retentionFor(p), { now: r.now(), removeLost: o.removeLost, busy });
      let text = pp.decisions.map((d) => `${d.action === 'remove' ? (o.dryRun ? 'would remove' : 'remove') : d.action === 'lost' ? 'LOST' : 'keep'}  ${d.id}  (${d.reasons.join('; ')})\n`).join('');
      for (const u of pp.unmanagedOrigins) text += `skip  ${u}: no retention policy in the plan\n`;
      if (o.dryRun) {
        out(!!o.json, { dryRun: true, ...pp }, text || 'no jts snapshots\n');
        return;
      }
      const res = await executePrune(r, pp);
      text += res.failed.map((f) => `FAILED to remove ${f.id}: ${f.error}\n`).join('');
      out(!!o.json, { ...pp, ...res }, text || 'no jts snapshots\n');
      if (res.failed.length) process.exitCode = 1;
    });

  snap
    .command('mount')
    .description('mount a snapshot read-only (ro,nodev,nosuid,noexec; XFS nouuid)')
    .argument('<name>', 'snapshot: VG/LV or LV name')
    .option('--path <dir>', 'mount point (default /run/jts-storage/snapshots/VG/NAME)')
    .option('--norecovery', 'do not replay a dirty journal/log (ext4 noload, XFS norecovery): the unreplayed state')
    .option('--json', 'JSON output')
    .action(async (name: string, o: { path?: string; norecovery?: boolean; json?: boolean }) => {
      const m = await mountSnapshot(runner(), name, { path: o.path, norecovery: o.norecovery });
      out(!!o.json, m, `${m.snapshot} ${m.alreadyMounted ? 'already mounted' : 'mounted'} at ${m.path} (${m.fstype}, ${m.options.join(',')})\n`);
    });

  snap
    .command('umount')
    .description('unmount a snapshot (a thin snapshot is deactivated again)')
    .argument('<name>', 'snapshot: VG/LV or LV name')
    .option('--json', 'JSON output')
    .action(async (name: string, o: { json?: boolean }) => {
      const u = await umountSnapshot(runner(), name);
      out(!!o.json, u, u.unmounted.length ? `${u.snapshot}: unmounted ${u.unmounted.join(', ')}${u.deactivated ? ', deactivated' : ''}\n` : `${u.snapshot} was not mounted\n`);
    });

  snap
    .command('restore')
    .description('merge a snapshot back into its origin (lvconvert --merge): everything written since is LOST')
    .argument('<name>', 'snapshot: VG/LV or LV name')
    .option('--yes', 'confirm: roll the origin back to the snapshot')
    .option('--offline', 'when the origin is mounted: umount it, merge, re-activate and mount it again')
    .option('--schedule', 'when the origin is open: let the merge happen at its next activation')
    .option('--json', 'JSON output')
    .action(async (name: string, o: { yes?: boolean; offline?: boolean; schedule?: boolean; json?: boolean }) => {
      const r = runner();
      if (!o.yes) {
        const st = await readLvm(r);
        const lv = findLv(st.lvs, name);
        const s = st.snapshots.find((x) => x.id === `${lv.vg}/${lv.name}`);
        throw new UserError(`restore rolls ${s ? `${s.vg}/${s.origin}` : 'the origin'} back to ${lv.vg}/${lv.name}${s?.time ? ` (${s.time.toISOString()})` : ''}: everything written to it since is lost. Rerun with --yes`);
      }
      if (o.offline && o.schedule) throw new UserError('--offline and --schedule exclude each other');
      const res = await restoreSnapshot(r, name, o.offline ? 'offline' : o.schedule ? 'schedule' : 'refuse-if-open');
      out(!!o.json, res, res.steps.map((s) => `  ${s}\n`).join('') + res.message + '\n');
    });

  snap
    .command('export')
    .description('archive a snapshot (tar, zstd when available) with a sha256 manifest of every file')
    .argument('<name>', 'snapshot: VG/LV or LV name')
    .option('--to <dir>', "destination directory (default: the plan's backup volume mount)")
    .option('--plan <file>', 'plan file (default: the embedded plan) for the backup volume')
    .option('--no-compress', 'plain tar even when zstd is installed')
    .option('--json', 'JSON output')
    .action(async (name: string, o: { to?: string; plan?: string; compress?: boolean; json?: boolean }) => {
      const r = runner();
      const dest = o.to ?? backupMount(await plan(o.plan, true));
      if (!dest) throw new UserError('no --to directory and no backup volume with a mount in the plan');
      const m = await mountSnapshot(r, name);
      const st = await readLvm(r);
      const s = st.snapshots.find((x) => x.id === m.snapshot)!;
      try {
        const e = await exportSnapshot(r, s, m.path, dest, { compress: o.compress });
        out(!!o.json, e, `${e.snapshot} → ${e.archive} (${e.files} files, ${fmtBytes(e.bytes)} → ${fmtBytes(e.archiveBytes)}, ${e.compression}); manifest ${e.manifest}\n`);
      } finally {
        if (!m.alreadyMounted) await umountSnapshot(r, m.snapshot);
      }
    });

  snap
    .command('verify')
    .description('verify an exported archive: its checksum, then every file against the manifest')
    .argument('<archive>', 'the .tar or .tar.zst written by snapshot export')
    .option('--json', 'JSON output')
    .action(async (archive: string, o: { json?: boolean }) => {
      const v = await verifyExport(runner(), archive);
      const text =
        `${v.archive}: archive checksum ${v.archiveOk ? 'ok' : 'MISMATCH'}; ${v.files} files ${v.filesOk ? 'ok' : 'NOT ok'}` +
        `${v.failed.length ? `; changed: ${v.failed.slice(0, 10).join(', ')}` : ''}${v.missing.length ? `; missing: ${v.missing.slice(0, 10).join(', ')}` : ''}${v.extra.length ? `; not in manifest: ${v.extra.slice(0, 10).join(', ')}` : ''}\n` +
        (v.ok ? 'verify: PASS\n' : 'verify: FAIL\n');
      out(!!o.json, v, text);
      if (!v.ok) process.exitCode = 1;
    });

  snap
    .command('drill')
    .description('prove restore on a volume: write known data, snapshot, change, restore (merge), compare checksums')
    .argument('<volume>', 'VG/LV or LV name (its database must be stopped: the drill unmounts it)')
    .option('--yes', 'confirm: the volume is unmounted for the drill and mounted back after')
    .option('--json', 'JSON output')
    .action(async (volume: string, o: { yes?: boolean; json?: boolean }) => {
      if (!o.yes) throw new UserError(`the drill unmounts ${volume} from its mount points for its duration (stop the database first). Rerun with --yes`);
      const d = await runDrill(runner(), volume);
      const text =
        d.phases.map((p) => `  ${p.name}: ${p.ms} ms\n`).join('') +
        `drill ${d.volume} (${d.kind} snapshot ${d.snapshot || '-'}): ${d.files} files, ${fmtBytes(d.bytes)}; snapshot fill before restore ${d.snapshotFillPercent ?? '?'}%; ` +
        `remounted at ${d.remountedAt.join(', ') || '(was not mounted)'}\n` +
        (d.error ? `error: ${d.error}\n` : '') +
        (d.mismatches.length ? `mismatches: ${d.mismatches.join('; ')}\n` : '') +
        `drill: ${d.pass && !d.error ? 'PASS' : 'FAIL'}\n`;
      out(!!o.json, d, text);
      if (!d.pass || d.error) process.exitCode = 1;
    });

  snap
    .command('autoextend')
    .description('fill watch: write lvm.conf snapshot_autoextend_threshold/percent from the plan, monitor classic snapshots (dmeventd)')
    .option('--plan <file>', 'plan file (default: the embedded plan): tuning.snapshotAutoextend')
    .option('--threshold <n>', 'override the plan: autoextend at this fill % (50-100; 100 = off)')
    .option('--percent <n>', 'override the plan: grow by this % of the size')
    .option('--dry-run', 'show the change, write nothing')
    .option('--json', 'JSON output')
    .action(async (o: { plan?: string; threshold?: string; percent?: string; dryRun?: boolean; json?: boolean }) => {
      const r = runner();
      const p = o.threshold && o.percent ? undefined : await plan(o.plan, true);
      const want = {
        threshold: Number(o.threshold ?? p?.tuning.snapshotAutoextend.threshold ?? 70),
        percent: Number(o.percent ?? p?.tuning.snapshotAutoextend.percent ?? 20),
      };
      if (!Number.isInteger(want.threshold) || want.threshold < 50 || want.threshold > 100) throw new UserError(`threshold ${want.threshold}: a whole number 50-100`);
      if (!Number.isInteger(want.percent) || want.percent < 0) throw new UserError(`percent ${want.percent}: a whole number ≥ 0`);
      const st = await readLvm(r);
      const classic = st.snapshots.filter((s) => s.kind === 'classic' && s.valid && s.active && !s.merging);
      const res = await applyAutoextend(r, want, classic, { dryRun: o.dryRun });
      const text =
        `lvm.conf activation: threshold ${res.before.threshold} → ${want.threshold}, percent ${res.before.percent} → ${want.percent}${res.changed ? (o.dryRun ? ' (dry run: not written)' : ` (written, backup ${res.backup})`) : ' (already so)'}\n` +
        res.monitored.map((m) => `  monitor ${m.id}: ${m.ok ? 'ok' : 'FAILED ' + m.error}\n`).join('');
      out(!!o.json, res, text);
      if (res.monitored.some((m) => !m.ok)) process.exitCode = 1;
    });
}
