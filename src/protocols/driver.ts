/**
 * A thin driver that runs a pure protocol machine on the kernel: it feeds
 * inputs to `step`, keeps the state, runs timers (restartable kernel Timers,
 * one per name) and hands every other effect to the owner (sending, tunnel
 * up/down, protocol-specific effects).
 */
import type { Simulator } from '../sim/kernel/simulator.js';
import { Timer } from '../sim/kernel/timer.js';
import type { StepFn, Transition } from './machine.js';

/** What the driver tells its owner after each transition. */
export interface DriverHooks<S, E> {
  /** Runs each effect that is not a timer effect (send, up, down, protocol-specific). */
  effect(effect: E, state: S): void;
  /** Sees every transition (for traces). Optional. */
  transition?(from: S, to: Transition<S, E>): void;
  /** Turns a timer's nominal duration into the one used (jitter, see jitter.ts). Optional: exact by default. */
  timerDelay?(timer: string, after: number): number;
}

/** Runs one machine instance. */
export class MachineDriver<S, I, E extends { kind: string }> {
  private stateValue: S;
  private readonly timers = new Map<string, Timer>();
  private busy = false;
  private readonly queued: I[] = [];

  /**
   * @param timerInput builds the input fed to the machine when a timer expires.
   */
  constructor(
    private readonly sim: Simulator,
    readonly name: string,
    private readonly step: StepFn<S, I, E>,
    initial: S,
    private readonly hooks: DriverHooks<S, E>,
    private readonly timerInput: (name: string) => I,
  ) {
    this.stateValue = initial;
  }

  /** Current machine state. */
  get state(): S {
    return this.stateValue;
  }

  /**
   * Feeds one input. Inputs raised by effects while a transition runs are
   * queued and fed afterwards, in order (no re-entrant steps).
   */
  input(input: I): void {
    this.queued.push(input);
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queued.length > 0) {
        const next = this.queued.shift()!;
        const from = this.stateValue;
        const t = this.step(from, next);
        this.stateValue = t.next;
        this.hooks.transition?.(from, t);
        for (const e of t.effects) this.run(e);
      }
    } finally {
      this.busy = false;
    }
  }

  /** Stops every timer (the machine is being discarded). */
  dispose(): void {
    for (const t of this.timers.values()) t.stop();
    this.timers.clear();
  }

  /** True when the named timer is running. */
  timerRunning(name: string): boolean {
    return this.timers.get(name)?.running ?? false;
  }

  private run(e: E): void {
    const eff = e as unknown as { kind: string; name?: string; after?: number };
    if (eff.kind === 'startTimer') {
      const after = this.hooks.timerDelay ? this.hooks.timerDelay(eff.name!, eff.after!) : eff.after!;
      this.timer(eff.name!).start(after);
    } else if (eff.kind === 'stopTimer') {
      this.timers.get(eff.name!)?.stop();
    } else {
      this.hooks.effect(e, this.stateValue);
    }
  }

  private timer(name: string): Timer {
    let t = this.timers.get(name);
    if (!t) {
      t = new Timer(this.sim, `${this.name}/${name}`, () => this.input(this.timerInput(name)));
      this.timers.set(name, t);
    }
    return t;
  }
}
