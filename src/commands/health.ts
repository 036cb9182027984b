import type { Command } from 'commander';

/** `jts-storage health`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('health')
    .description('health (not yet implemented)')
    .action(() => {
      process.stderr.write('health: not yet implemented\n');
      process.exitCode = 1;
    });
}
