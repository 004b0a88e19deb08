/**
 * Goodput split between S2S tunnels and P2S clients on one gateway, VpnGw1
 * against VpnGw3: three branch servers pull from the hub VM over S2S tunnels
 * while three P2S clients push to it (scenarios/throughput/vpngw1-shared.json).
 * The split is given by two function metrics (a study module may do that);
 * the gateway total and Jain's index are built-in metrics.
 *
 *   vpnsim study run studies/sku-goodput-split.ts
 */
import { defineStudy, type MetricContext } from '../src/index.js';

/** Summed goodput (Mbit/s) of the flows whose source is (or is not) a P2S client. */
function split(p2s: boolean) {
  return (ctx: MetricContext): number => {
    const clients = new Set((ctx.scenario.clients ?? []).map((c) => c.name));
    const flows = ctx.throughput!.flows.filter((f) => clients.has(f.from) === p2s);
    return Math.round(flows.reduce((a, f) => a + f.goodputMbps, 0) * 1e6) / 1e6;
  };
}

export const study = defineStudy({
  name: 'sku-goodput-split',
  scenario: '../scenarios/throughput/vpngw1-shared.json',
  replications: 3,
  parameters: [{ name: 'sku', path: '/gateways/0/sku', values: ['VpnGw1', 'VpnGw3'] }],
  metrics: [
    { name: 'gateway', gatewayGoodput: { gateway: 'HubGW' } },
    { name: 's2s', uses: ['throughput'], value: split(false) },
    { name: 'p2s', uses: ['throughput'], value: split(true) },
    { name: 'jain', jainIndex: {} },
  ],
});
