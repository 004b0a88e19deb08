/**
 * Reachability benchmark: one VpnGw5 gateway with 10,000 P2S clients (mixed
 * OS) and 100 BGP-less S2S sites. Builds the network, computes every route
 * table, then sends one request/reply per client to one VM in the hub VNet,
 * hop by hop through the kernel.
 *
 * usage: tsx bench/reach.ts [--json] [--clients=N] [--sites=N] [--seed=S]
 * Prints wall time of the whole run and of each phase, simulated packets and
 * packets per wall-clock second of the delivery phase, events, seed, Node version.
 * Target: whole run under 2 s; delivery at 10x or more ns-3's 78.5 k packets/s.
 */
import { Simulation } from '../src/sim/engine/simulation.js';
import { parseAddress } from '../src/sim/net/prefix.js';
import type { ClientDef, ClientOs, Scenario } from '../src/sim/net/scenario.js';
import { formatRate, nodeVersion, parseArgs, positiveInt } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const CLIENTS = positiveInt(args.options.get('clients'), 10_000, 'clients');
const SITES = positiveInt(args.options.get('sites'), 100, 'sites');
const seed = args.options.get('seed') ?? '1';
const NS3_PACKETS_PER_SECOND = 78_500;

function scenario(): Scenario {
  const oses: ClientOs[] = ['Windows', 'macOS', 'Linux', 'iOS', 'Android'];
  const clients: ClientDef[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push({ name: `client-${i}`, os: oses[i % oses.length]!, gateway: 'HubGW', protocol: 'IkeV2' });
  return {
    name: 'bench/reach', seed,
    vnets: [{ name: 'Hub', location: 'westeurope', addressPrefixes: ['10.0.0.0/16'], subnets: [{ name: 'Workload', addressPrefix: '10.0.0.0/24' }, { name: 'GatewaySubnet', addressPrefix: '10.0.255.0/27' }] }],
    gateways: [{ name: 'HubGW', vnet: 'Hub', vpnType: 'RouteBased', sku: 'VpnGw5', vpnClientConfiguration: { vpnClientAddressPool: ['172.16.0.0/18'], vpnClientProtocols: ['IkeV2'], vpnAuthenticationTypes: ['Certificate'] } }],
    localNetworkGateways: Array.from({ length: SITES }, (_, i) => ({ name: `Site${i}`, gatewayIpAddress: `192.0.2.${(i % 250) + 1}`, addressPrefixes: [`10.${100 + Math.floor(i / 250)}.${i % 250}.0/24`] })),
    connections: Array.from({ length: SITES }, (_, i) => ({ name: `HubToSite${i}`, connectionType: 'IPsec' as const, gateway: 'HubGW', localNetworkGateway: `Site${i}`, sharedKey: `key${i}` })),
    clients,
    hosts: [{ name: 'vm', vnet: 'Hub', address: '10.0.0.4' }],
  };
}

const t0 = performance.now();
const s = new Simulation(scenario(), { keepTrace: false });
s.runUntil(0); // tunnels up, clients connected, packages downloaded
const tables = s.tables();
const t1 = performance.now();
let ok = 0, done = 0;
const dst = parseAddress('10.0.0.4');
for (let i = 0; i < CLIENTS; i++) s.probe(`client-${i}`, dst, (r) => { done++; if (r.ok) ok++; });
const eventsBefore = s.sim.executed;
s.runUntil(s.now + 60);
const t2 = performance.now();
if (done !== CLIENTS) throw new Error(`only ${done} of ${CLIENTS} probes finished`);
const deliverySeconds = (t2 - t1) / 1000;
const result = {
  benchmark: 'reach', seed, node: nodeVersion(), clients: CLIENTS, sites: SITES,
  routeTables: tables.tables.size, reachable: ok,
  packets: s.packets.sent, delivered: s.packets.delivered, dropped: s.packets.droppedTotal,
  events: s.sim.executed - eventsBefore,
  setupSeconds: (t1 - t0) / 1000, deliverySeconds, wallSeconds: (t2 - t0) / 1000,
  packetsPerSecond: s.packets.sent / deliverySeconds,
  ratioToNs3PointToPoint: s.packets.sent / deliverySeconds / NS3_PACKETS_PER_SECOND,
};
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(`vpnsim bench:reach  seed=${seed}  node=${result.node}`);
  console.log(`  network: VpnGw5, ${CLIENTS} P2S clients (mixed OS), ${SITES} S2S sites, ${result.routeTables} route tables`);
  console.log(`  setup (build, tables, connect): ${result.setupSeconds.toFixed(3)} s`);
  console.log(`  delivery: ${result.packets} packets (${result.delivered} delivered, ${result.dropped} dropped), ${result.events} events in ${deliverySeconds.toFixed(3)} s`);
  console.log(`  ${formatRate(result.packetsPerSecond)} packets/s (${result.ratioToNs3PointToPoint.toFixed(1)}x ns-3 point-to-point 78.5 k/s); ${ok}/${CLIENTS} clients reached the VM`);
  console.log(`  whole run: ${result.wallSeconds.toFixed(3)} s (target < 2 s)`);
}
