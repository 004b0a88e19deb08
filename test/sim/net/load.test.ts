import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NotFoundError, ScenarioValidationError, UsageError } from '../../../src/errors.js';
import { loadScenario, readScenarioFile } from '../../../src/sim/net/load.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/scenarios/${name}`, import.meta.url));

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

test('JSON, YAML and TypeScript fixtures load to the same scenario', async () => {
  const json = await loadScenario(fixture('full.json'));
  const yaml = await loadScenario(fixture('full.yaml'));
  const ts = await loadScenario(fixture('full.ts'));
  assert.equal(ts, json);
  assert.equal(yaml, json);
  assert.is(json.name, 'full');
  assert.is((json as unknown as Record<string, unknown>).$schema, undefined);
});

test('a module may export the scenario as default', async () => {
  const s = await loadScenario(fixture('default-export.ts'));
  assert.is(s.name, 'default-export');
});

test('a module without a scenario export is a ScenarioValidationError (rule module)', async () => {
  const err = await rejects(loadScenario(fixture('no-export.ts')));
  assert.instance(err, ScenarioValidationError);
  assert.equal((err as ScenarioValidationError).errors.map((e) => e.rule), ['module']);
});

test('JSON that does not parse is a ScenarioValidationError (rule syntax)', async () => {
  const err = await rejects(readScenarioFile(fixture('syntax-error.json')));
  assert.instance(err, ScenarioValidationError);
  assert.is((err as ScenarioValidationError).rule, 'syntax');
});

test('an invalid scenario file rejects with every error', async () => {
  const err = await rejects(loadScenario(fixture('invalid.yaml')));
  assert.instance(err, ScenarioValidationError);
  assert.equal((err as ScenarioValidationError).errors.map((e) => [e.path, e.rule]), [['$.vnets[0].addressPrefixes[0]', 'cidr']]);
});

test('a missing file is a NotFoundError; an unknown extension a UsageError', async () => {
  assert.instance(await rejects(loadScenario(fixture('nope.json'))), NotFoundError);
  assert.instance(await rejects(loadScenario(fixture('nope.ts'))), NotFoundError);
  const err = await rejects(loadScenario(fixture('full.txt')));
  assert.instance(err, UsageError);
  assert.is((err as UsageError).rule, 'format');
});

test.run();
