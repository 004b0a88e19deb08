export { Simulator } from './simulator.js';
export type { RunOptions, RunResult, RunStopReason, EventHandle, EventHandler } from './simulator.js';
export { EventQueue } from './event-queue.js';
export { Timer } from './timer.js';
export { Rng, RandomStream } from './rng.js';
export { toMicros, toSeconds, MICROS_PER_SECOND } from './time.js';
