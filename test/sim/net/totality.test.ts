import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ScenarioValidationError, ValidationError } from '../../../src/errors.js';
import { evaluateReach, reachJson } from '../../../src/sim/engine/reach.js';
import { attachTraffic } from '../../../src/sim/engine/replay.js';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import { loadScenario } from '../../../src/sim/net/load.js';
import { validateScenario } from '../../../src/sim/net/validate.js';
import { base, rulesAfter, small } from './validate-helpers.js';

/*
 * Issue 14, totality: every input validates and runs, or is refused with a
 * ValidationError naming path, rule and fix.
 */

/** Validates, builds, attaches traffic and runs `until` seconds; returns the simulation. */
function runs(s: unknown, until = 400): Simulation {
  assert.equal(validateScenario(s).errors.map((e) => e.message), []);
  const sim = new Simulation(s as never);
  attachTraffic(sim, { end: until });
  sim.runUntil(until);
  return sim;
}

test('bounds: times beyond 10^9 s are refused (rule time), not crashed on at run time', () => {
  assert.equal(rulesAfter((s) => { s.clients[0].connectAt = 2 ** 53; }), ['time']);
  assert.equal(rulesAfter((s) => { s.clients[0].packageDownloadedAt = 1e10; }), ['time']);
  assert.equal(rulesAfter((s) => { s.gateways[0].provisioningSeconds = 9.1e9; }), ['time']);
  assert.equal(rulesAfter((s) => { s.timeline = [{ at: 9007199255, action: 'fail', target: 'VNet1toSite1' }]; }), ['time']);
  assert.equal(rulesAfter((s) => { s.timeline = [{ at: 10, action: 'ping', from: 'vm1', to: 'onprem1', every: 1, until: 1e12 }]; }), ['time']);
  assert.equal(rulesAfter((s) => { s.clients[0].connectAt = 1e9; }), []);
});

test('bounds: latency, bandwidth and flow size out of range are refused with their rule', () => {
  assert.equal(rulesAfter((s) => { s.underlay = { defaults: { latencyMs: 1e308 } }; }), ['latency']);
  assert.equal(rulesAfter((s) => { s.underlay = { defaults: { bandwidthMbps: 1e-300 } }; }), ['bandwidth']);
  assert.equal(rulesAfter((s) => { s.underlay = { paths: [{ from: 'eastus', to: 'internet', bandwidthMbps: 1e308 }] }; }), ['bandwidth']);
  assert.equal(rulesAfter((s) => { s.localNetworkGateways[0].uplinkMbps = 1e-9; }), ['bandwidth']);
  assert.equal(rulesAfter((s) => { s.timeline = [{ at: 1, action: 'setPath', from: 'eastus', to: 'westus', latencyMs: 4e6 }]; }), ['latency']);
  assert.equal(rulesAfter((s) => { s.flows = [{ name: 'f', from: 'vm1', to: 'onprem1', bytes: 1e15 }]; }), ['size']);
});

test('bounds: a ping every below 1 ms is refused (ping-interval); 1 ms is accepted', () => {
  assert.equal(rulesAfter((s) => { s.timeline = [{ at: 10, action: 'ping', from: 'vm1', to: 'onprem1', every: 1e-7, until: 20 }]; }), ['ping-interval']);
  assert.equal(rulesAfter((s) => { s.timeline = [{ at: 10, action: 'ping', from: 'vm1', to: 'onprem1', every: 0.001, until: 20 }]; }), []);
});

test('a P2S pool smaller than its clients is refused (rule pool); one that fits runs', () => {
  const withClients = (n: number, pool: string) => (s: any) => {
    s.gateways[0].vpnClientConfiguration = { vpnClientAddressPool: [pool], vpnClientProtocols: ['IkeV2'] };
    s.clients = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, os: 'Linux', gateway: 'G1', protocol: 'IkeV2' }));
  };
  assert.equal(rulesAfter(withClients(6, '172.16.0.0/29'), small), ['pool']);
  const s = small();
  withClients(5, '172.16.0.0/29')(s);
  runs(s, 60);
});

test('locations named valueOf, toString, __proto__ and constructor work end to end', () => {
  for (const name of ['valueOf', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'a|b', 'x->y']) {
    const s = base();
    s.localNetworkGateways[0].location = name;
    s.underlay = { paths: [{ from: 'eastus', to: name, latencyMs: 20 }, { from: name, to: 'westus', latencyMs: 30 }] };
    const sim = runs(s, 120);
    assert.ok(sim.now >= 120, name);
  }
});

test('a VNet named __proto__ keeps its place in reach output, --json included', () => {
  const s = JSON.parse(JSON.stringify(base()).replaceAll('"VNet1"', '"__proto__"'));
  const sim = new Simulation(s, { timeline: false });
  const report = evaluateReach(sim);
  const json = JSON.parse(JSON.stringify(reachJson(report)));
  const first = json.clients[0];
  assert.ok(Object.keys(first.access).includes('__proto__'), JSON.stringify(first.access));
});

test('JavaScript inputs: getters, Proxies, Symbol keys, class instances and cycles are refused as input, unread', () => {
  let called = 0;
  const cases: [string, (s: any) => unknown][] = [
    ['getter', (s) => { Object.defineProperty(s.vnets[0], 'name', { get() { called++; throw new TypeError('no'); }, enumerable: true }); return s; }],
    ['proxy', (s) => new Proxy(s, { get() { called++; throw new RangeError('no'); } })],
    ['nested proxy', (s) => { s.gateways[0] = new Proxy(s.gateways[0], { ownKeys() { called++; throw new Error('no'); } }); return s; }],
    ['symbol key', (s) => { s.vnets[0][Symbol('x')] = 1; return s; }],
    ['symbol value', (s) => { s.vnets[0].name = Symbol('x'); return s; }],
    ['class instance', (s) => { s.vnets[0] = Object.assign(new (class Vnet {})(), s.vnets[0]); return s; }],
    ['function', (s) => { s.vnets[0].location = () => 'eastus'; return s; }],
    ['cycle', (s) => { s.vnets[0].self = s; return s; }],
    ['deep', (s) => { let x: unknown = 1; for (let i = 0; i < 10_000; i++) x = [x]; s.extra = x; return s; }],
  ];
  for (const [what, make] of cases) {
    const r = validateScenario(make(base()));
    assert.is(r.errors.length, 1, what);
    assert.instance(r.errors[0], ValidationError, what);
    assert.is(r.errors[0]!.rule, 'input', what);
    assert.throws(() => new Simulation(make(base()) as never), (e: unknown) => e instanceof ScenarioValidationError && e.rule === 'input', what);
  }
  assert.is(called, 0, 'no user code ran');
});

test('JavaScript inputs: null-prototype objects are plain data and validate', () => {
  const toNull = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(toNull);
    if (v && typeof v === 'object') return Object.assign(Object.create(null), Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toNull(x)])));
    return v;
  };
  assert.equal(validateScenario(toNull(base())).errors, []);
  runs(toNull(base()), 60);
});

test('a __proto__ key in a JSON scenario is an unknown field, and no prototype changes', () => {
  const text = JSON.stringify(base()).replace('"name":"VNet1",', '"name":"VNet1","__proto__":{"polluted":1},');
  const r = validateScenario(JSON.parse(text));
  assert.equal(r.errors.map((e) => [e.path, e.rule]), [['$.vnets[0].__proto__', 'schema']]);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('duplicate keys in a JSON scenario file are refused with the key\'s path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpnsim-dup-'));
  const file = join(dir, 's.json');
  writeFileSync(file, JSON.stringify(base()).replace('"location":"eastus",', '"location":"eastus","location":"westus",'));
  try {
    await loadScenario(file);
    assert.unreachable('accepted');
  } catch (err) {
    assert.instance(err, ScenarioValidationError);
    assert.equal((err as ScenarioValidationError).errors.map((e) => [e.path, e.rule]), [['$.vnets[0].location', 'syntax']]);
  }
});

test('validate --help says module scenarios are code', () => {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', '--help'], { encoding: 'utf8' });
  assert.match(out.stdout, /is code: validating it runs it, with your rights/);
});

test.run();
