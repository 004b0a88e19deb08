/**
 * Golden trajectories: every shipped scenario with a timeline is replayed and
 * its trace fingerprint compared with fingerprints.json. A deliberate change
 * of behaviour regenerates the fixture:
 *
 *   VPNSIM_UPDATE_FINGERPRINTS=1 npx tsx node_modules/uvu/bin.js test fingerprints.test
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../../../src/sim/engine/replay.js';
import { scenariosDir, shippedScenarioFiles } from '../../../src/sim/engine/catalogue.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';

const FIXTURE = fileURLToPath(new URL('./fingerprints.json', import.meta.url));
const UPDATE = process.env.VPNSIM_UPDATE_FINGERPRINTS === '1';

const dir = scenariosDir();
const scenarios = shippedScenarioFiles(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ key: relative(dir, f).split('\\').join('/'), scenario: JSON.parse(readFileSync(f, 'utf8')) as Scenario }))
  .filter((x) => (x.scenario.timeline?.length ?? 0) > 0);

const expected: Record<string, string> = (() => {
  try {
    return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
})();

/** The same scenario with 10 % loss on every underlay path: loss draws come from the seed. */
function lossy(s: Scenario): Scenario {
  const copy = structuredClone(s);
  copy.underlay = { defaults: { ...copy.underlay?.defaults, lossPercent: 10 }, paths: (copy.underlay?.paths ?? []).map((p) => ({ ...p, lossPercent: 10 })) };
  return copy;
}

const golden = suite('scenario fingerprints');

golden('the replays and seed scenarios are all shipped with timelines', () => {
  const keys = scenarios.map((x) => x.key);
  for (const k of ['replays/tunnel-drop-restore.json', 'replays/gateway-reboot.json', 'replays/expressroute-failover.json', 'replays/policy-based-idle.json', 'replays/bgp-transit-heal.json', 'seeds/003-remote-work-azure-only.json', 'seeds/003-remote-work-onprem-bgp.json', 'seeds/004-vnet-to-vnet.json']) {
    assert.ok(keys.includes(k), `${k} missing`);
  }
});

const actual: Record<string, string> = {};
for (const { key, scenario } of scenarios) {
  golden(`${key} matches its recorded fingerprint`, () => {
    const fp = runScenario(scenario).fingerprint;
    actual[key] = fp;
    if (UPDATE) return;
    assert.ok(expected[key], `${key}: no recorded fingerprint. Run VPNSIM_UPDATE_FINGERPRINTS=1 npx tsx node_modules/uvu/bin.js test fingerprints.test`);
    assert.is(fp, expected[key], `${key}: the trajectory changed. If that is intended, regenerate with VPNSIM_UPDATE_FINGERPRINTS=1`);
  });
}

golden('no recorded fingerprint belongs to a scenario that is gone', () => {
  if (UPDATE) {
    const sorted: Record<string, string> = {};
    for (const k of Object.keys(actual).sort()) sorted[k] = actual[k]!;
    writeFileSync(FIXTURE, `${JSON.stringify(sorted, null, 2)}\n`);
    return;
  }
  assert.equal(Object.keys(expected).filter((k) => !scenarios.some((x) => x.key === k)), []);
});

const seeds = suite('fingerprints and seeds');

seeds('the same seed gives the same fingerprint, run after run', () => {
  for (const { key, scenario } of scenarios) {
    assert.is(runScenario(scenario).fingerprint, runScenario(scenario).fingerprint, key);
  }
});

seeds('the seed given to runScenario overrides the scenario\'s', () => {
  const s = scenarios.find((x) => x.key === 'replays/gateway-reboot.json')!.scenario;
  assert.is(runScenario({ ...s, seed: 7 }).fingerprint, runScenario(s, { seed: 7 }).fingerprint);
});

seeds('a gateway failover draws its duration from the seed: every seed, its own trajectory', () => {
  const s = scenarios.find((x) => x.key === 'replays/gateway-reboot.json')!.scenario;
  const fps = [1, 2, 3, 4, 5].map((seed) => runScenario(s, { seed }).fingerprint);
  assert.is(new Set(fps).size, fps.length, fps.join(' '));
});

seeds('any change of seed changes every shipped scenario\'s fingerprint (the trace opens with the seed)', () => {
  for (const { key, scenario } of scenarios) {
    const a = runScenario(scenario, { seed: 1 }).fingerprint;
    assert.is.not(runScenario(scenario, { seed: 2 }).fingerprint, a, key);
    assert.is(runScenario(scenario, { seed: 1 }).fingerprint, a, key);
  }
});

seeds('with loss on the underlay, any change of seed changes every scenario\'s fingerprint', () => {
  for (const { key, scenario } of scenarios) {
    const s = lossy(scenario);
    const a = runScenario(s, { seed: 1 }).fingerprint;
    assert.is.not(runScenario(s, { seed: 2 }).fingerprint, a, key);
    assert.is.not(runScenario(s, { seed: 'another seed' }).fingerprint, a, key);
    assert.is(runScenario(s, { seed: 1 }).fingerprint, a, key);
  }
});

golden.run();
seeds.run();
