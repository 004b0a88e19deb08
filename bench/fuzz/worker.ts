/**
 * A fuzzing worker: runs inputs `from` to `to` of one seed and reports each
 * start and each outcome to its parent, which enforces the wall-clock bound.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzInput, shippedScenarios } from './mutate.js';
import { runInput } from './target.js';

const { seed, from, to } = workerData as { seed: number; from: number; to: number };
const seeds = shippedScenarios();
for (let i = from; i < to; i++) {
  parentPort!.postMessage({ type: 'start', i });
  let input: unknown;
  try {
    input = fuzzInput(seeds, seed, i);
  } catch (err) {
    parentPort!.postMessage({ type: 'done', i, outcome: { kind: 'crash', stage: 'mutate', error: String(err) } });
    continue;
  }
  parentPort!.postMessage({ type: 'done', i, outcome: runInput(input) });
}
parentPort!.postMessage({ type: 'end' });
