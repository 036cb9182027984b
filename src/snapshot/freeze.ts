/**
 * Freezing a snapshot set's filesystems together (fsfreeze(8), FIFREEZE/FITHAW), so that the set is one
 * instant across volumes: freeze every mounted origin, take the snapshots, thaw every one (ALWAYS, also
 * when a snapshot failed).
 *
 * It is done only where the running kernel is proven to take a snapshot of a frozen filesystem:
 * lvcreate suspends the origin's device-mapper table with lockfs, which freezes the filesystem again
 * (freeze_bdev). Measured in the sandbox on Debian's 6.1.0-57-amd64 with lvm2 2.03.16: with the
 * filesystem frozen by fsfreeze, `lvcreate --snapshot` fails ("device-mapper: suspend ioctl … failed:
 * Device or resource busy", "Manual intervention required") and leaves a half-made snapshot LV; so on
 * 6.1 the set is NOT frozen and each volume is crash-consistent on its own. A kernel release is added to
 * FREEZE_PROOF only with a measurement (test/vm/db-drill.vm.test.ts records the guest's).
 *
 * The source agrees (fs/super.c, read, not run): FIFREEZE calls freeze_super(), and dm's lockfs suspend
 * reaches freeze_super() again through freeze_bdev(); before the freeze-holder rework freeze_super()
 * returns -EBUSY when `s_writers.frozen != SB_UNFROZEN`. After it (FREEZE_HOLDER_KERNEL/USERSPACE; 6.8's
 * fs_bdev_freeze() freezes as FREEZE_HOLDER_USERSPACE, the holder FIFREEZE uses) a second freeze by the
 * same holder still returns -EBUSY; only a kernel whose fs_bdev_freeze() passes FREEZE_MAY_NEST may nest
 * it, and none was measured here. docs/decisions.md "Snapshot-set hooks and freezing" has the details.
 */
import type { Action } from '../model/actions.js';

export interface FreezeProof {
  /** Kernel release prefix (/proc/sys/kernel/osrelease), e.g. "6.1.". */
  release: string;
  /** true: lvcreate --snapshot works on a filesystem frozen with fsfreeze. */
  ok: boolean;
  fact: string;
}

export const FREEZE_PROOF: FreezeProof[] = [
  {
    release: '6.1.',
    ok: false,
    fact: 'kernel 6.1 refuses a snapshot of a frozen filesystem (dm suspend: Device or resource busy; measured, Debian 6.1.0-57-amd64, lvm2 2.03.16)',
  },
];

/** Mount points whose freezing would block this very run (root, the audit log, the lock, lvm's own files). */
const NEVER_FREEZE = ['/', '/var', '/var/log', '/run', '/etc', '/var/lib', '/usr', '/tmp'];

export interface FreezeDecision {
  freeze: boolean;
  /** The guarantee or its absence, one sentence. */
  reason: string;
  /** The mount points to freeze, in order (thawed in reverse). */
  mounts: string[];
}

/**
 * Whether to freeze the set: `mode` from the plan (auto|never), the kernel release, and the mount point
 * of each volume of the set (undefined: not mounted, nothing to freeze).
 */
export function freezeDecision(mode: 'auto' | 'never', release: string, mounts: (string | undefined)[]): FreezeDecision {
  const mounted = mounts.filter((m): m is string => !!m);
  if (mode === 'never') return { freeze: false, reason: 'not frozen together (freeze: never in the plan)', mounts: [] };
  const bad = mounted.filter((m) => NEVER_FREEZE.includes(m));
  if (bad.length) return { freeze: false, reason: `not frozen together: ${bad.join(', ')} holds what this run writes (audit log, lock, lvm metadata backups)`, mounts: [] };
  const proof = FREEZE_PROOF.find((p) => release.startsWith(p.release));
  if (!proof) return { freeze: false, reason: `not frozen together: kernel ${release} is not proven to snapshot a frozen filesystem (${FREEZE_PROOF.map((p) => p.fact).join('; ')})`, mounts: [] };
  if (!proof.ok) return { freeze: false, reason: `not frozen together: ${proof.fact}`, mounts: [] };
  if (mounted.length < 2) return { freeze: false, reason: 'fewer than two mounted volumes: lvcreate freezes each itself', mounts: [] };
  return { freeze: true, reason: `frozen together with fsfreeze on kernel ${release}: one instant across ${mounted.length} volumes`, mounts: mounted };
}

/** fsfreeze --freeze or --unfreeze of one mount point, as an Action. */
export function freezeAction(mount: string, how: 'freeze' | 'unfreeze', set: string): Action {
  return {
    id: `snapshot-freeze:${set}:${mount}:${how}`,
    kind: 'change',
    resource: `fs ${mount}`,
    summary: `${how} ${mount} (set ${set})`,
    dependsOn: [],
    steps: [{ type: 'exec', argv: ['fsfreeze', how === 'freeze' ? '--freeze' : '--unfreeze', mount], mutating: true, timeoutMs: 60_000 }],
  };
}
