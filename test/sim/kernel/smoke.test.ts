import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulator } from '../../../src/sim/kernel/index.js';

test('events at the same instant run in scheduling order', () => {
  const sim = new Simulator();
  const seen: string[] = [];
  sim.schedule(1, () => seen.push('b'));
  sim.schedule(0.5, () => seen.push('a'));
  sim.schedule(1, () => seen.push('c'));
  sim.run();
  assert.equal(seen, ['a', 'b', 'c']);
  assert.is(sim.now, 1);
});

test.run();
