import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { evaluateReach, reachJson } from '../../../src/sim/engine/reach.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';
import { gateway, p2sPool, shipped, site, v2v, vnet } from '../../helpers/build.js';
import { probeAt, records } from '../../helpers/run.js';

const protocols = suite('protocol layer');


const ids = ['isolated', 'multipeered', 'multis2s', 'multis2sbgp', 'vnetbranch', 'vnetbranchbgp', 'multivnets2sbranch', 'multivnets2sbranchbgp'];
for (const id of ids) {
  protocols(`${id}: real sessions converge to the same reachability as the instant layer`, () => {
    const real = reachJson(evaluateReach(new Simulation(shipped(`p2s-routing/${id}.json`))));
    const instant = reachJson(evaluateReach(new Simulation(shipped(`p2s-routing/${id}.json`), { protocols: false })));
    assert.equal({ ...real, at: 0 }, { ...instant, at: 0 });
  });
}

// Two VNets in two regions, 30 ms one way: RTT 60 ms.
const pair = (extra: Partial<Scenario> = {}): Scenario => ({
  name: 'pair', vnets: [vnet('VNet1', 1, 'eastus'), vnet('VNet2', 2, 'westus')],
  gateways: [gateway('VNet1GW', 'VNet1'), gateway('VNet2GW', 'VNet2')],
  connections: v2v('VNet1', 'VNet2'),
  hosts: [{ name: 'vm1', vnet: 'VNet1', address: '10.1.0.4' }, { name: 'vm2', vnet: 'VNet2', address: '10.2.0.4' }],
  underlay: { paths: [{ from: 'eastus', to: 'westus', latencyMs: 30, bandwidthMbps: 1e9 }] },
  ...extra,
});

protocols('an IKEv2 VNet-to-VNet tunnel is up after exactly 2 RTT', () => {
  const s = new Simulation(pair());
  s.runUntil(1);
  const up = records(s, 'tunnel.up');
  assert.equal(up.map((r) => r.connection), ['VNet1toVNet2', 'VNet2toVNet1']);
  // IKE_SA_INIT + IKE_AUTH: 4 messages, 2 RTT = 0.120 s (serialisation at 1e9 Mbit/s rounds to 0 µs).
  assert.is(up[0]!.t, 0.12);
});

protocols('an IKEv1 tunnel needs 4.5 RTT', () => {
  const sc = pair();
  for (const c of sc.connections!) c.connectionProtocol = 'IKEv1';
  const s = new Simulation(sc);
  s.runUntil(1);
  assert.is(records(s, 'tunnel.up')[0]!.t, 0.27);
});

protocols('a shared key mismatch fails authentication and the tunnel never carries traffic (R4)', () => {
  const sc = pair();
  sc.connections![1]!.sharedKey = 'abc124';
  const s = new Simulation(sc);
  s.runUntil(100);
  assert.is(records(s, 'tunnel.up').length, 0);
  const down = records(s, 'tunnel.down');
  assert.ok(down.length >= 1);
  assert.is(down[0]!.reason, 'authenticationFailed');
  const r = probeAt(s, 100, 'vm1', '10.2.0.4');
  assert.is(r.outcome.status === 'dropped' && r.outcome.reason, 'tunnelDown');
});

protocols('tunnel states read in Batfish\'s vocabulary, in both layers', () => {
  const mismatch = pair();
  mismatch.connections![1]!.sharedKey = 'abc124';
  const half = pair();
  half.connections = [half.connections![0]!];
  const cases: [Scenario, string][] = [[pair(), 'established'], [mismatch, 'ikePhase1KeyMismatch'], [half, 'missingEndpoint']];
  for (const [sc, want] of cases) {
    const real = new Simulation(sc);
    real.runUntil(60);
    assert.is(real.tunnelStatuses()[0]!.status, want, `protocol layer: ${want}`);
    const instant = new Simulation(sc, { protocols: false });
    instant.runUntil(0);
    assert.is(instant.tunnelStatuses()[0]!.status, want, `instant layer: ${want}`);
  }
  const versions = pair();
  versions.connections![0]!.connectionProtocol = 'IKEv1';
  const s = new Simulation(versions);
  s.runUntil(60);
  assert.is(s.tunnelStatuses()[0]!.status, 'notCompatible');
});

protocols('one half of a VNet-to-VNet link alone stays down (missingEndpoint)', () => {
  const sc = pair();
  sc.connections = [sc.connections![0]!];
  const s = new Simulation(sc);
  s.runUntil(10);
  assert.is(records(s, 'tunnel.up').length, 0);
  assert.is(records(s, 'tunnel.down')[0]!.reason, 'missingEndpoint');
});

// A site 10 ms away with BGP, a P2S client.
const branch = (): Scenario => ({
  name: 'branch', vnets: [vnet('VNet1', 1, 'westeurope')],
  gateways: [gateway('VNet1GW', 'VNet1', { enableBgp: true, bgpSettings: { asn: 65010 }, vpnClientConfiguration: p2sPool() })],
  localNetworkGateways: [site('Site1', 101, { location: 'amsterdam', bgpSettings: { asn: 65101, bgpPeeringAddress: '10.101.255.254' } })],
  connections: [{ name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123', enableBgp: true }],
  clients: [{ name: 'mac', os: 'macOS', gateway: 'VNet1GW', protocol: 'IkeV2' }],
  hosts: [{ name: 'vm1', vnet: 'VNet1', address: '10.1.0.4' }, { name: 'srv', localNetworkGateway: 'Site1', address: '10.101.0.10' }],
  underlay: { paths: [{ from: 'westeurope', to: 'amsterdam', latencyMs: 10, bandwidthMbps: 1e9 }] },
});

protocols('a dead VPN device is detected by DPD 45 s after it was last heard; BGP routes go with the tunnel', () => {
  const sc = branch();
  sc.timeline = [{ at: 100, action: 'fail', target: 'Site1' }];
  const s = new Simulation(sc);
  s.runUntil(99);
  assert.ok(s.clientRoutes('mac').includes('10.101.0.0/16'));
  s.runUntil(300);
  const down = records(s, 'tunnel.down')[0]!;
  assert.is(down.reason, 'dpdTimeout');
  // DPD (RFC 3706 style liveness over INFORMATIONAL): dead 45 s after the last message heard, which is within 15 s before the failure.
  assert.ok(down.t >= 130 && down.t <= 145 + 0.1, `detected at ${down.t}`);
  const removed = records(s, 'route.remove', (r) => r.node === 'gw:VNet1GW' && r.prefix === '10.101.0.0/16');
  assert.is(removed.length, 1);
  assert.is(removed[0]!.t, down.t);
  assert.not.ok(s.clientRoutes('mac').includes('10.101.0.0/16'), 'non-Windows clients follow BGP withdrawals (R21)');
});

protocols('until DPD notices, packets sent into the tunnel toward a dead device are lost as deviceDown', () => {
  const sc = branch();
  sc.timeline = [{ at: 100, action: 'fail', target: 'Site1' }];
  const s = new Simulation(sc);
  const r = probeAt(s, 101, 'vm1', '10.101.0.10');
  assert.is(r.outcome.status === 'dropped' && r.outcome.reason, 'deviceDown');
  assert.is(r.failed, 'request');
});

protocols('a restored device initiates at once and BGP converges again', () => {
  const sc = branch();
  sc.timeline = [{ at: 100, action: 'fail', target: 'Site1' }, { at: 400, action: 'restore', target: 'Site1' }];
  const s = new Simulation(sc);
  s.runUntil(500);
  const up = records(s, 'tunnel.up');
  assert.is(up.length, 2);
  assert.ok(up[1]!.t > 400 && up[1]!.t < 400.1, `back at ${up[1]!.t}`);
  assert.ok(s.clientRoutes('mac').includes('10.101.0.0/16'));
  assert.ok(probeAt(s, 500, 'vm1', '10.101.0.10').ok);
});

protocols('resetBgp drops the session and it comes back; routes are withdrawn and re-learned', () => {
  const sc = branch();
  sc.timeline = [{ at: 50, action: 'resetBgp', connection: 'VNet1toSite1' }];
  const s = new Simulation(sc);
  s.runUntil(60);
  const states = records(s, 'bgp.state', (r) => r.speaker === 'gw:VNet1GW');
  assert.ok(states.some((r) => r.t === 50 && r.from === 'Established'));
  assert.is(states[states.length - 1]!.to, 'Established');
  assert.ok(records(s, 'route.remove').some((r) => r.t === 50));
  assert.ok(s.clientRoutes('mac').includes('10.101.0.0/16'));
});

protocols('a policy-based tunnel idles out after 300 s without traffic and the next packet brings it back (R14)', () => {
  const sc: Scenario = {
    name: 'pb', vnets: [vnet('VNet1', 1)],
    gateways: [gateway('VNet1GW', 'VNet1', { vpnType: 'PolicyBased', sku: 'Basic' })],
    localNetworkGateways: [site('Site1', 101)],
    connections: [{ name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123', connectionProtocol: 'IKEv1' }],
    hosts: [{ name: 'vm', vnet: 'VNet1', address: '10.1.0.4' }],
  };
  const s = new Simulation(sc);
  const first = probeAt(s, 10, 'vm', '10.101.0.10');
  assert.ok(first.ok);
  s.runUntil(first.sentAt + 299.9);
  assert.is(records(s, 'tunnel.down').length, 0);
  s.runUntil(700);
  const idle = records(s, 'tunnel.down')[0]!;
  assert.is(idle.reason, 'idleTimeout');
  assert.ok(idle.t > first.sentAt + 300 && idle.t < first.sentAt + 300.1, `idle at ${idle.t}`);
  // The first packet after idling starts IKEv1 and is dropped; the next one gets through.
  const trigger = probeAt(s, 800, 'vm', '10.101.0.10');
  assert.is(trigger.outcome.status === 'dropped' && trigger.outcome.reason, 'tunnelNegotiating');
  assert.ok(probeAt(s, 806, 'vm', '10.101.0.10').ok);
  assert.is(records(s, 'tunnel.up').length, 2);
});

protocols('route-based tunnels never idle out', () => {
  const s = new Simulation(pair());
  s.runUntil(2000);
  assert.is(records(s, 'tunnel.down').length, 0);
});

protocols('an unplanned gateway failover drops P2S clients for good (R19) and tunnels come back after 60-90 s', () => {
  const sc = branch();
  sc.timeline = [{ at: 100, action: 'fail', target: 'VNet1GW' }];
  const s = new Simulation(sc);
  s.runUntil(400);
  const down = records(s, 'gateway.down')[0]!;
  const up = records(s, 'gateway.up')[0]!;
  assert.is(down.t, 100);
  assert.ok(up.t >= 160 && up.t <= 190, `standby active at ${up.t}`);
  assert.is(records(s, 'client.disconnected')[0]!.reason, 'gatewayFailover');
  assert.not.ok(s.network.client('mac').connected);
  const ups = records(s, 'tunnel.up');
  assert.ok(ups[ups.length - 1]!.t > up.t);
  assert.ok(probeAt(s, 400, 'vm1', '10.101.0.10').ok);
});

protocols('a planned failover lasts 10-15 s and a client reconnects only when told', () => {
  const sc = branch();
  sc.timeline = [{ at: 100, action: 'fail', target: 'VNet1GW', planned: true }, { at: 200, action: 'connectClient', client: 'mac' }];
  const s = new Simulation(sc);
  s.runUntil(199);
  const up = records(s, 'gateway.up')[0]!;
  assert.ok(up.t >= 110 && up.t <= 115);
  assert.not.ok(s.network.client('mac').connected);
  s.runUntil(210);
  assert.ok(s.network.client('mac').connected);
});

protocols('the 129th SSTP client is refused (R18)', () => {
  const sc = branch();
  sc.clients = Array.from({ length: 129 }, (_, i) => ({ name: `w${i}`, os: 'Windows' as const, gateway: 'VNet1GW', protocol: 'SSTP' as const }));
  sc.gateways![0]!.vpnClientConfiguration!.vpnClientProtocols = ['SSTP'];
  // Validation rejects 129 configured SSTP clients on one gateway (R18); the gateway
  // enforces the same limit at connect time, which is what this checks.
  const s = new Simulation(sc, { validate: false });
  s.runUntil(30);
  assert.is([...s.network.clients.values()].filter((c) => c.connected).length, 128);
  assert.is(records(s, 'client.failed')[0]!.reason, 'clientLimitReached');
});

protocols('a gateway created on the timeline is unusable until provisioned (R3) and gets a new public IP (R2)', () => {
  const sc = pair();
  sc.gateways = [gateway('VNet1GW', 'VNet1')];
  sc.connections = [];
  sc.timeline = [
    { at: 10, action: 'createGateway', ...gateway('VNet2GW', 'VNet2') },
    ...v2v('VNet1', 'VNet2').map((c) => ({ at: 20, action: 'addConnection' as const, ...c })),
  ];
  const s = new Simulation(sc);
  s.runUntil(100);
  assert.is(records(s, 'tunnel.up').length, 0);
  const created = records(s, 'gateway.created')[0]!;
  assert.is(created.readyAt, 10 + 45 * 60);
  assert.is.not(created.publicIp, '203.0.113.4'); // the first gateway's address
  s.runUntil(10 + 45 * 60 + 1);
  assert.is(records(s, 'tunnel.up').length, 2);
});

protocols('resizeGateway changes the SKU and says so in the trace', () => {
  const sc = pair();
  sc.timeline = [{ at: 5, action: 'resizeGateway', gateway: 'VNet1GW', sku: 'VpnGw3' }];
  const s = new Simulation(sc);
  s.runUntil(6);
  assert.is(s.network.gateway('VNet1GW').sku.name, 'VpnGw3');
  assert.equal(records(s, 'gateway.resized')[0], { t: 5, type: 'gateway.resized', gateway: 'VNet1GW', sku: 'VpnGw3', capacityMbps: 1250 });
});

protocols('one seed, one trace: two runs give the same fingerprint; a lossy path depends on the seed', () => {
  const lossy = (seed: number): Scenario => ({ ...pair({ seed }), underlay: { paths: [{ from: 'eastus', to: 'westus', latencyMs: 30, lossPercent: 30 }] } });
  const run = (seed: number) => { const s = new Simulation(lossy(seed)); s.runUntil(600); return s.trace.fingerprint(); };
  assert.is(run(1), run(1));
  assert.is.not(run(1), run(2));
});

protocols.run();
