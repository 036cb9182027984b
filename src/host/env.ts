/**
 * How every host tool is run: the one environment, the one way to say a tool is missing, and the one
 * wrapper the readers call. Every reader of `host/` runs its tool through `runTool`, so no subsystem
 * can forget the environment (the snapshot commands once ran LVM in the user's locale and read a
 * 91.5 %-full snapshot as NaN: ../shared/cases/field/05-lvm-locale).
 */
import type { Runner, RunOptions, RunResult } from '../core/runner.js';

/**
 * The environment of every host tool, merged over the process environment:
 * - `LC_ALL=C`: untranslated messages and a "." radix. lvm2 calls setlocale(LC_ALL, "") and prints
 *   percentages with the locale's radix in its "json" format ("31,48" under fi_FI); util-linux
 *   translates column headers and messages. LC_ALL overrides LANG and every other LC_* (locale(7)).
 * - `LVM_SUPPRESS_FD_WARNINGS=1`: lvm2 quiet about descriptors inherited from node ("File descriptor
 *   N (...) leaked on lvs invocation", lvm(8) ENVIRONMENT VARIABLES).
 */
export const TOOL_ENV: Readonly<Record<string, string>> = Object.freeze({ LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' });

/** TOOL_ENV plus a tool's own variables (which cannot override LC_ALL). */
export function toolEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...TOOL_ENV };
}

/**
 * The Debian package providing each tool the product reads (packages.debian.org, bookworm).
 * A missing tool is reported with it: "lvs is not installed (Debian package lvm2)".
 */
export const DEBIAN_PACKAGE: Readonly<Record<string, string>> = Object.freeze({
  lvm: 'lvm2',
  lvs: 'lvm2',
  vgs: 'lvm2',
  pvs: 'lvm2',
  lsblk: 'util-linux',
  findmnt: 'util-linux',
  wipefs: 'util-linux',
  blkid: 'util-linux',
  nvme: 'nvme-cli',
  smartctl: 'smartmontools',
  tune2fs: 'e2fsprogs',
  dumpe2fs: 'e2fsprogs',
  xfs_info: 'xfsprogs',
  xfs_db: 'xfsprogs',
  fio: 'fio',
  udevadm: 'udev',
});

/** One line: "<tool> is not installed (Debian package <pkg>)". */
export function notInstalled(tool: string): string {
  const pkg = DEBIAN_PACKAGE[tool];
  return `${tool} is not installed${pkg ? ` (Debian package ${pkg})` : ''}`;
}

/** The command's name in messages: the tool, with its subcommand for `lvm fullreport`, `nvme smart-log`. */
export function toolName(argv: readonly string[]): string {
  const [tool = '?', sub] = argv;
  return (tool === 'lvm' || tool === 'nvme') && sub && !sub.startsWith('-') ? `${tool} ${sub}` : tool;
}

/**
 * Why a run failed, in one line (undefined when it succeeded): "lvs is not installed (Debian package
 * lvm2)", "lvs timed out", or "lvs failed (exit 5): <last line of stderr>".
 */
export function runFailure(r: RunResult): string | undefined {
  const tool = r.argv[0] ?? '?';
  if (r.notFound) return notInstalled(tool);
  if (r.timedOut) return `${toolName(r.argv)} timed out`;
  if (r.exitCode !== 0) {
    const msg = lastLine(r.stderr) || lastLine(r.stdout);
    return `${toolName(r.argv)} failed (exit ${r.exitCode})${msg ? `: ${msg}` : ''}`;
  }
  return undefined;
}

function lastLine(s: string): string {
  return s.trim().split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? '';
}

/** Thrown by readers that cannot get a figure at all; message is one line. */
export class HostReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostReadError';
  }
}

/**
 * Run a read-only host tool with TOOL_ENV (never mutating). `opts.env` adds variables; LC_ALL stays C.
 */
export function runTool(runner: Runner, argv: string[], opts: Omit<RunOptions, 'mutating'> = {}): Promise<RunResult> {
  return runner.run(argv, { ...opts, env: toolEnv(opts.env), mutating: false });
}
