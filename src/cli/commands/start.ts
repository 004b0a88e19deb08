import type { Command } from 'commander';

/** `vpnsim start`: runs every scenario in scenarios/ and prints a summary. */
export function register(program: Command): void {
  program
    .command('start')
    .description('run every scenario in scenarios/ and print a summary')
    .action(() => {
      console.log('vpnsim: no scenarios yet');
    });
}
