/**
 * Compile-time contracts of the scenario types. `npx tsc --noEmit` checks
 * this file: each `@ts-expect-error` must meet an error, so a SKU type that
 * widens back to `string`, or a `defineScenario` that stops checking excess
 * properties, fails the type check.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineScenario, type SkuName } from '../../src/sim/net/scenario.js';
import { SKU_NAMES } from '../../src/sim/net/skus.js';

const vnets = [{ name: 'V1', location: 'westeurope', addressPrefixes: ['10.1.0.0/16'], subnets: [{ name: 'GatewaySubnet', addressPrefix: '10.1.255.0/27' }] }];

test('a known SKU and known fields compile', () => {
  const s = defineScenario({ name: 'ok', vnets, gateways: [{ name: 'G1', vnet: 'V1', vpnType: 'RouteBased', sku: 'VpnGw2AZ', enableBgp: true }] });
  assert.is(s.gateways![0]!.sku, 'VpnGw2AZ');
});

test('VpnGw6 does not compile', () => {
  const s = defineScenario({
    name: 'bad-sku', vnets,
    // @ts-expect-error VpnGw6 is not a SkuName
    gateways: [{ name: 'G1', vnet: 'V1', vpnType: 'RouteBased', sku: 'VpnGw6' }],
  });
  assert.ok(s);
});

test('enableBGP (a misspelt enableBgp) does not compile in defineScenario', () => {
  const s = defineScenario({
    name: 'bad-field', vnets,
    // @ts-expect-error enableBGP is not a field of GatewayDef
    gateways: [{ name: 'G1', vnet: 'V1', vpnType: 'RouteBased', sku: 'VpnGw1', enableBGP: true }],
  });
  assert.ok(s);
});

test('SkuName lists exactly the catalogue names', () => {
  const all: Record<SkuName, true> = {
    Basic: true, Standard: true, HighPerformance: true, VpnGw1: true, VpnGw2: true, VpnGw3: true, VpnGw4: true, VpnGw5: true,
    VpnGw1AZ: true, VpnGw2AZ: true, VpnGw3AZ: true, VpnGw4AZ: true, VpnGw5AZ: true,
  };
  assert.equal(Object.keys(all).sort(), [...SKU_NAMES].sort());
});

test.run();
