/**
 * Session setup benchmark.
 *
 * Part 1: setup time of IKEv1, IKEv2, SSTP and BGP over one path, for every
 * RTT in {1, 20, 80, 200} ms and loss in {0, 1, 5} %, over `--seeds` seeds
 * per cell (default 1,000: a run costs ~0.2 ms, and 1,000 make p95 and the
 * rare failures stable; seeds `--seed` .. `--seed + seeds - 1`). Each run is
 * a fresh Simulator and Rng(seed); the two directions of the path are
 * {@link PathDirection}s with their own loss streams (`bench/sessions/aToB`,
 * `bench/sessions/bToA`), one-way latency RTT / 2 and 1,000 Mbit/s (so
 * serialisation adds microseconds only). The sessions are used directly:
 * - IKEv2: two route-based `ikeConfig` ends (Azure current defaults), `start('a')`.
 * - IKEv1: two policy-based ends (10.1.0.0/16 <-> 192.168.0.0/16), `start('a')`.
 * - SSTP: `SstpSession` with EAP-TLS (certificate), a fresh `SstpServerPool`.
 * - BGP: two `BgpSpeaker`s (AS 65515 / 65010, both ends active as the module
 *   defaults), `transportUp()` at t = 0.
 * Setup time is from the start (start(), connect(), transportUp()) at t = 0
 * to both ends up (IKE: both established; SSTP: the client connected, which
 * follows the gateway's CALL_CONNECTED; BGP: both Established). A run that is
 * not up within `--cap` seconds (default 600) counts as failed; median and
 * p95 are nearest-rank over all runs, a failed run counting as beyond the
 * cap (printed `>cap`). The theoretical no-loss values are k x RTT with
 * IKEv2 k = 2, IKEv1 k = 4.5, SSTP k = `setupRoundTrips('eapTls')` = 12;
 * BGP's k is derived from the zero-loss run at the largest RTT (rounded to
 * the half round trip) and printed.
 *
 * Part 2: `--clients` (default 1,000) IKEv2 P2S clients connecting at t = 0
 * to one VpnGw3 gateway (IKEv2 limit 1,000) in the full {@link Simulation}
 * (a scenario with one VNet, the gateway and the clients at location
 * `internet`; underlay `internet` <-> `westeurope` 10 ms one way, 1 % loss,
 * 1,000 Mbit/s, so every client shares that path's two directions as the
 * Underlay does). Prints the time until all are connected, median and max
 * setup, events executed and events per wall-clock second of the run loop.
 *
 * Measured (Node v20.20.2, 2 shared cores, seeds 1..1000, P2S seed 1): zero
 * loss gives exactly k x RTT (+ < 0.1 ms serialisation), BGP k = 2.5; with 5 %
 * loss medians stay at k x RTT except SSTP (+1 s, one TCP RTO: 26 segments
 * to a setup, 0.95^26 = 0.26), p95 adds one retransmission wait (IKE 4 s, TCP 1 s) or two
 * (IKEv1 8 s, SSTP 5 s, BGP 2 s). IKEv1 at 5 % fails 1 of 1,000 (seed 456 at
 * every RTT: the loss draws do not depend on the RTT) with `peerUnreachable`.
 * P2S: 1,000/1,000 connected, median 0.047 s (2 RTT + the shared path's
 * serialisation), all by 11.24 s; 6,060 events, 34-43 k events/s; the whole
 * run takes 9-10 s wall.
 *
 * Writes bench/results/sessions.csv (part 1 cells) unless `--out=` is empty.
 *
 * usage: tsx bench/sessions.ts [--json] [--seeds=1000] [--seed=1] [--cap=600]
 *   [--clients=1000] [--p2s-seed=1] [--out=bench/results]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BgpSession } from '../src/protocols/bgp/session.js';
import { BgpSpeaker } from '../src/protocols/bgp/speaker.js';
import { ikeConfig } from '../src/protocols/ike/config.js';
import { IkeSession } from '../src/protocols/ike/session.js';
import { setupRoundTrips } from '../src/protocols/sstp/machine.js';
import { SstpServerPool } from '../src/protocols/sstp/pool.js';
import { SstpSession } from '../src/protocols/sstp/session.js';
import { Simulation } from '../src/sim/engine/simulation.js';
import { Rng } from '../src/sim/kernel/rng.js';
import { Simulator } from '../src/sim/kernel/simulator.js';
import type { Scenario } from '../src/sim/net/scenario.js';
import { skuSpec } from '../src/sim/net/skus.js';
import { PathDirection } from '../src/sim/net/underlay.js';
import { formatRate, nodeVersion, parseArgs, positiveInt } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const SEEDS = positiveInt(args.options.get('seeds'), 1000, 'seeds');
const FIRST_SEED = positiveInt(args.options.get('seed'), 1, 'seed');
const CAP = positiveInt(args.options.get('cap'), 600, 'cap');
const CLIENTS = positiveInt(args.options.get('clients'), 1000, 'clients');
const P2S_SEED = positiveInt(args.options.get('p2s-seed'), 1, 'p2s-seed');
const OUT = args.options.get('out') ?? 'bench/results';

const RTTS_MS = [1, 20, 80, 200] as const;
const LOSSES = [0, 1, 5] as const;
const BANDWIDTH_MBPS = 1000;
const PROTOCOLS = ['IKEv2', 'IKEv1', 'SSTP', 'BGP'] as const;
type Protocol = (typeof PROTOCOLS)[number];

/** Round trips from start to up with no loss, as the modules document them (BGP filled in from a run). */
const K: Record<Protocol, number> = { IKEv2: 2, IKEv1: 4.5, SSTP: setupRoundTrips('eapTls'), BGP: NaN };

/** One run: setup seconds from t = 0 (undefined when not up within the cap) and events executed. */
interface Run {
  readonly setup: number | undefined;
  readonly events: number;
  /** Setup time as the session itself reports it (IKE/SSTP: of the last attempt), when up. */
  readonly reported: number | undefined;
}

function path(sim: Simulator, rng: Rng, rttMs: number, lossPercent: number): [PathDirection, PathDirection] {
  const f = { latencyMs: rttMs / 2, lossPercent, bandwidthMbps: BANDWIDTH_MBPS };
  return [new PathDirection(sim, rng.stream('bench/sessions/aToB'), { ...f }), new PathDirection(sim, rng.stream('bench/sessions/bToA'), { ...f })];
}

function runIke(version: 'IKEv1' | 'IKEv2', rttMs: number, loss: number, seed: number): Run {
  const sim = new Simulator();
  const [aToB, bToA] = path(sim, new Rng(seed), rttMs, loss);
  const policy = version === 'IKEv1';
  const vnet = '10.1.0.0/16', site = '192.168.0.0/16';
  const a = ikeConfig({ id: 'azure', sharedKey: 'abc123', vpnType: policy ? 'PolicyBased' : 'RouteBased', ...(policy ? { trafficSelectors: { local: [vnet], remote: [site] } } : {}) });
  const b = ikeConfig({ id: 'onprem', sharedKey: 'abc123', vpnType: policy ? 'PolicyBased' : 'RouteBased', ...(policy ? { trafficSelectors: { local: [site], remote: [vnet] } } : {}) });
  if (a.version !== version) throw new Error(`bench: expected ${version}, config gives ${a.version}`);
  let upAt: number | undefined;
  const s: IkeSession = new IkeSession({
    sim, a, b, aToB, bToA, name: 'bench',
    onEvent: (_t, _end, kind) => {
      if (kind === 'up' && upAt === undefined && s.state.state === 'up') { upAt = sim.nowUs; sim.stop(); }
    },
  });
  s.start('a');
  sim.run({ until: CAP });
  const reported = upAt === undefined ? undefined : s.setupTime;
  s.dispose();
  return { setup: upAt === undefined ? undefined : upAt / 1e6, events: sim.executed, reported };
}

function runSstp(rttMs: number, loss: number, seed: number): Run {
  const sim = new Simulator();
  const [toServer, toClient] = path(sim, new Rng(seed), rttMs, loss);
  const s = new SstpSession({
    sim, toServer, toClient, pool: new SstpServerPool(), name: 'bench',
    client: { os: 'windows', authMethod: 'eapTls', certificate: { subject: 'bench-client', root: 'P2SRootCert' } },
    server: { authMethod: 'eapTls', trustedRoots: ['P2SRootCert'] },
  });
  s.onStateChange((_t, state) => { if (state !== 'connecting') sim.stop(); });
  s.connect();
  sim.run({ until: CAP });
  const up = s.state === 'connected';
  return { setup: up ? s.setupTime : undefined, events: sim.executed, reported: up ? s.setupTime : undefined };
}

function runBgp(rttMs: number, loss: number, seed: number): Run {
  const sim = new Simulator();
  const [aToB, bToA] = path(sim, new Rng(seed), rttMs, loss);
  const azure = new BgpSpeaker(sim, { name: 'azure', asn: 65515, routerId: '10.1.255.30' });
  const onprem = new BgpSpeaker(sim, { name: 'onprem', asn: 65010, routerId: '192.168.1.1' });
  let upAt: number | undefined;
  const s: BgpSession = new BgpSession(sim, {
    name: 'bench', a: { speaker: azure }, b: { speaker: onprem }, aToB, bToA,
    onStateChange: () => { if (upAt === undefined && s.established) { upAt = sim.nowUs; sim.stop(); } },
  });
  const t0 = sim.nowUs;
  s.transportUp();
  sim.run({ until: CAP });
  const setup = upAt === undefined ? undefined : (upAt - t0) / 1e6;
  s.dispose();
  return { setup, events: sim.executed, reported: setup };
}

function runOne(p: Protocol, rttMs: number, loss: number, seed: number): Run {
  switch (p) {
    case 'IKEv1':
    case 'IKEv2': return runIke(p, rttMs, loss, seed);
    case 'SSTP': return runSstp(rttMs, loss, seed);
    case 'BGP': return runBgp(rttMs, loss, seed);
  }
}

/** Nearest-rank percentile of sorted values (Infinity stands for a failed run). */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

interface Cell {
  protocol: Protocol;
  rttMs: number;
  lossPercent: number;
  runs: number;
  failed: number;
  /** Runs up within the cap whose session-reported setup differs from time-from-start (a retried attempt). */
  retried: number;
  medianSeconds: number | null;
  p95Seconds: number | null;
  minSeconds: number | null;
  maxSeconds: number | null;
  events: number;
}

// ---------------------------------------------------------------- part 1
const wall0 = performance.now();
const cells: Cell[] = [];
for (const protocol of PROTOCOLS) {
  for (const rttMs of RTTS_MS) {
    for (const lossPercent of LOSSES) {
      const values: number[] = [];
      let failed = 0, retried = 0, events = 0;
      for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
        const r = runOne(protocol, rttMs, lossPercent, seed);
        events += r.events;
        if (r.setup === undefined) { failed++; values.push(Infinity); continue; }
        values.push(r.setup);
        if (r.reported !== undefined && Math.abs(r.reported - r.setup) > 1e-6) retried++;
      }
      values.sort((x, y) => x - y);
      const fin = (v: number): number | null => (Number.isFinite(v) ? round(v) : null);
      cells.push({
        protocol, rttMs, lossPercent, runs: SEEDS, failed, retried,
        medianSeconds: fin(percentile(values, 0.5)), p95Seconds: fin(percentile(values, 0.95)),
        minSeconds: fin(values[0]!), maxSeconds: fin(values[values.length - 1]!), events,
      });
    }
  }
}
const part1Wall = (performance.now() - wall0) / 1000;

// BGP's k from the zero-loss run at the largest RTT: serialisation is negligible there.
const bgpRef = cells.find((c) => c.protocol === 'BGP' && c.lossPercent === 0 && c.rttMs === RTTS_MS[RTTS_MS.length - 1]);
if (!bgpRef || bgpRef.medianSeconds === null) throw new Error('bench: BGP did not come up without loss');
K.BGP = Math.round((bgpRef.medianSeconds / (bgpRef.rttMs / 1000)) * 2) / 2;

// ---------------------------------------------------------------- part 2
function p2sScenario(n: number): Scenario {
  const clients = [];
  for (let i = 0; i < n; i++) clients.push({ name: `client${i}`, os: 'Windows' as const, gateway: 'VNet1GW', protocol: 'IkeV2' as const, rootCertificate: 'P2SRootCert' });
  // Enough pool addresses for every client (each pool loses 3: network, .1, broadcast).
  const poolBits = Math.max(8, Math.ceil(Math.log2(n + 3)));
  return {
    name: 'bench/sessions-p2s',
    seed: P2S_SEED,
    vnets: [{
      name: 'VNet1', location: 'westeurope', addressPrefixes: ['10.1.0.0/16'],
      subnets: [{ name: 'FrontEnd', addressPrefix: '10.1.0.0/24' }, { name: 'GatewaySubnet', addressPrefix: '10.1.255.0/27' }],
    }],
    gateways: [{
      name: 'VNet1GW', vnet: 'VNet1', vpnType: 'RouteBased', sku: 'VpnGw3',
      vpnClientConfiguration: {
        vpnClientAddressPool: [`172.16.0.0/${32 - poolBits}`], vpnClientProtocols: ['IkeV2'],
        vpnAuthenticationTypes: ['Certificate'], vpnClientRootCertificates: [{ name: 'P2SRootCert' }],
      },
    }],
    clients,
    underlay: { paths: [{ from: 'internet', to: 'westeurope', latencyMs: 10, lossPercent: 1, bandwidthMbps: BANDWIDTH_MBPS }] },
  } as Scenario;
}

const p2sLimit = skuSpec('VpnGw3').maxIkev2OpenVpnClients;
const build0 = performance.now();
const simulation = new Simulation(p2sScenario(CLIENTS), { seed: P2S_SEED, keepTrace: false, timeline: false });
const buildWall = (performance.now() - build0) / 1000;
const connectedAt: number[] = [];
const failures = new Map<string, number>();
simulation.trace.subscribe((r) => {
  if (r.type === 'client.connected') connectedAt.push(r.t);
  else if (r.type === 'client.failed') failures.set(String(r.reason), (failures.get(String(r.reason)) ?? 0) + 1);
  else return;
  let failedCount = 0;
  for (const v of failures.values()) failedCount += v;
  if (connectedAt.length + failedCount >= CLIENTS) simulation.sim.stop();
});
const run0 = performance.now();
const events0 = simulation.sim.executed;
simulation.sim.run({ until: CAP });
const runWall = (performance.now() - run0) / 1000;
const p2sEvents = simulation.sim.executed - events0;
connectedAt.sort((x, y) => x - y);
const p2s = {
  clients: CLIENTS,
  sku: 'VpnGw3',
  ikev2Limit: p2sLimit,
  seed: P2S_SEED,
  rttMs: 20,
  lossPercent: 1,
  bandwidthMbps: BANDWIDTH_MBPS,
  connected: connectedAt.length,
  failed: Object.fromEntries(failures),
  allConnectedSeconds: connectedAt.length === CLIENTS ? round(connectedAt[connectedAt.length - 1]!) : null,
  medianSetupSeconds: connectedAt.length > 0 ? round(percentile(connectedAt, 0.5)) : null,
  maxSetupSeconds: connectedAt.length > 0 ? round(connectedAt[connectedAt.length - 1]!) : null,
  theoreticalSeconds: round(2 * 0.02),
  events: p2sEvents,
  eventsPerSecond: Math.round(p2sEvents / runWall),
  buildWallSeconds: round(buildWall),
  runWallSeconds: round(runWall),
};

// ---------------------------------------------------------------- output
const theoretical = Object.fromEntries(PROTOCOLS.map((p) => [p, K[p]]));
if (OUT !== '') {
  mkdirSync(OUT, { recursive: true });
  const cols = ['protocol', 'rttMs', 'lossPercent', 'kRtt', 'theoreticalSeconds', 'medianSeconds', 'p95Seconds', 'minSeconds', 'maxSeconds', 'failed', 'retried', 'runs', 'events'] as const;
  const rows = cells.map((c) => ({ ...c, kRtt: K[c.protocol], theoreticalSeconds: round((K[c.protocol] * c.rttMs) / 1000) }));
  const csv = [cols.join(','), ...rows.map((r) => cols.map((k) => (r[k] === null ? '' : String(r[k]))).join(','))].join('\n') + '\n';
  writeFileSync(join(OUT, 'sessions.csv'), csv);
}
const totalWall = (performance.now() - wall0) / 1000;
if (args.json) {
  console.log(JSON.stringify({
    benchmark: 'sessions',
    node: nodeVersion(),
    seeds: { first: FIRST_SEED, count: SEEDS },
    capSeconds: CAP,
    bandwidthMbps: BANDWIDTH_MBPS,
    rttsMs: RTTS_MS,
    lossPercents: LOSSES,
    roundTrips: theoretical,
    cells: cells.map((c) => ({ ...c, theoreticalSeconds: round((K[c.protocol] * c.rttMs) / 1000) })),
    part1WallSeconds: round(part1Wall),
    p2s,
    wallSeconds: round(totalWall),
  }));
} else {
  console.log(`session setup: ${PROTOCOLS.join(', ')}; RTT ${RTTS_MS.join('/')} ms x loss ${LOSSES.join('/')} %; ${BANDWIDTH_MBPS} Mbit/s each direction; cap ${CAP} s`);
  console.log(`seeds ${FIRST_SEED}..${FIRST_SEED + SEEDS - 1} (${SEEDS} per cell, fresh Simulator + Rng(seed) each), node ${nodeVersion()}`);
  console.log(`setup = t=0 start to both ends up; median/p95 nearest-rank over all runs, a failed run counting as > cap; seconds`);
  console.log(`no-loss round trips k: IKEv2 ${K.IKEv2}, IKEv1 ${K.IKEv1}, SSTP ${K.SSTP} (EAP-TLS), BGP ${K.BGP} (derived: zero-loss median ${bgpRef.medianSeconds} s at ${bgpRef.rttMs} ms)`);
  console.log('');
  const head = ['proto', 'RTT ms', 'k*RTT'];
  for (const l of LOSSES) head.push(`${l}% med`, `${l}% p95`, `${l}% fail`);
  const rows: string[][] = [head];
  for (const protocol of PROTOCOLS) {
    for (const rttMs of RTTS_MS) {
      const row = [protocol, String(rttMs), fmt((K[protocol] * rttMs) / 1000)];
      for (const l of LOSSES) {
        const c = cells.find((x) => x.protocol === protocol && x.rttMs === rttMs && x.lossPercent === l)!;
        row.push(fmtCap(c.medianSeconds), fmtCap(c.p95Seconds), `${c.failed}/${c.runs}`);
      }
      rows.push(row);
    }
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
  const retried = cells.reduce((a, c) => a + c.retried, 0);
  const events1 = cells.reduce((a, c) => a + c.events, 0);
  console.log('');
  console.log(`part 1: ${cells.length * SEEDS} runs, ${events1} events, ${retried} runs up only after a restarted attempt, wall ${part1Wall.toFixed(2)} s`);
  console.log('');
  console.log(`P2S: ${CLIENTS} IKEv2 clients (certificate) -> one VpnGw3 (IKEv2 limit ${p2sLimit}) at t=0, full Simulation, path internet<->westeurope 20 ms RTT, 1% loss, ${BANDWIDTH_MBPS} Mbit/s shared; seed ${P2S_SEED}`);
  const failText = failures.size === 0 ? 'none' : [...failures].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`connected ${p2s.connected}/${CLIENTS} (failed: ${failText}); all connected at ${p2s.allConnectedSeconds === null ? 'never (within cap)' : `${p2s.allConnectedSeconds} s`}; setup median ${p2s.medianSetupSeconds} s, max ${p2s.maxSetupSeconds} s (no-loss 2 RTT = ${p2s.theoreticalSeconds} s)`);
  console.log(`${p2sEvents} events in ${runWall.toFixed(3)} s run loop: ${formatRate(p2s.eventsPerSecond)} events/s (${p2s.eventsPerSecond}); build ${buildWall.toFixed(3)} s`);
  console.log(`total wall ${totalWall.toFixed(2)} s${OUT !== '' ? `; wrote ${join(OUT, 'sessions.csv')}` : ''}`);
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function fmt(v: number): string {
  return v.toFixed(4);
}

function fmtCap(v: number | null): string {
  return v === null ? `>${CAP}` : fmt(v);
}
