/**
 * Timer jitter, in one place and protocol-neutral: a protocol names the
 * timers its RFC jitters and the range, this module draws the factor. BGP's
 * use (RFC 4271 §10) is `bgp/jitter.ts`.
 */
import type { RandomStream } from '../sim/kernel/rng.js';

/** Maps a timer's name and nominal duration (s) to the duration actually used. */
export type TimerJitter = (timer: string, after: number) => number;

/**
 * Jitter that multiplies the duration of each timer named in `timers` by a
 * factor drawn from U(`low`, `high`) on `stream`, afresh each time the timer
 * is set; every other timer runs exactly.
 * @param low lower bound of the factor, inclusive (default 0.75, RFC 4271 §10).
 * @param high upper bound, exclusive (default 1.0).
 */
export function uniformJitter(stream: RandomStream, timers: ReadonlySet<string>, low = 0.75, high = 1): TimerJitter {
  return (timer, after) => (timers.has(timer) ? after * stream.uniform(low, high) : after);
}
