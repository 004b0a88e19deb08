/**
 * The shape every protocol machine shares: a pure transition
 * `step(state, input) -> { next, effects, reason }`. Effects are data; a
 * driver ({@link ./driver.ts}) runs them on the kernel. Tests step machines
 * message by message with no clock at all.
 */

/** Effects common to every protocol. `M` is the protocol's message type. */
export type CommonEffect<M> =
  /** Send a message to the peer over the underlay (or inside the tunnel). */
  | { kind: 'send'; msg: M }
  /** (Re)start the named timer to expire `after` seconds from now. */
  | { kind: 'startTimer'; name: string; after: number }
  /** Stop the named timer (harmless when not running). */
  | { kind: 'stopTimer'; name: string }
  /** The session or tunnel is up. */
  | { kind: 'up'; reason: string }
  /** The session or tunnel went down, or an attempt failed; `reason` in camelCase (`holdTimerExpired`). */
  | { kind: 'down'; reason: string };

/** Inputs common to every protocol: a message arrived, a timer expired. */
export type CommonInput<M> =
  | { kind: 'recv'; msg: M }
  | { kind: 'timer'; name: string };

/** Result of one transition. `reason` says why (`ikeSaInitReceived`, `holdTimerExpired`). */
export interface Transition<S, E> {
  readonly next: S;
  readonly effects: readonly E[];
  readonly reason: string;
}

/** A pure transition function. */
export type StepFn<S, I, E> = (state: S, input: I) => Transition<S, E>;
