import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { DEFAULT_AUDIT_LOG } from '../exec/audit.js';
import { DEFAULT_LOCK_PATH } from '../exec/lock.js';
import { HostRun, lockTimeoutMs, withHostRun } from '../exec/host-run.js';
import * as flows from '../snapshot/flows.js';
import type { CommandContext } from './context.js';
import { envOf, type CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import type { FlowOutput, SnapshotIo } from '../snapshot/flows.js';

/**
 * `jts-storage snapshot …`: create, list, prune, mount, umount, restore, export, verify, drill,
 * autoextend. The flows are in src/snapshot/flows.ts; every change they make runs through the one
 * executor under the host lock and into the audit log (src/exec/host-run.ts), or is only shown with
 * --dry-run. This file wires commander. See docs/snapshots.md.
 */

/** The command's I/O (ui/io.ts; JTS_STORAGE_PLAN is read from its env) and the Runner. */
export type SnapshotCliIo = CommandIo & { runner: Runner };

/** Options every changing subcommand takes. */
export interface HostRunCliOptions {
  json?: boolean;
  dryRun?: boolean;
  auditLog?: string;
  lockFile?: string;
  /** Seconds (string from commander). */
  lockTimeout?: string;
}

/**
 * Run one changing subcommand: a HostRun named `snapshot SUB` (lock, audit, --dry-run), the flow
 * inside it, then its JSON or text on stdout. Returns the exit code. `lock: false` (verify): audited,
 * no lock (its only change is a scratch directory of its own).
 */
export async function snapshotCommand(
  sub: string,
  o: HostRunCliOptions,
  io: SnapshotCliIo,
  flow: (fio: SnapshotIo, dryLines: () => string[]) => Promise<FlowOutput>,
  opts: { lock?: boolean } = {},
): Promise<number> {
  const out = await withHostRun(
    {
      runner: io.runner,
      command: `snapshot ${sub}`,
      pid: io.pid ?? process.pid,
      dryRun: !!o.dryRun,
      lock: opts.lock,
      auditLog: o.auditLog ?? DEFAULT_AUDIT_LOG,
      lockPath: o.lockFile ?? DEFAULT_LOCK_PATH,
      lockTimeoutMs: lockTimeoutMs(o.lockTimeout, 0),
      say: (s) => io.stderr(s + '\n'),
    },
    (h: HostRun) => flow({ runner: h.runner, act: h, planEnv: envOf(io).JTS_STORAGE_PLAN, say: (s) => io.stderr(s + '\n') }, () => h.dryRunLines()),
    (f) => f.exitCode === 0,
  );
  show(io, o.json, out.data, () => out.text);
  return out.exitCode;
}


/** The options of every changing subcommand. */
function changing(c: Command, dryRun = 'print the steps that would run, run nothing that changes the host'): Command {
  return c
    .option('--dry-run', dryRun)
    .option('--audit-log <path>', 'JSON-lines audit log', DEFAULT_AUDIT_LOG)
    .option('--lock-file <path>', 'lock file (one changing run at a time)', DEFAULT_LOCK_PATH)
    .option('--lock-timeout <seconds>', 'wait this long for another run holding the lock; 0 refuses at once, naming it; the snapshot timer waits 1800 (default: 0)')
    .option('--json', 'JSON output');
}

export const takesIo = true;

/** Thin commander wiring; the flows are in src/snapshot/flows.ts, run by snapshotCommand. */
export function register(program: Command, ctx: CommandContext): void {
  const processIo = (): SnapshotCliIo => ({ ...ctx.io, runner: new ExecRunner() });
  const setExit = (code: number) => ctx.exit(code);
  const snap = program.command('snapshot').description('LVM snapshots: create, list, prune, mount, umount, restore, export, verify, drill, autoextend (docs/snapshots.md)');

  changing(
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
      .option('--beyond-reserve', "accept snapshot space beyond the plan's VG reserve"),
    'print what would run, run nothing',
  ).action(async (volumes: string[], o: flows.CreateFlowOptions & HostRunCliOptions) => setExit(await snapshotCommand('create', o, processIo(), (fio) => flows.createFlow(volumes, o, fio))));

  snap
    .command('list')
    .description('snapshots with fill, age, set, origin and validity (LOST = invalidated)')
    .option('--plan <file>', 'plan file for per-volume fill thresholds')
    .option('--json', 'JSON output')
    .action(async (o: { plan?: string; json?: boolean }) => {
      const out = await flows.listFlow(o, { runner: new ExecRunner() });
      show(ctx.io, o.json, out.data, () => out.text);
      ctx.exit(out.exitCode);
    });

  changing(
    snap
      .command('prune')
      .description("remove snapshots outside each volume's retention policy (never the newest valid; LOST ones only with --remove-lost)")
      .option('--plan <file>', 'plan file (default: the embedded plan)')
      .option('--remove-lost', 'also remove invalidated (LOST) snapshots'),
    'say what would be removed, remove nothing',
  ).action(async (o: { plan?: string; removeLost?: boolean } & HostRunCliOptions) => setExit(await snapshotCommand('prune', o, processIo(), (fio) => flows.pruneFlow(o, fio))));

  changing(
    snap
      .command('mount')
      .description('mount a snapshot read-only (ro,nodev,nosuid,noexec; XFS nouuid)')
      .argument('<name>', 'snapshot: VG/LV or LV name')
      .option('--path <dir>', 'mount point (default: /run/jts-storage/snapshots/VG/NAME)')
      .option('--norecovery', 'do not replay a dirty journal/log (ext4 noload, XFS norecovery): the unreplayed state'),
  ).action(async (name: string, o: { path?: string; norecovery?: boolean } & HostRunCliOptions) => setExit(await snapshotCommand('mount', o, processIo(), (fio, dl) => flows.mountFlow(name, o, fio, dl))));

  changing(
    snap
      .command('umount')
      .description('unmount a snapshot (a thin snapshot is deactivated again)')
      .argument('<name>', 'snapshot: VG/LV or LV name'),
  ).action(async (name: string, o: HostRunCliOptions) => setExit(await snapshotCommand('umount', o, processIo(), (fio, dl) => flows.umountFlow(name, fio, dl))));

  changing(
    snap
      .command('restore')
      .description('merge a snapshot back into its origin (lvconvert --merge): everything written since is LOST')
      .argument('<name>', 'snapshot: VG/LV or LV name')
      .option('--yes', 'confirm: roll the origin back to the snapshot')
      .option('--offline', 'when the origin is mounted: umount it, merge, re-activate and mount it again')
      .option('--schedule', 'when the origin is open: let the merge happen at its next activation'),
  ).action(async (name: string, o: { yes?: boolean; offline?: boolean; schedule?: boolean } & HostRunCliOptions) => {
    if (!o.yes && !o.dryRun) throw new UserError(await flows.restoreConfirmText(name, new ExecRunner()));
    setExit(await snapshotCommand('restore', o, processIo(), (fio, dl) => flows.restoreFlow(name, o, fio, dl)));
  });

  changing(
    snap
      .command('export')
      .description('archive a snapshot (tar, zstd when available) with a sha256 manifest of every file')
      .argument('<name>', 'snapshot: VG/LV or LV name')
      .option('--to <dir>', "destination directory (default: the plan's backup volume mount)")
      .option('--plan <file>', 'plan file (default: the embedded plan) for the backup volume')
      .option('--no-compress', 'plain tar even when zstd is installed'),
  ).action(async (name: string, o: { to?: string; plan?: string; compress?: boolean } & HostRunCliOptions) => setExit(await snapshotCommand('export', o, processIo(), (fio, dl) => flows.exportFlow(name, o, fio, dl))));

  snap
    .command('verify')
    .description('verify an exported archive: its checksum, then every file against the manifest')
    .argument('<archive>', 'the .tar or .tar.zst written by snapshot export')
    .option('--audit-log <path>', 'JSON-lines audit log (the scratch extraction is recorded)', DEFAULT_AUDIT_LOG)
    .option('--json', 'JSON output')
    .action(async (archive: string, o: HostRunCliOptions) => setExit(await snapshotCommand('verify', o, processIo(), (fio) => flows.verifyFlow(archive, fio), { lock: false })));

  changing(
    snap
      .command('drill')
      .description('prove restore on a volume: write known data, snapshot, change, restore (merge), compare checksums')
      .argument('<volume>', 'VG/LV or LV name (its database must be stopped: the drill unmounts it)')
      .option('--yes', 'confirm: the volume is unmounted for the drill and mounted back after')
      .option('--database <db>', 'postgresql | redis: a scratch server under write load, a snapshot set mid-load with its hook, merge, recovery; counts committed transactions kept and lost')
      .option('--pg-template <tar>', "with --database postgresql: unpack this tar of an initdb'd data/ directory (same PostgreSQL) onto the volume instead of running initdb there; the output says which"),
  ).action(async (volume: string, o: { yes?: boolean; database?: string; pgTemplate?: string } & HostRunCliOptions) => {
    if (!o.yes && !o.dryRun) throw new UserError(`the drill unmounts ${volume} from its mount points for its duration (stop the database first). Rerun with --yes`);
    const db = o.database;
    setExit(await snapshotCommand('drill', o, processIo(), (fio, dl) => (db ? flows.dbDrillFlow(volume, db, fio, { pgTemplate: o.pgTemplate }) : flows.drillFlow(volume, fio, dl))));
  });

  changing(
    snap
      .command('autoextend')
      .description('fill watch: write lvm.conf snapshot_autoextend_threshold/percent from the plan, monitor classic snapshots (dmeventd)')
      .option('--plan <file>', 'plan file (default: the embedded plan): tuning.snapshotAutoextend')
      .option('--threshold <n>', 'override the plan: autoextend at this fill % (50-100; 100 = off)')
      .option('--percent <n>', 'override the plan: grow by this % of the size'),
    'show the change, write nothing',
  ).action(async (o: { plan?: string; threshold?: string; percent?: string } & HostRunCliOptions) => setExit(await snapshotCommand('autoextend', o, processIo(), (fio) => flows.autoextendFlow(o, fio))));
}
