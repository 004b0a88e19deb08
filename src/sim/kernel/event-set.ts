/**
 * The contract every pending-event set of the kernel meets, and the handle
 * encoding they share. The Simulator drives one through this interface; the
 * same spec (test/sim/kernel/event-set.test.ts) runs against every
 * implementation, as ns-3 runs one test over each of its schedulers.
 *
 * Ordering: earliest time first; events at the same time leave in the order
 * they were pushed (FIFO ties).
 */

/**
 * An event callback. Runs once, at its scheduled time, with the argument it
 * was scheduled with (undefined when none was given). Passing the data as an
 * argument lets one handler serve many events, so a hot path schedules
 * without creating a closure per event.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventHandler<A = any> = (arg: A) => void;

/**
 * Opaque handle of a scheduled event, for `cancel`. Encoded as
 * `generation * 2^24 + slot`; a slot's generation moves on each time the slot
 * is freed, so a stale handle never cancels a newer event. Generations wrap
 * after 2^29 reuses of one slot.
 */
export type EventHandle = number;

/** Slots per generation in a handle (2^24): at most this many events pending at once. */
export const SLOT_LIMIT = 16_777_216;

/** Generations wrap at 2^29 so that a handle stays an exact integer (< 2^53). */
export const GENERATION_MASK = 0x1fff_ffff;

/** A pending-event set keyed by integer microseconds. */
export interface EventSet {
  /** Live (not cancelled, not yet popped) events. */
  readonly length: number;
  /**
   * Label of the event last returned by {@link pop}; read it before the next
   * push (the slot may be reused).
   */
  readonly poppedLabel: string | undefined;
  /** Argument of the event last returned by {@link pop}; read it before the next push. */
  readonly poppedArg: unknown;
  /**
   * Adds an event at `timeUs` (integer µs, not checked here); returns its
   * handle. `arg` is handed to the handler when the event runs.
   * @throws RangeError when more than 2^24 events would be pending.
   */
  push(timeUs: number, handler: EventHandler, label: string | undefined, arg?: unknown): EventHandle;
  /** Removes a pending event: true if it was pending, false for a handle that ran, was cancelled or is unknown. */
  cancel(handle: EventHandle): boolean;
  /** Time (µs) of the earliest event, or Infinity when empty. */
  peekTime(): number;
  /**
   * Removes the earliest event and returns its handler (its label is then in
   * {@link poppedLabel}, its argument in {@link poppedArg}). Only call when `length > 0`.
   */
  pop(): EventHandler;
}

/** The kinds of {@link EventSet} the kernel ships. */
export type EventSetKind = 'calendar' | 'heap';
