/**
 * Validation scaling: `npm run bench:validate [-- --max 100000]`.
 *
 * Series N: N VNets and N sites (1k, 10k, 100k), a route-based gateway in
 * every tenth VNet with ten S2S connections to sites each, a peering pair
 * every twentieth VNet, and a P2S pool on every hundredth gateway.
 * Series T: 1,000 VNets and sites as above, plus T timeline entries (100,
 * 1,000, 10,000) that create and delete gateways on 500 more VNets and add
 * and remove connections, each of which re-checks the rules it touches.
 *
 * Prints each size's best-of-3 time and the exponent fitted to log(time)
 * against log(size) by least squares (1 is linear; the target is about
 * 1, i.e. O((N + T) log N)). Every generated scenario is valid: a scenario
 * that gives an error stops the benchmark.
 */
import { validateScenario } from '../src/sim/net/validate.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const MAX = arg('max', 100_000);

/** The a-th /25 of 10.0.0.0/8 as "10.x.y.z". */
function block25(a: number): [string, string, string] {
  const base = 10 * 2 ** 24 + a * 128;
  const o = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  return [`${o(base)}/25`, `${o(base)}/26`, `${o(base + 96)}/27`];
}

/** The a-th /29 of 172.16.0.0/12. */
function block29(a: number): string {
  const base = (172 * 2 ** 24 + 16 * 2 ** 16) + a * 8;
  return `${[base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.')}/29`;
}

function topology(n: number, extraVnets = 0): Record<string, unknown> {
  const vnets: unknown[] = [];
  const gateways: unknown[] = [];
  const sites: unknown[] = [];
  const connections: unknown[] = [];
  const peerings: unknown[] = [];
  for (let i = 0; i < n + extraVnets; i++) {
    const [space, front, gws] = block25(i);
    vnets.push({ name: `v${i}`, location: `r${i % 7}`, addressPrefixes: [space], subnets: [{ name: 'Front', addressPrefix: front }, { name: 'GatewaySubnet', addressPrefix: gws }] });
  }
  for (let i = 0; i < n; i++) {
    sites.push({ name: `s${i}`, gatewayIpAddress: `203.0.${(i >> 8) & 255}.${i & 255}`, addressPrefixes: [block29(i)] });
  }
  for (let g = 0; g * 10 < n; g++) {
    const pool = g % 10 === 0 ? { vpnClientConfiguration: { vpnClientAddressPool: [`100.${64 + ((g / 10) >> 8)}.${(g / 10) & 255}.0/24`], vpnClientProtocols: ['IkeV2'] } } : {};
    gateways.push({ name: `g${g}`, vnet: `v${g * 10}`, vpnType: 'RouteBased', sku: 'VpnGw1', ...pool });
    for (let k = 0; k < 10 && g * 10 + k < n; k++) {
      connections.push({ name: `c${g}-${k}`, connectionType: 'IPsec', gateway: `g${g}`, localNetworkGateway: `s${g * 10 + k}`, sharedKey: 'abc123' });
    }
  }
  for (let i = 1; i + 1 < n; i += 20) {
    peerings.push({ vnet: `v${i}`, remoteVnet: `v${i + 1}` }, { vnet: `v${i + 1}`, remoteVnet: `v${i}` });
  }
  return { name: `bench-${n}`, vnets, gateways, localNetworkGateways: sites, connections, peerings };
}

function withTimeline(t: number): unknown {
  const n = 1000;
  const s = topology(n, 500) as Record<string, unknown>;
  const timeline: unknown[] = [];
  for (let i = 0; i < t; i++) {
    const k = i % 500;
    const round = Math.floor(i / 500);
    const at = i;
    if (i % 4 < 2) {
      // createGateway / deleteGateway on VNet n + k (no gateway of its own).
      if (round % 2 === 0) timeline.push({ at, action: 'createGateway', name: `tg${k}`, vnet: `v${n + k}`, vpnType: 'RouteBased', sku: 'VpnGw1' });
      else timeline.push({ at, action: 'deleteGateway', gateway: `tg${k}` });
    } else if (round % 2 === 0) {
      timeline.push({ at, action: 'addConnection', name: `tc${k}`, connectionType: 'IPsec', gateway: `g${k % (n / 10)}`, localNetworkGateway: `s${((k % (n / 10)) * 10 + 10 + Math.floor(k / (n / 10))) % n}`, sharedKey: 'abc123' });
    } else {
      timeline.push({ at, action: 'removeConnection', connection: `tc${k}` });
    }
  }
  s.timeline = timeline;
  return s;
}

function time(make: () => unknown): number {
  const value = make();
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const { errors } = validateScenario(value);
    const ms = performance.now() - t0;
    if (errors.length > 0) throw new Error(`generated scenario is invalid: ${errors.slice(0, 3).map((e) => e.message).join('; ')}`);
    best = Math.min(best, ms);
  }
  return best;
}

function exponent(points: [number, number][]): number {
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0, den = 0;
  for (let i = 0; i < xs.length; i++) { num += (xs[i]! - mx) * (ys[i]! - my); den += (xs[i]! - mx) ** 2; }
  return num / den;
}

console.log(`bench:validate node ${process.version} (best of 3 per size)`);
const nPoints: [number, number][] = [];
for (const n of [1_000, 10_000, 100_000].filter((x) => x <= MAX)) {
  const ms = time(() => topology(n));
  nPoints.push([n, ms]);
  console.log(`N ${String(n).padStart(7)} VNets + ${n} sites, ${n / 10} gateways, ${n} connections: ${ms.toFixed(1)} ms`);
}
if (nPoints.length > 1) console.log(`N series: fitted exponent ${exponent(nPoints).toFixed(2)} (time ~ N^k)`);
const tPoints: [number, number][] = [];
for (const t of [100, 1_000, 10_000]) {
  const ms = time(() => withTimeline(t));
  tPoints.push([t, ms]);
  console.log(`T ${String(t).padStart(7)} timeline entries over 1,500 VNets + 1,000 sites: ${ms.toFixed(1)} ms`);
}
console.log(`T series: fitted exponent ${exponent(tPoints).toFixed(2)} (time ~ T^k; the fixed topology's cost included)`);
