/**
 * Kernel benchmark: the classic hold model, through the public Simulator API.
 *
 * P events are pending at all times; each executed event schedules exactly
 * one new event at now + Exp(mean 1 s), drawn from the Rng stream
 * `bench/hold`, until N events have been created, so exactly N run. Like the
 * peers' hold programs (ns-3, plain Node), every event gets a fresh closure,
 * and the wall time covers the run loop only (scheduling the first P events
 * is excluded).
 *
 * usage: tsx bench/kernel.ts [--json | --line] [--seed=S] [--handler=closure|shared] [--queue=calendar|heap] [N] [P]
 *   N (default 2,000,000) events, P (default 1,000) pending.
 *   --json  prints one JSON object: { eventsPerSecond, seed, node, events, pending, wallSeconds, ... }
 *   --line  prints `vpnsim-hold events_per_s=N wall_s=N ...`, the format of
 *           the peers' run.sh (PROJECT_HOLD_CMD is run as `CMD <N> <P>`).
 *   --handler=shared schedules one shared handler instead of a closure per event.
 *   --queue=heap runs the 4-ary heap instead of the default calendar queue.
 */
import { Rng } from '../src/sim/kernel/rng.js';
import type { EventSetKind } from '../src/sim/kernel/event-set.js';
import { Simulator } from '../src/sim/kernel/simulator.js';
import { formatRate, nodeVersion, parseArgs, positiveInt } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const N = positiveInt(args.options.get('events') ?? args.positional[0], 2_000_000, 'events');
const P = positiveInt(args.options.get('pending') ?? args.positional[1], 1_000, 'pending');
const seed = args.options.get('seed') ?? '1';
const handlerKind = args.options.get('handler') ?? 'closure';
if (handlerKind !== 'closure' && handlerKind !== 'shared') {
  throw new RangeError(`--handler: ${JSON.stringify(handlerKind)} is not a handler kind. Use closure or shared`);
}

const queue = (args.options.get('queue') ?? 'calendar') as EventSetKind;
if (queue !== 'calendar' && queue !== 'heap') {
  throw new RangeError(`--queue: ${JSON.stringify(queue)} is not a queue kind. Use calendar or heap`);
}

const sim = new Simulator({ queue });
const stream = new Rng(seed).stream('bench/hold');
let created = 0;
let executed = 0;

function hold(_id: number): void {
  executed++;
  if (created < N) scheduleOne(_id);
}
function scheduleOne(id: number): void {
  created++;
  sim.schedule(stream.exponential(1), () => hold(id));
}
function holdShared(): void {
  executed++;
  if (created < N) {
    created++;
    sim.schedule(stream.exponential(1), holdShared);
  }
}

if (handlerKind === 'closure') {
  for (let i = 0; i < P && created < N; i++) scheduleOne(i);
} else {
  for (let i = 0; i < P && created < N; i++) {
    created++;
    sim.schedule(stream.exponential(1), holdShared);
  }
}

const t0 = performance.now();
const result = sim.run();
const wallSeconds = (performance.now() - t0) / 1000;
if (executed !== N || result.executed !== N) {
  throw new Error(`bench: executed ${executed} (run says ${result.executed}) != N ${N}`);
}
const eventsPerSecond = Math.round(N / wallSeconds);

if (args.json) {
  console.log(JSON.stringify({
    benchmark: 'kernel-hold',
    eventsPerSecond,
    seed,
    node: nodeVersion(),
    events: N,
    pending: P,
    handler: handlerKind,
    queue,
    wallSeconds: Number(wallSeconds.toFixed(4)),
    simEndSeconds: sim.now,
  }));
} else if (args.line) {
  console.log(`vpnsim-hold events_per_s=${eventsPerSecond} wall_s=${wallSeconds.toFixed(2)} executed=${N} sim_end_s=${sim.now.toFixed(1)} seed=${seed} handler=${handlerKind} queue=${queue} node=${nodeVersion()}`);
} else {
  console.log(`kernel hold model: ${N} events, ${P} pending, Exp(mean 1 s) from stream "bench/hold", handler=${handlerKind}, queue=${queue}`);
  console.log(`seed ${seed}, node ${nodeVersion()}`);
  console.log(`${formatRate(eventsPerSecond)} events/s (${eventsPerSecond}), wall ${wallSeconds.toFixed(3)} s, simulated ${sim.now.toFixed(1)} s`);
}
