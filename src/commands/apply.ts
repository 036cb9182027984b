import type { Command } from 'commander';

/** `jts-storage apply`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('apply')
    .description('apply (not yet implemented)')
    .action(() => {
      process.stderr.write('apply: not yet implemented\n');
      process.exitCode = 1;
    });
}
