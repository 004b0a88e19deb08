/**
 * The fuzzer: `npm run fuzz -- --count 100000 --seed S [--workers N]
 * [--timeout MS] [--start I] [--save]`. Mutates the shipped scenarios
 * structurally (bench/fuzz/mutate.ts), runs each through validation, a
 * Simulation and a bounded run (bench/fuzz/target.ts) on worker threads with
 * a wall-clock bound per input, and exits 1 on any crash or hang. With
 * `--save`, each failing input is written to test/fixtures/fuzz/ as a
 * regression case (test/sim/net/fuzz-regressions.test.ts runs them all).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fuzz } from './fuzz/pool.js';
import { fuzzInput, isJsInput, shippedScenarios } from './fuzz/mutate.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name}: "${process.argv[i + 1]}" is not a whole number`);
  return v;
}

const seed = arg('seed', 1);
const count = arg('count', 10_000);
const start = arg('start', 0);
const workers = arg('workers', 2);
const timeoutMs = arg('timeout', 10_000);
const save = process.argv.includes('--save');

const t0 = performance.now();
let last = 0;
const summary = await fuzz({
  seed, count, start, workers, timeoutMs,
  onProgress: (n) => {
    if (process.stderr.isTTY && n - last >= 500) { last = n; process.stderr.write(`\r${n}/${count}`); }
  },
});
const secs = (performance.now() - t0) / 1000;
if (process.stderr.isTTY) process.stderr.write('\r');
const crashes = summary.failures.filter((f) => f.kind === 'crash');
const hangs = summary.failures.filter((f) => f.kind === 'hang');
console.log(`fuzz seed ${seed} inputs ${start}-${start + count - 1} node ${process.version} workers ${workers} timeout ${timeoutMs} ms`);
console.log(`inputs ${summary.count}: ok ${summary.ok}, refused ${summary.invalid}, crashes ${crashes.length}, hangs ${hangs.length} in ${secs.toFixed(1)} s (${(summary.count / secs).toFixed(0)}/s)`);
console.log(`rules seen: ${[...summary.rules.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}`);
const seeds = save ? shippedScenarios() : [];
for (const f of summary.failures) {
  console.log(`${f.kind} #${f.index} at ${f.stage}: ${f.error.split('\n')[0]}`);
  if (save) {
    const dir = fileURLToPath(new URL('../test/fixtures/fuzz/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const js = isJsInput(seed, f.index);
    const record = { seed, index: f.index, kind: f.kind, stage: f.stage, error: f.error.split('\n')[0], ...(js ? {} : { input: fuzzInput(seeds, seed, f.index) }) };
    writeFileSync(`${dir}${seed}-${f.index}.json`, `${JSON.stringify(record)}\n`);
  }
}
process.exitCode = summary.failures.length > 0 ? 1 : 0;
