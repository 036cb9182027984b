import { Option, type Command } from 'commander';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ExecRunner } from '../core/exec-runner.js';
import { EXIT } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH, loadPlanFile } from '../model/load-plan.js';
import { loadDrivesFile } from '../model/drives-file.js';
import { DEFAULT_DRIVES_FILE, formatRehearseReport, rehearse, runStepsInGuest } from '../rehearse/rehearse.js';
import { runCliInProcess, type CliMain } from './in-process.js';
import type { RehearseStep } from '../rehearse/steps.js';

/**
 * `jts-storage rehearse`: one sandbox VM with drives shaped like the plan's; plan, apply, verify,
 * re-apply (0 mutating commands) and the other checks of src/rehearse/steps.ts inside; a summary.
 * `--in-guest` is the half that runs inside the VM (started by the host half).
 */
export function register(program: Command, ctx: { main?: CliMain } = {}): void {
  program
    .command('rehearse')
    .description('rehearse the plan on a disposable VM with drives like the host\'s: plan, apply, verify, idempotent re-apply, …; summary; exit 1 if any step failed')
    .option('--plan <file>', 'plan file', DEFAULT_PLAN_PATH)
    .option('--drives <file>', 'described drives: sizes, serials, models of the VM\'s disks', DEFAULT_DRIVES_FILE)
    .option('--keep', 'keep the drive images and the step results (paths printed)')
    .option('--timeout <s>', 'stop the VM after this many seconds', (v) => Number(v), 900)
    .option('--json', 'machine-readable report on stdout')
    .addOption(new Option('--in-guest', 'run the steps inside the sandbox guest (started by rehearse itself)').hideHelp())
    .addOption(new Option('--out <dir>', 'result directory of --in-guest').hideHelp())
    .action(async (opts: { plan: string; drives: string; keep?: boolean; timeout: number; json?: boolean; inGuest?: boolean; out?: string }) => {
      if (opts.inGuest) {
        if (!opts.out) throw new Error('--in-guest needs --out');
        const stepsText = await fs.readFile(path.join(opts.out, 'steps.json'), 'utf8').catch(() => undefined);
        const results = await runStepsInGuest({
          runner: new ExecRunner(),
          steps: stepsText ? (JSON.parse(stepsText) as RehearseStep[]) : undefined,
          planFile: opts.plan,
          outDir: opts.out,
          log: (s) => process.stderr.write(s),
          // JTS_REHEARSE_SPAWN=1: one process per step, as a user would run them.
          inProcess: process.env.JTS_REHEARSE_SPAWN === '1' || !ctx.main ? undefined : (argv, env) => runCliInProcess(ctx.main!, argv, env),
        });
        process.exitCode = results.every((r) => r.ok) ? EXIT.OK : EXIT.ERROR;
        return;
      }
      const loaded = await loadPlanFile(opts.plan);
      const drivesState = await loadDrivesFile(opts.drives);
      const report = await rehearse({
        planFile: opts.plan,
        planText: loaded.text,
        plan: loaded.plan,
        drivesFile: opts.drives,
        drivesState,
        keep: !!opts.keep,
        timeoutS: opts.timeout,
        log: (s) => process.stderr.write(s),
      });
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stdout.write((await formatRehearseReport(report)) + '\n');
      process.exitCode = report.ok ? EXIT.OK : EXIT.ERROR;
    });
}
