import type { Command } from 'commander';

/** `jts-storage tune`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('tune')
    .description('tune (not yet implemented)')
    .action(() => {
      process.stderr.write('tune: not yet implemented\n');
      process.exitCode = 1;
    });
}
