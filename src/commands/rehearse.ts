import { Option, type Command } from 'commander';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ExecRunner } from '../core/exec-runner.js';
import { EXIT } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH, loadPlanFile } from '../model/load-plan.js';
import { loadDrivesFile } from '../model/drives-file.js';
import { DEFAULT_DRIVES_FILE, defaultRehearseOut, formatRehearseReport, rehearse, runStepsInGuest } from '../rehearse/rehearse.js';
import type { RehearseStep } from '../rehearse/steps.js';
import { capturedIo, envOf, type CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import { termWidth } from '../ui/text.js';
import type { CommandContext, RunCommandLine } from './context.js';

export interface RehearseOptions {
  plan: string;
  drives: string;
  keep?: boolean;
  /** Seconds. */
  timeout: number;
  json?: boolean;
  inGuest?: boolean;
  out?: string;
}

/**
 * A guest step run in this process: the command's function called with stdout captured (the step's
 * JSON) and the step's environment; stderr (its progress) goes to this process's stderr, live.
 * `undefined` when the command still prints to the process's streams itself: the harness then runs
 * it as a process.
 */
export function inProcessStep(run: RunCommandLine) {
  return async (argv: string[], env: Record<string, string>): Promise<{ exitCode: number; stdout: string; stderr: string; durationMs: number } | undefined> => {
    const t0 = performance.now();
    const cap = capturedIo(env);
    try {
      const exitCode = await run(argv, cap.io);
      if (exitCode === undefined) return undefined;
      return { exitCode, stdout: cap.stdout(), stderr: '', durationMs: performance.now() - t0 };
    } catch (e) {
      const stderr = `${(e as Error).stack ?? e}`;
      cap.io.stderr(stderr + '\n');
      return { exitCode: EXIT.ERROR, stdout: cap.stdout(), stderr, durationMs: performance.now() - t0 };
    }
  };
}

/**
 * `jts-storage rehearse`: one sandbox VM with drives shaped like the plan's; plan, apply, verify,
 * re-apply (0 mutating commands) and the other checks of src/rehearse/steps.ts inside; a summary.
 * `--in-guest` is the half that runs inside the VM (started by the host half); its steps run in this
 * process through `run` unless JTS_REHEARSE_SPAWN=1 (one process per step, as a user would run them).
 * Returns the exit code: 0 every step passed, 1 otherwise.
 */
export async function rehearseCommand(opts: RehearseOptions, io: CommandIo, run?: RunCommandLine): Promise<number> {
  if (opts.inGuest) {
    if (!opts.out) throw new Error('--in-guest needs --out');
    const stepsText = await fs.readFile(path.join(opts.out, 'steps.json'), 'utf8').catch(() => undefined);
    const results = await runStepsInGuest({
      runner: new ExecRunner(),
      steps: stepsText ? (JSON.parse(stepsText) as RehearseStep[]) : undefined,
      planFile: opts.plan,
      outDir: opts.out,
      log: (s) => io.stderr(s),
      inProcess: envOf(io).JTS_REHEARSE_SPAWN === '1' || !run ? undefined : inProcessStep(run),
    });
    return results.every((r) => r.ok) ? EXIT.OK : EXIT.ERROR;
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
    keepIn: path.resolve(opts.out ?? defaultRehearseOut(new Date(), io.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0), process.cwd())),
    timeoutS: opts.timeout,
    log: (s) => io.stderr(s),
  });
  const text = opts.json ? '' : (await formatRehearseReport(report, termWidth(io))) + '\n';
  show(io, opts.json, report, () => text);
  return report.ok ? EXIT.OK : EXIT.ERROR;
}

export const takesIo = true;

/** Thin commander wiring; the logic is rehearseCommand. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('rehearse')
    .description('rehearse the plan on a disposable VM with drives like the host\'s: plan, apply, verify, idempotent re-apply, …; summary; exit 1 if any step failed')
    .addOption(new Option('--plan <file>', 'plan file').default(DEFAULT_PLAN_PATH, 'the embedded plans/jts.yaml'))
    .addOption(new Option('--drives <file>', 'described drives: sizes, serials, models of the VM\'s disks').default(DEFAULT_DRIVES_FILE, 'the package\'s examples/drives/4tb-nvme.yaml'))
    .option('--keep', 'keep the drive images and the step results (paths printed)')
    .option('--timeout <s>', 'stop the VM after this many seconds (a safety stop: 145 s is typical on an idle 2-core host, a loaded one takes several times that)', (v) => Number(v), 2400)
    .option('--json', 'machine-readable report on stdout')
    .addOption(new Option('--in-guest', 'run the steps inside the sandbox guest (started by rehearse itself)').hideHelp())
    .option('--out <dir>', 'keep the report (report.html), the bench results and every step\'s JSON here (default: ./jts-storage-rehearse/<UTC time>, or /var/lib/jts-storage/rehearse/<UTC time> as root)')
    .action(async (opts: RehearseOptions) => ctx.exit(await rehearseCommand(opts, ctx.io, ctx.run)));
}
