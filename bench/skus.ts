/**
 * Throughput across gateway SKUs, both eras: for each SKU (AZ variants carry
 * the figures of their base SKU and are left out), a gateway with
 * N = min(SKU tunnel limit, 10) S2S tunnels and M = 20 P2S clients, every one
 * running one bulk TCP flow for 60 simulated seconds on the flow engine.
 *
 * Resources per SKU: the gateway aggregate (R10: shared by S2S and P2S), one
 * per-tunnel ceiling per tunnel (the SKU's figure for the cipher), one site
 * uplink per tunnel (500 Mbit/s), one downlink per client (100 Mbit/s).
 * Goodput factors: S2S ESP tunnel mode with the cipher; P2S SSTP, and on SKUs
 * with IKEv2 P2S every other client IKEv2 (ESP GCM with NAT-T).
 *
 * Prints a table; writes bench/results/skus.csv and bench/results/skus.svg
 * (Vega-Lite, rendered in Node). No randomness is drawn; the seed is printed
 * for the record.
 *
 * usage: tsx bench/skus.ts [--json] [--cipher=GCMAES256|AES256_SHA256|DES3_SHA256]
 *   [--tunnels=10] [--clients=20] [--uplink=500] [--downlink=100] [--out=bench/results]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { FlowEngine } from '../src/sim/flow/flow-engine.js';
import { jainIndex } from '../src/sim/flow/fairness.js';
import { espGoodputFactor, sstpGoodputFactor } from '../src/sim/flow/overhead.js';
import { Simulator } from '../src/sim/kernel/simulator.js';
import { SKU_CATALOGUE, type TunnelCipher } from '../src/sim/net/skus.js';
import { nodeVersion, parseArgs, positiveInt } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const cipher = (args.options.get('cipher') ?? 'GCMAES256') as TunnelCipher;
if (!['GCMAES256', 'AES256_SHA256', 'DES3_SHA256'].includes(cipher)) throw new RangeError(`--cipher: ${cipher} is unknown. Use GCMAES256, AES256_SHA256 or DES3_SHA256`);
const maxTunnels = positiveInt(args.options.get('tunnels'), 10, 'tunnels');
const clients = positiveInt(args.options.get('clients'), 20, 'clients');
const uplink = positiveInt(args.options.get('uplink'), 500, 'uplink');
const downlink = positiveInt(args.options.get('downlink'), 100, 'downlink');
const outDir = args.options.get('out') ?? 'bench/results';
const seed = 'none (deterministic, no draws)';
const DURATION = 60;

interface Row {
  sku: string; generation: string; era: string; aggregateMbps: number; perTunnelMbps: number;
  tunnels: number; clients: number; goodputMbps: number; s2sMbps: number; p2sMbps: number;
  perTunnelMeanMbps: number; perClientMeanMbps: number; p2sShare: number; jain: number; events: number;
}

const espFactor = espGoodputFactor({ cipher });
const ikev2Factor = espGoodputFactor({ cipher: 'GCMAES256', natTraversal: true });
const sstpFactor = sstpGoodputFactor();
const rows: Row[] = [];
for (const sku of SKU_CATALOGUE.filter((s) => !s.name.endsWith('AZ'))) {
  const sim = new Simulator();
  const eng = new FlowEngine(sim);
  const n = Math.min(sku.maxTunnels, maxTunnels);
  eng.addResource('gw', sku.aggregateMbps);
  for (let t = 0; t < n; t++) {
    eng.addResource(`tun${t}`, sku.perTunnelMbps[cipher]);
    eng.addResource(`site${t}`, uplink);
    eng.addFlow({ id: `s2s${t}`, group: 's2s', resources: ['gw', `tun${t}`, `site${t}`], duration: DURATION, goodputFactor: espFactor });
  }
  for (let c = 0; c < clients; c++) {
    eng.addResource(`client${c}`, downlink);
    const ikev2 = sku.maxIkev2OpenVpnClients > 0 && c % 2 === 1;
    eng.addFlow({ id: `p2s${c}`, group: 'p2s', resources: ['gw', `client${c}`], duration: DURATION, goodputFactor: ikev2 ? ikev2Factor : sstpFactor });
  }
  const shares: number[] = [];
  eng.on('flow.end', (e) => shares.push(e.goodputMbps));
  sim.run();
  const s2sMbps = (eng.flowGroupStats('s2s').bytes * 8) / DURATION / 1e6;
  const p2sMbps = (eng.flowGroupStats('p2s').bytes * 8) / DURATION / 1e6;
  rows.push({
    sku: sku.name, generation: sku.generation, era: sku.era, aggregateMbps: sku.aggregateMbps,
    perTunnelMbps: sku.perTunnelMbps[cipher], tunnels: n, clients, goodputMbps: s2sMbps + p2sMbps, s2sMbps, p2sMbps,
    perTunnelMeanMbps: s2sMbps / n, perClientMeanMbps: p2sMbps / clients, p2sShare: p2sMbps / (s2sMbps + p2sMbps),
    jain: jainIndex(shares), events: sim.executed,
  });
}

const r1 = (x: number): number => Number(x.toFixed(1));
const r3 = (x: number): number => Number(x.toFixed(3));
mkdirSync(outDir, { recursive: true });
const columns = Object.keys(rows[0]!) as (keyof Row)[];
const csv = [columns.join(','), ...rows.map((r) => columns.map((k) => (typeof r[k] === 'number' ? r3(r[k] as number) : r[k])).join(','))].join('\n') + '\n';
writeFileSync(join(outDir, 'skus.csv'), csv);

const label = (r: Row): string => `${r.sku}${r.era === 'current' ? ` ${r.generation === 'Generation1' ? 'Gen1' : 'Gen2'}` : ' (2016)'}`;
const data = rows.flatMap((r) => [
  { sku: label(r), order: rows.indexOf(r), kind: 'S2S', mbps: r1(r.s2sMbps), aggregate: r.aggregateMbps },
  { sku: label(r), order: rows.indexOf(r), kind: 'P2S', mbps: r1(r.p2sMbps), aggregate: r.aggregateMbps },
]);
const spec: vl.TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: `Goodput by gateway SKU: ${maxTunnels} S2S tunnels max, ${clients} P2S clients, bulk TCP`, subtitle: `cipher ${cipher}; site uplinks ${uplink} Mbit/s, client downlinks ${downlink} Mbit/s; tick = SKU aggregate` },
  width: 560, height: 320,
  data: { values: data },
  encoding: { x: { field: 'sku', type: 'nominal', sort: null, title: null, axis: { labelAngle: -35 } } },
  layer: [
    { mark: 'bar', encoding: { y: { field: 'mbps', type: 'quantitative', aggregate: 'sum', title: 'goodput (Mbit/s)' }, color: { field: 'kind', type: 'nominal', title: null } } },
    { mark: { type: 'tick', color: 'black', thickness: 2 }, encoding: { y: { field: 'aggregate', type: 'quantitative', aggregate: 'max' } } },
  ],
};
const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
writeFileSync(join(outDir, 'skus.svg'), await view.toSVG());
view.finalize();

if (args.json) console.log(JSON.stringify({ benchmark: 'skus', seed, node: nodeVersion(), cipher, rows }));
else {
  console.log(`SKU throughput: up to ${maxTunnels} S2S tunnels + ${clients} P2S clients, bulk TCP for ${DURATION} s, cipher ${cipher}, uplinks ${uplink}, downlinks ${downlink} Mbit/s`);
  console.log(`seed ${seed}, node ${nodeVersion()}, events ${rows.reduce((a, r) => a + r.events, 0)}`);
  console.table(rows.map((r) => ({
    SKU: label(r), 'aggregate Mbit/s': r.aggregateMbps, 'tunnel ceiling': r.perTunnelMbps, tunnels: r.tunnels, 'goodput Mbit/s': r1(r.goodputMbps),
    'per tunnel': r1(r.perTunnelMeanMbps), 'per client': r1(r.perClientMeanMbps), 'P2S share': r3(r.p2sShare), Jain: r3(r.jain),
  })));
  console.log(`wrote ${join(outDir, 'skus.csv')} and ${join(outDir, 'skus.svg')}`);
}
