/**
 * An IKE session between two ends: two {@link MachineDriver}s running
 * {@link ikeStep}, one {@link Link} per direction (usually a
 * {@link PathDirection} of the underlay, so every message pays serialisation,
 * latency and loss), and a view of the pair as one tunnel: its state, its
 * up/down events and how long each setup took.
 */
import { UsageError } from '../../errors.js';
import type { Simulator } from '../../sim/kernel/simulator.js';
import type { Link } from '../link.js';
import { MachineDriver } from '../driver.js';
import type { IkeConfig } from './config.js';
import { initialIkeState, ikeStep, isNegotiating, type IkeEffect, type IkeInput, type IkeState } from './machine.js';
import { describe, messageBytes, type IkeMessage } from './messages.js';
import { ikeStatusOf, isFailureReason, type IkeFailureReason, type IkeStatus } from './status.js';

/** The two ends of a session. `a` is the one `start()` initiates from by default. */
export type IkeEnd = 'a' | 'b';

/** The tunnel as a whole. */
export type IkeSessionState =
  /** Nothing attempted yet. */
  | { readonly state: 'idle' }
  /** At least one end negotiates. */
  | { readonly state: 'connecting' }
  /** Both ends established. */
  | { readonly state: 'up' }
  /** Torn down after being up (`idleTimeout`, `dpdTimeout`, `peerDown`, `admin`, ...), or half down. */
  | { readonly state: 'down'; readonly reason: string }
  /** The last negotiation failed; `status` in the Batfish vocabulary. */
  | { readonly state: 'failed'; readonly reason: IkeFailureReason; readonly status: IkeStatus };

/** Notable things one end reported, in simulated time order. */
export interface IkeSessionEvent {
  /** Simulated time, seconds. */
  readonly t: number;
  readonly end: IkeEnd;
  readonly kind: 'up' | 'down' | 'rekeyed' | 'negotiating';
  readonly reason: string;
}

/**
 * What happens to a data packet offered to a tunnel that is not up (down, or
 * still negotiating): it is dropped. On a down policy-based tunnel the first
 * such packet triggers the negotiation at once (R14) but is not carried, like
 * Linux XFRM's default `xfrm_larval_drop = 1` and the "first ping is lost"
 * of on-demand IPsec devices. {@link IkeSession.traffic} returns false for it.
 */
export const DATA_WHILE_NEGOTIATING = 'dropped' as const;

/** Options of {@link IkeSession}. */
export interface IkeSessionOptions {
  readonly sim: Simulator;
  /** Configurations of the two ends (from `ikeConfig`). */
  readonly a: IkeConfig;
  readonly b: IkeConfig;
  /** Carries messages from a to b. */
  readonly aToB: Link;
  /** Carries messages from b to a. */
  readonly bToA: Link;
  /** Names timers and event labels (`ike/VNet1toSite1`). Default `ike`. */
  readonly name?: string;
  /** Called on every up, down and rekey of either end: time in seconds. */
  readonly onEvent?: (t: number, end: IkeEnd, kind: 'up' | 'down' | 'rekeyed', reason: string) => void;
  /** Called for every message sent: `carried` is false when the link lost it. */
  readonly onMessage?: (t: number, from: IkeEnd, msg: IkeMessage, carried: boolean) => void;
  /**
   * How many of the newest {@link IkeSession.events} and
   * {@link IkeSession.setupTimes} the session keeps, so that a long-lived
   * tunnel (a policy-based one idles out and back every few minutes) holds
   * flat memory. Default {@link IKE_HISTORY_LIMIT}; `Infinity` keeps all.
   */
  readonly historyLimit?: number;
}

/** Default {@link IkeSessionOptions.historyLimit}: entries kept per history. */
export const IKE_HISTORY_LIMIT = 64;

/** Two IKE ends wired over two links. One instance per tunnel; nothing global. */
export class IkeSession {
  /** The newest up, down, rekey and negotiation starts (at most `historyLimit`), in order. */
  readonly events: IkeSessionEvent[] = [];
  /** The newest setup durations (at most `historyLimit`), seconds, in order: from the first `negotiating` of an attempt to both ends up. */
  readonly setupTimes: number[] = [];
  private readonly historyLimit: number;
  private readonly drivers: Record<IkeEnd, MachineDriver<IkeState, IkeInput, IkeEffect>>;
  private readonly configs: Record<IkeEnd, IkeConfig>;
  private readonly links: Record<IkeEnd, Link>;
  private readonly sim: Simulator;
  private readonly name: string;
  private attemptStartUs: number | undefined;
  private lastDown: string | null = null;

  constructor(private readonly options: IkeSessionOptions) {
    this.sim = options.sim;
    this.name = options.name ?? 'ike';
    this.historyLimit = options.historyLimit ?? IKE_HISTORY_LIMIT;
    if (!(this.historyLimit >= 1)) throw new UsageError(`IKE session "${this.name}": history limit ${String(options.historyLimit)} must be 1 or more. Pass for example 64, or Infinity to keep all`, 'range');
    this.configs = { a: options.a, b: options.b };
    this.links = { a: options.aToB, b: options.bToA };
    const make = (end: IkeEnd): MachineDriver<IkeState, IkeInput, IkeEffect> => new MachineDriver<IkeState, IkeInput, IkeEffect>(
      this.sim, `${this.name}/${end}`, ikeStep, initialIkeState(this.configs[end]),
      { effect: (e) => this.onEffect(end, e) },
      (name) => ({ kind: 'timer', name }),
    );
    this.drivers = { a: make('a'), b: make('b') };
  }

  /** The tunnel's state as a whole. */
  get state(): IkeSessionState {
    const a = this.drivers.a.state.phase;
    const b = this.drivers.b.state.phase;
    if (a === 'established' && b === 'established') return { state: 'up' };
    if (isNegotiating(a) || isNegotiating(b)) return { state: 'connecting' };
    if (this.lastDown === null) return { state: 'idle' };
    if (isFailureReason(this.lastDown)) return { state: 'failed', reason: this.lastDown, status: ikeStatusOf(this.lastDown) };
    return { state: 'down', reason: this.lastDown };
  }

  /** Duration of the last completed setup, seconds; undefined before the first. */
  get setupTime(): number | undefined {
    return this.setupTimes[this.setupTimes.length - 1];
  }

  /** The machine state of one end (phase, chosen proposals, SPIs...). */
  end(end: IkeEnd): IkeState {
    return this.drivers[end].state;
  }

  /** True when the named timer of one end is running (see `IKE_TIMERS`). */
  timerRunning(end: IkeEnd, timer: string): boolean {
    return this.drivers[end].timerRunning(timer);
  }

  /** Initiates from `end` (default `a`) now. Harmless when that end is already negotiating or up. */
  start(end: IkeEnd = 'a'): void {
    this.drivers[end].input({ kind: 'start' });
  }

  /**
   * A data packet enters the tunnel at `fromEnd` now.
   * @returns true when it is carried (that end is established: both ends see
   *   it and restart their idle timers); false when it is dropped
   *   ({@link DATA_WHILE_NEGOTIATING}): on a down policy-based end it starts
   *   a negotiation at once.
   */
  traffic(fromEnd: IkeEnd): boolean {
    const from = this.drivers[fromEnd];
    if (from.state.phase !== 'established') {
      from.input({ kind: 'traffic' });
      return false;
    }
    from.input({ kind: 'traffic' });
    this.drivers[other(fromEnd)].input({ kind: 'traffic' });
    return true;
  }

  /**
   * Closes the tunnel at `end` (default `a`): it sends a Delete and reports
   * `down` with `reason`; the peer reports `peerDown`. The closed end still
   * answers a peer that negotiates again, but does not bring a policy-based
   * tunnel back on its own traffic.
   */
  close(reason = 'admin', end: IkeEnd = 'a'): void {
    this.drivers[end].input({ kind: 'close', reason });
  }

  /** Stops every timer of both ends (the session is being discarded). */
  dispose(): void {
    this.drivers.a.dispose();
    this.drivers.b.dispose();
  }

  private onEffect(end: IkeEnd, e: IkeEffect): void {
    const t = this.sim.now;
    switch (e.kind) {
      case 'send': this.transmit(end, e.msg); return;
      case 'startTimer':
      case 'stopTimer': return; // the driver runs timers
      case 'negotiating':
        if (this.attemptStartUs === undefined) this.attemptStartUs = this.sim.nowUs;
        this.keep(this.events, { t, end, kind: 'negotiating', reason: e.reason });
        return;
      case 'up': {
        this.keep(this.events, { t, end, kind: 'up', reason: e.reason });
        if (this.drivers[other(end)].state.phase === 'established' && this.attemptStartUs !== undefined) {
          this.keep(this.setupTimes, (this.sim.nowUs - this.attemptStartUs) / 1e6);
          this.attemptStartUs = undefined;
        }
        this.options.onEvent?.(t, end, 'up', e.reason);
        return;
      }
      case 'down': {
        this.lastDown = e.reason;
        this.keep(this.events, { t, end, kind: 'down', reason: e.reason });
        if (!isNegotiating(this.drivers.a.state.phase) && !isNegotiating(this.drivers.b.state.phase)) this.attemptStartUs = undefined;
        this.options.onEvent?.(t, end, 'down', e.reason);
        return;
      }
      case 'rekeyed':
        this.keep(this.events, { t, end, kind: 'rekeyed', reason: e.reason });
        this.options.onEvent?.(t, end, 'rekeyed', e.reason);
        return;
    }
  }

  /** Appends to a history, dropping the oldest entry beyond the limit: O(limit) at worst, the default limit is small. */
  private keep<T>(history: T[], entry: T): void {
    history.push(entry);
    if (history.length > this.historyLimit) history.shift();
  }

  private transmit(from: IkeEnd, msg: IkeMessage): void {
    const to = other(from);
    const label = `${this.name}/${from}->${to} ${describe(msg)}`;
    const carried = this.links[from].transmit(messageBytes(msg), () => this.deliver(to, msg), label);
    this.options.onMessage?.(this.sim.now, from, msg, carried);
  }

  private deliver(to: IkeEnd, msg: IkeMessage): void {
    const p = this.configs[to].processingDelay;
    if (p > 0) this.sim.schedule(p, () => this.drivers[to].input({ kind: 'recv', msg }), `${this.name}/${to} process`);
    else this.drivers[to].input({ kind: 'recv', msg });
  }
}

function other(end: IkeEnd): IkeEnd {
  return end === 'a' ? 'b' : 'a';
}
