import type { Command } from 'commander';

/** `jts-storage bench`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('bench')
    .description('bench (not yet implemented)')
    .action(() => {
      process.stderr.write('bench: not yet implemented\n');
      process.exitCode = 1;
    });
}
