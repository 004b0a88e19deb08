/** The tutorial's scenario (its first TypeScript block) loads, validates and replays as the text says. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenario } from '../../src/sim/net/load.js';
import { runScenario } from '../../src/sim/engine/replay.js';
import { topologySvg } from '../../src/views/topology.js';
import { Simulation } from '../../src/sim/engine/simulation.js';
import { attachTraffic } from '../../src/sim/engine/replay.js';

test('docs/tutorial.md: hub.ts fails at 125 s, the tunnel is drawn down at 200 s, pings are lost meanwhile', async () => {
  const md = readFileSync('docs/tutorial.md', 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(md)![1]!;
  mkdirSync('test-artifacts', { recursive: true });
  const file = resolve('test-artifacts/tutorial-hub.ts');
  writeFileSync(file, block.replace("from 'vpnsim'", `from '${resolve('src/index.js')}'`));
  const scenario = await loadScenario(file);
  const r = runScenario(scenario);
  assert.equal(r.tunnelEvents.map((e) => [e.connection, e.state]), [['HubToBranch', 'up'], ['HubToBranch', 'down'], ['HubToBranch', 'up']]);
  assert.is(r.tunnelEvents[1]!.t, 125);
  assert.ok(r.outages.some((o) => o.from === 'vm' && o.to === 'srv' && o.start >= 125 && o.end !== null && o.end > 305));
  const s = new Simulation(scenario);
  attachTraffic(s);
  assert.match(await topologySvg(s, { at: 200 }), /state&#45;adminDown/);
});

test.run();
