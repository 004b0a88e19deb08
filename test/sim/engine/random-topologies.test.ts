import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { evaluateReach, reachJson } from '../../../src/sim/engine/reach.js';
import { validateScenario } from '../../../src/sim/net/validate.js';
import { Rng, type RandomStream } from '../../../src/sim/kernel/rng.js';
import type { ConnectionDef, GatewayDef, PeeringDef, Scenario } from '../../../src/sim/net/scenario.js';
import { vnet } from '../../helpers/build.js';

/**
 * Topologies nobody wrote by hand: 2-5 VNets, random gateway-transit peerings,
 * VNet-to-VNet links and a branch site, BGP on or off. Whatever the shape, the
 * protocol layer (IKE and BGP messages over the underlay) must settle on the
 * same reachability as the instant layer's static model, and every packet must
 * end delivered or dropped.
 */
function randomScenario(r: RandomStream, id: number): Scenario {
  const n = r.int(2, 5);
  const names = Array.from({ length: n }, (_, i) => `VNet${i + 1}`);
  const bgp = r.bernoulli(0.5);
  const withGw = new Set(['VNet1', ...names.filter(() => r.bernoulli(0.6))]);
  const peerings: PeeringDef[] = [];
  const connections: ConnectionDef[] = [];
  const linked = new Set<string>();
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = names[i]!, b = names[j]!;
      const roll = r.random();
      if (roll < 0.25 && !withGw.has(b) && withGw.has(a) && !linked.has(b)) {
        linked.add(b); // b uses a's gateway: gateway transit (R22)
        peerings.push({ vnet: a, remoteVnet: b, allowGatewayTransit: true }, { vnet: b, remoteVnet: a, useRemoteGateways: true });
      } else if (roll < 0.4) {
        peerings.push({ vnet: a, remoteVnet: b }, { vnet: b, remoteVnet: a });
      } else if (roll < 0.7 && withGw.has(a) && withGw.has(b)) {
        for (const [x, y] of [[a, b], [b, a]] as const) {
          connections.push({ name: `${x}to${y}`, connectionType: 'Vnet2Vnet', gateway: `${x}GW`, peerGateway: `${y}GW`, sharedKey: 'abc123', enableBgp: bgp });
        }
      }
    }
  }
  const gateways: GatewayDef[] = [...withGw].sort().map((v) => ({
    name: `${v}GW`, vnet: v, vpnType: 'RouteBased', sku: 'VpnGw1',
    ...(bgp ? { enableBgp: true, bgpSettings: { asn: 65000 + 10 * Number(v.slice(4)) } } : {}),
    ...(v === 'VNet1' ? { vpnClientConfiguration: { vpnClientAddressPool: ['192.168.0.0/24'], vpnClientProtocols: ['IkeV2' as const] } } : {}),
  }));
  const siteAt = [...withGw][r.int(0, withGw.size - 1)]!;
  const withSite = r.bernoulli(0.5);
  return {
    name: `random/${id}`, seed: id,
    vnets: names.map((v, i) => vnet(v, i + 1, i % 2 ? 'westus' : 'eastus')),
    gateways, peerings, connections: [
      ...connections,
      ...(withSite ? [{ name: `${siteAt}toSite1`, connectionType: 'IPsec' as const, gateway: `${siteAt}GW`, localNetworkGateway: 'Site1', sharedKey: 'abc123', enableBgp: bgp }] : []),
    ],
    localNetworkGateways: withSite ? [{ name: 'Site1', gatewayIpAddress: '192.0.2.10', addressPrefixes: ['10.101.0.0/16'], ...(bgp ? { bgpSettings: { asn: 65101, bgpPeeringAddress: '10.101.255.254' } } : {}) }] : [],
    clients: [
      { name: 'win', os: 'Windows', gateway: 'VNet1GW', protocol: 'IkeV2' },
      { name: 'mac', os: 'macOS', gateway: 'VNet1GW', protocol: 'IkeV2' },
    ],
  };
}

test('random topologies: real sessions settle on the static model\'s reachability; packets are conserved', () => {
  const r = new Rng(2026).stream('random-topologies');
  let checked = 0;
  for (let id = 1; checked < 40 && id < 400; id++) {
    const sc = randomScenario(r, id);
    if (validateScenario(sc).errors.length > 0) continue;
    checked++;
    const real = new Simulation(sc);
    const realReport = reachJson(evaluateReach(real));
    const instant = reachJson(evaluateReach(new Simulation(sc, { protocols: false })));
    assert.equal({ ...realReport, at: 0 }, { ...instant, at: 0 }, sc.name);
    assert.is(real.packets.sent, real.packets.delivered + real.packets.droppedTotal, sc.name);
  }
  assert.ok(checked >= 40, `only ${checked} valid topologies generated`);
});

test.run();
