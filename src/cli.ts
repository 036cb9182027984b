#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT, UserError } from './core/exit-codes.js';
import { fsReason } from './core/file-error.js';

import type { CommandContext, CommandModule } from './commands/context.js';
import { processContext } from './commands/context.js';
import { processIo, type CommandIo } from './ui/io.js';

/**
 * One thin file per command; each exports `register(program, ctx)`. They are imported lazily: a run loads
 * only the command it names (under emulation in the sandbox, loading every command's modules costs
 * seconds per invocation). Help and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  plan: () => import('./commands/plan.js'),
  apply: () => import('./commands/apply.js'),
  verify: () => import('./commands/verify.js'),
  rehearse: () => import('./commands/rehearse.js'),
  sandbox: () => import('./commands/sandbox.js'),
  tune: () => import('./commands/tune.js'),
  render: () => import('./commands/render.js'),
  health: () => import('./commands/health.js'),
  snapshot: () => import('./commands/snapshot.js'),
  bench: () => import('./commands/bench.js'),
  report: () => import('./commands/report.js'),
  export: () => import('./commands/export.js'),
};
export const COMMAND_NAMES = Object.keys(COMMANDS);

/** The program with every command (`only` given and known: just that one), printing through `ctx.io`. */
export async function buildProgram(only?: string, ctx: CommandContext = processContext(processIo(), runCommandLine)): Promise<Command> {
  const program = new Command();
  program
    .name('jts-storage')
    .description('plan, apply, verify, tune, snapshot, monitor and benchmark the JTS database host storage (LVM on NVMe)')
    .version('0.1.0')
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(s) })
    .showHelpAfterError()
    // A usage error (unknown command/option, missing or malformed argument) exits 64 (sysexits
    // EX_USAGE), distinct from 1 = invalid plan/refused; subcommands inherit this.
    .exitOverride();
  const names = only && only in COMMANDS ? [only] : COMMAND_NAMES;
  const mods = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const mod of mods) mod.register(program, ctx);
  return program;
}

/**
 * Runs one command line (argv without "node jts-storage") with `io` in this process and returns its
 * exit code: usage errors 64, a UserError 1 (its message on io.stderr), else the command's own code.
 * `undefined` when the named command still prints to the process's streams itself (not `takesIo`):
 * the caller runs it as a process instead.
 */
export async function runCommandLine(argv: string[], io: CommandIo): Promise<number | undefined> {
  const name = argv[0];
  if (!name || !(name in COMMANDS) || !(await COMMANDS[name]!()).takesIo) return undefined;
  return runWith(['node', 'jts-storage', ...argv], io);
}

/**
 * Commands that read or change the host's block devices need root (lvm, blkid, mount, the lock in
 * /run); checked once, up front, from the command line alone, so a non-root run ends with one line
 * instead of lvm's "File descriptor leaked" or a lock error half-way. `undefined`: no root needed
 * (help, offline planning with --drives, rendering against described drives, reports, the sandbox).
 */
export function rootNeededFor(args: string[]): string | undefined {
  const [cmd, sub] = args;
  const has = (...f: string[]) => args.some((a) => f.includes(a) || f.some((x) => a.startsWith(`${x}=`)));
  if (!cmd || has('--help', '-h', '--version', '-V')) return undefined;
  switch (cmd) {
    case 'plan':
      return has('--drives', '--inventory') ? undefined : 'plan probes this host (lvm, blkid, wipefs); plan offline with --drives FILE instead';
    case 'render':
      return has('--drives') ? undefined : 'render validates the plan against this host (lvm, blkid); or give --drives FILE';
    case 'apply':
    case 'verify':
      return `${cmd} reads and changes LVM, filesystems and mounts`;
    case 'tune':
      return sub === 'apply' || sub === 'status' ? `tune ${sub} reads udev, sysfs and systemd state of the drives` : undefined;
    case 'snapshot':
      return sub && sub !== 'help' ? 'snapshot reads and changes LVM volumes' : undefined;
    case 'bench':
      return has('--list-profiles') ? undefined : 'bench creates a scratch LV and runs fio on the drives';
    case 'health':
      return 'health reads LVM, filesystems and NVMe SMART data';
    default:
      return undefined;
  }
}

async function runWith(argv: string[], io: CommandIo): Promise<number> {
  let code: number | undefined;
  const ctx: CommandContext = { io, exit: (c) => void (code = c), run: runCommandLine };
  const uid = io.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0);
  const why = uid !== 0 && argv[2] && argv[2] in COMMANDS ? rootNeededFor(argv.slice(2)) : undefined;
  if (why) {
    io.stderr(`error: jts-storage ${argv[2]} needs root: ${why}\n`);
    return EXIT.ERROR;
  }
  try {
    const program = await buildProgram(argv[2], ctx);
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed the message (and help) already; help and --version are not errors.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof UserError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT.ERROR;
    }
    // A file error that no command turned into a UserError: still one line, never a stack trace.
    const fe = e as NodeJS.ErrnoException;
    if (typeof fe?.code === 'string' && fe.syscall && fe.path) {
      io.stderr(`error: cannot ${/write|open|mkdir|rename|unlink|copy/.test(fe.syscall) ? 'write' : 'read'} ${fe.path}: ${fsReason(fe)}\n`);
      return EXIT.ERROR;
    }
    throw e;
  }
  // Commands that do not take I/O yet set process.exitCode themselves.
  return code ?? Number(process.exitCode ?? 0);
}

let pipeGuard = false;

export async function main(argv: string[]): Promise<void> {
  if (!pipeGuard) {
    pipeGuard = true;
    // `jts-storage plan | head`: a closed pipe is the reader's choice, not an error of ours.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.exitCode = await runWith(argv, processIo());
}
