/**
 * Reachability: who can reach whom in a shipped P2S topology, from
 * simulated packets. Run: npx tsx examples/reachability.ts
 * (in your own project, import from 'vpnsim' instead of '../src/index.js').
 */
import { Simulation, attachTraffic, evaluateReach, evaluateReachMatrix, loadScenario, nextHop, scenarioPath } from '../src/index.js';

const scenario = await loadScenario(scenarioPath('p2s-routing/multis2sbgp'));
const sim = new Simulation(scenario);
attachTraffic(sim); // answers ping entries of the timeline, if any
const report = evaluateReach(sim); // settles (tunnels up, BGP converged), then probes
for (const c of report.clients) {
  console.log(`${c.name} (${c.os}):`, Object.entries(c.access).map(([net, a]) => `${net} ${a}`).join(', '));
}
const hop = nextHop(sim, 'VNet2', '192.168.0.7');
console.log(`VNet2 -> 192.168.0.7: ${hop.nextHopType}`);

// Every host and client against every VNet, site and host (a fresh simulation).
const matrix = evaluateReachMatrix(new Simulation(scenario));
const vm = matrix.rows[0]!;
console.log(`${vm.kind} ${vm.name}:`, Object.entries(vm.access).map(([t, a]) => `${t} ${a}`).join(', '));
