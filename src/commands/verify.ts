import type { Command } from 'commander';

/** `jts-storage verify`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('verify')
    .description('verify (not yet implemented)')
    .action(() => {
      process.stderr.write('verify: not yet implemented\n');
      process.exitCode = 1;
    });
}
