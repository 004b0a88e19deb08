import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { loadScenario } from '../../sim/net/load.js';
import { Simulation } from '../../sim/engine/simulation.js';
import { attachTraffic } from '../../sim/engine/replay.js';
import { topologySvg } from '../../views/topology.js';
import { NotFoundError } from '../../errors.js';
import { fail, parseSeconds, parseSeed } from '../util.js';

/** `vpnsim graph <scenario> [--at <seconds>] [-o FILE.svg] [--seed <seed>]`: the topology as SVG (stdout without -o). */
export function register(program: Command): void {
  program
    .command('graph')
    .description('draw the topology as SVG: VNets, gateways, sites, connections coloured by state, peerings, P2S pools')
    .argument('<scenario>', 'scenario file (.json, .yaml, .ts)')
    .option('--at <seconds>', 'simulated time to draw (default: once the network has settled)')
    .option('-o, --output <file>', 'write the SVG to this file (default: standard output)')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .action(async (file: string, opts: { at?: string; output?: string; seed?: string }) => {
      try {
        const scenario = await loadScenario(file);
        const sim = new Simulation(scenario, { seed: parseSeed(opts.seed) });
        attachTraffic(sim);
        const svg = await topologySvg(sim, { at: opts.at === undefined ? undefined : parseSeconds(opts.at, '--at') });
        if (opts.output === undefined) process.stdout.write(svg);
        else {
          try {
            writeFileSync(opts.output, svg);
          } catch (err) {
            throw new NotFoundError(`-o "${opts.output}": cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)}). Check the folder exists`);
          }
          console.log(`wrote ${opts.output} (t=${sim.now} s)`);
        }
      } catch (err) {
        fail(err);
      }
    });
}
