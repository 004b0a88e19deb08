/**
 * Flow-engine scale benchmark: a VpnGw5 gateway (10,000 Mbit/s aggregate),
 * 100 S2S tunnels (ceiling 2,300 Mbit/s each, GCMAES256, behind 1,000 Mbit/s
 * site uplinks) and 10,000 P2S clients (100 Mbit/s downlinks, half SSTP, half
 * IKEv2 with NAT-T), under N flow arrivals.
 *
 * Arrivals are Poisson (stream `bench/flows/arrivals`) at the rate that offers
 * `load` times the gateway's aggregate: lambda = load * 10,000 Mbit/s / (8 *
 * mean size). Sizes are exponential, mean 1 MB (stream `bench/flows/sizes`).
 * Each flow goes to a tunnel with probability `s2s` or else to a client,
 * uniformly (stream `bench/flows/paths`); TCP window `window` bytes over an
 * RTT uniform in 10-100 ms (stream `bench/flows/rtt`) caps it (0: no cap).
 * Wall time covers the run loop only.
 *
 * Measured (Node v20.20.2, 2 shared cores, seed 1, 1,000,000 flows, 2,000,000
 * events, 5 runs, min/median/max; figures vary with the machine's other load):
 * load 0.9 (default) 251 / 267 / 307 k flows/s, peak 1,158 active flows, the
 * gateway saturated at ~32% of sampled arrivals and its hub on (saturated or
 * dormant) for ~76% of events; load 0.5: 329 / 484 / 512 k flows/s, peak 611.
 * Before the hub water level, load 0.9 ran at ~10 k flows/s: each event
 * re-solved and rescheduled the ~500 flows behind the saturated gateway; now
 * its arrivals and departures cost O(log n) (flow-engine.ts header).
 * `gateway saturated` is the share of simulated time the gateway ran within
 * 0.1% of its aggregate, sampled at every 64th arrival.
 *
 * usage: tsx bench/flows.ts [--json] [--seed=S] [--flows=N] [--load=0.9] [--s2s=0.5] [--window=65536]
 */
import { FlowEngine } from '../src/sim/flow/flow-engine.js';
import { espGoodputFactor, sstpGoodputFactor } from '../src/sim/flow/overhead.js';
import { Rng } from '../src/sim/kernel/rng.js';
import { Simulator } from '../src/sim/kernel/simulator.js';
import { skuSpec } from '../src/sim/net/skus.js';
import { formatRate, nodeVersion, parseArgs, positiveInt } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const N = positiveInt(args.options.get('flows') ?? args.positional[0], 1_000_000, 'flows');
const seed = args.options.get('seed') ?? '1';
const load = Number(args.options.get('load') ?? '0.9');
const s2sShare = Number(args.options.get('s2s') ?? '0.5');
const windowBytes = Number(args.options.get('window') ?? '65536');
if (!(load > 0) || !(s2sShare >= 0 && s2sShare <= 1) || !(windowBytes >= 0)) {
  throw new RangeError('--load must be > 0, --s2s in [0, 1], --window 0 or more bytes');
}
const TUNNELS = 100;
const CLIENTS = 10_000;
const MEAN_BYTES = 1e6;

const sku = skuSpec('VpnGw5', 'Generation2');
const sim = new Simulator();
const eng = new FlowEngine(sim);
eng.addResource('gw', sku.aggregateMbps, { group: 'gateway' });
const tunnelPaths: string[][] = [];
for (let t = 0; t < TUNNELS; t++) {
  eng.addResource(`tun${t}`, sku.perTunnelMbps.GCMAES256, { group: 'tunnel' });
  eng.addResource(`site${t}`, 1000, { group: 'uplink' });
  tunnelPaths.push(['gw', `tun${t}`, `site${t}`]);
}
const clientPaths: string[][] = [];
for (let c = 0; c < CLIENTS; c++) {
  eng.addResource(`client${c}`, 100, { group: 'downlink' });
  clientPaths.push(['gw', `client${c}`]);
}
const esp = espGoodputFactor({ cipher: 'GCMAES256' });
const espNatT = espGoodputFactor({ cipher: 'GCMAES256', natTraversal: true });
const sstp = sstpGoodputFactor();

const rng = new Rng(seed);
const arrivals = rng.stream('bench/flows/arrivals');
const sizes = rng.stream('bench/flows/sizes');
const paths = rng.stream('bench/flows/paths');
const rtts = rng.stream('bench/flows/rtt');
const lambda = (load * sku.aggregateMbps * 1e6) / (8 * MEAN_BYTES);
let created = 0;
let completed = 0;
let deliveredBytes = 0;
eng.on('flow.end', (e) => { completed++; deliveredBytes += e.bytes; });

let saturatedSamples = 0;
function arrive(): void {
  created++;
  if (created % 64 === 0 && eng.resourceStats('gw').loadMbps >= sku.aggregateMbps * 0.999) saturatedSamples++;
  const s2s = paths.random() < s2sShare;
  const i = s2s ? paths.int(0, TUNNELS - 1) : paths.int(0, CLIENTS - 1);
  const rtt = rtts.uniform(0.01, 0.1);
  eng.addFlow({
    resources: s2s ? tunnelPaths[i]! : clientPaths[i]!,
    bytes: sizes.exponential(MEAN_BYTES),
    goodputFactor: s2s ? esp : i % 2 === 0 ? sstp : espNatT,
    windowBytes: windowBytes > 0 ? windowBytes : undefined,
    rttSeconds: windowBytes > 0 ? rtt : undefined,
  });
  if (created < N) sim.schedule(arrivals.exponential(1 / lambda), arrive, 'arrival');
}
sim.schedule(arrivals.exponential(1 / lambda), arrive, 'arrival');

const t0 = performance.now();
sim.run();
const wallSeconds = (performance.now() - t0) / 1000;
if (completed !== N) throw new Error(`bench: ${completed} flows completed of ${N}`);
const flowsPerSecond = Math.round(N / wallSeconds);
const { solves, flows: solvedFlows, incremental } = eng.solveStats;
const result = {
  benchmark: 'flows',
  flowsPerSecond,
  seed,
  node: nodeVersion(),
  flows: N,
  events: sim.executed,
  peakActiveFlows: eng.peakActiveFlows,
  solves,
  meanComponentFlows: Number((solvedFlows / solves).toFixed(2)),
  incrementalEvents: incremental,
  gatewaySaturatedShare: Number((saturatedSamples / Math.floor(N / 64)).toFixed(3)),
  simulatedSeconds: Number(sim.now.toFixed(3)),
  meanGoodputMbps: Number(((deliveredBytes * 8) / 1e6 / sim.now).toFixed(1)),
  load, s2sShare, windowBytes,
  wallSeconds: Number(wallSeconds.toFixed(3)),
};
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(`flow engine: VpnGw5 (${sku.aggregateMbps} Mbit/s), ${TUNNELS} tunnels, ${CLIENTS} P2S clients, ${N} Poisson arrivals, Exp(mean 1 MB), load ${load}, s2s ${s2sShare}, window ${windowBytes} B`);
  console.log(`seed ${seed}, node ${nodeVersion()}`);
  console.log(`${formatRate(flowsPerSecond)} flows/s (${flowsPerSecond}), wall ${wallSeconds.toFixed(3)} s, ${result.events} events, simulated ${result.simulatedSeconds} s`);
  console.log(`peak active flows ${result.peakActiveFlows}, ${solves} solves (mean component ${result.meanComponentFlows} flows), ${incremental} hub (incremental) events, gateway saturated ${(result.gatewaySaturatedShare * 100).toFixed(1)}% of arrivals, mean goodput ${result.meanGoodputMbps} Mbit/s`);
}
