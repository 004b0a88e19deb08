/**
 * Memory soak: `npm run bench:soak [-- --days 30 --seed 1]` (runs under
 * `node --expose-gc`).
 *
 * Two tunnels for 30 simulated days: a policy-based IKEv1 tunnel (Basic
 * gateway) that idles out (R14: 300 s) and comes back, with one ping every 6
 * to 10 minutes (uniform, stream `soak/gap`), and a route-based IKEv2 tunnel
 * (VpnGw1) with DPD, pinged every 10 minutes. The trace is not kept
 * (`keepTrace: false`), as a long study would run. After each simulated day
 * the heap is measured after a full GC; the figure is the least-squares slope
 * of heap against day from day 1 on (target: under 1 KB per simulated day).
 */
import { Simulation } from '../src/sim/engine/simulation.js';
import type { Scenario } from '../src/sim/net/scenario.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run under node --expose-gc (npm run bench:soak does)');

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const DAYS = arg('days', 30);
const SEED = arg('seed', 1);
const DAY = 86_400;

const vnet = (name: string, space: string, front: string, gws: string) => ({ name, location: 'westeurope', addressPrefixes: [space], subnets: [{ name: 'Front', addressPrefix: front }, { name: 'GatewaySubnet', addressPrefix: gws }] });
const scenario: Scenario = {
  name: 'soak',
  seed: SEED,
  vnets: [vnet('PolicyVNet', '10.1.0.0/16', '10.1.0.0/24', '10.1.255.0/27'), vnet('RouteVNet', '10.2.0.0/16', '10.2.0.0/24', '10.2.255.0/27')],
  gateways: [
    { name: 'PolicyGW', vnet: 'PolicyVNet', vpnType: 'PolicyBased', sku: 'Basic' },
    { name: 'RouteGW', vnet: 'RouteVNet', vpnType: 'RouteBased', sku: 'VpnGw1' },
  ],
  localNetworkGateways: [
    { name: 'Site1', gatewayIpAddress: '203.0.113.10', addressPrefixes: ['192.168.1.0/24'], location: 'amsterdam' },
    { name: 'Site2', gatewayIpAddress: '203.0.113.20', addressPrefixes: ['192.168.2.0/24'], location: 'amsterdam' },
  ],
  connections: [
    { name: 'Policy', connectionType: 'IPsec', gateway: 'PolicyGW', localNetworkGateway: 'Site1', sharedKey: 'abc123', connectionProtocol: 'IKEv1' },
    { name: 'Route', connectionType: 'IPsec', gateway: 'RouteGW', localNetworkGateway: 'Site2', sharedKey: 'abc123', connectionProtocol: 'IKEv2' },
  ],
  hosts: [
    { name: 'vm1', vnet: 'PolicyVNet', address: '10.1.0.4' },
    { name: 'srv1', localNetworkGateway: 'Site1', address: '192.168.1.10' },
    { name: 'vm2', vnet: 'RouteVNet', address: '10.2.0.4' },
    { name: 'srv2', localNetworkGateway: 'Site2', address: '192.168.2.10' },
  ],
  underlay: { defaults: { latencyMs: 15, lossPercent: 0 } },
} as Scenario;

const sim = new Simulation(scenario, { keepTrace: false });
const gap = sim.rng.stream('soak/gap');
let sent = 0, answered = 0;
const ping = (from: string, to: string): void => {
  sent++;
  sim.probe(from, sim.targetAddress(to), (r) => { if ((r as { ok?: boolean }).ok) answered++; });
};
const policyPing = (): void => {
  ping('vm1', 'srv1');
  sim.sim.schedule(gap.uniform(360, 600), policyPing, 'soak/policy');
};
const routePing = (): void => {
  ping('vm2', 'srv2');
  sim.sim.schedule(600, routePing, 'soak/route');
};
sim.sim.schedule(30, policyPing, 'soak/policy');
sim.sim.schedule(30, routePing, 'soak/route');

const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

console.log(`bench:soak seed ${SEED} node ${process.version} days ${DAYS}`);
const samples: [number, number][] = [];
const t0 = performance.now();
for (let d = 1; d <= DAYS; d++) {
  sim.runUntil(d * DAY);
  const h = heap();
  samples.push([d, h]);
  console.log(`day ${String(d).padStart(2)}: heap ${(h / 1024 / 1024).toFixed(2)} MB, events ${sim.sim.executed}, pings ${sent} (answered ${answered})`);
}
const secs = (performance.now() - t0) / 1000;
const fit = samples.filter(([d]) => d >= 1);
const mx = fit.reduce((a, [d]) => a + d, 0) / fit.length;
const my = fit.reduce((a, [, h]) => a + h, 0) / fit.length;
let num = 0, den = 0;
for (const [d, h] of fit) { num += (d - mx) * (h - my); den += (d - mx) ** 2; }
const slope = num / den;
console.log(`slope (days 1-${DAYS}): ${(slope / 1024).toFixed(2)} KB per simulated day (target < 1 KB); heap day 1 ${(samples[0]![1] / 1024 / 1024).toFixed(2)} MB, day ${DAYS} ${(samples[samples.length - 1]![1] / 1024 / 1024).toFixed(2)} MB; ${sim.sim.executed} events in ${secs.toFixed(1)} s`);
