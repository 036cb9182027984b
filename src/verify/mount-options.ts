// Plan mount options vs what the kernel reports (/proc/self/mountinfo via findmnt -J). The kernel
// hides options at their default value, renames some (ext4 `barrier=0` shows as `nobarrier`), and
// never sees the userspace-only ones (nofail, x-systemd.*, _netdev): compare meaning, not text.
// Facts measured on Debian 12's 6.1 kernel in the sandbox (docs/apply.md).

/** Read by mount(8)/systemd, never passed to the kernel. */
export function isUserspaceOption(o: string): boolean {
  return (
    ['defaults', 'auto', 'noauto', 'nofail', 'user', 'nouser', 'users', 'owner', 'group', '_netdev', 'sw'].includes(o) ||
    o.startsWith('x-') ||
    o.startsWith('comment=') ||
    o.startsWith('pri=') ||
    o.startsWith('credentials=')
  );
}

/** Options the kernel does not print when they are at their default (so absent = as asked). */
const HIDDEN_DEFAULTS: Record<string, string[]> = {
  common: ['rw', 'suid', 'dev', 'exec', 'async', 'diratime'],
  ext4: [
    'data=ordered',
    'commit=5',
    'barrier',
    'barrier=1',
    'delalloc',
    'auto_da_alloc',
    'user_xattr',
    'acl',
    'errors=continue',
    'discard=off',
    'nodiscard',
    'dioread_nolock',
    'block_validity',
    'journal_ioprio=3',
    'init_itable=10',
  ],
  xfs: ['attr2', 'inode64', 'logbufs=8', 'noquota', 'nouuid=off'],
};

/** Spelling the kernel uses for an option the plan may write differently. */
const ALIASES: Record<string, Record<string, string>> = {
  ext4: { 'barrier=0': 'nobarrier', 'data=journal': 'data=journal', 'discard=on': 'discard' },
  xfs: {},
};

export interface OptionMismatch {
  option: string;
  found?: string;
}

/** Options of `expected` (plan) the kernel's `found` list does not honour. */
export function compareMountOptions(fstype: string, expected: string[], found: string[]): OptionMismatch[] {
  const hidden = new Set([...(HIDDEN_DEFAULTS.common ?? []), ...(HIDDEN_DEFAULTS[fstype] ?? [])]);
  const alias = ALIASES[fstype] ?? {};
  const foundSet = new Set(found);
  const foundByKey = new Map<string, string>();
  for (const f of found) {
    const i = f.indexOf('=');
    if (i > 0) foundByKey.set(f.slice(0, i), f);
  }
  const out: OptionMismatch[] = [];
  for (const raw of expected) {
    if (isUserspaceOption(raw)) continue;
    const o = alias[raw] ?? raw;
    if (foundSet.has(o)) continue;
    const i = o.indexOf('=');
    if (i > 0) {
      const key = o.slice(0, i);
      const f = foundByKey.get(key);
      if (f) {
        // Same value, other spelling (logbsize=262144 vs 256k) is rare; compare sizes numerically.
        if (sizeValue(f.slice(i + 1)) !== undefined && sizeValue(f.slice(i + 1)) === sizeValue(o.slice(i + 1))) continue;
        out.push({ option: raw, found: f });
        continue;
      }
    }
    if (hidden.has(o)) continue;
    // atime family: the kernel always prints exactly one of them.
    if (['noatime', 'relatime', 'strictatime'].includes(o)) {
      out.push({ option: raw, found: found.find((f) => ['noatime', 'relatime', 'strictatime'].includes(f)) });
      continue;
    }
    if (o === 'ro' || o === 'rw') {
      out.push({ option: raw, found: found.find((f) => f === 'ro' || f === 'rw') });
      continue;
    }
    out.push({ option: raw });
  }
  return out;
}

function sizeValue(s: string): number | undefined {
  const m = /^(\d+)([kmg]?)$/i.exec(s);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}
