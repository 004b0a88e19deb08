import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { evaluateReach } from '../../../src/sim/engine/reach.js';
import { effectiveRoutes, nextHop } from '../../../src/sim/engine/watcher.js';
import { parseAddress } from '../../../src/sim/net/prefix.js';
import type { ProbeResult } from '../../../src/sim/engine/simulation.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';
import { ScenarioValidationError, UsageError } from '../../../src/errors.js';
import { gateway, p2sPool, shipped, site, vnet } from '../../helpers/build.js';

const probe = (s: Simulation, from: string, to: string): ProbeResult => {
  let result: ProbeResult | undefined;
  s.probe(from, parseAddress(to), (r) => (result = r));
  s.runUntil(s.now + 10);
  assert.ok(result, 'probe did not finish');
  return result!;
};

const routing = suite('routing and delivery');

routing('every packet ends delivered or dropped: sent = delivered + dropped', () => {
  const s = new Simulation(shipped('p2s-routing/multivnets2sbranch.json'));
  evaluateReach(s);
  assert.ok(s.packets.sent > 10);
  assert.is(s.packets.sent, s.packets.delivered + s.packets.droppedTotal);
  assert.ok(s.packets.dropped.get('noReturnRoute')! > 0);
});

routing('an unreachable destination is explained as a chain naming the missing return route', () => {
  const s = new Simulation(shipped('p2s-routing/multis2s.json'));
  const r = evaluateReach(s);
  const mac = r.clients.find((c) => c.os === 'macOS')!;
  assert.is(mac.access.VNet2, 'no');
  assert.match(mac.explanations.VNet2!, /client mac-client \(route 10\.2\.0\.0\/16 via P2S tunnel to VNet1GW\) -> VNet1GW \(route 10\.2\.0\.0\/16 via tunnel VNet1toVNet2\) -> VNet2GW/);
  assert.match(mac.explanations.VNet2!, /no route back to 192\.168\.0\.\d+ .*P2S pool 192\.168\.0\.0\/24 not in connection VNet2toVNet1/);
});

routing('TTL expires in a forwarding loop', () => {
  // Site1's device sends 10.200.0.0/16 to Azure; VNet1GW's forced tunnel sends everything unknown back to Site1.
  const sc: Scenario = {
    name: 'loop', vnets: [vnet('VNet1', 1)],
    gateways: [gateway('VNet1GW', 'VNet1', { gatewayDefaultSite: 'Site1' })],
    localNetworkGateways: [site('Site1', 101, { deviceRoutes: ['10.1.0.0/16', '10.200.0.0/16'] })],
    connections: [{ name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123' }],
    hosts: [{ name: 'srv', localNetworkGateway: 'Site1', address: '10.101.0.10' }],
  };
  const s = new Simulation(sc);
  s.settle();
  const r = probe(s, 'srv', '10.200.0.1');
  assert.is(r.ok, false);
  assert.is(r.outcome.status === 'dropped' && r.outcome.reason, 'ttlExpired');
});

routing('policy-based traffic selectors drop what matches no pair (R15)', () => {
  const sc: Scenario = {
    name: 'pb', vnets: [vnet('VNet1', 1)],
    gateways: [gateway('VNet1GW', 'VNet1', { vpnType: 'PolicyBased', sku: 'Basic' })],
    localNetworkGateways: [site('Site1', 101)],
    connections: [{ name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123', connectionProtocol: 'IKEv1', trafficSelectorPolicies: [{ localAddressRanges: ['10.1.0.0/25'], remoteAddressRanges: ['10.101.0.0/24'] }] }],
    hosts: [{ name: 'vm', vnet: 'VNet1', address: '10.1.0.4' }, { name: 'vm2', vnet: 'VNet1', address: '10.1.0.200' }],
  };
  const s = new Simulation(sc);
  s.settle();
  assert.is(probe(s, 'vm', '10.101.0.10').ok, true);
  const bad = probe(s, 'vm2', '10.101.0.10');
  assert.is(bad.outcome.status === 'dropped' && bad.outcome.reason, 'trafficSelectorMismatch');
});

routing('ExpressRoute is preferred for equal prefixes; S2S takes over when the circuit fails (R12)', () => {
  const sc: Scenario = {
    name: 'er', vnets: [vnet('VNet1', 1)],
    gateways: [gateway('VNet1GW', 'VNet1', { sku: 'VpnGw1' }), gateway('VNet1ER', 'VNet1', { gatewayType: 'ExpressRoute', sku: 'Standard' })],
    localNetworkGateways: [site('Site1', 101)],
    connections: [
      { name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123' },
      { name: 'VNet1ERtoSite1', connectionType: 'ExpressRoute', gateway: 'VNet1ER', localNetworkGateway: 'Site1' },
    ],
    hosts: [{ name: 'vm', vnet: 'VNet1', address: '10.1.0.4' }],
    timeline: [{ at: 100, action: 'fail', target: 'VNet1ERtoSite1' }],
  };
  const s = new Simulation(sc);
  s.settle();
  assert.is(nextHop(s, 'VNet1', '10.101.0.10').nextHopIpAddress, '10.1.255.29');
  assert.is(nextHop(s, 'VNet1', '10.101.0.10').note.startsWith('via VNet1ER'), true);
  assert.is(nextHop(s, 'Site1', '10.1.0.4').nextHopType, 'ExpressRoute');
  const before = probe(s, 'vm', '10.101.0.10');
  assert.match(before.explanation, /via ExpressRoute VNet1ERtoSite1/);
  s.runUntil(100);
  assert.is(nextHop(s, 'Site1', '10.1.0.4').nextHopType, 'ExpressRoute'); // BFD has not noticed yet
  s.runUntil(101);
  assert.is(nextHop(s, 'Site1', '10.1.0.4').nextHopType, 'Tunnel');
  const after = probe(s, 'vm', '10.101.0.10');
  assert.ok(after.ok);
  assert.match(after.explanation, /via tunnel VNet1toSite1/);
});

routing('effective routes read like Network Watcher', () => {
  const s = new Simulation(shipped('p2s-routing/multipeered.json'));
  s.settle();
  const routes = effectiveRoutes(s, 'VNet2');
  const pool = routes.find((r) => r.addressPrefix === '192.168.0.0/24')!;
  assert.is(pool.nextHopType, 'VirtualNetworkGateway');
  assert.is(pool.nextHopIpAddress, '10.1.255.30'); // second-to-last address of VNet1's GatewaySubnet
  assert.ok(routes.some((r) => r.addressPrefix === '10.1.0.0/16' && r.nextHopType === 'VNetPeering'));
  assert.ok(routes.some((r) => r.addressPrefix === '10.3.0.0/16' && r.nextHopType === 'VNetPeering'));
  // VNet3 is peered with VNet2 only: nothing of VNet1's gateway reaches it (peering is not transitive).
  assert.not.ok(effectiveRoutes(s, 'VNet3').some((r) => r.addressPrefix === '192.168.0.0/24' && r.nextHopType !== 'None'));
  assert.is(nextHop(s, 'VNet3', '192.168.0.9').nextHopType, 'None');
});

routing('a Windows package is frozen at download; a redownload picks up a new peering (R21)', () => {
  const sc = shipped('p2s-routing/multipeered.json');
  const later = sc.peerings!.filter((p) => p.vnet === 'VNet4' || p.remoteVnet === 'VNet4');
  sc.peerings = sc.peerings!.filter((p) => !later.includes(p));
  sc.timeline = [
    ...later.map((p) => ({ at: 100, action: 'addPeering' as const, ...p })),
    { at: 300, action: 'downloadClientPackage', client: 'windows-client' },
  ];
  const at200 = evaluateReach(new Simulation(sc), { at: 200 });
  const win = at200.clients.find((c) => c.os === 'Windows')!;
  const mac = at200.clients.find((c) => c.os !== 'Windows')!;
  assert.not.ok(win.routes.includes('10.4.0.0/16'));
  assert.is(win.access.VNet4, 'manual');
  assert.ok(mac.routes.includes('10.4.0.0/16'));
  assert.is(mac.access.VNet4, 'yes');
  const at400 = evaluateReach(new Simulation(sc), { at: 400 });
  const win2 = at400.clients.find((c) => c.os === 'Windows')!;
  assert.ok(win2.routes.includes('10.4.0.0/16'));
  assert.is(win2.access.VNet4, 'yes');
});

routing('removing a connection on the timeline takes its routes away', () => {
  const sc = shipped('p2s-routing/multis2s.json');
  sc.timeline = [{ at: 50, action: 'removeConnection', connection: 'VNet1toVNet2' }];
  const r = evaluateReach(new Simulation(sc), { at: 60 });
  assert.equal(r.clients.find((c) => c.os !== 'Windows')!.routes, ['10.1.0.0/16', '192.168.0.0/24']);
});

routing('routes added by hand on the timeline turn "manual" into "yes"', () => {
  const sc = shipped('p2s-routing/vnetbranchbgp.json');
  sc.timeline = [{ at: 5, action: 'addClientRoute', client: 'windows-client', prefix: '10.101.0.0/16' }];
  const before = evaluateReach(new Simulation(sc), { at: 1 });
  assert.is(before.clients[0]!.access.Site1, 'manual');
  const after = evaluateReach(new Simulation(sc), { at: 6 });
  assert.is(after.clients[0]!.access.Site1, 'yes');
});

routing('one seed, one result: reach is deterministic', () => {
  const a = JSON.stringify(evaluateReach(new Simulation(shipped('p2s-routing/multivnets2sbranchbgp.json'))));
  const b = JSON.stringify(evaluateReach(new Simulation(shipped('p2s-routing/multivnets2sbranchbgp.json'))));
  assert.is(a, b);
});

routing('a VNet with a gateway but no P2S pool gives clients nothing; P2S over peering without gateway transit fails', () => {
  const sc: Scenario = {
    name: 'nontransit', vnets: [vnet('VNet1', 1), vnet('VNet2', 2)],
    gateways: [gateway('VNet1GW', 'VNet1', { vpnClientConfiguration: p2sPool() })],
    peerings: [{ vnet: 'VNet1', remoteVnet: 'VNet2' }, { vnet: 'VNet2', remoteVnet: 'VNet1' }],
    clients: [{ name: 'lin', os: 'Linux', gateway: 'VNet1GW', protocol: 'IkeV2' }],
  };
  const r = evaluateReach(new Simulation(sc));
  assert.equal(r.clients[0]!.routes, ['10.1.0.0/16', '192.168.0.0/24']);
  assert.is(r.clients[0]!.access.VNet2, 'no');
});

routing('an invalid scenario is refused with every error, before anything is built', () => {
  const sc = shipped('p2s-routing/multis2s.json');
  sc.connections![0]!.sharedKey = 'not a key';
  sc.connections![1]!.peerGateway = 'NoSuchGW';
  try {
    new Simulation(sc);
    assert.unreachable('accepted an invalid scenario');
  } catch (err) {
    assert.instance(err, ScenarioValidationError);
    const rules = (err as ScenarioValidationError).errors.map((e) => e.rule);
    assert.ok(rules.includes('R4'), rules.join());
    assert.ok(rules.includes('ref'), rules.join());
  }
});

routing('sendBack answers a delivered packet from where it arrived, and refuses a dropped one', () => {
  const s = new Simulation(shipped('p2s-routing/multis2s.json'));
  s.settle();
  const mac = [...s.network.clients.values()].find((c) => c.def.os === 'macOS')!;
  const vm = parseAddress('10.1.0.4');
  const ended: string[] = [];
  s.packets.send(mac, mac.address!, vm, 'request', (p) => {
    ended.push(`${p.kind} ${p.status} ${p.at}`);
    s.packets.sendBack(p, 'reply', (r) => ended.push(`${r.kind} ${r.status} ${r.at} ${r.trail[0]}`));
  });
  s.runUntil(s.now + 5);
  assert.equal(ended, ['request delivered vnet:VNet1', `reply delivered client:${mac.name} vnet:VNet1`]);
  let dropped: import('../../../src/sim/net/forwarding.js').Packet | undefined;
  s.packets.send(mac, mac.address!, parseAddress('10.200.0.4'), 'request', (p) => { dropped = p; });
  s.runUntil(s.now + 5);
  assert.is(dropped!.status, 'dropped');
  assert.throws(() => s.packets.sendBack(dropped!, 'reply', () => {}), /only a delivered packet can be answered/);
  assert.is(s.packets.sent, s.packets.delivered + s.packets.droppedTotal);
});

routing('probe takes a client object as well as its name, with the same result; a client of another network is refused', () => {
  const s = new Simulation(shipped('p2s-routing/multis2s.json'));
  s.settle();
  const mac = [...s.network.clients.values()].find((c) => c.def.os === 'macOS')!;
  assert.is(s.network.clientAt(mac.index), mac);
  assert.is(s.network.clientAt(s.network.clients.size), undefined);
  const results: ProbeResult[] = [];
  [mac.name, mac].forEach((from, round) => {
    ['10.1.0.4', '10.2.0.4'].forEach((to, k) => s.probe(from, parseAddress(to), (r) => { results[2 * round + k] = r; }));
    s.runUntil(s.now + 5);
  });
  const view = (r: ProbeResult) => `${r.ok} ${r.rtt} ${r.outcome.at} ${r.explanation}`;
  assert.is(results.filter(Boolean).length, 4);
  assert.is(view(results[2]!), view(results[0]!));
  assert.is(view(results[3]!), view(results[1]!));
  assert.is(results[0]!.ok, true);
  assert.is(results[1]!.ok, false);
  const other = new Simulation(shipped('p2s-routing/multis2s.json'));
  other.settle();
  const stranger = other.network.client(mac.name);
  assert.throws(() => s.probe(stranger, parseAddress('10.1.0.4'), () => {}), (e: Error) => e instanceof UsageError && /not a client of this simulation's network/.test(e.message));
});

routing('a P2S client answers a request addressed to it, and sends from its node id', () => {
  const s = new Simulation(shipped('p2s-routing/multis2s.json'));
  s.settle();
  const mac = [...s.network.clients.values()].find((c) => c.def.os === 'macOS')!;
  const vm = parseAddress('10.1.0.4');
  const ended: string[] = [];
  s.packets.send('vnet:VNet1', vm, mac.address!, 'request', (p) => {
    ended.push(`${p.kind} ${p.status} ${p.at}`);
    s.packets.sendBack(p, 'reply', (r) => ended.push(`${r.kind} ${r.status} ${r.at} ${r.trail[0]}`));
  });
  s.packets.send(mac.nodeId, mac.address!, vm, 'data', (p) => ended.push(`${p.kind} ${p.status} ${p.at} ${p.trail[0]}`));
  s.runUntil(s.now + 5);
  assert.equal(ended.sort(), [`data delivered vnet:VNet1 ${mac.nodeId}`, `reply delivered vnet:VNet1 ${mac.nodeId}`, `request delivered ${mac.nodeId}`]);
  assert.is(s.packets.sent, s.packets.delivered + s.packets.droppedTotal);
});

routing.run();
