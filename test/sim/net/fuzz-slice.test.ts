import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzInput, shippedScenarios } from '../../../bench/fuzz/mutate.js';
import { fuzz } from '../../../bench/fuzz/pool.js';
import { runInput } from '../../../bench/fuzz/target.js';

/*
 * The fuzzer's slice of the suite (issue 14): 2,000 structurally mutated
 * shipped scenarios, each validated, built and run on a worker thread under a
 * wall-clock bound; every one ends in success or a typed validation error.
 * And every input the fuzzer ever failed on stays here as a regression case
 * (test/fixtures/fuzz/, written by `npm run fuzz -- --save`).
 */

const FIXTURES = fileURLToPath(new URL('../../fixtures/fuzz/', import.meta.url));

test('2,000 fuzzed inputs (seed 20261202): no crash, no hang', async () => {
  const summary = await fuzz({ seed: 20261202, count: 2000, workers: 2, timeoutMs: 15_000 });
  assert.is(summary.count, 2000);
  assert.equal(summary.failures.map((f) => `${f.kind} #${f.index} at ${f.stage}: ${f.error.split('\n')[0]}`), []);
  // The mutations reach both outcomes and many rules.
  assert.ok(summary.ok > 50, `ok ${summary.ok}`);
  assert.ok(summary.rules.size >= 15, [...summary.rules.keys()].join());
});

test('every input the fuzzer once failed on now validates and runs, or is refused with a ValidationError', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length > 0, 'no regression cases');
  const seeds = shippedScenarios();
  for (const f of files) {
    const rec = JSON.parse(readFileSync(FIXTURES + f, 'utf8')) as { seed: number; index: number; input?: unknown; error: string };
    const input = 'input' in rec ? rec.input : fuzzInput(seeds, rec.seed, rec.index);
    const out = runInput(input);
    assert.ok(out.kind !== 'crash', `${f} (was: ${rec.error}): ${out.kind === 'crash' ? out.error.split('\n')[0] : ''}`);
  }
});

test.run();
