/**
 * A small comparison of the plan's mount options with the kernel's (/proc/self/mountinfo via findmnt)
 * and of the I/O scheduler with the plan's policy. verify (issue: verify/tune) owns the full
 * comparison; health only needs "is what the plan asked for still in force".
 *
 * The kernel does not echo everything an fstab line says: options handled by mount(8) or systemd
 * (nofail, x-systemd.*, _netdev, defaults…) never reach it, and each filesystem hides its defaults.
 * So only options the kernel would show are compared, with the known spellings it uses.
 */

/** Options consumed by mount(8)/systemd, never visible in the kernel's mount table. */
const USERSPACE_ONLY = new Set(['defaults', 'auto', 'noauto', 'nofail', 'user', 'users', 'nouser', 'owner', 'group', '_netdev', 'rw']);
const USERSPACE_PREFIX = ['x-', 'comment=', 'X-', 'helper='];

/** Per filesystem: options that are the default and so not shown by the kernel. */
const HIDDEN_DEFAULTS: Record<string, Set<string>> = {
  ext4: new Set(['barrier', 'barrier=1', 'user_xattr', 'acl', 'auto_da_alloc', 'delalloc', 'data=ordered', 'nodiscard', 'journal_checksum']),
  xfs: new Set(['barrier', 'inode64', 'attr2', 'noquota']),
};

/** Spellings the kernel uses for an option written another way in fstab. */
function canonical(opt: string, fstype: string): string {
  if (fstype === 'ext4' || fstype === 'ext3') {
    if (opt === 'barrier=0') return 'nobarrier';
    if (opt === 'nouser_xattr') return 'nouser_xattr';
  }
  return opt;
}

export interface OptionDrift {
  /** Options the plan asks for that the kernel does not show. */
  missing: string[];
  /** key=value options present with another value: "commit=30 (kernel: commit=5)". */
  differing: string[];
}

export function mountOptionDrift(planned: string[], fstype: string, actual: string[]): OptionDrift {
  const hidden = HIDDEN_DEFAULTS[fstype] ?? new Set<string>();
  const act = new Set(actual.map((o) => canonical(o, fstype)));
  const actByKey = new Map<string, string>();
  for (const o of act) {
    const i = o.indexOf('=');
    if (i > 0) actByKey.set(o.slice(0, i), o);
  }
  const missing: string[] = [];
  const differing: string[] = [];
  for (const raw of planned) {
    const o = canonical(raw, fstype);
    if (USERSPACE_ONLY.has(o) || USERSPACE_PREFIX.some((p) => o.startsWith(p))) continue;
    if (hidden.has(o)) continue;
    if (act.has(o)) continue;
    // noatime also covers directories: the kernel shows "noatime" alone.
    if (o === 'nodiratime' && act.has('noatime')) continue;
    const i = o.indexOf('=');
    if (i > 0) {
      const other = actByKey.get(o.slice(0, i));
      if (other) {
        differing.push(`${o} (kernel: ${other})`);
        continue;
      }
    }
    missing.push(o);
  }
  return { missing, differing };
}
