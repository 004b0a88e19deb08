import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenario } from '../../src/sim/net/load.js';
import { Simulation } from '../../src/sim/engine/simulation.js';
import { attachTraffic } from '../../src/sim/engine/replay.js';
import { evaluateReach } from '../../src/sim/engine/reach.js';
import { evaluateReachMatrix, formatReachMatrix, reachMatrixJson } from '../../src/views/reach-matrix.js';
import { formatReach } from '../../src/cli/commands/reach.js';

async function simOf(file: string): Promise<Simulation> {
  const s = new Simulation(await loadScenario(file));
  attachTraffic(s);
  return s;
}

test('hosts along a chain of static VNet-to-VNet and S2S links reach their neighbours only (no transit without BGP)', async () => {
  // multivnets2sbranch: VNet1 = VNet2 = VNet3 - Site1, static routes only. Each gateway knows
  // its own links' prefixes, so a host reaches the next network along the chain, never two away.
  const m = evaluateReachMatrix(await simOf('scenarios/p2s-routing/multivnets2sbranch.json'));
  const row = (n: string) => m.rows.find((r) => r.name === n)!.access;
  assert.equal(row('vm-vnet1'), { VNet1: 'yes', VNet2: 'yes', VNet3: 'no', Site1: 'no', 'vm-vnet2': 'yes', 'vm-vnet3': 'no', 'server-site1': 'no' });
  assert.equal(row('vm-vnet2'), { VNet1: 'yes', VNet2: 'yes', VNet3: 'yes', Site1: 'no', 'vm-vnet1': 'yes', 'vm-vnet3': 'yes', 'server-site1': 'no' });
  assert.is(row('server-site1').VNet3, 'yes');
  assert.is(row('server-site1').VNet1, 'no');
  assert.match(m.rows.find((r) => r.name === 'vm-vnet1')!.explanations.VNet3!, /no route to 10\.3\.0\.4/);
});

test('client rows agree with evaluateReach on every VNet and site', async () => {
  for (const f of ['scenarios/p2s-routing/multis2sbgp.json', 'scenarios/p2s-routing/multipeered.json']) {
    const m = evaluateReachMatrix(await simOf(f));
    const r = evaluateReach(await simOf(f));
    for (const c of r.clients) {
      const row = m.rows.find((x) => x.name === c.name && x.kind === 'client')!;
      for (const [t, a] of Object.entries(c.access)) assert.is(row.access[t], a, `${f} ${c.name} -> ${t}`);
    }
    assert.ok(m.rows.some((x) => x.kind === 'client' && Object.values(x.access).includes('manual')) === r.clients.some((c) => Object.values(c.access).includes('manual')));
  }
});

test('a scenario without P2S clients says so, plain and with --hosts', async () => {
  const text = formatReach(evaluateReach(await simOf('scenarios/replays/tunnel-drop-restore.json')));
  assert.match(text, /no P2S client in this scenario/);
  const m = evaluateReachMatrix(await simOf('scenarios/replays/tunnel-drop-restore.json'));
  assert.match(formatReachMatrix(m), /no P2S client in this scenario/);
  assert.equal(Object.keys(reachMatrixJson(m)), ['scenario', 'at', 'targets', 'rows']);
  assert.equal(Object.keys(reachMatrixJson(m).rows[0]!), ['name', 'kind', 'at', 'access']);
});

test('a failed tunnel shows in the matrix at that time', async () => {
  // tunnel-drop-restore: VNet1toSite1 fails at 125 s; at 200 s the VM cannot reach the site.
  const m = evaluateReachMatrix(await simOf('scenarios/replays/tunnel-drop-restore.json'), { at: 200 });
  assert.is(m.rows.find((r) => r.name === 'vm')!.access.Site1, 'no');
  assert.is(m.rows.find((r) => r.name === 'vm')!.access.VNet1, 'yes');
});

test.run();
