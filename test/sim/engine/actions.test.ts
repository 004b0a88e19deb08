import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { evaluateReach } from '../../../src/sim/engine/reach.js';
import { attachTraffic } from '../../../src/sim/engine/replay.js';
import { UsageError } from '../../../src/errors.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';
import { gateway, p2sPool, shipped, v2v, vnet } from '../../helpers/build.js';
import { probeAt, records } from '../../helpers/run.js';

const actions = suite('timeline actions');


// VNet1 (eastus) <-> VNet2 (westus), 30 ms one way.
const pair = (): Scenario => ({
  name: 'pair', vnets: [vnet('VNet1', 1, 'eastus'), vnet('VNet2', 2, 'westus')],
  gateways: [gateway('VNet1GW', 'VNet1', { vpnClientConfiguration: p2sPool() }), gateway('VNet2GW', 'VNet2')],
  connections: v2v('VNet1', 'VNet2'),
  clients: [{ name: 'lin', os: 'Linux', gateway: 'VNet1GW', protocol: 'IkeV2', location: 'eastus' }],
  hosts: [{ name: 'vm1', vnet: 'VNet1', address: '10.1.0.4' }, { name: 'vm2', vnet: 'VNet2', address: '10.2.0.4' }],
  underlay: { paths: [{ from: 'eastus', to: 'westus', latencyMs: 30, bandwidthMbps: 1e9 }] },
});

actions('setPath changes latency for the next packets', () => {
  const sc = pair();
  sc.timeline = [{ at: 50, action: 'setPath', from: 'westus', to: 'eastus', latencyMs: 80 }];
  const s = new Simulation(sc);
  const before = probeAt(s, 10, 'vm1', '10.2.0.4');
  const after = probeAt(s, 60, 'vm1', '10.2.0.4');
  // Request: vm1 -> VNet1 (0.1 ms) -> VNet1GW (0.1 ms) -> tunnel (one way) -> VNet2GW -> VNet2 (0.1 ms), delivered there.
  // Reply: VNet2 -> VNet2GW (0.1 ms) -> tunnel (one way) -> VNet1GW -> VNet1 (0.1 ms). So 5 x 0.1 ms + 2 x one way.
  assert.is(Math.round(before.rtt! * 1e6), 60_500);
  assert.is(Math.round(after.rtt! * 1e6), 160_500);
});

actions('setPath with total loss: DPD takes the tunnel down 45 s after the last message heard', () => {
  const sc = pair();
  sc.timeline = [{ at: 100, action: 'setPath', from: 'eastus', to: 'westus', lossPercent: 100 }];
  const s = new Simulation(sc);
  s.runUntil(200);
  const down = records(s, 'tunnel.down');
  assert.ok(down.length >= 1);
  assert.is(down[0]!.reason, 'dpdTimeout');
  assert.ok((down[0]!.t as number) > 130 && (down[0]!.t as number) <= 145.1, `at ${down[0]!.t}`);
});

actions('disconnectClient ends the P2S session; it stays down until connectClient (R19)', () => {
  const sc = pair();
  sc.timeline = [{ at: 10, action: 'disconnectClient', client: 'lin' }, { at: 100, action: 'connectClient', client: 'lin' }];
  const s = new Simulation(sc);
  s.runUntil(5);
  assert.ok(s.network.client('lin').connected);
  s.runUntil(99);
  assert.not.ok(s.network.client('lin').connected);
  assert.is(records(s, 'client.disconnected')[0]!.t, 10);
  s.runUntil(101);
  assert.ok(s.network.client('lin').connected);
  assert.ok(probeAt(s, 110, 'lin', '10.1.0.4').ok);
});

actions('removePeering takes the peered VNet and its gateway transit away', () => {
  const sc = shipped('p2s-routing/multipeered.json');
  sc.timeline = [{ at: 100, action: 'removePeering', vnet: 'VNet2', remoteVnet: 'VNet1' }];
  const before = evaluateReach(new Simulation(sc), { at: 50 });
  const after = evaluateReach(new Simulation(sc), { at: 150 });
  const mac = (r: typeof before) => r.clients.find((c) => c.os !== 'Windows')!;
  assert.is(mac(before).access.VNet2, 'yes');
  assert.not.ok(mac(after).routes.includes('10.2.0.0/16'));
  assert.is(mac(after).access.VNet2, 'no');
});

actions('deleteGateway drops its tunnels and clients; a gateway created again gets a new public IP (R2) after provisioning (R3)', () => {
  const sc = pair();
  sc.timeline = [
    { at: 100, action: 'deleteGateway', gateway: 'VNet2GW' },
    { at: 200, action: 'createGateway', ...gateway('VNet2GW', 'VNet2'), provisioningSeconds: 600 },
    // Deleting a gateway deletes the connections on both sides; both are added again.
    ...v2v('VNet1', 'VNet2').map((c) => ({ at: 200, action: 'addConnection' as const, ...c })),
  ];
  const s = new Simulation(sc);
  s.runUntil(1);
  const firstIp = s.network.gateway('VNet2GW').publicIp;
  s.runUntil(150);
  assert.is(records(s, 'tunnel.down')[0]!.reason, 'removed');
  assert.is(probeAt(s, 150, 'vm1', '10.2.0.4').ok, false);
  s.runUntil(700);
  assert.is.not(s.network.gateway('VNet2GW').publicIp, firstIp);
  assert.is(records(s, 'tunnel.up').filter((r) => (r.t as number) > 200).length, 0, 'not before provisioning');
  s.runUntil(801);
  assert.ok(records(s, 'tunnel.up').some((r) => (r.t as number) >= 800));
  assert.ok(probeAt(s, 810, 'vm1', '10.2.0.4').ok);
});

actions('BGP converges along a chain: VNet3 learns the P2S pool of VNet1 through VNet2', () => {
  const sc = shipped('p2s-routing/multis2sbgp.json');
  const s = new Simulation(sc);
  s.settle();
  const adds = records(s, 'route.add').filter((r) => r.node === 'gw:VNet3GW' && r.prefix === '192.168.0.0/24');
  assert.is(adds.length, 1);
  assert.equal(adds[0]!.asPath, [65020, 65010]);
  // Nothing reaches VNet3 before both tunnels and both sessions are up.
  const established = records(s, 'bgp.state').filter((r) => r.to === 'Established').map((r) => r.t as number);
  assert.ok((adds[0]!.t as number) >= Math.max(...established.slice(0, 2)));
});

actions('a tunnel hop carries the packet in ESP between the public NICs: serialisation counts the outer bytes', () => {
  // 84-byte probe in ESP (GCM): outer IP 20 + ESP 8 + IV 8 + 84 + pad 2 + trailer 2 + ICV 16 = 140 bytes.
  // At 1 Mbit/s each tunnel crossing serialises 140 x 8 = 1,120 µs instead of 672 µs.
  const sc = pair();
  sc.underlay = { paths: [{ from: 'eastus', to: 'westus', latencyMs: 30, bandwidthMbps: 1 }] };
  const s = new Simulation(sc);
  const r = probeAt(s, 30, 'vm1', '10.2.0.4');
  assert.is(Math.round(r.rtt! * 1e6), 60_500 + 2 * 1_120);
});

actions('ping and startFlow need a traffic generator: a clear error without one, pings with attachTraffic', () => {
  const sc = shipped('replays/tunnel-drop-restore.json');
  const bare = new Simulation(sc);
  try {
    bare.runUntil(200);
    assert.unreachable('ran a ping with no generator');
  } catch (err) {
    assert.instance((err as Error).cause, UsageError);
  }
  const s = new Simulation(sc);
  attachTraffic(s);
  s.runUntil(200);
  assert.ok(records(s, 'ping').length > 0);
  assert.is(s.tunnelStatuses()[0]!.status, 'adminDown');
});

actions.run();
