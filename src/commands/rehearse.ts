import type { Command } from 'commander';

/** `jts-storage rehearse`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('rehearse')
    .description('rehearse (not yet implemented)')
    .action(() => {
      process.stderr.write('rehearse: not yet implemented\n');
      process.exitCode = 1;
    });
}
