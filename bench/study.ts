/**
 * Study executors and confidence-interval coverage.
 *
 * Throughput: one study of `runs` replications (default 1,000) of a failure
 * replay (scenarios/replays/tunnel-drop-restore.json, the drop jittered
 * uniformly in [100, 150] s; metrics: outage vm -> srv and tunnel downtime),
 * run on 1 and 2 piscina worker threads and through BullMQ on a
 * redis-server started here (127.0.0.1, free port, no persistence) with 2
 * `vpnsim worker` processes of concurrency 1. Wall time covers runStudy from
 * call to summary (pool start-up included); the three runs.csv files must be
 * byte-identical. Targets on a 2-core machine: 2 threads >= 1.7x one; the
 * queue at most 15 % slower than 2 threads.
 *
 * Coverage: `studies` studies (default 200) of `reps` replications (default
 * 10), seeds 1..studies, of one tunnel dropped at failAt ~ U(100, 200) s and
 * never restored, run to t = 300 s. The drop takes the tunnel down at once
 * (reason admin), so by hand downtime = 300 - failAt ~ U(100, 200): true mean
 * 150 s. The share of studies whose 95 % CI holds 150 should be near 0.95
 * (binomial sd over 200 studies: sqrt(0.95 * 0.05 / 200) = 0.015).
 *
 * usage: tsx bench/study.ts [--json] [--runs=1000] [--studies=200] [--reps=10] [--skip-queue]
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runStudy, type StudyDef } from '../src/index.js';
import { parseArgs } from './lib/report.js';
import { ROOT, startRedis, startWorker, stop, tempDir, workerReady } from '../test/study/helpers.js';

const args = parseArgs(process.argv.slice(2));
const int = (k: string, d: number) => (args.options.has(k) ? Number(args.options.get(k)) : d);
const runs = int('runs', 1000);
const studies = int('studies', 200);
const reps = int('reps', 10);
const base = JSON.parse(readFileSync(join(ROOT, 'scenarios/replays/tunnel-drop-restore.json'), 'utf8'));

const replay: StudyDef = {
  name: 'bench-replay', scenario: base, replications: runs, seed: 1,
  parameters: [{ name: 'failAt', path: '/timeline/2/at', values: [{ uniform: [100, 150] }] }],
  metrics: [{ name: 'outage', outage: { from: 'vm', to: 'srv' } }, { name: 'down', tunnelDowntime: { connection: 'VNet1toSite1' } }],
};

async function timed(label: string, options: { workers?: number; queue?: string }): Promise<{ label: string; seconds: number; runsPerSecond: number; csv: string }> {
  const out = tempDir('bench-study');
  const t0 = performance.now();
  await runStudy(replay, { ...options, out });
  const seconds = (performance.now() - t0) / 1000;
  const csv = readFileSync(join(out, 'runs.csv'), 'utf8');
  rmSync(out, { recursive: true, force: true });
  return { label, seconds, runsPerSecond: runs / seconds, csv };
}

const results = [await timed('1 thread', { workers: 1 }), await timed('2 threads', { workers: 2 })];
if (!args.options.has('skip-queue')) {
  const redis = await startRedis();
  const workers = [startWorker(redis.url), startWorker(redis.url)];
  try {
    await Promise.all(workers.map(workerReady));
    results.push(await timed('queue, 2 workers', { queue: redis.url }));
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
    await redis.stop();
  }
}
const identical = results.every((r) => r.csv === results[0]!.csv);

// Coverage of the 95 % CI on a metric whose distribution is known by hand.
const noRestore = structuredClone(base);
noRestore.timeline = [{ at: 150, action: 'fail', target: 'VNet1toSite1' }];
let covered = 0;
const t1 = performance.now();
for (let k = 1; k <= studies; k++) {
  const out = tempDir('bench-cov');
  const s = await runStudy({
    name: 'bench-coverage', scenario: noRestore, seed: k, replications: reps, until: 300,
    parameters: [{ name: 'failAt', path: '/timeline/0/at', values: [{ uniform: [100, 200] }] }],
    metrics: [{ name: 'down', tunnelDowntime: { connection: 'VNet1toSite1' } }],
  }, { workers: 0, out });
  rmSync(out, { recursive: true, force: true });
  const ci = s.points[0]!.metrics.down!.ci95!;
  if (ci[0] <= 150 && 150 <= ci[1]) covered++;
}
const coverage = covered / studies;
const coverageSeconds = (performance.now() - t1) / 1000;

const [one, two, queue] = results;
const speedup = two!.runsPerSecond / one!.runsPerSecond;
const queueSlower = queue ? 1 - queue.runsPerSecond / two!.runsPerSecond : undefined;
if (args.json) {
  console.log(JSON.stringify({
    benchmark: 'study', seed: 1, node: process.version, runs,
    executors: results.map((r) => ({ label: r.label, seconds: r.seconds, runsPerSecond: r.runsPerSecond })),
    speedup2Threads: speedup, queueSlowerThan2Threads: queueSlower ?? null, identical,
    coverage: { studies, replications: reps, trueMean: 150, covered, share: coverage },
  }));
} else {
  console.log(`study executors: ${runs} replications of replays/tunnel-drop-restore (drop at U(100, 150) s), seed 1, node ${process.version}`);
  for (const r of results) console.log(`  ${r.label.padEnd(18)} ${r.seconds.toFixed(2).padStart(7)} s  ${r.runsPerSecond.toFixed(1).padStart(7)} runs/s`);
  console.log(`  2 threads / 1 thread: ${speedup.toFixed(2)}x (target >= 1.7x)`);
  if (queueSlower !== undefined) console.log(`  queue vs 2 threads: ${(queueSlower * 100).toFixed(1)} % slower (target <= 15 %)`);
  console.log(`  runs.csv identical across executors: ${identical ? 'yes' : 'NO'}`);
  console.log(`CI coverage: ${studies} studies x ${reps} replications, downtime = 300 - U(100, 200) s, true mean 150 s: ${covered}/${studies} = ${(coverage * 100).toFixed(1)} % of 95 % CIs cover it (${coverageSeconds.toFixed(1)} s)`);
}
if (!identical) process.exitCode = 1;
