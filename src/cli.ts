#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT, UserError } from './core/exit-codes.js';

/**
 * One thin file per command; each exports `register(program)`. They are imported lazily: a run loads
 * only the command it names (under emulation in the sandbox, loading every command's modules costs
 * seconds per invocation). Help and unknown commands load them all.
 */
type CommandModule = { register(program: Command, ctx: { main: (argv: string[]) => Promise<void> }): void };
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
};
export const COMMAND_NAMES = Object.keys(COMMANDS);

/** The program with every command (`only` given and known: just that one). */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command();
  program
    .name('jts-storage')
    .description('Plan, apply, verify, tune, snapshot, monitor and benchmark the JTS database host storage (LVM on NVMe)')
    .version('0.1.0')
    .showHelpAfterError()
    // A usage error (unknown command/option, missing or malformed argument) exits 64 (sysexits
    // EX_USAGE), distinct from 1 = invalid plan/refused; subcommands inherit this.
    .exitOverride();
  const names = only && only in COMMANDS ? [only] : COMMAND_NAMES;
  const mods = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const mod of mods) mod.register(program, { main });
  return program;
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
  try {
    const program = await buildProgram(argv[2]);
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed the message (and help) already; help and --version are not errors.
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
