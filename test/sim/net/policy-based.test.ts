import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { idlesOutR14, usesPolicySelectorsR15 } from '../../../src/sim/net/policy-based.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';
import { gateway, site, vnet } from '../../helpers/build.js';
import { probeAt, records } from '../../helpers/run.js';

const rules = suite('policy-based: R14 idles out, R15 selects traffic');

const conn = (vpnType: 'PolicyBased' | 'RouteBased', selectors?: boolean, type = 'IPsec') => ({
  type, gateway: { def: { vpnType } }, def: selectors === undefined ? {} : { usePolicyBasedTrafficSelectors: selectors },
});

rules('the predicates: R14 follows the VPN type only, R15 also the selector flag', () => {
  assert.is(idlesOutR14(conn('PolicyBased')), true);
  assert.is(idlesOutR14(conn('RouteBased')), false);
  assert.is(idlesOutR14(conn('RouteBased', true)), false);
  assert.is(usesPolicySelectorsR15(conn('PolicyBased')), true);
  assert.is(usesPolicySelectorsR15(conn('RouteBased')), false);
  assert.is(usesPolicySelectorsR15(conn('RouteBased', true)), true);
  assert.is(usesPolicySelectorsR15(conn('RouteBased', true, 'ExpressRoute')), false);
});

// A route-based gateway talking to a policy-based device: selectors (R15), yet route-based for R14.
const selectorsOnRouteBased = (timeline: Scenario['timeline'] = []): Scenario => ({
  name: 'rb-selectors', vnets: [vnet('VNet1', 1)],
  gateways: [gateway('VNet1GW', 'VNet1')],
  localNetworkGateways: [site('Site1', 101)],
  connections: [{
    name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123',
    usePolicyBasedTrafficSelectors: true,
  }],
  hosts: [{ name: 'vm', vnet: 'VNet1', address: '10.1.0.4' }],
  timeline,
});

rules('a route-based tunnel with usePolicyBasedTrafficSelectors never idles out (R14)', () => {
  const s = new Simulation(selectorsOnRouteBased());
  assert.ok(probeAt(s, 10, 'vm', '10.101.0.10').ok);
  s.runUntil(2000);
  assert.equal(records(s, 'tunnel.down').map((r) => `${r.t} ${r.reason}`), []);
  assert.is(records(s, 'tunnel.up').length, 1);
  assert.ok(probeAt(s, 2000, 'vm', '10.101.0.10').ok);
});

rules('a route-based tunnel with usePolicyBasedTrafficSelectors keeps DPD: a dead device is found within 45 s', () => {
  const s = new Simulation(selectorsOnRouteBased([{ at: 100, action: 'fail', target: 'Site1' }]));
  s.runUntil(400);
  // DPD every 15 s, declared dead 45 s after the last answer; later retries fail as peerUnreachable.
  const down = records(s, 'tunnel.down');
  assert.is(down[0]!.reason, 'dpdTimeout');
  assert.ok(down[0]!.t > 100 && down[0]!.t <= 146, `down at ${down[0]!.t}`);
});

rules('the selectors still apply: traffic outside the pair is not carried (R15)', () => {
  const sc = selectorsOnRouteBased();
  sc.connections![0]!.trafficSelectorPolicies = [{ localAddressRanges: ['10.1.0.0/24'], remoteAddressRanges: ['10.101.1.0/24'] }];
  const s = new Simulation(sc);
  assert.ok(probeAt(s, 10, 'vm', '10.101.1.10').ok);
  assert.not.ok(probeAt(s, 20, 'vm', '10.101.0.10').ok);
});

rules.run();
