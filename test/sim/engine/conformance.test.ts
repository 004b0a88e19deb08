import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { checkTopology, type DocumentedTables } from '../../../src/sim/engine/conformance.js';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { evaluateReach } from '../../../src/sim/engine/reach.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';

const root = new URL('../../../', import.meta.url);
const doc: DocumentedTables = JSON.parse(readFileSync(new URL('scenarios/documented/p2s-routing.json', root), 'utf8'));
const scenario = (id: string): Scenario => JSON.parse(readFileSync(new URL(`scenarios/p2s-routing/${id}.json`, root), 'utf8'));

const tables = suite('documented P2S routing tables');

tables('the shipped copy of the documented tables equals the specification', () => {
  const shared = new URL('../shared/documented/p2s-routing.json', root);
  if (!existsSync(shared)) return; // outside the project's workspace only the copy exists
  assert.equal(JSON.parse(readFileSync(shared, 'utf8')), doc);
});

tables('eight topologies are documented', () => {
  assert.is(doc.topologies.length, 8);
});

for (const t of doc.topologies) {
  tables(`${t.id}: every cell matches or is a listed anomaly`, () => {
    const { cells } = checkTopology(doc, t.id, scenario(t.id));
    assert.is(cells.length, 6);
    for (const c of cells) {
      assert.ok(c.status !== 'mismatch', `${t.id} ${c.client} ${c.cell}: documented ${JSON.stringify(c.documented)}, simulated ${JSON.stringify(c.simulated)}; ${c.note}`);
    }
  });
}

tables('exactly the two listed anomalies are reported, with their notes and modelExpects', () => {
  const anomalies = doc.topologies.flatMap((t) => checkTopology(doc, t.id, scenario(t.id)).cells.filter((c) => c.status === 'anomaly'));
  assert.is(anomalies.length, doc.anomalies.length);
  for (const a of doc.anomalies) {
    const got = anomalies.find((c) => c.topology === a.topology && c.client === a.client && c.cell === a.cell);
    assert.ok(got, `anomaly ${a.topology}/${a.client}/${a.cell} not reported`);
    assert.equal(got!.simulated, a.modelExpects);
    assert.is(got!.note, a.note);
  }
});

tables('a changed topology is a mismatch, not a silent pass', () => {
  const s = scenario('multis2sbgp');
  for (const c of s.connections!) c.enableBgp = false; // BGP off: VNet2 and VNet3 no longer reachable
  const { cells } = checkTopology(doc, 'multis2sbgp', s);
  assert.ok(cells.some((c) => c.status === 'mismatch' && c.cell === 'access'));
});

tables('the second anomaly: the documented list is reproduced by static transit prefixes on VNet1toVNet2', () => {
  const s = scenario('multivnets2sbranch');
  const c = s.connections!.find((x) => x.name === 'VNet1toVNet2')!;
  c.extraAddressPrefixes = ['10.3.0.0/16', '10.101.0.0/16'];
  const report = evaluateReach(new Simulation(s));
  const mac = report.clients.find((x) => x.os !== 'Windows')!;
  const documented = doc.topologies.find((t) => t.id === 'multivnets2sbranch')!.nonWindows.routes;
  assert.equal(mac.routes, documented);
  // Access is still VNet1 only: without BGP nobody routes the P2S pool back.
  assert.equal(Object.keys(mac.access).filter((n) => mac.access[n] !== 'no'), ['VNet1']);
});

tables.run();
