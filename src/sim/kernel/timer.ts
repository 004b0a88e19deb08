/**
 * A restartable timer (BIRD's style): `start(after)` replaces the deadline,
 * `stop()` cancels it. Restarting to a later deadline does not touch the
 * event queue: the pending event, when it fires early, re-arms itself for the
 * new deadline. So a timer restarted on every packet (an idle timer) costs
 * O(1) per restart and at most one queue entry.
 */
import { UsageError } from '../../errors.js';
import type { EventHandle, Simulator } from './simulator.js';
import { toMicros } from './time.js';

/**
 * A restartable one-shot timer on a {@link Simulator}: `start(after)` sets or
 * replaces the deadline (seconds from now), `stop()` clears it; `onExpire`
 * runs at most once per deadline.
 */
export class Timer {
  private deadlineUs = -1;
  private handle: EventHandle | null = null;
  private scheduledForUs = -1;

  /**
   * @param sim the simulator that keeps time.
   * @param name labels the timer's events (`bgp/VNet1toVNet2/hold`).
   * @param onExpire runs once when the deadline is reached.
   */
  constructor(
    private readonly sim: Simulator,
    readonly name: string,
    private readonly onExpire: () => void,
  ) {}

  /** True while a deadline is set. */
  get running(): boolean {
    return this.deadlineUs >= 0;
  }

  /** Deadline in seconds, or undefined when stopped. */
  get deadline(): number | undefined {
    return this.deadlineUs >= 0 ? this.deadlineUs / 1e6 : undefined;
  }

  /**
   * (Re)starts the timer to expire `after` seconds from now.
   * @throws UsageError on a negative or non-finite delay.
   */
  start(after: number): void {
    const at = this.sim.nowUs + toMicros(after, `timer "${this.name}"`);
    this.deadlineUs = at;
    if (this.handle !== null && this.scheduledForUs <= at) return; // fires early and re-arms
    if (this.handle !== null) this.sim.cancel(this.handle);
    this.arm(at);
  }

  /** Cancels the deadline; harmless when stopped. */
  stop(): void {
    this.deadlineUs = -1;
    if (this.handle !== null) {
      this.sim.cancel(this.handle);
      this.handle = null;
    }
  }

  private arm(at: number): void {
    this.scheduledForUs = at;
    this.handle = this.sim.scheduleAtUs(at, this.fire, this.name);
  }

  private readonly fire = (): void => {
    this.handle = null;
    if (this.deadlineUs < 0) return;
    if (this.deadlineUs > this.sim.nowUs) {
      this.arm(this.deadlineUs);
      return;
    }
    this.deadlineUs = -1;
    this.onExpire();
  };
}

/** Guards against a timer duration outside a protocol's allowed range. */
export function checkDuration(value: number, min: number, max: number, what: string): number {
  if (!(value >= min && value <= max)) {
    throw new UsageError(`${what}: ${value} s is outside ${min}..${max} s`, 'range');
  }
  return value;
}
