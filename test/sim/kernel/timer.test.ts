import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulator } from '../../../src/sim/kernel/simulator.js';
import { Timer, checkDuration } from '../../../src/sim/kernel/timer.js';
import { UsageError } from '../../../src/errors.js';

function setup() {
  const sim = new Simulator();
  const fired: number[] = [];
  const timer = new Timer(sim, 'bgp/test/hold', () => fired.push(sim.now));
  return { sim, fired, timer };
}

test('expires once at its deadline', () => {
  const { sim, fired, timer } = setup();
  timer.start(3);
  assert.is(timer.running, true);
  assert.is(timer.deadline, 3);
  sim.run();
  assert.equal(fired, [3]);
  assert.is(timer.running, false);
  assert.is(timer.deadline, undefined);
});

test('restart to a later deadline moves the expiry (idle timer)', () => {
  const { sim, fired, timer } = setup();
  timer.start(5);
  for (const at of [1, 2, 4]) sim.scheduleAt(at, () => timer.start(5));
  sim.run();
  assert.equal(fired, [9]);
  assert.is(sim.pending, 0);
});

test('restart to an earlier deadline expires early', () => {
  const { sim, fired, timer } = setup();
  timer.start(10);
  sim.scheduleAt(1, () => timer.start(1));
  sim.run();
  assert.equal(fired, [2]);
  assert.is(sim.now, 2); // the cancelled 10 s event never ran
  assert.is(sim.executed, 2);
});

test('stop cancels; stopping twice or when idle is harmless', () => {
  const { sim, fired, timer } = setup();
  timer.stop();
  timer.start(2);
  sim.scheduleAt(1, () => { timer.stop(); timer.stop(); });
  sim.run();
  assert.equal(fired, []);
  assert.is(timer.running, false);
});

test('restart after stop and after expiry', () => {
  const { sim, fired, timer } = setup();
  timer.start(1);
  timer.stop();
  timer.start(2);
  sim.run();
  timer.start(3);
  sim.run();
  assert.equal(fired, [2, 5]);
});

test('restart from its own expiry handler', () => {
  const sim = new Simulator();
  const fired: number[] = [];
  const timer: Timer = new Timer(sim, 'keepalive', () => {
    fired.push(sim.now);
    if (fired.length < 3) timer.start(10);
  });
  timer.start(10);
  sim.run();
  assert.equal(fired, [10, 20, 30]);
});

test('a negative delay is a typed error', () => {
  const { timer } = setup();
  assert.throws(() => timer.start(-1), (e: unknown) => e instanceof UsageError && e.rule === 'time');
});

test('checkDuration accepts the range and rejects outside it', () => {
  assert.is(checkDuration(3, 3, 65535, 'hold'), 3);
  assert.throws(() => checkDuration(2, 3, 65535, 'hold'), (e: unknown) => e instanceof UsageError && e.rule === 'range');
  assert.throws(() => checkDuration(NaN, 3, 65535, 'hold'), (e: unknown) => e instanceof UsageError);
});

test.run();
