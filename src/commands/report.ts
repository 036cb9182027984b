import type { Command } from 'commander';

/** `jts-storage report`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('report')
    .description('report (not yet implemented)')
    .action(() => {
      process.stderr.write('report: not yet implemented\n');
      process.exitCode = 1;
    });
}
