import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenario } from '../../src/sim/net/load.js';
import { Simulation } from '../../src/sim/engine/simulation.js';
import { attachTraffic } from '../../src/sim/engine/replay.js';
import { topologyDot, topologySvg } from '../../src/views/topology.js';
import { UsageError } from '../../src/errors.js';

async function simOf(file: string): Promise<Simulation> {
  const s = new Simulation(await loadScenario(file));
  attachTraffic(s);
  return s;
}

/** The `class` of the SVG group with this id. */
function classOf(svg: string, id: string): string | undefined {
  const m = new RegExp(`<g id="${id.replace(/[|]/g, '\\$&')}" class="([^"]*)"`).exec(svg);
  return m?.[1]?.replace(/&#45;/g, '-');
}

test('a tunnel failed on the timeline is drawn down at that time and up after the restore', async () => {
  // tunnel-drop-restore: VNet1toSite1 fails at 125 s, is restored at 305 s.
  const during = await topologySvg(await simOf('scenarios/replays/tunnel-drop-restore.json'), { at: 200 });
  assert.is(classOf(during, 'conn:VNet1toSite1'), 'edge conn state-adminDown');
  const after = await topologySvg(await simOf('scenarios/replays/tunnel-drop-restore.json'), { at: 400 });
  assert.is(classOf(after, 'conn:VNet1toSite1'), 'edge conn state-established');
  assert.match(after, /^<\?xml/);
  assert.match(after, /<svg/);
});

test('VNets with spaces, gateways with SKU, sites, peerings with transit flags, P2S pool with client counts', async () => {
  const s = await simOf('scenarios/p2s-routing/multipeered.json');
  const dot = topologyDot(s);
  const sc = s.scenario;
  for (const v of sc.vnets) {
    assert.ok(dot.includes(`"vnet:${v.name}"`), v.name);
    for (const p of v.addressPrefixes) assert.ok(dot.includes(p), p);
  }
  for (const g of sc.gateways ?? []) assert.ok(dot.includes(`SKU ${g.sku}`), g.name);
  assert.match(dot, /allowGatewayTransit/);
  assert.match(dot, /useRemoteGateways/);
  const clients = sc.clients ?? [];
  const windows = clients.filter((c) => c.os === 'Windows');
  assert.ok(windows.length > 0);
  const proto = windows[0]!.protocol;
  const n = windows.filter((c) => c.protocol === proto).length;
  assert.ok(dot.includes(`Windows ${proto}: ${n} client${n === 1 ? '' : 's'}, ${n} connected`), dot);
  for (const pool of sc.gateways!.flatMap((g) => g.vpnClientConfiguration?.vpnClientAddressPool ?? [])) assert.ok(dot.includes(`pool ${pool}`));
});

test('ExpressRoute circuits are drawn bold and labelled', async () => {
  const dot = topologyDot(await simOf('scenarios/replays/expressroute-failover.json'));
  assert.match(dot, /ExpressRoute circuit/);
  assert.match(dot, /penwidth="4"/);
});

test('a time before now is a UsageError', async () => {
  const s = await simOf('scenarios/replays/tunnel-drop-restore.json');
  s.runUntil(50);
  assert.throws(() => topologyDot(s, { at: 10 }), (e: unknown) => e instanceof UsageError);
});

test.run();
