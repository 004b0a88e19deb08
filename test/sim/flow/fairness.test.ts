import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jainIndex } from '../../../src/sim/flow/fairness.js';
import { UsageError } from '../../../src/errors.js';

test('Jain index: equal shares give 1, one taker of n gives 1/n', () => {
  assert.is(jainIndex([5, 5, 5, 5]), 1);
  assert.is(jainIndex([10, 0, 0, 0]), 0.25);
  // (1 + 3)^2 / (2 * (1 + 9)) = 16 / 20 = 0.8.
  assert.is(jainIndex([1, 3]), 0.8);
  assert.is(jainIndex([]), 1);
  assert.throws(() => jainIndex([1, -1]), (e: unknown) => e instanceof UsageError);
});

test.run();
