import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import { EXIT, UserError } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH } from '../model/load-plan.js';
import { verifyPlanFile } from '../verify/run-verify.js';
import { formatVerifyReport } from '../verify/verify.js';

/** `jts-storage verify`: live state vs plan. Exit 0 clean, 2 drift (listed), 1 error. */
export function register(program: Command): void {
  program
    .command('verify')
    .description('compare the live host with the plan (LV sizes, filesystems, mounts, fstab, owners, users, read-ahead); exit 0 clean, 2 drift, 1 error')
    .option('--plan <file>', 'plan file', DEFAULT_PLAN_PATH)
    .option('--json', 'machine-readable report on stdout')
    .action(async (opts: { plan: string; json?: boolean }) => {
      let report;
      try {
        report = await verifyPlanFile(new ExecRunner(), opts.plan);
      } catch (e) {
        if (e instanceof UserError) throw e;
        process.stderr.write(`verify: error: ${(e as Error).message}\n`);
        process.exitCode = EXIT.ERROR;
        return;
      }
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stdout.write(formatVerifyReport(report) + '\n');
      process.exitCode = report.clean ? EXIT.OK : EXIT.CHANGES;
    });
}
