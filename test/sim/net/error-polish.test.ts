import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NotFoundError, ScenarioValidationError } from '../../../src/errors.js';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { effectiveRoutes } from '../../../src/sim/engine/watcher.js';
import { parseScenario, validateScenario } from '../../../src/sim/net/validate.js';
import { base } from './validate-helpers.js';

/* Issue 18, error polish: each issue once, no cascades, did-you-mean on names. */

function refusal(s: unknown): ScenarioValidationError {
  try {
    parseScenario(s);
  } catch (err) {
    if (err instanceof ScenarioValidationError) return err;
    throw err;
  }
  throw new Error('accepted');
}

const count = (text: string, part: string): number => text.split(part).length - 1;

test('the aggregate message lists each issue once, path and rule included', () => {
  const s = base();
  s.connections[0].sharedKey = 'a b';
  delete s.vnets[1].location;
  const err = refusal(s);
  assert.is(err.errors.length, 2);
  for (const e of err.errors) {
    assert.is(count(err.message, `${e.path}:`), 1, `${e.path} in: ${err.message}`);
    assert.is(count(err.message, e.message), 1);
  }
  assert.is(err.rule, err.errors[0]!.rule);
});

test('a VNet the schema rejects raises no "unknown location" warning for an underlay path to its location', () => {
  const s = base();
  delete s.vnets[1].addressPrefixes; // VNet2, the only VNet in westus
  s.underlay = { paths: [{ from: 'westus', to: 'internet', latencyMs: 5 }] };
  const r = validateScenario(s);
  assert.equal(r.errors.map((e) => e.rule), ['schema']);
  assert.equal(r.warnings.filter((w) => w.path.startsWith('$.underlay')), []);
  // Without the broken VNet the warning is real.
  const t = base();
  t.underlay = { paths: [{ from: 'nowhere', to: 'internet', latencyMs: 5 }] };
  assert.equal(validateScenario(t).warnings.map((w) => w.path), ['$.underlay.paths[0].from']);
});

test('did-you-mean for action names and SKU names, case-insensitive', () => {
  const s = base();
  s.timeline = [{ at: 1, action: 'FAIL', target: 'GW1' }];
  s.gateways[0].sku = 'vpngw2';
  const err = refusal(s);
  const fixes = err.errors.map((e) => e.fix);
  assert.ok(fixes.some((f) => f.startsWith('Did you mean "fail"?')), fixes.join(' | '));
  assert.ok(fixes.some((f) => f.startsWith('Did you mean "VpnGw2"?')), fixes.join(' | '));
  const t = base();
  t.gateways[0].sku = 'vpngw2az';
  assert.ok(refusal(t).errors[0]!.fix.startsWith('Did you mean "VpnGw2AZ"?'), refusal(t).errors[0]!.fix);
});

test('NotFoundError names the nearest name', () => {
  const sim = new Simulation(base(), { timeline: false });
  assert.throws(() => sim.network.vnet('vnet1'), (e: unknown) => e instanceof NotFoundError && /Did you mean "VNet1"\?/.test(e.message));
  assert.throws(() => effectiveRoutes(sim, 'GW3'), (e: unknown) => e instanceof NotFoundError && /Did you mean "GW1"\?|Did you mean "GW2"\?/.test(e.message));
});

test.run();
