/**
 * What cli.ts hands every command's `register()`: the I/O to run with, where the exit code goes, and
 * (for rehearse's guest harness) a way to run another command line in this process.
 */
import type { Command } from 'commander';
import type { CommandIo } from '../ui/io.js';

/**
 * Runs one jts-storage command line (argv without "node jts-storage") with the given I/O and returns
 * its exit code; `undefined` when the command does not take I/O streams (run it as a process).
 */
export type RunCommandLine = (argv: string[], io: CommandIo) => Promise<number | undefined>;

export interface CommandContext {
  io: CommandIo;
  /** Records the command's exit code (the CLI: process.exitCode; in-process: the caller's result). */
  exit(code: number): void;
  run?: RunCommandLine;
}

/** A command file: `register()` wires commander only; `takesIo` says it prints only through ctx.io. */
export interface CommandModule {
  register(program: Command, ctx: CommandContext): void;
  takesIo?: boolean;
}

/** The context of the CLI process itself (exit code into process.exitCode). */
export function processContext(io: CommandIo, run?: RunCommandLine): CommandContext {
  return { io, exit: (code) => void (process.exitCode = code), run };
}
