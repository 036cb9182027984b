/**
 * One mount attempt on the running kernel, with the kernel's own words: `dmesg -C`, `mount -t FS -o
 * OPTS DEV DIR`, the kernel log lines it produced (`dmesg -t`), `umount` after a success. Shared by the
 * kernel-truth sweep (in the sandbox) and `plan --prove` (on a loop device, in a private mount
 * namespace). Every process goes through the injected Runner.
 */
import type { Runner } from '../core/runner.js';
import type { TruthMkfs } from './truth-cases.js';

const ENV = { LC_ALL: 'C' };

/** One row of test/fixtures/kernel-truth/*.json. */
export interface TruthRow {
  group: number;
  fs: 'ext4' | 'xfs';
  sizeMiB: number;
  mkfs: TruthMkfs;
  mkfsArgv: string[];
  mkfsRc: number;
  /** mkfs's stderr+stdout (first 600 characters). */
  mkfsErr: string;
  /** Mount options tried ([] = defaults). */
  mount: string[];
  verdict: 'ok' | 'mkfs-refused' | 'mount-refused';
  mountRc?: number;
  mountErr?: string;
  /** Kernel log lines the mount produced (dmesg -t), also on success (warnings). */
  dmesg?: string;
}

export interface MountTry {
  verdict: 'ok' | 'mount-refused';
  mountRc: number;
  mountErr: string;
  dmesg: string;
}

/**
 * Mount DEV on DIR with the filesystem type and options, read what the kernel said, unmount.
 * dmesg reading needs root (CAP_SYSLOG); without it `dmesg` is empty. Errors: none thrown; a refusal is
 * the verdict 'mount-refused' with mount(8)'s stderr and the kernel's lines.
 */
export async function tryMount(r: Runner, fs: string, dev: string, dir: string, options: string[], o: { clearLog?: boolean } = {}): Promise<MountTry> {
  // In the sandbox the log is cleared (dmesg -C); on a real host it is only read: the new lines are those after the old ones.
  const clear = o.clearLog ?? true;
  const before = clear ? (await r.run(['dmesg', '-C']), []) : (await r.run(['dmesg', '-t'], { env: ENV })).stdout.split('\n');
  const opts = options.length ? options.join(',') : 'defaults';
  const m = await r.run(['mount', '-t', fs, '-o', opts, dev, dir], { env: ENV, timeoutMs: 120_000 });
  const d = await r.run(['dmesg', '-t'], { env: ENV });
  if (m.exitCode === 0) await r.run(['umount', dir], { env: ENV, timeoutMs: 120_000 });
  return { verdict: m.exitCode === 0 ? 'ok' : 'mount-refused', mountRc: m.exitCode, mountErr: m.stderr.trim().slice(0, 600), dmesg: newLines(before, d.stdout.split('\n')).join('\n').trim().slice(0, 1200) };
}

/** The lines of `after` that follow the last line of `before` (the kernel log as a growing list). */
export function newLines(before: string[], after: string[]): string[] {
  const b = before.filter(Boolean);
  if (!b.length) return after;
  const last = b[b.length - 1]!;
  const i = after.lastIndexOf(last);
  return i < 0 ? after.slice(-8) : after.slice(i + 1);
}

/** Kernel release and the versions of e2fsprogs, xfsprogs and util-linux (mount), as the tools print them. */
export async function toolVersions(r: Runner): Promise<{ kernel: string; e2fsprogs: string; xfsprogs: string; utilLinux: string }> {
  const k = await r.run(['uname', '-r'], { env: ENV });
  const e = await r.run(['mke2fs', '-V'], { env: ENV });
  const x = await r.run(['mkfs.xfs', '-V'], { env: ENV });
  const u = await r.run(['mount', '-V'], { env: ENV });
  return {
    kernel: k.stdout.trim(),
    e2fsprogs: /mke2fs ([0-9.]+)/.exec(e.stderr + e.stdout)?.[1] ?? '?',
    xfsprogs: /version ([0-9.]+)/.exec(x.stdout + x.stderr)?.[1] ?? '?',
    utilLinux: /util-linux ([0-9.]+)/.exec(u.stdout + u.stderr)?.[1] ?? '?',
  };
}
