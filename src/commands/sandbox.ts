import type { Command } from 'commander';

/** `jts-storage sandbox`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('sandbox')
    .description('sandbox (not yet implemented)')
    .action(() => {
      process.stderr.write('sandbox: not yet implemented\n');
      process.exitCode = 1;
    });
}
