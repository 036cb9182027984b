import { Option, type Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { EXIT, UserError } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH } from '../model/load-plan.js';
import { verifyPlanFile } from '../verify/run-verify.js';
import { formatVerifyReport } from '../verify/verify.js';
import type { CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import type { CommandContext } from './context.js';

export interface VerifyOptions {
  plan?: string;
  json?: boolean;
}

/**
 * `jts-storage verify`: live state vs plan, read-only. Returns the exit code: 0 clean, 2 drift
 * (listed), 1 error. Throws UserError on a bad plan.
 */
export async function verifyCommand(o: VerifyOptions, io: CommandIo & { runner: Runner }): Promise<number> {
  let report;
  try {
    report = await verifyPlanFile(io.runner, o.plan ?? DEFAULT_PLAN_PATH);
  } catch (e) {
    if (e instanceof UserError) throw e;
    io.stderr(`verify: error: ${(e as Error).message}\n`);
    return EXIT.ERROR;
  }
  show(io, o.json, report, () => formatVerifyReport(report) + '\n');
  return report.clean ? EXIT.OK : EXIT.CHANGES;
}

export const takesIo = true;

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description('compare the live host with the plan (LV sizes, filesystems, mounts, fstab, owners, users, read-ahead); exit 0 clean, 2 drift, 1 error')
    .addOption(new Option('--plan <file>', 'plan file').default(DEFAULT_PLAN_PATH, 'the embedded plans/jts.yaml'))
    .option('--json', 'machine-readable report on stdout')
    .action(async (o: VerifyOptions) => ctx.exit(await verifyCommand(o, { ...ctx.io, runner: new ExecRunner() })));
}
