/**
 * The I/O a command runs with: where its output and progress go, the environment it reads, and what
 * kind of terminal it has. The CLI passes the process's own (`processIo`); rehearse's guest harness
 * and tests pass captured streams, so a command never writes to `process.stdout` itself.
 */
import * as readline from 'node:readline/promises';

export interface CommandIo {
  /** The command's result (a report, JSON, a rendered file). */
  stdout(s: string): void;
  /** Progress, notes, warnings and error lines. */
  stderr(s: string): void;
  /** The environment the command reads (NO_COLOR, test hooks); default process.env. */
  env?: Record<string, string | undefined>;
  /** stdout is a terminal (colour on by default). */
  isTTY?: boolean;
  /** The terminal's width in columns (undefined: not a terminal); human output fits it (ui/text.ts termWidth). */
  columns?: number;
  /** stdin and stderr are both terminals: the command may ask a question. */
  interactive?: boolean;
  /** The stream progress bars draw on (a terminal gets a bar, anything else one line per step); undefined: lines on stderr(). */
  progressTo?: NodeJS.WriteStream;
  /** Asks one question on the terminal and returns the answer line; undefined without one. */
  ask?(question: string): Promise<string>;
  /** This process's id (lock and audit records). */
  pid?: number;
  /** The user id the command runs as (root check); default process.getuid(). */
  uid?: number;
}

/** The process's own streams, environment and terminals. */
export function processIo(): CommandIo {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    isTTY: process.stdout.isTTY,
    columns: process.stdout.columns ?? process.stderr.columns,
    interactive: !!(process.stdin.isTTY && process.stderr.isTTY),
    progressTo: process.stderr,
    ask: async (q) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(q);
      } finally {
        rl.close();
      }
    },
    pid: process.pid,
  };
}

/**
 * The process's I/O with stdout captured (a step's JSON) and `env` added to the environment the
 * command reads; stderr (progress) still goes to the process's stderr, live.
 */
export function capturedIo(env: Record<string, string> = {}): { io: CommandIo; stdout: () => string } {
  let out = '';
  const io: CommandIo = { ...processIo(), env: { ...process.env, ...env }, stdout: (s) => void (out += s) };
  return { io, stdout: () => out };
}

/** The environment of an I/O (process.env when it names none). */
export function envOf(io: CommandIo): Record<string, string | undefined> {
  return io.env ?? process.env;
}
