#!/usr/bin/env node
/**
 * The vpnsim command line: a thin shell over the library. Every command is a
 * typed library call first; each lives in `commands/<name>.ts` and exports
 * `register(program)`.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerStart } from './commands/start.js';
import { register as registerValidate } from './commands/validate.js';
import { register as registerReach } from './commands/reach.js';
import { register as registerWatch } from './commands/watch.js';
import { register as registerThroughput } from './commands/throughput.js';
import { register as registerRun } from './commands/run.js';
import { register as registerRules } from './commands/rules.js';
import { register as registerGraph } from './commands/graph.js';
import { register as registerReport } from './commands/report.js';
import { register as registerStudy } from './commands/study.js';
import { register as registerWorker } from './commands/worker.js';

const program = new Command();
program.name('vpnsim').description('Discrete-event simulator of Azure VPN gateway topologies').showHelpAfterError();
// package.json sits two folders up both in a checkout (src/cli) and in the package (dist/cli).
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
program.version(pkg.version, '-V, --version', 'print the vpnsim version');

registerStart(program);
registerValidate(program);
registerReach(program);
registerWatch(program);
registerThroughput(program);
registerRun(program);
registerRules(program);
registerGraph(program);
registerReport(program);
registerStudy(program);
registerWorker(program);

await program.parseAsync(process.argv);
