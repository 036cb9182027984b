/**
 * Mounting a snapshot read-only, and restoring (merging) one into its origin.
 *
 * Mount options: `ro,nodev,nosuid,noexec` always. XFS refuses a second filesystem with the UUID of one
 * already mounted (the origin), so XFS snapshots get `nouuid`. A snapshot taken by lvcreate is of a
 * FROZEN filesystem (the ext4 journal and XFS log are flushed by the freeze), so it mounts without
 * recovery; if a filesystem does need recovery (a snapshot of an unfrozen or crashed fs) the kernel
 * replays it into the snapshot's own COW space on this ro mount (the device is writable), giving the
 * consistent view; `--norecovery` (ext4 `noload`, XFS `norecovery`) shows the unreplayed state instead.
 */
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { LvRow, SnapshotInfo } from './lvm-report.js';
import { findLv, readLvm } from './lvm-report.js';
import { parseFindmntJson, readMountTable, type MountEntry } from '../host/findmnt.js';
import { dmName } from '../host/lvm.js';
import { runTool } from '../host/env.js';
import { blkidProbeArgv, parseBlkidExport } from '../host/blkid.js';
import type { ActionRunner } from '../model/actions.js';
import { execAction, mkdirAction, must, detail } from './actions.js';

export const SNAP_MOUNT_BASE = '/run/jts-storage/snapshots';

export interface MountRow {
  target: string;
  source: string;
  fstype: string;
  options: string;
  majMin: string;
}

/** The live mount table (host/findmnt.ts, flat list with MAJ:MIN); empty when findmnt cannot be read. */
export async function readMounts(runner: Runner): Promise<MountRow[]> {
  return readMountTable(runner).then(mountRows, () => []);
}

export function parseFindmnt(text: string): MountRow[] {
  try {
    return mountRows(parseFindmntJson(text));
  } catch {
    return [];
  }
}

function mountRows(entries: MountEntry[]): MountRow[] {
  return entries.map((m) => ({ target: m.target, source: m.source, fstype: m.fstype, options: m.options.join(','), majMin: m.majMin ?? '' }));
}

export function mountsOf(lv: LvRow, mounts: MountRow[]): MountRow[] {
  const dm = `/dev/mapper/${dmName(lv.vg, lv.name)}`;
  return mounts.filter((m) => (lv.majMin && m.majMin === lv.majMin) || m.source === dm || m.source === lv.path);
}

/** The filesystem type on a device, probed from the device itself (host/blkid.ts, `blkid -p`, no cache). */
export async function fsType(runner: Runner, dev: string): Promise<string | undefined> {
  const r = await runTool(runner, blkidProbeArgv(dev));
  if (!ok(r)) return undefined;
  return parseBlkidExport(r.stdout, dev)[0]?.type;
}

export function snapshotMountOptions(fstype: string, norecovery = false): string[] {
  const o = ['ro', 'nodev', 'nosuid', 'noexec'];
  if (fstype === 'xfs') o.push('nouuid');
  if (norecovery) o.push(fstype === 'xfs' ? 'norecovery' : 'noload');
  return o;
}

export function defaultMountPath(s: { vg: string; name: string }): string {
  return `${SNAP_MOUNT_BASE}/${s.vg}/${s.name}`;
}

export interface MountResult {
  snapshot: string;
  path: string;
  fstype: string;
  options: string[];
  activated: boolean;
  alreadyMounted: boolean;
}

/**
 * Mount a snapshot read-only (activating a thin one first). Reads through `runner`; the changes
 * (lvchange -ay, mkdir, mount) go through `act`. Under --dry-run a thin snapshot's filesystem cannot
 * be read before activation: the mount is shown with `-t auto`.
 */
export async function mountSnapshot(runner: Runner, act: ActionRunner, ref: string, opts: { path?: string; norecovery?: boolean } = {}): Promise<MountResult> {
  let st = await readLvm(runner);
  let lv = findLv(st.lvs, ref);
  const snap = st.snapshots.find((s) => s.id === `${lv.vg}/${lv.name}`);
  if (!snap) throw new UserError(`${lv.vg}/${lv.name} is not a snapshot`);
  if (!snap.valid) throw new UserError(`${snap.id} is invalidated (its COW space overflowed): its data is LOST and cannot be mounted`);
  if (snap.merging) throw new UserError(`${snap.id} is being merged into ${snap.origin}: it cannot be mounted`);
  let activated = false;
  if (!lv.active) {
    // Thin snapshots carry the activation-skip flag: -K (--ignoreactivationskip) activates them anyway.
    const argv = ['lvchange', '--activate', 'y', ...(lv.skipActivation ? ['--ignoreactivationskip'] : []), snap.id];
    await must(act, execAction(`snapshot ${snap.id}`, 'activate the snapshot to mount it', argv, { timeoutMs: 60_000 }), (d) => `cannot activate ${snap.id}: ${d}`);
    activated = true;
    if (!act.dryRun) {
      st = await readLvm(runner);
      lv = findLv(st.lvs, snap.id);
    }
  }
  const existing = activated && act.dryRun ? [] : mountsOf(lv, await readMounts(runner));
  if (existing[0]) {
    return { snapshot: snap.id, path: existing[0].target, fstype: existing[0].fstype, options: existing[0].options.split(','), activated, alreadyMounted: true };
  }
  const fstype = activated && act.dryRun ? 'auto' : await fsType(runner, lv.path);
  if (!fstype) throw new UserError(`${snap.id}: no filesystem found on it (blkid)`);
  if (fstype === 'swap') throw new UserError(`${snap.id}: holds swap, nothing to mount`);
  const path = opts.path ?? defaultMountPath(snap);
  await must(act, mkdirAction(path, 0o700, `mount point of ${snap.id}`), (d) => `cannot create ${path}: ${d}`);
  const options = snapshotMountOptions(fstype, opts.norecovery);
  await must(act, execAction(`mount ${path}`, `mount ${snap.id} read-only`, ['mount', '-t', fstype, '-o', options.join(','), lv.path, path], { kind: 'create', timeoutMs: 120_000 }), (d) => `mount of ${snap.id} on ${path} failed: ${d}`);
  return { snapshot: snap.id, path, fstype, options, activated, alreadyMounted: false };
}

export interface UmountResult {
  snapshot: string;
  unmounted: string[];
  deactivated: boolean;
}

/** Unmount a snapshot everywhere (innermost first), remove our mount point, deactivate a thin one again. */
export async function umountSnapshot(runner: Runner, act: ActionRunner, ref: string): Promise<UmountResult> {
  const st = await readLvm(runner);
  const lv = findLv(st.lvs, ref);
  const snap = st.snapshots.find((s) => s.id === `${lv.vg}/${lv.name}`);
  if (!snap) throw new UserError(`${lv.vg}/${lv.name} is not a snapshot`);
  const ms = mountsOf(lv, await readMounts(runner));
  const unmounted: string[] = [];
  // Innermost first, in case something was mounted below.
  for (const m of [...ms].sort((a, b) => b.target.length - a.target.length)) {
    await must(act, execAction(`mount ${m.target}`, `unmount ${snap.id}`, ['umount', m.target], { kind: 'destroy', timeoutMs: 120_000 }), (d) => `umount ${m.target} failed: ${d}`);
    unmounted.push(m.target);
    if (m.target.startsWith(SNAP_MOUNT_BASE + '/')) await act.run(execAction(`dir ${m.target}`, 'remove the empty mount point', ['rmdir', m.target], { kind: 'destroy' }));
  }
  let deactivated = false;
  // A thin snapshot was inactive (activation skip) before mount: put it back that way.
  if (snap.kind === 'thin' && lv.active && lv.skipActivation) {
    const r = await act.run(execAction(`snapshot ${snap.id}`, 'deactivate the thin snapshot again (activation skip)', ['lvchange', '--activate', 'n', snap.id], { timeoutMs: 60_000 }));
    deactivated = r.ok;
  }
  return { snapshot: snap.id, unmounted, deactivated };
}

/** A merge is still pending while the snapshot exists (hidden while merging) or the origin shows 'O'. */
export function mergePending(lvs: LvRow[], vg: string, snapName: string, origin: string): boolean {
  return lvs.some((l) => l.vg === vg && (l.name === snapName || (l.name === origin && l.attr[0] === 'O')));
}

/**
 * The merge command of a snapshot `VG/LV` (lvconvert(8)). In the foreground, for a classic snapshot
 * lvconvert polls until the merge is complete, every second (--interval 1; the default is lvm.conf
 * activation/polling_interval = 15 s, so a merge of a few MiB waited 15 s). A thin snapshot's merge is a
 * metadata swap, nothing to poll: lvconvert --mergethin takes no --interval.
 */
export function lvconvertMergeArgv(kind: 'classic' | 'thin', id: string): string[] {
  return ['lvconvert', '--merge', ...(kind === 'thin' ? [] : ['--interval', '1']), id];
}

export type RestoreMode = 'refuse-if-open' | 'offline' | 'schedule';

export interface RestoreResult {
  snapshot: string;
  origin: string;
  /** done = merged now; scheduled = at the origin's next activation; dry-run = only shown. */
  status: 'done' | 'scheduled' | 'dry-run';
  steps: string[];
  remounted: string[];
  message: string;
}

function nextActivationHelp(origin: string, targets: string[]): string {
  const um = targets.length ? targets.map((t) => `umount ${t}; `).join('') : '';
  return `${um}lvchange -an ${origin}; lvchange -ay ${origin}` + (targets.length ? `; mount ${targets.join(', ')} again` : '');
}

/**
 * Merge a snapshot back into its origin (lvconvert --merge): the origin returns to the snapshot's
 * content and the snapshot disappears. Everything written to the origin since is lost, so the caller
 * must have had the user confirm. When the origin is open (mounted, or held by a process), LVM can only
 * schedule the merge for the origin's next activation; this refuses that unless asked:
 *  - mode 'offline': umount the origin's mounts, merge, re-activate if needed, mount again;
 *  - mode 'schedule': let LVM schedule it and say what triggers it.
 */
export async function restoreSnapshot(runner: Runner, act: ActionRunner, ref: string, mode: RestoreMode): Promise<RestoreResult> {
  const steps: string[] = [];
  let st = await readLvm(runner);
  const lv = findLv(st.lvs, ref);
  const snap = st.snapshots.find((s) => s.id === `${lv.vg}/${lv.name}`);
  if (!snap) throw new UserError(`${lv.vg}/${lv.name} is not a snapshot`);
  if (!snap.valid) throw new UserError(`${snap.id} is invalidated (LOST): it cannot be merged; the origin is unchanged`);
  const originId = `${snap.vg}/${snap.origin}`;
  const origin = findLv(st.lvs, originId);
  const mounts = await readMounts(runner);
  const originMounts = mountsOf(origin, mounts);
  const snapMounts = mountsOf(lv, mounts);
  if (snapMounts.length) {
    if (mode === 'refuse-if-open') throw new UserError(`${snap.id} is mounted at ${snapMounts.map((m) => m.target).join(', ')}: run "snapshot umount ${snap.id}" first`);
    for (const m of snapMounts) {
      await must(act, execAction(`mount ${m.target}`, `unmount ${snap.id} before merging it`, ['umount', m.target], { kind: 'destroy', timeoutMs: 120_000 }), (d) => `umount ${m.target} failed: ${d}`);
      steps.push(`umount ${m.target}`);
    }
  }
  const open = origin.deviceOpen || originMounts.length > 0;
  const targets = originMounts.map((m) => m.target);
  if (open && mode === 'refuse-if-open') {
    throw new UserError(
      `${originId} is open${targets.length ? ` (mounted at ${targets.join(', ')})` : ''}: lvconvert --merge would only schedule the merge for its next activation. ` +
        `Stop what uses it, then either rerun with --offline (this command umounts, merges, re-activates and mounts again), ` +
        `or do it by hand: ${nextActivationHelp(originId, targets)} (the merge starts at that activation); ` +
        `--schedule leaves it to the next activation (e.g. a reboot).`,
    );
  }
  if (open && mode === 'offline') {
    for (const m of [...originMounts].sort((a, b) => b.target.length - a.target.length)) {
      await must(act, execAction(`mount ${m.target}`, `unmount ${originId} for an offline merge`, ['umount', m.target], { kind: 'destroy', timeoutMs: 300_000 }), (d) => `umount ${m.target} failed (${d}): stop the programs using it (fuser -vm ${m.target}) and retry; nothing was merged`);
      steps.push(`umount ${m.target}`);
    }
  }
  const mergeArgv = lvconvertMergeArgv(snap.kind, snap.id);
  await must(act, execAction(`lv ${originId}`, `roll ${originId} back to ${snap.id} (merge)`, mergeArgv, { kind: 'replace', timeoutMs: 6 * 3600_000 }), (d) => `lvconvert --merge ${snap.id} failed: ${d}`);
  steps.push(mergeArgv.join(' '));
  if (act.dryRun) {
    // What follows depends on what LVM did (merged now, or only scheduled): shown, not predicted.
    if (mode === 'offline') for (const m of [...originMounts].sort((a, b) => a.target.length - b.target.length)) {
      await act.run(execAction(`mount ${m.target}`, `mount ${originId} again`, ['mount', '-t', m.fstype, '-o', m.options, origin.path, m.target], { kind: 'create', timeoutMs: 300_000 }));
      steps.push(`mount ${origin.path} ${m.target}`);
    }
    return {
      snapshot: snap.id,
      origin: originId,
      status: 'dry-run',
      steps,
      remounted: [],
      message: `dry run: nothing run. If LVM only schedules the merge (origin still active), restore then runs lvchange -an/-ay ${originId} and lvconvert --startpoll ${originId} before mounting again`,
    };
  }
  st = await readLvm(runner);
  let pending = mergePending(st.lvs, snap.vg, snap.name, snap.origin);
  if (pending && mode === 'schedule') {
    return {
      snapshot: snap.id,
      origin: originId,
      status: 'scheduled',
      steps,
      remounted: [],
      message: `merge of ${snap.id} scheduled: it happens at the next activation of ${originId} (${nextActivationHelp(originId, targets)}, or a reboot)`,
    };
  }
  if (pending) {
    // The origin was still active: deactivate + activate starts the merge, then wait for it.
    for (const argv of [
      ['lvchange', '--activate', 'n', originId],
      ['lvchange', '--activate', 'y', originId],
    ]) {
      const x = await act.run(execAction(`lv ${originId}`, 're-activate the origin: starts the scheduled merge', argv, { timeoutMs: 300_000 }));
      steps.push(argv.join(' '));
      if (!x.ok) throw new UserError(`${argv.join(' ')} failed: ${detail(x)}; the merge stays scheduled for the next activation of ${originId}`);
    }
    st = await readLvm(runner);
    pending = mergePending(st.lvs, snap.vg, snap.name, snap.origin);
    if (pending) {
      // The activation started a classic merge in the background: wait for it in the foreground.
      const p = await act.run(execAction(`lv ${originId}`, 'wait for the merge in the foreground', ['lvconvert', '--startpoll', originId], { timeoutMs: 6 * 3600_000 }));
      steps.push(`lvconvert --startpoll ${originId}`);
      st = await readLvm(runner);
      pending = mergePending(st.lvs, snap.vg, snap.name, snap.origin);
      if (pending && !p.ok) throw new UserError(`the merge of ${snap.id} did not complete: ${detail(p)}`);
    }
  }
  const remounted: string[] = [];
  if (mode === 'offline') {
    // The re-activation's /dev/VG/LV link is made by udev: wait for its queue before mounting by path.
    await runner.run(['udevadm', 'settle', '--timeout=30'], { timeoutMs: 40_000 });
    const again = findLv(st.lvs, originId);
    for (const m of [...originMounts].sort((a, b) => a.target.length - b.target.length)) {
      const x = await act.run(execAction(`mount ${m.target}`, `mount ${originId} again`, ['mount', '-t', m.fstype, '-o', m.options, again.path, m.target], { kind: 'create', timeoutMs: 300_000 }));
      steps.push(`mount ${again.path} ${m.target}`);
      if (!x.ok) throw new UserError(`merged, but mounting ${m.target} again failed: ${detail(x)}`);
      remounted.push(m.target);
    }
  }
  return {
    snapshot: snap.id,
    origin: originId,
    status: pending ? 'scheduled' : 'done',
    steps,
    remounted,
    message: pending ? `merge of ${snap.id} still pending at the next activation of ${originId}` : `${originId} restored to ${snap.id} (the snapshot is gone: merged)`,
  };
}

export type { SnapshotInfo };
