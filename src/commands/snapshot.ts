import type { Command } from 'commander';

/** `jts-storage snapshot`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('snapshot')
    .description('snapshot (not yet implemented)')
    .action(() => {
      process.stderr.write('snapshot: not yet implemented\n');
      process.exitCode = 1;
    });
}
