import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { FlowLayer, runThroughput, throughputJson, DEFAULT_TCP_WINDOW_BYTES } from '../../../src/sim/engine/flows.js';
import { espGoodputFactor } from '../../../src/sim/flow/overhead.js';
import type { FlowDef, Scenario, SkuName, TimelineEntry } from '../../../src/sim/net/scenario.js';
import { UsageError } from '../../../src/errors.js';
import { gateway, shipped, site, v2v, vnet } from '../../helpers/build.js';

/** ESP tunnel mode, GCMAES256, MSS 1350: 1350 / 1444 B (overhead.ts). */
const ESP = 1350 / 1444;

/**
 * Hub (10.1.0.0/16, westeurope) with gateway HubGW of `sku`, a VM at
 * 10.1.0.4, and S2S sites Site<i> (10.<10+i>.0.0/16) each with a server at
 * 10.<10+i>.0.10, joined by connections HubToSite<i>.
 */
function hub(sku: SkuName, sites: { uplinkMbps?: number; latencyMs?: number }[], flows: FlowDef[], timeline: TimelineEntry[] = []): Scenario {
  return {
    name: 'flows-test', seed: 7,
    vnets: [vnet('Hub', 1)],
    gateways: [gateway('HubGW', 'Hub', { sku })],
    localNetworkGateways: sites.map((x, i) => site(`Site${i + 1}`, 11 + i, x.uplinkMbps ? { uplinkMbps: x.uplinkMbps } : {})),
    connections: sites.map((_, i) => ({ name: `HubToSite${i + 1}`, connectionType: 'IPsec' as const, gateway: 'HubGW', localNetworkGateway: `Site${i + 1}`, sharedKey: 'abc123' })),
    hosts: [{ name: 'vm', vnet: 'Hub', address: '10.1.0.4' }, ...sites.map((_, i) => ({ name: `server${i + 1}`, localNetworkGateway: `Site${i + 1}`, address: `10.${11 + i}.0.10` }))],
    underlay: { paths: sites.flatMap((x, i) => (x.latencyMs ? [{ from: 'westeurope', to: `Site${i + 1}`, latencyMs: x.latencyMs }] : [])) },
    flows, timeline,
  };
}

const close = (actual: number, expected: number, tol = 1e-6, what = ''): void => {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what} ${actual} is not ${expected}`);
};

const t = suite('flows on a simulation');

t('ESP factor used here is the one overhead.ts derives', () => {
  close(espGoodputFactor(), ESP, 1e-12);
});

t('Basic gateway, two S2S flows: 50 Mbit/s of wire each, times the ESP factor (R10)', () => {
  // Basic: aggregate 100 Mbit/s, per-tunnel ceiling = aggregate (legacy SKU), underlay 1000.
  // Two bulk flows through HubGW, both directions share the aggregate:
  //   wire 100 / 2 = 50 each; goodput 50 * 1350/1444 = 46.7452 Mbit/s.
  // 100 MB each: both end together, start + 100e6 * 8 / 46.7452e6 = start + 17.114 s.
  const r = runThroughput(hub('Basic', [{}, {}], [
    { name: 'down1', from: 'vm', to: 'server1', bytes: 100e6 },
    { name: 'up2', from: 'server2', to: 'vm', bytes: 100e6 },
  ]), { protocols: false });
  const [a, b] = r.flows;
  assert.is(a!.outcome, 'completed');
  assert.is(b!.outcome, 'completed');
  close(a!.goodputMbps, 50 * ESP, 1e-6, 'down1');
  close(b!.goodputMbps, 50 * ESP, 1e-6, 'up2');
  close(a!.end! - a!.start!, (100e6 * 8) / (50 * ESP * 1e6), 1e-5, 'duration');
  assert.is(a!.bytes, 100e6);
  assert.equal(a!.connections, ['HubToSite1']);
  assert.equal(a!.gateways, ['HubGW']);
  // Gateway total: 200 MB over the same span: the whole aggregate, 100 * ESP.
  const gw = r.gateways[0]!;
  assert.is(gw.sku, 'Basic');
  assert.is(gw.capacityMbps, 100);
  close(gw.goodputMbps, 100 * ESP, 1e-5, 'gateway');
  close(r.tunnels.find((x) => x.connection === 'HubToSite1')!.goodputMbps, 50 * ESP, 1e-5, 'tunnel');
  close(r.jainIndex, 1, 1e-9);
});

t('a slow site uplink leaves its share to the other flow (max-min)', () => {
  // VpnGw1: aggregate 650, per tunnel 650 (GCMAES256), underlay 1000.
  // Site2 uplink 100 Mbit/s: its flow is held at 100 wire; Site1 gets 650 - 100 = 550.
  // Goodput: 550 * ESP = 514.20, 100 * ESP = 93.49. Duration flows run 10 s each.
  const r = runThroughput(hub('VpnGw1', [{}, { uplinkMbps: 100 }], [
    { name: 'fast', from: 'server1', to: 'vm', duration: 10 },
    { name: 'slow', from: 'server2', to: 'vm', duration: 10 },
  ]), { protocols: false });
  const fast = r.flows[0]!, slow = r.flows[1]!;
  assert.is(fast.outcome, 'expired');
  close(fast.goodputMbps, 550 * ESP, 1e-6, 'fast');
  close(slow.goodputMbps, 100 * ESP, 1e-6, 'slow');
  close(slow.bytes, (100 * ESP * 1e6 * 10) / 8, 1e-6, 'slow bytes');
  assert.ok(slow.resources.includes('uplink:site:Site2'));
  assert.not.ok(fast.resources.includes('uplink:site:Site2'));
  // Jain over (514.2, 93.49): (607.69)^2 / (2 * (514.2^2 + 93.49^2)) = 0.6771.
  const x = 550 * ESP, y = 100 * ESP;
  close(r.jainIndex, (x + y) ** 2 / (2 * (x * x + y * y)), 1e-6, 'jain');
});

t('equal shares without the uplink cap: 325 each on VpnGw1', () => {
  // Control for the previous case: the 100 Mbit/s cap is what makes the difference.
  const r = runThroughput(hub('VpnGw1', [{}, {}], [
    { name: 'a', from: 'server1', to: 'vm', duration: 10 },
    { name: 'b', from: 'server2', to: 'vm', duration: 10 },
  ]), { protocols: false });
  close(r.flows[0]!.goodputMbps, 325 * ESP);
  close(r.flows[1]!.goodputMbps, 325 * ESP);
});

t('a tunnel failing mid-flow: its flow waits, the other takes the whole gateway', () => {
  // Basic, 100 wire. Two 30 s flows from data start s0 (one RTT after t=0).
  // HubToSite1 fails at t=10, restored at t=20 (instant tunnel layer).
  //   flow1: 50 on [s0,10], 0 on [10,20], 50 on [20,s0+30]: 20 s at 50 -> 1000 Mbit of wire.
  //   flow2: 50 on [s0,10], 100 on [10,20], 50 on [20,s0+30]: 2000 Mbit of wire.
  // Goodput bytes: 1000e6 * ESP / 8 = 116.86 MB and 2000e6 * ESP / 8 = 233.73 MB (s0 cancels out).
  const r = runThroughput(hub('Basic', [{}, {}], [
    { name: 'f1', from: 'vm', to: 'server1', duration: 30 },
    { name: 'f2', from: 'vm', to: 'server2', duration: 30 },
  ], [
    { at: 10, action: 'fail', target: 'HubToSite1' },
    { at: 20, action: 'restore', target: 'HubToSite1' },
  ]), { protocols: false });
  const [f1, f2] = r.flows;
  assert.is(f1!.outcome, 'expired');
  close(f1!.bytes, (1000e6 * ESP) / 8, 1e-6, 'f1 bytes');
  close(f2!.bytes, (2000e6 * ESP) / 8, 1e-6, 'f2 bytes');
  close(f1!.goodputMbps, (1000 * ESP) / 30, 1e-6, 'f1 goodput');
});

t('a flow started while its tunnel is down waits for it (like TCP SYN retries), then runs', () => {
  // HubToSite1 fails at t=10 and is restored at t=20; the flow is asked for at t=12: its probe
  // meets the down tunnel (tunnelDown, a passing state), and it is probed again on tunnel.up at 20.
  const s = new Simulation(hub('Basic', [{}], [{ name: 'f', from: 'vm', to: 'server1', start: 12, bytes: 1e6 }], [
    { at: 10, action: 'fail', target: 'HubToSite1' },
    { at: 20, action: 'restore', target: 'HubToSite1' },
  ]), { protocols: false });
  const layer = new FlowLayer(s);
  s.runUntil(19);
  assert.is(layer.flow('f').outcome, 'waiting');
  s.runUntil(30);
  const f = layer.flow('f');
  assert.is(f.outcome, 'completed');
  assert.ok(f.start! > 20 && f.start! < 20.1, String(f.start));
});

t('a flow whose tunnel stays down gives up after pathWaitSeconds', () => {
  const s = new Simulation(hub('Basic', [{}], [{ name: 'f', from: 'vm', to: 'server1', start: 12, bytes: 1e6 }], [
    { at: 10, action: 'fail', target: 'HubToSite1' },
  ]), { protocols: false });
  const layer = new FlowLayer(s, { pathWaitSeconds: 5 });
  s.runUntil(100);
  const f = layer.flow('f');
  // Probes at 12, 13, 15 (backoff 1 s, 2 s) and a last one at 12 + 5 = 17, dropped at the
  // gateway two internal hops (2 x 100 µs) later.
  assert.equal([f.outcome, f.reason, f.end], ['unreachable', 'tunnelDown', 17.0002]);
});

t('the failure is followed from the trace: tunnel.down then tunnel.up records, rate 0 in between', () => {
  const s = new Simulation(hub('Basic', [{}, {}], [
    { name: 'f1', from: 'vm', to: 'server1', duration: 30 },
    { name: 'f2', from: 'vm', to: 'server2', duration: 30 },
  ], [
    { at: 10, action: 'fail', target: 'HubToSite1' },
    { at: 20, action: 'restore', target: 'HubToSite1' },
  ]), { protocols: false });
  const layer = new FlowLayer(s);
  s.runUntil(15);
  assert.is(layer.flow('f1').rateMbps, 0);
  close(layer.flow('f2').rateMbps!, 100 * ESP);
  s.runUntil(25);
  close(layer.flow('f1').rateMbps!, 50 * ESP);
  const types = s.trace.records.filter((x) => x.type === 'tunnel.down' || x.type === 'tunnel.up').map((x) => `${x.type}@${x.t}`);
  assert.ok(types.includes('tunnel.down@10') && types.includes('tunnel.up@20'), types.join(' '));
});

t('a flow with no route ends at once: goodput 0, flow.end with outcome unreachable', () => {
  // Site2 exists but no connection reaches it: the VM's fabric has no route to 10.12.0.0/16.
  const sc = hub('Basic', [{}], [{ name: 'lost', from: 'vm', to: 'server2', start: 2, bytes: 1e6 }]);
  sc.localNetworkGateways!.push(site('Site2', 12));
  sc.hosts!.push({ name: 'server2', localNetworkGateway: 'Site2', address: '10.12.0.10' });
  const s = new Simulation(sc, { protocols: false });
  const layer = new FlowLayer(s);
  s.runUntil(5);
  const f = layer.flow('lost');
  assert.is(f.outcome, 'unreachable');
  assert.is(f.goodputMbps, 0);
  assert.is(f.bytes, 0);
  // Found when the probe is dropped: at the VM's fabric, one internal hop (100 µs) after t=2.
  assert.is(f.start, 2.0001);
  assert.is(f.end, 2.0001);
  assert.is(f.reason, 'noRoute');
  const end = s.trace.records.find((x) => x.type === 'flow.end')!;
  assert.equal({ ...end }, { t: 2.0001, type: 'flow.end', flow: 'lost', bytes: 0, goodputMbps: 0, outcome: 'unreachable', reason: 'noRoute' });
});

t('flow.start and flow.end records carry the documented fields', () => {
  const s = new Simulation(hub('Basic', [{}], [{ name: 'f', from: 'vm', to: 'server1', bytes: 1e6 }]), { protocols: false });
  new FlowLayer(s);
  s.runUntil(10);
  const start = s.trace.records.find((x) => x.type === 'flow.start')!;
  const end = s.trace.records.find((x) => x.type === 'flow.end')!;
  assert.equal(Object.keys(start), ['t', 'type', 'flow', 'from', 'to', 'kind']);
  assert.equal(Object.keys(end), ['t', 'type', 'flow', 'bytes', 'goodputMbps', 'outcome']);
  assert.equal([start.flow, start.from, start.to, start.kind, end.outcome, end.bytes], ['f', 'vm', 'server1', 'tcp', 'completed', 1e6]);
  assert.ok(start.t > 0, 'data begins one round trip after the request');
});

t('TCP window limit: goodput = window / RTT on a long path, the rest goes to the near site', () => {
  // Site2 is 100 ms away one way: RTT ~ 0.2 s; 4 MiB * 8 / 0.2 s = 167.8 Mbit/s of goodput.
  // VpnGw1 650 wire: Site2 takes 167.8 / ESP = 179.5 wire, Site1 the remaining 470.5 wire.
  // (Rates read at t=5: 'near' starts 0.18 s earlier and has the gateway to itself until then.)
  const s = new Simulation(hub('VpnGw1', [{}, { latencyMs: 100 }], [
    { name: 'near', from: 'server1', to: 'vm', duration: 10 },
    { name: 'far', from: 'server2', to: 'vm', duration: 10 },
  ]), { protocols: false });
  const layer = new FlowLayer(s);
  s.runUntil(5);
  const far = layer.flow('far');
  assert.ok(far.rttSeconds! > 0.2 && far.rttSeconds! < 0.201, String(far.rttSeconds));
  const cap = (DEFAULT_TCP_WINDOW_BYTES * 8) / far.rttSeconds! / 1e6;
  close(far.rateMbps!, cap, 1e-9, 'far');
  close(layer.flow('near').rateMbps!, (650 - cap / ESP) * ESP, 1e-9, 'near');
  s.runUntil(20);
  close(layer.flow('far').goodputMbps, cap, 1e-6, 'far, whole life');
});

t('UDP at a fixed rate gets that rate; a startFlow timeline entry starts a flow', () => {
  // 30 Mbit/s of goodput for 10 s: 30e6 * 10 / 8 = 37.5 MB, whatever the ESP overhead.
  const r = runThroughput(hub('Basic', [{}], [], [
    { at: 5, action: 'startFlow', name: 'video', from: 'server1', to: 'vm', kind: 'udp', rateMbps: 30, duration: 10 },
  ]), { protocols: false });
  const f = r.flows[0]!;
  assert.is(f.name, 'video');
  assert.is(f.requestedAt, 5);
  assert.ok(f.start! > 5 && f.start! < 5.1);
  close(f.goodputMbps, 30);
  close(f.bytes, 37.5e6);
  close(f.end! - f.start!, 10, 1e-9);
});

t('P2S and S2S share the VpnGw1 aggregate: six flows, 650/6 of wire each (R10)', () => {
  // Shipped scenario: 3 S2S flows (ESP), 2 IKEv2 clients (ESP with NAT-T), 1 SSTP client.
  // No other limit binds (per tunnel 650, underlay 1000 shared by 3 clients = 325), so
  // every flow gets 650 / 6 = 108.33 wire; goodput = 108.33 * its factor.
  const s = new Simulation(shipped('throughput/vpngw1-shared.json'), { protocols: false });
  const layer = new FlowLayer(s);
  s.runUntil(10);
  const rates = layer.results().map((f) => f.rateMbps! / f.goodputFactor);
  for (const w of rates) close(w, 650 / 6, 1e-9, 'wire rate');
  close(layer.results()[0]!.goodputFactor, ESP, 1e-12);
  assert.ok(layer.results()[3]!.goodputFactor < layer.results()[4]!.goodputFactor, 'SSTP costs more than ESP with NAT-T');
});

t('a gateway resize changes the shared capacity (gateway.resized)', () => {
  // VpnGw1 -> VpnGw2 (Generation1: aggregate 1000, per tunnel 1200) at t=10, with the protocol layer.
  // Two flows: 325 wire each before, 500 each after.
  const sc = hub('VpnGw1', [{}, {}], [
    { name: 'a', from: 'server1', to: 'vm', duration: 30 },
    { name: 'b', from: 'server2', to: 'vm', duration: 30 },
  ], [{ at: 10, action: 'resizeGateway', gateway: 'HubGW', sku: 'VpnGw2' }]);
  sc.underlay = { defaults: { bandwidthMbps: 10000 } };
  const s = new Simulation(sc);
  const layer = new FlowLayer(s);
  s.runUntil(5);
  close(layer.flow('a').rateMbps!, 325 * ESP);
  s.runUntil(15);
  close(layer.flow('a').rateMbps!, 500 * ESP);
  const gw = layer.gatewayTotals()[0]!;
  assert.equal([gw.sku, gw.capacityMbps], ['VpnGw2', 1000]);
});

t('with the protocol layer, flows at t=0 start once their tunnels are up', () => {
  const s = new Simulation(hub('Basic', [{}], [{ name: 'f', from: 'vm', to: 'server1', bytes: 1e6 }]));
  const layer = new FlowLayer(s);
  s.runUntil(30);
  const up = s.trace.records.find((x) => x.type === 'tunnel.up')!;
  const f = layer.flow('f');
  assert.is(f.outcome, 'completed');
  assert.ok(f.start! > up.t, `${f.start} after ${up.t}`);
});

t('determinism: one seed, one report and one trace fingerprint', () => {
  const a = runThroughput(shipped('throughput/tunnel-failure.json'));
  const b = runThroughput(shipped('throughput/tunnel-failure.json'));
  assert.is(a.traceFingerprint, b.traceFingerprint);
  assert.equal(throughputJson(a), throughputJson(b));
  assert.equal(a.flows, b.flows);
});

t('the JSON contract has exactly its keys', () => {
  const j = throughputJson(runThroughput(shipped('throughput/slow-uplink.json')));
  assert.equal(Object.keys(j), ['scenario', 'flows', 'tunnels', 'gateways']);
  assert.is(j.scenario, 'throughput/slow-uplink');
  assert.is(j.flows.length, 3);
  for (const f of j.flows) assert.equal(Object.keys(f), ['name', 'bytes', 'start', 'end', 'goodputMbps']);
  for (const x of j.tunnels) assert.equal(Object.keys(x), ['connection', 'goodputMbps']);
  for (const g of j.gateways) assert.equal(Object.keys(g), ['name', 'sku', 'capacityMbps', 'goodputMbps']);
  assert.equal(j.gateways.map((g) => [g.name, g.sku, g.capacityMbps]), [['HubGW', 'VpnGw1', 650]]);
  const parsed = JSON.parse(JSON.stringify(j));
  assert.equal(parsed, j);
});

t('VNet-to-VNet: both gateways count, and the two connections are one tunnel', () => {
  // VNet1GW (VpnGw1, 650) and VNet2GW (Standard, 100; legacy per-tunnel = aggregate): tunnel ceiling min(650, 100) = 100.
  // Two flows, one each way, share the tunnel and both aggregates: 50 wire each.
  const sc: Scenario = {
    name: 'v2v-flows', vnets: [vnet('VNet1', 1), vnet('VNet2', 2)],
    gateways: [gateway('VNet1GW', 'VNet1'), gateway('VNet2GW', 'VNet2', { sku: 'Standard' })],
    connections: v2v('VNet1', 'VNet2'),
    hosts: [{ name: 'a', vnet: 'VNet1', address: '10.1.0.4' }, { name: 'b', vnet: 'VNet2', address: '10.2.0.4' }],
    flows: [{ name: 'ab', from: 'a', to: 'b', duration: 10 }, { name: 'ba', from: 'b', to: 'a', duration: 10 }],
  };
  const s = new Simulation(sc, { protocols: false });
  const layer = new FlowLayer(s);
  s.runUntil(5);
  const ab = layer.flow('ab'), ba = layer.flow('ba');
  assert.equal(ab.gateways, ['VNet1GW', 'VNet2GW']);
  assert.equal(ab.connections, ['VNet1toVNet2']);
  assert.equal(ba.connections, ['VNet2toVNet1']);
  assert.ok(ab.resources.includes('tunnel:VNet1toVNet2') && ba.resources.includes('tunnel:VNet1toVNet2'));
  close(ab.rateMbps!, 50 * ESP);
  close(ba.rateMbps!, 50 * ESP);
});

t('a P2S client that disconnects: its flow waits at rate 0 (R19: no reconnect)', () => {
  const s = new Simulation(shipped('throughput/vpngw1-shared.json'), { protocols: false });
  const layer = new FlowLayer(s);
  s.runUntil(5);
  s.disconnectClient('bob-linux');
  s.runUntil(6);
  assert.is(layer.flow('bob-linux-upload').rateMbps, 0);
  // The other five share 650: 130 wire each.
  close(layer.flow('vm-to-branch1').rateMbps!, 130 * ESP);
});

t('startFlow rejects a duplicate name and a UDP flow without a rate', () => {
  const s = new Simulation(hub('Basic', [{}], [{ name: 'f', from: 'vm', to: 'server1', bytes: 1e6 }]), { protocols: false });
  const layer = new FlowLayer(s);
  assert.throws(() => layer.startFlow({ name: 'f', from: 'vm', to: 'server1', bytes: 1 }), (e: unknown) => e instanceof UsageError && e.rule === 'duplicate');
  assert.throws(() => layer.startFlow({ name: 'g', from: 'vm', to: 'server1', kind: 'udp', duration: 1 }), (e: unknown) => e instanceof UsageError && e.rule === 'required');
});

t.run();
