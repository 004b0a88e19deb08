/**
 * The discrete-event simulator: a clock and a pending-event set. It knows
 * nothing of networks; everything else is built on `schedule`, `cancel` and
 * `run`. One instance per simulation, never a global.
 *
 * Ordering: events run in order of time; events at the same instant run in
 * the order they were scheduled (a sequence number breaks ties).
 */
import { SimulationError, UsageError } from '../../errors.js';
import { EventQueue, type EventHandle, type EventHandler } from './event-queue.js';
import { toMicros, toSeconds } from './time.js';

export type { EventHandle, EventHandler } from './event-queue.js';

/** Options of {@link Simulator.run}. */
export interface RunOptions {
  /**
   * Stop time in seconds. Events scheduled at exactly `until` run (the bound
   * is inclusive); afterwards the clock reads `until` even if the last event
   * was earlier. Default: run until no event is pending.
   */
  until?: number;
  /** Stop after this many events have run in this call. Default: no limit. */
  maxEvents?: number;
}

/** Why a run returned. */
export type RunStopReason = 'empty' | 'until' | 'maxEvents' | 'stopped';

/** What {@link Simulator.run} did. */
export interface RunResult {
  /** Events executed in this call. */
  readonly executed: number;
  /** Simulated time when the call returned, in seconds. */
  readonly now: number;
  readonly reason: RunStopReason;
}

export class Simulator {
  private readonly queue = new EventQueue();
  private nowMicros = 0;
  private executedCount = 0;
  private cancelledCount = 0;
  private stopRequested = false;
  private running = false;

  /** Current simulated time in seconds. */
  get now(): number {
    return toSeconds(this.nowMicros);
  }

  /** Current simulated time in integer microseconds. */
  get nowUs(): number {
    return this.nowMicros;
  }

  /** Number of events waiting to run (cancelled ones excluded). */
  get pending(): number {
    return this.queue.length;
  }

  /** Events executed since the simulator was created. */
  get executed(): number {
    return this.executedCount;
  }

  /** Events cancelled before they ran, since the simulator was created. */
  get cancelled(): number {
    return this.cancelledCount;
  }

  /**
   * Schedules `handler` to run `delay` seconds from now.
   * @param delay seconds, 0 or more (rounded to the microsecond).
   * @param label names the event in errors and traces.
   * @throws UsageError on a negative, NaN or infinite delay.
   */
  schedule(delay: number, handler: EventHandler, label?: string): EventHandle {
    return this.queue.push(this.nowMicros + toMicros(delay, label ? `schedule "${label}"` : 'schedule delay'), handler, label);
  }

  /**
   * Schedules `handler` at absolute simulated time `time` (seconds).
   * @throws UsageError when `time` is NaN, infinite or earlier than now.
   */
  scheduleAt(time: number, handler: EventHandler, label?: string): EventHandle {
    const t = toMicros(time, label ? `scheduleAt "${label}"` : 'scheduleAt time');
    if (t < this.nowMicros) {
      throw new UsageError(`scheduleAt${label ? ` "${label}"` : ''}: time ${time} s is in the past (now ${this.now} s). Schedule at now or later`, 'time');
    }
    return this.queue.push(t, handler, label);
  }

  /** Schedules at an absolute time in integer microseconds (hot paths; no checks beyond the past). */
  scheduleAtUs(timeUs: number, handler: EventHandler, label?: string): EventHandle {
    if (timeUs < this.nowMicros || !Number.isInteger(timeUs)) {
      throw new UsageError(`scheduleAtUs: ${timeUs} µs is not an integer time at or after now (${this.nowMicros} µs)`, 'time');
    }
    return this.queue.push(timeUs, handler, label);
  }

  /**
   * Cancels a pending event: it will never run. Cancelling twice, or after
   * the event ran, does nothing and returns false.
   */
  cancel(handle: EventHandle): boolean {
    const done = this.queue.cancel(handle);
    if (done) this.cancelledCount++;
    return done;
  }

  /** Asks a running {@link run} to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs the earliest pending event, if any, advancing the clock to it.
   * @returns false when nothing was pending.
   * @throws SimulationError when the handler throws (time, label, cause).
   */
  step(): boolean {
    const q = this.queue;
    if (q.peekTime() === Infinity) return false;
    const t = q.topTime();
    const slot = q.popSlot();
    const handler = q.handlerOf(slot);
    const label = q.labelOf(slot);
    this.nowMicros = t;
    this.executedCount++;
    try {
      handler();
    } catch (err) {
      throw new SimulationError(toSeconds(t), label, err);
    }
    return true;
  }

  /**
   * Runs events in order until the queue is empty, `until` is passed,
   * `maxEvents` have run or {@link stop} is called.
   * @throws SimulationError when a handler throws; the clock stays at that event.
   * @throws UsageError when `until` is earlier than now, or on re-entrant calls.
   */
  run(options: RunOptions = {}): RunResult {
    if (this.running) throw new UsageError('run: the simulator is already running; call stop() from a handler instead', 'usage');
    const untilUs = options.until === undefined ? Infinity : toMicros(options.until, 'run until');
    if (untilUs < this.nowMicros) {
      throw new UsageError(`run: until ${options.until} s is before now (${this.now} s). Pass a later time`, 'time');
    }
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(maxEvents >= 0)) throw new UsageError(`run: maxEvents ${maxEvents} must be 0 or more`, 'usage');
    const q = this.queue;
    let executed = 0;
    let reason: RunStopReason = 'empty';
    this.stopRequested = false;
    this.running = true;
    try {
      for (;;) {
        if (executed >= maxEvents) { reason = 'maxEvents'; break; }
        const t = q.peekTime();
        if (t === Infinity) { reason = 'empty'; break; }
        if (t > untilUs) { reason = 'until'; break; }
        const slot = q.popSlot();
        const handler = q.handlerOf(slot);
        const label = q.labelOf(slot);
        this.nowMicros = t;
        executed++;
        try {
          handler();
        } catch (err) {
          this.executedCount += executed;
          executed = 0;
          throw new SimulationError(toSeconds(t), label, err);
        }
        if (this.stopRequested) { reason = 'stopped'; break; }
      }
    } finally {
      this.running = false;
      this.executedCount += executed;
    }
    if ((reason === 'until' || reason === 'empty') && untilUs !== Infinity) this.nowMicros = untilUs;
    return { executed, now: this.now, reason };
  }
}
