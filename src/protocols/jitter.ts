/**
 * Timer jitter, in one place. RFC 4271 §10: "jitter SHOULD be applied to the
 * timers associated with MinASOriginationIntervalTimer, KeepaliveTimer,
 * MinRouteAdvertisementIntervalTimer, and ConnectRetryTimer ... the timer
 * value is multiplied by a random factor uniformly distributed in the range
 * from 0.75 to 1.0. A new random value SHOULD be picked each time the timer
 * is set."
 */
import type { RandomStream } from '../sim/kernel/rng.js';
import { BgpTimer } from './bgp/machine.js';

/** Maps a timer's name and nominal duration (s) to the duration actually used. */
export type TimerJitter = (timer: string, after: number) => number;

/** BGP timers that RFC 4271 §10 jitters (the others run exactly). */
const JITTERED_BGP_TIMERS: ReadonlySet<string> = new Set([BgpTimer.keepalive, BgpTimer.connectRetry]);

/**
 * RFC 4271 §10 jitter for a BGP neighbor: keepalive and ConnectRetry times
 * multiplied by U(0.75, 1.0) drawn from `stream`, afresh each time the timer is set.
 */
export function bgpJitter(stream: RandomStream): TimerJitter {
  return (timer, after) => (JITTERED_BGP_TIMERS.has(timer) ? after * stream.uniform(0.75, 1) : after);
}
