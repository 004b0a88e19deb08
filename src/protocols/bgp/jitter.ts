/**
 * BGP timer jitter. RFC 4271 §10: "jitter SHOULD be applied to the timers
 * associated with MinASOriginationIntervalTimer, KeepaliveTimer,
 * MinRouteAdvertisementIntervalTimer, and ConnectRetryTimer ... the timer
 * value is multiplied by a random factor uniformly distributed in the range
 * from 0.75 to 1.0. A new random value SHOULD be picked each time the timer
 * is set." The hold timer is not jittered.
 */
import type { RandomStream } from '../../sim/kernel/rng.js';
import { uniformJitter, type TimerJitter } from '../jitter.js';
import { BgpTimer } from './machine.js';

/** BGP timers that RFC 4271 §10 jitters (the others run exactly). */
export const JITTERED_BGP_TIMERS: ReadonlySet<string> = new Set([BgpTimer.keepalive, BgpTimer.connectRetry]);

/**
 * RFC 4271 §10 jitter for a BGP neighbor: keepalive and ConnectRetry times
 * multiplied by U(0.75, 1.0) drawn from `stream`, afresh each time the timer is set.
 */
export function bgpJitter(stream: RandomStream): TimerJitter {
  return uniformJitter(stream, JITTERED_BGP_TIMERS, 0.75, 1);
}
