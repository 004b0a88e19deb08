export { Simulator } from './simulator.js';
export type { RunOptions, RunResult, RunStopReason, SimulatorOptions } from './simulator.js';
export type { EventHandle, EventHandler, EventSet, EventSetKind } from './event-set.js';
export { EventQueue } from './event-queue.js';
export { HeapEventQueue } from './heap-event-queue.js';
export { Timer } from './timer.js';
export { Rng, RandomStream } from './rng.js';
export { toMicros, toSeconds, MICROS_PER_SECOND, MAX_SECONDS, MAX_TIME_US } from './time.js';
