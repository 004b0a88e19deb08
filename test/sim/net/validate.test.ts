import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ScenarioValidationError, ValidationError } from '../../../src/errors.js';
import { parseScenario, validateScenario } from '../../../src/sim/net/validate.js';
import { base, rules, rulesAfter, small, warningRules } from './validate-helpers.js';

/** Asserts that `got` contains `rule`, showing the list when it does not. */
function has(got: string[], rule: string): void {
  assert.ok(got.includes(rule), `expected rule ${rule} in [${got.join(', ')}]`);
}

test('the full fixture is valid, with no warnings', () => {
  const r = validateScenario(base());
  assert.equal(r.errors.map((e) => e.message), []);
  assert.equal(r.warnings, []);
});

test('parseScenario returns a copy without $schema; throws ScenarioValidationError with every error', () => {
  const s = base();
  const parsed = parseScenario(s);
  assert.is((parsed as unknown as Record<string, unknown>).$schema, undefined);
  assert.is.not(parsed.vnets, s.vnets);
  s.connections[0].sharedKey = 'a b';
  s.hosts[0].address = '10.1.255.4';
  try {
    parseScenario(s, 'file.json');
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, ScenarioValidationError);
    assert.instance(err, ValidationError);
    assert.equal((err as ScenarioValidationError).errors.map((e) => e.rule).sort(), ['R1', 'R4']);
  }
});

test('validateScenario never throws for non-objects', () => {
  for (const v of [null, undefined, 1, 'x', [], true, () => 1, Symbol('s'), Object.create(null)]) {
    const r = validateScenario(v);
    assert.ok(r.errors.length > 0);
    assert.ok(r.errors.every((e) => e.rule === (typeof v === 'function' || typeof v === 'symbol' ? 'input' : 'schema')), String(typeof v));
  }
});

// R1 ------------------------------------------------------------------------

test('R1: a gateway needs a subnet named exactly GatewaySubnet', () => {
  assert.equal(rules(small()), []);
  has(rulesAfter((s) => { s.vnets[0].subnets[1].name = 'gatewaysubnet'; }, small), 'R1');
  has(rulesAfter((s) => { s.vnets[0].subnets.pop(); }, small), 'R1');
});

test('R1: GatewaySubnet smaller than /29 is an error, /29 a warning, /28 fine', () => {
  has(rulesAfter((s) => { s.vnets[0].subnets[1].addressPrefix = '10.1.255.0/30'; }, small), 'R1');
  const w = small();
  w.vnets[0].subnets[1].addressPrefix = '10.1.255.0/29';
  assert.equal(rules(w), []);
  assert.equal(warningRules(w), ['R1']);
  const ok = small();
  ok.vnets[0].subnets[1].addressPrefix = '10.1.255.0/28';
  assert.equal(warningRules(ok), []);
});

test('R1: no host inside GatewaySubnet', () => {
  has(rulesAfter((s) => { s.hosts[0].address = '10.1.255.10'; }), 'R1');
});

test('R1: subnets inside the address space and not overlapping', () => {
  assert.equal(rulesAfter((s) => { s.vnets[0].subnets[0].addressPrefix = '10.9.0.0/24'; }, small), ['prefix']);
  assert.equal(rulesAfter((s) => { s.vnets[0].subnets.push({ name: 'B', addressPrefix: '10.1.0.128/25' }); }, small), ['overlap']);
  assert.equal(rulesAfter((s) => { s.vnets[0].addressPrefixes.push('10.1.128.0/17'); }, small), ['overlap']);
  assert.equal(rulesAfter((s) => { s.vnets[0].subnets.push({ name: 'Front', addressPrefix: '10.1.1.0/24' }); }, small), ['duplicate']);
});

test('R1: at most one gateway per gatewayType per VNet; a Vpn and an ExpressRoute gateway may share', () => {
  has(rulesAfter((s) => { s.gateways.push({ name: 'G2', vnet: 'V1', vpnType: 'RouteBased', sku: 'VpnGw1' }); }, small), 'R1');
  assert.equal(rulesAfter((s) => { s.gateways.push({ name: 'ER', vnet: 'V1', gatewayType: 'ExpressRoute', vpnType: 'RouteBased', sku: 'Standard' }); }, small), []);
});

// R4 ------------------------------------------------------------------------

test('R4: sharedKey is 1-128 letters or digits, required on IPsec and Vnet2Vnet', () => {
  for (const key of ['', 'ab c', 'abc-123', 'x'.repeat(129), 'ключ']) {
    assert.equal(rulesAfter((s) => { s.connections[0].sharedKey = key; }), ['R4'], key);
  }
  assert.equal(rulesAfter((s) => { s.connections[0].sharedKey = 'A'.repeat(128); }), []);
  assert.equal(rulesAfter((s) => { delete s.connections[0].sharedKey; }), ['R4']);
  assert.equal(rulesAfter((s) => { delete s.connections[1].sharedKey; }), ['R4']);
});

test('R4: different keys on the two Vnet2Vnet halves are not a validation error', () => {
  assert.equal(rulesAfter((s) => { s.connections[2].sharedKey = 'other1'; }), []);
});

// R6 ------------------------------------------------------------------------

function policySmall(): ReturnType<typeof small> {
  const s = small();
  s.gateways[0].vpnType = 'PolicyBased';
  s.gateways[0].sku = 'Basic';
  s.localNetworkGateways = [
    { name: 'S1', gatewayIpAddress: '198.51.100.1', addressPrefixes: ['192.168.1.0/24'] },
    { name: 'S2', gatewayIpAddress: '198.51.100.2', addressPrefixes: ['192.168.2.0/24'] },
  ];
  s.connections = [{ name: 'C1', connectionType: 'IPsec', gateway: 'G1', localNetworkGateway: 'S1', sharedKey: 'k1', connectionProtocol: 'IKEv1' }];
  return s;
}

test('R6: a policy-based gateway takes one S2S tunnel (multi-site needs RouteBased)', () => {
  assert.equal(rules(policySmall()), []);
  has(rulesAfter((s) => { s.connections.push({ name: 'C2', connectionType: 'IPsec', gateway: 'G1', localNetworkGateway: 'S2', sharedKey: 'k2' }); }, policySmall), 'R6');
  assert.equal(rulesAfter((s) => { s.gateways[0].vpnType = 'RouteBased'; s.connections.push({ name: 'C2', connectionType: 'IPsec', gateway: 'G1', localNetworkGateway: 'S2', sharedKey: 'k2' }); }, policySmall), []);
});

test('R6: policy-based is IKEv1 only, no BGP, no Vnet2Vnet; vpnType must be offered by the SKU', () => {
  assert.equal(rulesAfter((s) => { s.connections[0].connectionProtocol = 'IKEv2'; }, policySmall), ['R6']);
  has(rulesAfter((s) => { s.gateways[0].enableBgp = true; }, policySmall), 'R6');
  assert.equal(rulesAfter((s) => { s.gateways[0].vpnType = 'PolicyBased'; }, small), ['R6']);
  // Route-based GW1 to policy-based GW2.
  const v2v = rulesAfter((s) => { s.gateways[1].vpnType = 'PolicyBased'; s.gateways[1].sku = 'Basic'; delete s.gateways[1].enableBgp; delete s.gateways[1].bgpSettings; for (const c of s.connections) c.enableBgp = false; });
  has(v2v, 'R6');
  assert.ok(v2v.every((r) => r === 'R6'), v2v.join());
});

test('R6: transit (allowGatewayTransit) needs a RouteBased gateway', () => {
  const s = policySmall();
  s.vnets.push({ name: 'V3', location: 'eastus', addressPrefixes: ['10.3.0.0/16'], subnets: [] });
  s.peerings = [{ vnet: 'V1', remoteVnet: 'V3', allowGatewayTransit: true }, { vnet: 'V3', remoteVnet: 'V1' }];
  assert.equal(rules(s), ['R6']);
});

// R7, R8 --------------------------------------------------------------------

function manySites(n: number, sku: string): ReturnType<typeof small> {
  const s = small();
  s.gateways[0].sku = sku;
  s.localNetworkGateways = [];
  s.connections = [];
  for (let i = 0; i < n; i++) {
    s.localNetworkGateways.push({ name: `S${i}`, gatewayIpAddress: `198.51.100.${i + 1}`, addressPrefixes: [`192.168.${i}.0/24`] });
    s.connections.push({ name: `C${i}`, connectionType: 'IPsec', gateway: 'G1', localNetworkGateway: `S${i}`, sharedKey: `k${i}` });
  }
  return s;
}

test('R7: connections per gateway within the SKU limit (legacy and current)', () => {
  assert.equal(rules(manySites(10, 'Standard')), []);
  assert.equal(rules(manySites(11, 'Standard')), ['R7']);
  assert.equal(rules(manySites(30, 'HighPerformance')), []);
  assert.equal(rules(manySites(31, 'HighPerformance')), ['R7']);
  assert.equal(rules(manySites(31, 'VpnGw1')), ['R7']);
  assert.equal(rules(manySites(31, 'VpnGw4')), []);
});

test('R8: no two connections from one gateway to one site or one device IP', () => {
  has(rulesAfter((s) => { s.connections.push({ name: 'dup', connectionType: 'IPsec', gateway: 'G1', localNetworkGateway: 'S0', sharedKey: 'k' }); }, () => manySites(2, 'VpnGw1')), 'R8');
  assert.equal(rulesAfter((s) => { s.localNetworkGateways[1].gatewayIpAddress = '198.51.100.1'; }, () => manySites(2, 'VpnGw1')), ['R8']);
});

// R9, R20 -------------------------------------------------------------------

test('R9: connected VNets and sites must not overlap (transitively)', () => {
  has(rulesAfter((s) => { s.localNetworkGateways[0].addressPrefixes = ['10.2.0.0/16']; s.hosts[3].address = '10.2.0.10'; }), 'R9');
  // VNet3 reaches VNet2 only through VNet1 (peering + connection): still checked.
  has(rulesAfter((s) => { s.vnets[2].addressPrefixes = ['10.2.0.0/16']; s.vnets[2].subnets[0].addressPrefix = '10.2.0.0/24'; s.hosts[2].address = '10.2.0.5'; }), 'R9');
  // Not connected at all: allowed.
  assert.equal(rulesAfter((s) => { s.vnets.push({ name: 'Lone', location: 'eastus', addressPrefixes: ['10.1.0.0/16'], subnets: [] }); }), []);
});

test('R20: P2S pools overlap neither each other nor any VNet or site prefix', () => {
  has(rulesAfter((s) => { s.gateways[0].vpnClientConfiguration.vpnClientAddressPool = ['10.3.0.0/24']; }), 'R20');
  has(rulesAfter((s) => { s.gateways[1].vpnClientConfiguration = { vpnClientAddressPool: ['172.16.0.128/25'], vpnClientProtocols: ['IkeV2'] }; }), 'R20');
  assert.equal(rulesAfter((s) => { s.gateways[1].vpnClientConfiguration = { vpnClientAddressPool: ['172.17.0.0/24'], vpnClientProtocols: ['IkeV2'] }; }), []);
});

// R12 -----------------------------------------------------------------------

test('R12: ExpressRoute connections need an ExpressRoute gateway; coexistence needs a capable SKU', () => {
  const er = (s: ReturnType<typeof small>): void => {
    s.gateways.push({ name: 'ER', vnet: 'V1', gatewayType: 'ExpressRoute', vpnType: 'RouteBased', sku: 'Standard' });
    s.localNetworkGateways = [{ name: 'Circuit', gatewayIpAddress: '198.51.100.9', addressPrefixes: ['192.168.50.0/24'] }];
    s.connections = [{ name: 'ERconn', connectionType: 'ExpressRoute', gateway: 'ER', localNetworkGateway: 'Circuit' }];
  };
  assert.equal(rulesAfter(er, small), []);
  assert.equal(rulesAfter((s) => { er(s); s.connections[0].gateway = 'G1'; }, small), ['R12']);
  has(rulesAfter((s) => { er(s); s.gateways[0].sku = 'Basic'; }, small), 'R12');
  assert.equal(rulesAfter((s) => { er(s); s.connections.push({ name: 'S2S', connectionType: 'IPsec', gateway: 'ER', localNetworkGateway: 'Circuit', sharedKey: 'k' }); }, small), ['R12']);
});

// R16, R17, R18 -------------------------------------------------------------

test('R16: point-to-site only on RouteBased gateways with a client configuration', () => {
  assert.equal(rulesAfter((s) => { s.gateways[0].vpnType = 'PolicyBased'; s.gateways[0].sku = 'Basic'; s.gateways[0].vpnClientConfiguration = { vpnClientAddressPool: ['172.16.0.0/24'], vpnClientProtocols: ['SSTP'] }; }, small), ['R16']);
  has(rulesAfter((s) => { s.clients[0].gateway = 'GW2'; }), 'R16');
});

test('R17: SSTP on Windows only; protocol offered by the gateway; no IKEv2/OpenVPN on legacy SKUs', () => {
  assert.equal(rulesAfter((s) => { s.clients[0].os = 'Linux'; }), ['R17']);
  assert.equal(rulesAfter((s) => { s.gateways[0].vpnClientConfiguration.vpnClientProtocols = ['SSTP']; }), ['R17']);
  assert.equal(rulesAfter((s) => {
    s.gateways[0].sku = 'Basic';
    s.gateways[0].vpnClientConfiguration = { vpnClientAddressPool: ['172.16.0.0/24'], vpnClientProtocols: ['SSTP', 'IkeV2'] };
  }, small), ['R17']);
});

test('R18: client counts per SKU and protocol (connectAt null counts); at most 20 roots; client root must exist', () => {
  const withClients = (sstp: number, ike: number) => (s: ReturnType<typeof small>): void => {
    s.gateways[0].vpnClientConfiguration = { vpnClientAddressPool: ['172.16.0.0/16'], vpnClientProtocols: ['SSTP', 'IkeV2', 'OpenVPN'] };
    s.clients = [];
    for (let i = 0; i < sstp; i++) s.clients.push({ name: `w${i}`, os: 'Windows', gateway: 'G1', protocol: 'SSTP', connectAt: null });
    for (let i = 0; i < ike; i++) s.clients.push({ name: `m${i}`, os: 'macOS', gateway: 'G1', protocol: i % 2 ? 'OpenVPN' : 'IkeV2' });
  };
  assert.equal(rulesAfter(withClients(128, 250), small), []);
  assert.equal(rulesAfter(withClients(129, 0), small), ['R18']);
  assert.equal(rulesAfter(withClients(0, 251), small), ['R18']);
  assert.equal(rulesAfter((s) => { withClients(0, 251)(s); s.gateways[0].sku = 'VpnGw2'; }, small), []);
  assert.equal(rulesAfter((s) => { s.gateways[0].vpnClientConfiguration.vpnClientRootCertificates = Array.from({ length: 21 }, (_, i) => ({ name: i ? `R${i}` : 'Root1' })); }), ['R18']);
  assert.equal(rulesAfter((s) => { s.clients[0].rootCertificate = 'Nope'; }), ['R18']);
});

// R22 -----------------------------------------------------------------------

test('R22: useRemoteGateways needs a remote gateway and allowGatewayTransit back', () => {
  assert.equal(rulesAfter((s) => { delete s.peerings[0].allowGatewayTransit; }), ['R22']);
  assert.equal(rulesAfter((s) => { s.peerings.splice(0, 1); }), ['R22']);
  has(rulesAfter((s) => { s.peerings = [{ vnet: 'VNet1', remoteVnet: 'VNet3', useRemoteGateways: true }, { vnet: 'VNet3', remoteVnet: 'VNet1', allowGatewayTransit: true }]; }), 'R22');
});

test('R22: a VNet with its own gateway cannot use remote gateways; not both flags on one peering', () => {
  has(rulesAfter((s) => { s.peerings.push({ vnet: 'VNet2', remoteVnet: 'VNet1', useRemoteGateways: true }, { vnet: 'VNet1', remoteVnet: 'VNet2', allowGatewayTransit: true }); }), 'R22');
  has(rulesAfter((s) => { s.peerings[0].useRemoteGateways = true; }), 'R22');
});

// BGP -----------------------------------------------------------------------

test('BGP: connection BGP needs gateway BGP, a BGP peer, site bgpSettings and a BGP SKU', () => {
  assert.equal(rulesAfter((s) => { delete s.gateways[1].enableBgp; delete s.gateways[1].bgpSettings; }), ['bgp', 'bgp']);
  assert.equal(rulesAfter((s) => { delete s.localNetworkGateways[0].bgpSettings.bgpPeeringAddress; }), ['bgp']);
  assert.equal(rulesAfter((s) => { s.gateways[0].enableBgp = true; s.gateways[0].sku = 'Basic'; }, small), ['bgp']);
  assert.equal(rulesAfter((s) => { for (const c of s.connections) c.enableBgp = false; delete s.gateways[1].enableBgp; }), []);
});

test('BGP: reserved ASNs and equal ASNs on both ends are errors; 65515 only on Azure gateways', () => {
  for (const asn of [8074, 8075, 8076, 12076, 65517, 65520, 23456, 64496, 64511, 65535, 65551]) {
    assert.equal(rulesAfter((s) => { s.gateways[0].bgpSettings.asn = asn; }), ['asn'], `gateway ${asn}`);
  }
  for (const asn of [65515, 8075, 64500]) {
    assert.equal(rulesAfter((s) => { s.localNetworkGateways[0].bgpSettings.asn = asn; }), asn === 65515 ? ['asn'] : ['asn'], `site ${asn}`);
  }
  assert.equal(rulesAfter((s) => { s.gateways[0].bgpSettings.asn = 65515; }), []);
  assert.equal(rulesAfter((s) => { s.localNetworkGateways[0].bgpSettings.asn = 65010; }), ['asn']);
  assert.equal(rulesAfter((s) => { s.gateways[1].bgpSettings.asn = 65010; }), ['asn', 'asn']);
});

test('BGP: a gateway bgpPeeringAddress lies in GatewaySubnet', () => {
  assert.equal(rulesAfter((s) => { s.gateways[0].bgpSettings.bgpPeeringAddress = '10.1.255.30'; }), []);
  assert.equal(rulesAfter((s) => { s.gateways[0].bgpSettings.bgpPeeringAddress = '10.1.0.30'; }), ['bgp']);
});

test.run();
