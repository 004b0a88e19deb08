import type { Command } from 'commander';
import { loadScenario } from '../../sim/net/load.js';
import { Simulation } from '../../sim/engine/simulation.js';
import { evaluateReach, reachJson, type ReachReport } from '../../sim/engine/reach.js';
import { attachTraffic } from '../../sim/engine/replay.js';
import { evaluateReachMatrix, formatReachMatrix, reachMatrixJson } from '../../views/reach-matrix.js';
import { fail, parseSeconds, parseSeed } from '../util.js';

/** Renders a reach report for people: routes, then yes / manual / no with the reason for each no. */
export function formatReach(r: ReachReport): string {
  const lines = [`scenario ${r.scenario}, evaluated at t=${r.at} s`];
  if (r.clients.length === 0) lines.push('', 'no P2S client in this scenario: nothing to report per client. `vpnsim reach --hosts` probes from every host and client');
  for (const c of r.clients) {
    lines.push('', `client ${c.name} (${c.os})`, `  routes: ${c.routes.length ? c.routes.join(', ') : '(none)'}`);
    const width = Math.max(...Object.keys(c.access).map((n) => n.length));
    for (const [name, a] of Object.entries(c.access)) {
      const why = a === 'yes' ? '' : `  ${c.explanations[name] ?? ''}`;
      lines.push(`  ${name.padEnd(width)}  ${a.padEnd(6)}${why}`);
    }
  }
  return lines.join('\n');
}

/** `vpnsim reach <scenario> [--at <seconds>] [--hosts] [--seed <seed>] [--json]`. */
export function register(program: Command): void {
  program
    .command('reach')
    .description('who can reach whom: per P2S client, its routes and yes / manual / no per VNet and site')
    .argument('<scenario>', 'scenario file (.json, .yaml, .ts)')
    .option('--at <seconds>', 'apply timeline entries up to this time first (default: once the network has settled)')
    .option('--hosts', 'every host and client against every VNet, site and host')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .option('--json', 'print one JSON object (public contract)')
    .action(async (file: string, opts: { at?: string; json?: boolean; hosts?: boolean; seed?: string }) => {
      try {
        const scenario = await loadScenario(file);
        const sim = new Simulation(scenario, { seed: parseSeed(opts.seed) });
        attachTraffic(sim);
        if (opts.hosts) {
          const m = evaluateReachMatrix(sim, { at: opts.at === undefined ? undefined : parseSeconds(opts.at, '--at') });
          console.log(opts.json ? JSON.stringify(reachMatrixJson(m)) : formatReachMatrix(m));
          return;
        }
        const report = evaluateReach(sim, { at: opts.at === undefined ? undefined : parseSeconds(opts.at, '--at') });
        console.log(opts.json ? JSON.stringify(reachJson(report)) : formatReach(report));
      } catch (err) {
        fail(err);
      }
    });
}
