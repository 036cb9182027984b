#!/usr/bin/env node
import { Command } from 'commander';
import { UserError } from './core/exit-codes.js';
import * as planCmd from './commands/plan.js';
import * as applyCmd from './commands/apply.js';
import * as verifyCmd from './commands/verify.js';
import * as rehearseCmd from './commands/rehearse.js';
import * as sandboxCmd from './commands/sandbox.js';
import * as tuneCmd from './commands/tune.js';
import * as renderCmd from './commands/render.js';
import * as healthCmd from './commands/health.js';
import * as snapshotCmd from './commands/snapshot.js';
import * as benchCmd from './commands/bench.js';
import * as reportCmd from './commands/report.js';

/** Wires one thin file per command to commander; the commands hold no logic of their own. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('jts-storage')
    .description('Plan, apply, verify, tune, snapshot, monitor and benchmark the JTS database host storage (LVM on NVMe)')
    .version('0.1.0')
    .showHelpAfterError();
  for (const mod of [planCmd, applyCmd, verifyCmd, rehearseCmd, sandboxCmd, tuneCmd, renderCmd, healthCmd, snapshotCmd, benchCmd, reportCmd]) {
    mod.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `jts-storage plan | head`: a closed pipe is the reader's choice, not an error of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
