/**
 * The diff for mount points (mkdir), the managed block of /etc/fstab, mounts (mount, remount when
 * the options differ: see facts/mount-options.ts) and the owner/mode of each mounted filesystem's
 * root, then network mounts. Pure: no Runner, no clock.
 */
import type { Action, Step } from '../model/actions.js';
import { FSTAB_PATH } from '../render/fstab.js';
import { desiredFstabEntries, fstabConflicts, findManagedBlocks, mergeManagedBlock } from '../render/fstab-format.js';
import { mountDevice } from '../probe/findmnt.js';
import { FSTAB_VERIFY_ARGV } from '../host/findmnt.js';
import { compareMountOptions } from '../facts/mount-options.js';
import { type DiffContext, exec, lvAliases } from './context.js';
import type { VolumesDone } from './volumes.js';
import type { AccountsDone } from './accounts.js';

export { FSTAB_VERIFY_ARGV } from '../host/findmnt.js';

/** The permission bits of an octal mode string: "2750" → 0o2750. */
function modeBits(mode: string): number {
  return parseInt(mode, 8) & 0o7777;
}

/** dmesg's last lines, read when a mount fails: the kernel's own reason (fs/ext4/super.c, fs/xfs/xfs_super.c messages). */
export const MOUNT_EXPLAIN_ARGV = ['dmesg', '-t'];

/** mkdir of missing mount points, mounts/remounts (explicit type and options), then the fstab block, then chown/chmod of mounted roots. */
export function diffMounts(ctx: DiffContext, { lvDone, fsDone, skipped }: VolumesDone, { knownUsers, knownGroups, groupAction, userAction }: AccountsDone): void {
  const { plan, state, st, add, find } = ctx;
  // ---------------------------------------------------------------- mount points
  const dirAction = new Map<string, string>();
  const mountTargets: { path: string; vi?: number; ni?: number }[] = [
    ...plan.volumes.flatMap((v, vi) => (v.mount && !['swap', 'none'].includes(v.filesystem.type) ? [{ path: v.mount.path, vi }] : [])),
    ...plan.networkMounts.map((n, ni) => ({ path: n.path, ni })),
  ];
  for (const t of mountTargets) {
    const known = st.paths?.[t.path];
    const mounted = state.mounts.some((m) => m.target === t.path);
    if (mounted || (known && known.isDirectory)) continue;
    if (known && !known.isDirectory) {
      find('DIFF-MOUNT-PATH-NOT-DIR', 'error', `${t.path} exists and is not a directory`, t.vi !== undefined ? ['volumes', t.vi, 'mount', 'path'] : ['networkMounts', t.ni!, 'path']);
      continue;
    }
    const id = `dir:${t.path}:create`;
    add('dir', { id, kind: 'create', resource: `dir ${t.path}`, summary: `mount point ${t.path}`, steps: [{ type: 'mkdir', path: t.path, mode: 0o755 }], dependsOn: [] });
    dirAction.set(t.path, id);
  }

  // ---------------------------------------------------------------- fstab (committed after the new mounts worked)
  let fstabId: string | undefined;
  let fstabAction: Action | undefined;
  const fstabAfter: string[] = [];
  const oldFstab = state.fstab ?? '';
  const entries = desiredFstabEntries(plan, new Map());
  try {
    const conflicts = fstabConflicts(oldFstab, entries);
    for (const c of conflicts) find('DIFF-FSTAB-CONFLICT', 'error', `${FSTAB_PATH}:${c.line}: "${c.text.trim()}": ${c.reason}. Remove that line (or comment it out) so the managed block is the only one`, ['volumes']);
    const next = mergeManagedBlock(oldFstab, entries);
    if (next !== oldFstab) {
      fstabId = `fstab:${FSTAB_PATH}:write`;
      const hadBlock = findManagedBlocks(oldFstab).length > 0;
      const deps = [...[...fsDone.values()].flatMap((f) => f.deps), ...dirAction.values()];
      fstabAction = {
        id: fstabId,
        kind: hadBlock ? 'change' : 'create',
        resource: `file ${FSTAB_PATH}`,
        summary: `${hadBlock ? 'rewrite' : 'add'} the jts-storage block of ${FSTAB_PATH} (${entries.length} entries; the rest of the file is kept)`,
        steps: [{ type: 'write-file', path: FSTAB_PATH, content: next, mode: 0o644, backup: true, verifyArgv: FSTAB_VERIFY_ARGV }],
        dependsOn: [...new Set(deps)],
      };
    }
  } catch (e) {
    find('DIFF-FSTAB-MARKERS', 'error', `${FSTAB_PATH}: ${(e as Error).message}`, ['volumes']);
  }

  // ---------------------------------------------------------------- mounts and ownership
  const mountDeps = (path: string, extra: string[]) => [...extra, ...(dirAction.has(path) ? [dirAction.get(path)!] : [])];
  const entryOf = new Map(entries.map((e) => [e.file, e]));
  plan.volumes.forEach((v, vi) => {
    const key = `${v.vg}/${v.name}`;
    if (skipped.has(key)) return;
    const fsInfo = fsDone.get(key) ?? { deps: lvDone.get(key) ?? [], fresh: false };
    if (v.filesystem.type === 'swap') {
      if (fsInfo.fresh) add('mount', { id: `swap:${key}:on`, kind: 'create', resource: `swap ${key}`, summary: `activate swap on /dev/${key}`, steps: [exec(['swapon', `/dev/${key}`])], dependsOn: mountDeps('', fsInfo.deps) });
      return;
    }
    if (!v.mount || v.filesystem.type === 'none') return;
    const m = v.mount;
    const have = state.lvs.find((l) => l.vgName === v.vg && l.name === v.name);
    const live = state.mounts.find((x) => x.target === m.path);
    let mountId: string | undefined;
    if (live && !lvAliases(v.vg, v.name, have).includes(mountDevice(live.source))) {
      find('DIFF-MOUNT-TAKEN', 'error', `${m.path} is already a mount of ${live.source} (${live.fstype}); unmount it or choose another path`, ['volumes', vi, 'mount', 'path']);
      return;
    }
    if (!live || fsInfo.fresh) {
      mountId = `mount:${m.path}:create`;
      // Explicit type, options and device: the same line fstab will hold, tried before fstab is written.
      const e = entryOf.get(m.path);
      const opts = (e?.mntops ?? m.options).join(',') || 'defaults';
      const steps: Step[] = [exec(['mount', '-t', v.filesystem.type, '-o', opts, `/dev/${key}`, m.path], { explainArgv: MOUNT_EXPLAIN_ARGV })];
      fstabAfter.push(mountId);
      const known = st.paths?.[m.path];
      if (known?.entries && !live) {
        find('DIFF-MOUNT-HIDES-FILES', 'warning', `${m.path} already holds ${known.entries} entr${known.entries === 1 ? 'y' : 'ies'} on the filesystem below: mounting ${key} there hides them (move them first if they matter)`, ['volumes', vi, 'mount', 'path']);
      }
      add('mount', { id: mountId, kind: 'create', resource: `mount ${m.path}`, summary: `mount /dev/${key} at ${m.path} (${v.filesystem.type}, the options of its ${FSTAB_PATH} line, which is written only after this mount worked)`, steps, dependsOn: mountDeps(m.path, fsInfo.deps) });
    } else {
      const cmp = compareMountOptions(v.filesystem.type, m.options, live.options);
      if (!cmp.same) {
        const what = [...cmp.missing.map((o) => `+${o}`), ...cmp.unwanted.map((o) => `-${o}`), ...(cmp.atime ? [`${cmp.atime.have} → ${cmp.atime.want}`] : [])].join(', ');
        if (cmp.remountOptions) {
          mountId = `mount:${m.path}:remount`;
          add('mount', {
            id: mountId,
            kind: 'change',
            resource: `mount ${m.path}`,
            summary: `mount options of ${m.path} differ (${what}): remount`,
            steps: [exec(['mount', '-o', ['remount', ...cmp.remountOptions].join(','), m.path], { explainArgv: MOUNT_EXPLAIN_ARGV })],
            dependsOn: [],
          });
          fstabAfter.push(mountId);
        } else {
          find(
            'DIFF-REMOUNT-INSUFFICIENT',
            'warning',
            `mount options of ${m.path} differ (${what}); ${cmp.notRemountable.join(', ')} cannot change with mount -o remount on ${v.filesystem.type}: stop the service using ${m.path}, then umount ${m.path} && mount ${m.path} (fstab is updated by this plan)`,
            ['volumes', vi, 'mount', 'options'],
            v.filesystem.type === 'xfs' ? 'xfs(5): most XFS options are fixed at mount time; remount changes ro/rw and inode32/64 only' : 'ext4(5): data= and journal options cannot change on remount',
          );
        }
      }
    }
    // Owner / group / mode of the mounted filesystem's root.
    const st0 = st.paths?.[m.path];
    const uid = knownUsers?.get(m.owner)?.id ?? (m.owner === 'root' ? 0 : undefined);
    const gid = knownGroups?.get(m.group)?.id ?? (m.group === 'root' ? 0 : undefined);
    const wantMode = modeBits(m.mode);
    const steps: Step[] = [];
    const whyOwner = !live || fsInfo.fresh || !st0 || uid === undefined || gid === undefined || st0.uid !== uid || st0.gid !== gid;
    const whyMode = !live || fsInfo.fresh || !st0 || (st0.mode & 0o7777) !== wantMode;
    if (whyOwner) steps.push(exec(['chown', `${m.owner}:${m.group}`, m.path]));
    if (whyMode) steps.push(exec(['chmod', m.mode.padStart(4, '0'), m.path]));
    if (steps.length) {
      const deps = [...(mountId ? [mountId] : []), ...(userAction.has(m.owner) ? [userAction.get(m.owner)!] : []), ...(groupAction.has(m.group) ? [groupAction.get(m.group)!] : [])];
      const change = live && !fsInfo.fresh && st0;
      add('perm', {
        id: `perm:${m.path}:set`,
        kind: change ? 'change' : 'create',
        resource: `perm ${m.path}`,
        summary: change
          ? `${m.path}: ${whyOwner ? `owner ${st0.uid}:${st0.gid} → ${m.owner}:${m.group}` : ''}${whyOwner && whyMode ? ', ' : ''}${whyMode ? `mode ${(st0.mode & 0o7777).toString(8).padStart(4, '0')} → ${m.mode.padStart(4, '0')}` : ''}`
          : `${m.path}: owner ${m.owner}:${m.group}, mode ${m.mode.padStart(4, '0')} (root of the mounted filesystem)`,
        steps,
        dependsOn: deps,
      });
    }
  });
  if (fstabAction) add('fstab', { ...fstabAction, dependsOn: [...new Set([...fstabAction.dependsOn, ...fstabAfter])] });
  plan.networkMounts.forEach((n, ni) => {
    const live = state.mounts.find((x) => x.target === n.path);
    if (live) {
      if (live.source !== n.source) find('DIFF-MOUNT-TAKEN', 'error', `${n.path} is already a mount of ${live.source} (${live.fstype}); the plan wants ${n.source}`, ['networkMounts', ni, 'path']);
      return;
    }
    add('netmount', {
      id: `mount:${n.path}:create`,
      kind: 'create',
      resource: `mount ${n.path}`,
      summary: `mount ${n.type} ${n.source} at ${n.path} (${n.tier} tier)`,
      // A NAS that does not answer must not hang apply: bounded.
      steps: [exec(['mount', n.path], { timeoutMs: 120_000 })],
      dependsOn: [...mountDeps(n.path, []), ...(fstabId ? [fstabId] : [])],
    });
  });
}
