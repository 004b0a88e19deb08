import type { Command } from 'commander';
import { loadScenario } from '../../sim/net/load.js';
import { Simulation } from '../../sim/engine/simulation.js';
import { effectiveRoutes, nextHop } from '../../sim/engine/watcher.js';
import { attachTraffic } from '../../sim/engine/replay.js';
import { fail, parseSeconds, parseSeed } from '../util.js';

/** Builds a simulation and brings it to `--at`, or to the moment it settled. */
async function simulationAt(file: string, at: string | undefined, seed: string | undefined): Promise<Simulation> {
  const s = new Simulation(await loadScenario(file), { seed: parseSeed(seed) });
  attachTraffic(s);
  if (at === undefined) s.settle();
  else s.runUntil(parseSeconds(at, '--at'));
  return s;
}

/**
 * Network-Watcher-shaped commands: `vpnsim routes` (effective routes of a
 * node), `vpnsim nexthop` (next hop toward an address), `vpnsim tunnels`
 * (every tunnel's state in Batfish's vocabulary).
 */
export function register(program: Command): void {
  program
    .command('routes')
    .description('effective routes of a VNet, gateway, local network gateway or P2S client')
    .argument('<scenario>', 'scenario file')
    .argument('<node>', 'VNet, gateway, local network gateway or client name')
    .option('--at <seconds>', 'simulated time (default: once the network has settled)')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .option('--json', 'print one JSON object')
    .action(async (file: string, node: string, opts: { at?: string; json?: boolean; seed?: string }) => {
      try {
        const s = await simulationAt(file, opts.at, opts.seed);
        const routes = effectiveRoutes(s, node);
        if (opts.json) return console.log(JSON.stringify({ scenario: s.scenario.name, at: s.now, node, routes }));
        console.log(`effective routes of ${node} at t=${s.now} s`);
        for (const r of routes) {
          console.log(`  ${r.addressPrefix.padEnd(18)} ${r.nextHopType.padEnd(22)} ${(r.nextHopIpAddress ?? '').padEnd(15)} ${r.source.padEnd(21)} ${r.note}`);
        }
      } catch (err) {
        fail(err);
      }
    });
  program
    .command('nexthop')
    .description('next hop from a node toward a destination address, by longest-prefix match')
    .argument('<scenario>', 'scenario file')
    .argument('<node>', 'VNet, gateway, local network gateway or client name')
    .argument('<address>', 'destination IPv4 address')
    .option('--at <seconds>', 'simulated time (default: once the network has settled)')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .option('--json', 'print one JSON object')
    .action(async (file: string, node: string, address: string, opts: { at?: string; json?: boolean; seed?: string }) => {
      try {
        const s = await simulationAt(file, opts.at, opts.seed);
        const hop = nextHop(s, node, address);
        if (opts.json) return console.log(JSON.stringify({ scenario: s.scenario.name, at: s.now, node, destination: address, ...hop }));
        console.log(`${node} -> ${address} at t=${s.now} s: ${hop.nextHopType}${hop.nextHopIpAddress ? ` ${hop.nextHopIpAddress}` : ''}${hop.routePrefix ? ` (route ${hop.routePrefix}${hop.connection ? ` over ${hop.connection}` : ''}: ${hop.note})` : ''}`);
      } catch (err) {
        fail(err);
      }
    });
  program
    .command('tunnels')
    .description('every tunnel\'s state: established, or why not (ikePhase1KeyMismatch, missingEndpoint, ...)')
    .argument('<scenario>', 'scenario file')
    .option('--at <seconds>', 'simulated time (default: once the network has settled)')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { at?: string; json?: boolean; seed?: string }) => {
      try {
        const s = await simulationAt(file, opts.at, opts.seed);
        const tunnels = s.tunnelStatuses();
        if (opts.json) return console.log(JSON.stringify({ scenario: s.scenario.name, at: s.now, tunnels }));
        console.log(`tunnels at t=${s.now} s`);
        for (const t of tunnels) console.log(`  ${t.connection.padEnd(28)} ${t.status}`);
      } catch (err) {
        fail(err);
      }
    });
}
