/**
 * Throughput across SKUs: the same hub with two branch sites, each pulling
 * a bulk TCP flow from a VM, on three gateway SKUs. The two flows share the
 * gateway's aggregate by max-min fairness, so the total follows the SKU.
 * Run: npx tsx examples/throughput-skus.ts
 */
import { defineScenario, runThroughput, type SkuName } from '../src/index.js';

function hub(sku: SkuName) {
  return defineScenario({
    name: `hub-${sku}`,
    seed: 1,
    vnets: [{ name: 'Hub', location: 'westeurope', addressPrefixes: ['10.1.0.0/16'], subnets: [{ name: 'Workload', addressPrefix: '10.1.0.0/24' }, { name: 'GatewaySubnet', addressPrefix: '10.1.255.0/27' }] }],
    gateways: [{ name: 'HubGW', vnet: 'Hub', vpnType: 'RouteBased', sku }],
    localNetworkGateways: [1, 2].map((i) => ({ name: `Branch${i}`, gatewayIpAddress: `192.0.2.${i}`, addressPrefixes: [`172.16.${i}.0/24`], location: `Branch${i}` })),
    connections: [1, 2].map((i) => ({ name: `HubToBranch${i}`, connectionType: 'IPsec' as const, gateway: 'HubGW', localNetworkGateway: `Branch${i}`, sharedKey: 'abc123' })),
    hosts: [{ name: 'vm', vnet: 'Hub', address: '10.1.0.4' }, ...[1, 2].map((i) => ({ name: `server${i}`, localNetworkGateway: `Branch${i}`, address: `172.16.${i}.10` }))],
    flows: [1, 2].map((i) => ({ name: `pull${i}`, from: `server${i}`, to: 'vm', start: 5, bytes: 200_000_000 })),
  });
}

for (const sku of ['VpnGw1', 'VpnGw2', 'VpnGw3'] as const) {
  const r = runThroughput(hub(sku));
  const g = r.gateways[0]!;
  const flows = r.flows.map((f) => `${f.name} ${f.goodputMbps.toFixed(1)}`).join(', ');
  console.log(`${sku}: capacity ${g.capacityMbps} Mbit/s, flows ${flows} Mbit/s, Jain ${r.jainIndex.toFixed(3)}`);
}
