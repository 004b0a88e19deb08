import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bgpJitter } from '../../src/protocols/bgp/jitter.js';
import { Rng } from '../../src/sim/kernel/rng.js';
import { Simulator } from '../../src/sim/kernel/simulator.js';
import { MachineDriver } from '../../src/protocols/driver.js';

test('RFC 4271 §10: keepalive and ConnectRetry times are scaled by U(0.75, 1.0), afresh each time', () => {
  const j = bgpJitter(new Rng(1).stream('bgp/test'));
  const draws = Array.from({ length: 2000 }, () => j('keepalive', 60));
  assert.ok(draws.every((d) => d >= 45 && d < 60), 'within [45, 60)');
  assert.ok(new Set(draws).size > 1900, 'a new value each time');
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  assert.ok(Math.abs(mean - 52.5) < 0.5, `mean ${mean}`);
  assert.ok(j('connectRetry', 120) < 120);
});

test('the hold timer is never jittered', () => {
  const j = bgpJitter(new Rng(1).stream('bgp/test'));
  assert.is(j('hold', 180), 180);
  assert.is(j('idleHold', 5), 5);
});

test('the driver applies a timer hook to every started timer', () => {
  const sim = new Simulator();
  const fired: number[] = [];
  const d = new MachineDriver<number, { kind: 'go' } | { kind: 'timer'; name: string }, { kind: 'startTimer'; name: string; after: number }>(
    sim, 'm', (s, i) => (i.kind === 'go' ? { next: s, effects: [{ kind: 'startTimer', name: 'keepalive', after: 10 }], reason: 'go' } : (fired.push(sim.now), { next: s + 1, effects: [], reason: 'fired' })),
    0, { effect: () => {}, timerDelay: (_n, after) => after / 2 }, (name) => ({ kind: 'timer', name }),
  );
  d.input({ kind: 'go' });
  sim.run();
  assert.equal(fired, [5]);
});

test.run();
