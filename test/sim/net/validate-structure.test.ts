import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SCENARIO_SCHEMA, TIMELINE_ACTIONS } from '../../../src/sim/net/scenario-schema.js';
import type { TimelineAction } from '../../../src/sim/net/scenario.js';
import { validateScenario } from '../../../src/sim/net/validate.js';
import { base, paths, rules, rulesAfter, small, warningRules } from './validate-helpers.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/scenario.schema.json', import.meta.url));

test('schema/scenario.schema.json equals the schema built in code', () => {
  const expected = `${JSON.stringify(SCENARIO_SCHEMA, null, 2)}\n`;
  // VPNSIM_WRITE_SCHEMA=1 npx tsx node_modules/uvu/bin.js test/sim/net validate-structure
  if (process.env.VPNSIM_WRITE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, expected);
  assert.fixture(readFileSync(SCHEMA_FILE, 'utf8'), expected);
});

test('every TimelineEntry action of scenario.ts is in the schema', () => {
  const all: Record<TimelineAction, true> = {
    addPeering: true, removePeering: true, addConnection: true, removeConnection: true, downloadClientPackage: true,
    addClientRoute: true, ping: true, fail: true, restore: true, setPath: true, resetBgp: true, resizeGateway: true,
    connectClient: true, disconnectClient: true, startFlow: true, createGateway: true, deleteGateway: true,
  };
  assert.equal([...TIMELINE_ACTIONS].sort(), Object.keys(all).sort());
});

test('schema errors carry JSON paths and rule "schema"; all are reported at once', () => {
  const s = base();
  s.connections[2].sharedkey = 'abc';
  s.vnets[1].subnets[0].adressPrefix = '10.2.0.0/24';
  delete s.vnets[1].subnets[0].addressPrefix;
  delete s.gateways[1].sku;
  s.hosts[0].uplinkMbps = 0;
  s.extra = true;
  const { errors } = validateScenario(s);
  const got = errors.map((e) => `${e.path} ${e.rule}`).sort();
  assert.equal(got, [
    '$.connections[2].sharedkey schema',
    '$.extra schema',
    '$.gateways[1].sku schema',
    '$.hosts[0].uplinkMbps schema',
    '$.vnets[1].subnets[0].addressPrefix schema',
    '$.vnets[1].subnets[0].adressPrefix schema',
  ]);
  assert.match(errors.find((e) => e.path === '$.connections[2].sharedkey')!.fix, /sharedKey/);
});

test('a structurally broken object raises no second error through references to it', () => {
  // GW2 is broken (bad vpnType); connections naming it must not add "ref" errors.
  assert.equal(rulesAfter((s) => { s.gateways[1].vpnType = 'Dynamic'; }), ['schema']);
  // The whole gateways list broken.
  assert.equal(rulesAfter((s) => { s.gateways = { GW1: {} }; }), ['schema']);
});

test('non-canonical CIDR and addresses are rejected with rules cidr/address', () => {
  for (const bad of ['10.1.0.0/33', '10.1.0.1/16', '010.1.0.0/16', '0x0a.1.0.0/16', '10.1.0.0', '10.1/16', ' 10.1.0.0/16']) {
    assert.equal(rulesAfter((s) => { s.vnets[0].addressPrefixes = [bad]; }), ['cidr'], bad);
  }
  for (const bad of ['010.1.0.4', '0x0a.1.0.4', '10.1.0.256', '10.1.0', '10.1.0.4/32', '167837700']) {
    assert.equal(rulesAfter((s) => { s.hosts[0].address = bad; }), ['address'], bad);
  }
  assert.equal(paths(Object.assign(base(), { vnets: [{ ...base().vnets[0], addressPrefixes: ['10.1.0.1/16'] }, ...base().vnets.slice(1)] })), ['$.vnets[0].addressPrefixes[0]']);
});

test('numbers: uplinkMbps > 0, lossPercent 0..100, latencyMs >= 0, at >= 0 and finite', () => {
  assert.equal(rulesAfter((s) => { s.localNetworkGateways[0].uplinkMbps = 0; }), ['schema']);
  assert.equal(rulesAfter((s) => { s.underlay.paths[0].lossPercent = 101; }), ['schema']);
  assert.equal(rulesAfter((s) => { s.underlay.defaults.latencyMs = -1; }), ['schema']);
  assert.equal(rulesAfter((s) => { s.timeline[0].at = -0.5; }), ['schema']);
  assert.equal(rulesAfter((s) => { s.timeline[0].at = Infinity; }), ['schema']);
  assert.equal(rulesAfter((s) => { s.timeline[0].at = Number.NaN; }), ['schema']);
  assert.equal(rulesAfter((s) => { s.seed = ''; }), ['schema']);
});

test('references to things that do not exist are "ref" errors', () => {
  assert.equal(rulesAfter((s) => { s.gateways[0].vnet = 'VNet9'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.gateways[0].vnet = 'VNet2'; }), ['R1', 'R22']);
  assert.equal(rulesAfter((s) => { s.connections[0].localNetworkGateway = 'Site9'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.connections[1].peerGateway = 'VNet2'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.peerings[0].remoteVnet = 'VNet9'; }).includes('ref'), true);
  assert.equal(rulesAfter((s) => { s.clients[1].gateway = 'GW9'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.hosts[3].localNetworkGateway = 'Site9'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.flows[0].to = 'Win1'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.flows[0].from = 'nobody'; }), ['ref']);
  const { errors } = validateScenario(Object.assign(base(), { gateways: [{ ...base().gateways[0], vnet: 'VNet11' }, base().gateways[1]] }));
  assert.match(errors[0]!.fix, /VNet1/);
});

test('names are unique across every kind', () => {
  assert.equal(rulesAfter((s) => { s.hosts.push({ name: 'GW1', vnet: 'VNet1', address: '10.1.0.5' }); }), ['duplicate']);
  assert.equal(rulesAfter((s) => { s.clients.push({ name: 'VNet1toSite1', os: 'Linux', gateway: 'GW1', protocol: 'IkeV2' }); }), ['duplicate']);
  assert.equal(rulesAfter((s) => { s.flows[1].name = 'bulk'; }), ['duplicate']);
  assert.equal(rulesAfter((s) => { s.vnets.push({ ...s.vnets[2], addressPrefixes: ['10.9.0.0/16'], subnets: [] }); }), ['duplicate']);
});

test('connections: required and forbidden fields per type; peerings: self and duplicate direction', () => {
  assert.equal(rulesAfter((s) => { delete s.connections[1].peerGateway; }), ['required']);
  assert.equal(rulesAfter((s) => { delete s.connections[0].localNetworkGateway; }), ['required']);
  assert.equal(rulesAfter((s) => { s.connections[1].localNetworkGateway = 'Site1'; }), ['field']);
  assert.equal(rulesAfter((s) => { s.connections[0].extraAddressPrefixes = ['10.9.0.0/16']; }), ['field']);
  assert.equal(rulesAfter((s) => { s.connections[1].peerGateway = 'GW1'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.peerings.push({ vnet: 'VNet2', remoteVnet: 'VNet2' }); }), ['peering']);
  assert.equal(rulesAfter((s) => { s.peerings.push({ vnet: 'VNet1', remoteVnet: 'VNet3' }); }), ['duplicate']);
});

test('hosts: exactly one home, address inside its VNet subnet or site prefix, unique', () => {
  assert.equal(rulesAfter((s) => { s.hosts[0].localNetworkGateway = 'Site1'; }), ['required']);
  assert.equal(rulesAfter((s) => { s.hosts[0].address = '10.1.7.4'; }), ['prefix']);
  assert.equal(rulesAfter((s) => { s.hosts[3].address = '192.168.9.10'; }), ['prefix']);
  assert.equal(rulesAfter((s) => { s.hosts[1].vnet = 'VNet1'; s.hosts[1].address = '10.1.0.4'; }), ['duplicate']);
  assert.equal(warningRules(Object.assign(base(), { hosts: [{ name: 'h', vnet: 'VNet1', address: '10.1.0.1' }] })), ['prefix']);
});

test('flows: bytes or duration, rateMbps for udp', () => {
  assert.equal(rulesAfter((s) => { delete s.flows[0].bytes; }), ['required']);
  assert.equal(rulesAfter((s) => { s.flows[0].duration = 5; }), ['required']);
  assert.equal(rulesAfter((s) => { delete s.flows[1].rateMbps; }), ['required']);
  assert.equal(rulesAfter((s) => { s.flows[0].kind = 'sctp'; }), ['schema']);
});

test('timeline: known actions, fields per action, references at that instant', () => {
  assert.equal(rulesAfter((s) => { s.timeline[1].action = 'explode'; }), ['schema']);
  assert.equal(rulesAfter((s) => { s.timeline[1].client = 'Win1'; }), ['schema']);
  assert.equal(paths(Object.assign(base(), { timeline: [{ at: 1, action: 'fail' }] })), ['$.timeline[0].target']);
  assert.equal(rulesAfter((s) => { s.timeline[1].target = 'VNet1toSite9'; }), ['ref']);
  assert.equal(rulesAfter((s) => { s.timeline[3].client = 'vm1'; }), ['ref']);
  // Fails VNet1toSite1 after it was removed at t=60.
  assert.equal(rulesAfter((s) => { s.timeline.push({ at: 65, action: 'fail', target: 'VNet1toSite1' }); }), ['ref']);
  // Entries run in time order, not file order: the added connection exists at t=75.
  assert.equal(rulesAfter((s) => { s.timeline.unshift({ at: 75, action: 'restore', target: 'VNet1toSite1b' }); }), []);
  assert.equal(rulesAfter((s) => { s.timeline.unshift({ at: 65, action: 'restore', target: 'VNet1toSite1b' }); }), ['ref']);
  // An added connection breaking a rule is reported at its timeline path.
  const s = base();
  s.timeline.push({ at: 120, action: 'addConnection', name: 'again', connectionType: 'IPsec', gateway: 'GW1', localNetworkGateway: 'Site1', sharedKey: 'k' });
  const { errors } = validateScenario(s);
  assert.equal(errors.map((e) => `${e.path} ${e.rule}`), ['$.timeline[12].localNetworkGateway R8']);
  assert.equal(rulesAfter((x) => { x.timeline[9].sku = 'VpnGw9'; }), ['sku']);
  assert.equal(rulesAfter((x) => { x.timeline[10].name = 'vm1'; }), ['duplicate']);
});

test('timeline: deleteGateway removes its connections; createGateway brings the name back', () => {
  const s = small();
  s.localNetworkGateways = [{ name: 'S1', gatewayIpAddress: '198.51.100.1', addressPrefixes: ['192.168.1.0/24'] }];
  s.connections = [{ name: 'C1', connectionType: 'IPsec', gateway: 'G1', localNetworkGateway: 'S1', sharedKey: 'k1' }];
  s.timeline = [
    { at: 10, action: 'deleteGateway', gateway: 'G1' },
    { at: 20, action: 'createGateway', name: 'G1', vnet: 'V1', vpnType: 'RouteBased', sku: 'VpnGw2' },
    { at: 30, action: 'fail', target: 'G1' },
  ];
  assert.equal(rules(s), []);
  s.timeline.push({ at: 15, action: 'fail', target: 'G1' }, { at: 40, action: 'resetBgp', connection: 'C1' });
  assert.equal(rules(s), ['ref', 'ref']);
});

test('warnings: unpaired VNet-to-VNet half, unknown underlay location', () => {
  const s = base();
  s.connections.pop();
  assert.equal(rules(s), []);
  assert.equal(warningRules(s), ['pair']);
  assert.equal(warningRules(Object.assign(base(), { underlay: { paths: [{ from: 'estus', to: 'westus' }] } })), ['ref']);
});

test.run();
