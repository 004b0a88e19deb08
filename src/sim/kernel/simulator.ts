/**
 * The discrete-event simulator: a clock and a pending-event set. It knows
 * nothing of networks; everything else is built on `schedule`, `cancel` and
 * `run`. One instance per simulation, never a global.
 *
 * Ordering: events run in order of (time, class, scheduling order). There are
 * two classes, as SimPy has URGENT and NORMAL: `normal` events ({@link
 * Simulator.schedule} and friends) and `late` events ({@link
 * Simulator.scheduleLate}), which run after every normal event of their
 * instant, including normal events that other events schedule for that same
 * instant while it is being processed. A normal event that a late event
 * schedules for the current instant therefore runs before the remaining late
 * events of that instant. Within a class, ties run in the order they were
 * scheduled (FIFO, as in ns-3 and SimPy), whichever pending-event set is
 * chosen. Use the late class for work that must see the instant settled
 * ("after everything else now"), rather than relying on `schedule(0)`
 * landing last. `run({ until })` is inclusive: events at exactly `until` run
 * (SimPy's `until` is exclusive). Time is kept in integer microseconds (see
 * time.ts); the API speaks seconds.
 */
import { SimulationError, UsageError } from '../../errors.js';
import { EventQueue } from './event-queue.js';
import type { EventHandle, EventHandler, EventSet, EventSetKind } from './event-set.js';
import { HeapEventQueue } from './heap-event-queue.js';
import { MAX_SECONDS, MAX_TIME_US, MICROS_PER_SECOND, toMicros, toSeconds } from './time.js';

export type { EventHandle, EventHandler, EventSetKind } from './event-set.js';

/** Options of the {@link Simulator} constructor. */
export interface SimulatorOptions {
  /**
   * The pending-event set: `'calendar'` (default; a calendar queue, O(1)
   * expected per event) or `'heap'` (a 4-ary heap, O(log n), insensitive to
   * the time distribution). Both give the same order.
   */
  queue?: EventSetKind;
}

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

/**
 * A discrete-event simulator: one clock (integer µs, read in seconds) and one
 * pending-event set. Events run in time order, ties in scheduling order.
 */
export class Simulator {
  private readonly queue: EventSet;
  /** Late-class events; their handles are stored negated (-(handle + 1)) so cancel can tell the sets apart. */
  private readonly late: EventSet;
  /** Time of the earliest late event (µs), or Infinity: cached so the run loop pays one comparison. */
  private lateNext = Infinity;
  private nowMicros = 0;
  private executedCount = 0;
  private cancelledCount = 0;
  private stopRequested = false;
  private running = false;

  /** @throws UsageError on an unknown queue kind. */
  constructor(options: SimulatorOptions = {}) {
    const kind = options.queue ?? 'calendar';
    if (kind === 'calendar') this.queue = new EventQueue();
    else if (kind === 'heap') this.queue = new HeapEventQueue();
    else throw new UsageError(`simulator: queue ${JSON.stringify(kind)} is not a queue kind. Use "calendar" or "heap"`, 'usage');
    // Late events are few (end-of-instant reconciliation): a heap serves them whatever the main set is.
    this.late = new HeapEventQueue();
  }

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
    return this.queue.length + this.late.length;
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
   * @param arg handed to `handler` when the event runs (one handler can then serve many events).
   * @returns a handle for {@link cancel}.
   * @throws UsageError (rule `time`) on a negative, NaN, infinite or too large delay; (rule `usage`) when `handler` is not a function.
   */
  schedule<A = undefined>(delay: number, handler: EventHandler<A>, label?: string, arg?: A): EventHandle {
    // Fast path: one comparison rejects NaN, negatives and Infinity; toMicros words the error.
    if (typeof delay !== 'number' || !(delay >= 0 && delay <= MAX_SECONDS)) toMicros(delay, label ? `schedule "${label}"` : 'schedule delay');
    if (typeof handler !== 'function') throw badHandler('schedule', label);
    const t = this.nowMicros + Math.round(delay * MICROS_PER_SECOND);
    if (t > MAX_TIME_US) throw beyondHorizon('schedule', label, t);
    return this.queue.push(t, handler, label, arg);
  }

  /**
   * Schedules `handler` at absolute simulated time `time` (seconds, rounded to the µs).
   * @param arg handed to `handler` when the event runs.
   * @returns a handle for {@link cancel}.
   * @throws UsageError (rule `time`) when `time` is NaN, infinite, negative, too large or earlier than now; (rule `usage`) when `handler` is not a function.
   */
  scheduleAt<A = undefined>(time: number, handler: EventHandler<A>, label?: string, arg?: A): EventHandle {
    const t = toMicros(time, label ? `scheduleAt "${label}"` : 'scheduleAt time');
    if (t < this.nowMicros) {
      throw new UsageError(`scheduleAt${label ? ` "${label}"` : ''}: time ${time} s is in the past (now ${this.now} s). Schedule at now or later`, 'time');
    }
    if (typeof handler !== 'function') throw badHandler('scheduleAt', label);
    return this.queue.push(t, handler, label, arg);
  }

  /**
   * Schedules `handler` at an absolute time in integer microseconds (for hot paths such as {@link Timer}).
   * @param arg handed to `handler` when the event runs: a hot path passes its data here and one shared handler, instead of a closure per event.
   * @returns a handle for {@link cancel}.
   * @throws UsageError (rule `time`) when `timeUs` is not an integer in [nowUs, 2^53 - 1].
   */
  scheduleAtUs<A = undefined>(timeUs: number, handler: EventHandler<A>, label?: string, arg?: A): EventHandle {
    if (!(timeUs >= this.nowMicros && timeUs <= MAX_TIME_US) || !Number.isInteger(timeUs)) {
      throw new UsageError(`scheduleAtUs${label ? ` "${label}"` : ''}: time ${timeUs} µs is not an integer at or after now (${this.nowMicros} µs). Pass an integer time >= nowUs`, 'time');
    }
    if (typeof handler !== 'function') throw badHandler('scheduleAtUs', label);
    return this.queue.push(timeUs, handler, label, arg);
  }

  /**
   * Schedules `handler` in the late class, `delay` seconds from now: it runs
   * after every normal event of its instant (see the module header for the
   * exact order). `scheduleLate(0, ...)` runs once the current instant has
   * otherwise settled.
   * @param delay seconds, 0 or more (rounded to the microsecond).
   * @returns a handle for {@link cancel}.
   * @throws UsageError as {@link schedule}.
   */
  scheduleLate<A = undefined>(delay: number, handler: EventHandler<A>, label?: string, arg?: A): EventHandle {
    if (typeof delay !== 'number' || !(delay >= 0 && delay <= MAX_SECONDS)) toMicros(delay, label ? `scheduleLate "${label}"` : 'scheduleLate delay');
    if (typeof handler !== 'function') throw badHandler('scheduleLate', label);
    const t = this.nowMicros + Math.round(delay * MICROS_PER_SECOND);
    if (t > MAX_TIME_US) throw beyondHorizon('scheduleLate', label, t);
    const h = this.late.push(t, handler, label, arg);
    if (t < this.lateNext) this.lateNext = t;
    return -(h + 1);
  }

  /**
   * Cancels a pending event: it will never run. Cancelling twice, or after
   * the event ran, does nothing and returns false.
   */
  cancel(handle: EventHandle): boolean {
    let done: boolean;
    if (handle < 0) {
      done = this.late.cancel(-handle - 1);
      if (done) this.lateNext = this.late.peekTime();
    } else done = this.queue.cancel(handle);
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
   * @throws UsageError when called from a handler during {@link run}.
   */
  step(): boolean {
    if (this.running) throw new UsageError('step: the simulator is running; call stop() from a handler instead', 'usage');
    const tn = this.queue.peekTime();
    const isLate = this.lateNext < tn;
    const q = isLate ? this.late : this.queue;
    const t = isLate ? this.lateNext : tn;
    if (t === Infinity) return false;
    const handler = q.pop();
    if (isLate) this.lateNext = q.peekTime();
    const label = q.poppedLabel;
    const arg = q.poppedArg;
    this.nowMicros = t;
    this.executedCount++;
    try {
      handler(arg);
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
    const late = this.late;
    let executed = 0;
    let reason: RunStopReason = 'empty';
    this.stopRequested = false;
    this.running = true;
    try {
      for (;;) {
        if (executed >= maxEvents) { reason = 'maxEvents'; break; }
        let t = q.peekTime();
        let from = q;
        // Ties go to the normal class: a late event runs only when no normal event is due at its instant.
        if (this.lateNext < t) { t = this.lateNext; from = late; }
        if (t === Infinity) { reason = 'empty'; break; }
        if (t > untilUs) { reason = 'until'; break; }
        const handler = from.pop();
        if (from === late) this.lateNext = late.peekTime();
        const label = from.poppedLabel;
        const arg = from.poppedArg;
        this.nowMicros = t;
        executed++;
        try {
          handler(arg);
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

function badHandler(where: string, label: string | undefined): UsageError {
  return new UsageError(`${where}${label ? ` "${label}"` : ''}: the handler is not a function. Pass a function such as () => {}`, 'usage');
}

function beyondHorizon(where: string, label: string | undefined, timeUs: number): UsageError {
  return new UsageError(`${where}${label ? ` "${label}"` : ''}: time ${timeUs / MICROS_PER_SECOND} s is beyond the simulated horizon of ${MAX_SECONDS} s (2^53 µs). Pass a shorter delay`, 'time');
}
