#!/usr/bin/env node
/**
 * The vpnsim command line: a thin shell over the library. Every command is a
 * typed library call first.
 */
import { Command } from 'commander';

const program = new Command();
program.name('vpnsim').description('Discrete-event simulator of Azure VPN gateway topologies');

program
  .command('start')
  .description('run every scenario in scenarios/ and print a summary')
  .action(() => {
    console.log('vpnsim: no scenarios yet');
  });

await program.parseAsync(process.argv);
