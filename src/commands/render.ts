import type { Command } from 'commander';

/** `jts-storage render`: not built yet (stub). */
export function register(program: Command): void {
  program
    .command('render')
    .description('render (not yet implemented)')
    .action(() => {
      process.stderr.write('render: not yet implemented\n');
      process.exitCode = 1;
    });
}
