import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Network } from '../../../src/sim/net/model.js';
import { RouteTables, packageRoutes, pushedRoutes, clientRoutes } from '../../../src/sim/net/routing.js';
import { propagateStatic, type BgpRibs } from '../../../src/sim/net/bgp-routes.js';
import { parseAddress, parsePrefix } from '../../../src/sim/net/prefix.js';
import { gateway, p2sPool, shipped, site, vnet } from '../../helpers/build.js';

const routing = suite('route computation (pure)');
const allUp = { isUp: () => true };

routing('for equal prefixes the gateway prefers ExpressRoute, then static, then BGP', () => {
  const net = new Network({
    name: 'sel', vnets: [vnet('VNet1', 1)],
    gateways: [gateway('VNet1GW', 'VNet1', { enableBgp: true, bgpSettings: { asn: 65010 } }), gateway('VNet1ER', 'VNet1', { gatewayType: 'ExpressRoute', sku: 'Standard' })],
    localNetworkGateways: [site('Site1', 101, { bgpSettings: { asn: 65101, bgpPeeringAddress: '10.101.255.254' } })],
    connections: [
      { name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123' },
      { name: 'VNet1ERtoSite1', connectionType: 'ExpressRoute', gateway: 'VNet1ER', localNetworkGateway: 'Site1' },
    ],
  });
  const bgp: BgpRibs = new Map([['gw:VNet1GW', new Map([['10.101.0.0/16', { prefix: parsePrefix('10.101.0.0/16'), connection: 'VNet1toSite1', asPath: [65101], from: 'site:Site1' }]])]]);
  const tables = new RouteTables(net, { tunnels: allUp, bgp });
  const gw = tables.get('gw:VNet1GW')!.lookupAll(parseAddress('10.101.0.1'))!;
  assert.equal(gw.map((r) => r.source), ['Static', 'BGP']);
  const fabric = tables.get('vnet:VNet1')!.lookupAll(parseAddress('10.101.0.1'))!;
  assert.is(fabric[0]!.note.startsWith('via VNet1ER'), true);
  // With the circuit down its routes are withdrawn and S2S is first.
  const down = new RouteTables(net, { tunnels: { isUp: (c) => c.type !== 'ExpressRoute' }, bgp });
  assert.is(down.get('vnet:VNet1')!.lookup(parseAddress('10.101.0.1'))!.note.startsWith('via VNet1GW'), true);
});

routing('longest prefix still decides over preference (R12)', () => {
  const net = new Network({
    name: 'lpm', vnets: [vnet('VNet1', 1)],
    gateways: [gateway('VNet1GW', 'VNet1')],
    localNetworkGateways: [site('Site1', 101), { name: 'Site2', gatewayIpAddress: '192.0.2.99', addressPrefixes: ['10.101.7.0/24'] }],
    connections: [
      { name: 'toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123' },
      { name: 'toSite2', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site2', sharedKey: 'abc123' },
    ],
  });
  const t = new RouteTables(net, { tunnels: allUp, bgp: new Map() });
  assert.is(t.get('gw:VNet1GW')!.lookup(parseAddress('10.101.7.9'))!.connection, 'toSite2');
  assert.is(t.get('gw:VNet1GW')!.lookup(parseAddress('10.101.8.9'))!.connection, 'toSite1');
});

routing('package routes: VNet, transit spokes, pool; pushed routes add VNet-to-VNet and BGP prefixes (R21)', () => {
  const net = new Network(shipped('p2s-routing/multipeered.json'));
  const g = net.gateway('VNet1GW');
  assert.equal(packageRoutes(net, g).map((p) => p.cidr), ['10.1.0.0/16', '10.2.0.0/16', '10.4.0.0/16', '192.168.0.0/24']);
  const s2s = new Network(shipped('p2s-routing/multis2s.json'));
  const g1 = s2s.gateway('VNet1GW');
  assert.equal(pushedRoutes(s2s, g1, new Map()).map((p) => p.cidr), ['10.1.0.0/16', '10.2.0.0/16', '192.168.0.0/24']);
  const bgp: BgpRibs = new Map([['gw:VNet1GW', new Map([['10.3.0.0/16', { prefix: parsePrefix('10.3.0.0/16'), connection: 'VNet1toVNet2', asPath: [65020, 65030], from: 'gw:VNet2GW' }]])]]);
  assert.equal(pushedRoutes(s2s, g1, bgp).map((p) => p.cidr), ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '192.168.0.0/24']);
  // A Windows client never has a route until it downloads the package; manual routes come on top.
  const c = s2s.client('windows-client');
  assert.equal(clientRoutes(s2s, c, bgp), []);
  c.manualRoutes.push(parsePrefix('10.3.0.0/16'));
  assert.equal(clientRoutes(s2s, c, bgp).map((p) => p.cidr), ['10.3.0.0/16']);
});

routing('static BGP propagation: AS_PATH grows along the chain and never loops', () => {
  const net = new Network(shipped('p2s-routing/multis2sbgp.json'));
  const ribs = propagateStatic(net, () => true);
  const v3 = ribs.get('gw:VNet3GW')!;
  assert.equal(v3.get('192.168.0.0/24')!.asPath, [65020, 65010]);
  assert.equal(v3.get('10.1.0.0/16')!.asPath, [65020, 65010]);
  assert.not.ok(v3.has('10.3.0.0/16'), 'a gateway never learns its own VNet back');
  assert.not.ok(ribs.get('gw:VNet1GW')!.has('192.168.0.0/24'));
  // Sessions down: nothing learned.
  assert.is(propagateStatic(net, () => false).size, 0);
});

routing('forced tunneling replaces the internet default with the site (R11)', () => {
  const net = new Network({
    name: 'ft', vnets: [vnet('VNet1', 1)],
    gateways: [gateway('VNet1GW', 'VNet1', { gatewayDefaultSite: 'Site1', vpnClientConfiguration: p2sPool() })],
    localNetworkGateways: [site('Site1', 101)],
    connections: [{ name: 'toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123' }],
  });
  const t = new RouteTables(net, { tunnels: allUp, bgp: new Map() });
  const r = t.get('vnet:VNet1')!.lookup(parseAddress('8.8.8.8'))!;
  assert.is(r.nextHopType, 'VirtualNetworkGateway');
  assert.is(t.get('gw:VNet1GW')!.lookup(parseAddress('8.8.8.8'))!.connection, 'toSite1');
  // Traffic inside the VNet stays there (R11).
  assert.is(t.get('vnet:VNet1')!.lookup(parseAddress('10.1.0.9'))!.nextHopType, 'VnetLocal');
});

routing.run();
