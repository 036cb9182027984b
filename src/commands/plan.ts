import type { Command } from 'commander';

/** `jts-storage plan`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('plan')
    .description('plan (not yet implemented)')
    .action(() => {
      process.stderr.write('plan: not yet implemented\n');
      process.exitCode = 1;
    });
}
