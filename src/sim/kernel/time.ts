/**
 * Simulated time. The API speaks seconds; the kernel keeps integer
 * microseconds so that a 300 s idle timer compares exactly and long runs do
 * not drift. Integers up to 2^53 µs (about 285 years) are exact in a double.
 */
import { UsageError } from '../../errors.js';

/** Microseconds per second. */
export const MICROS_PER_SECOND = 1_000_000;

/** Latest representable simulated time, in µs: 2^53 - 1 (about 285 years), the last exact integer in a double. */
export const MAX_TIME_US = Number.MAX_SAFE_INTEGER;

/** Longest time or delay accepted in seconds ({@link MAX_TIME_US} / 10^6). */
export const MAX_SECONDS = Math.floor(MAX_TIME_US / MICROS_PER_SECOND);

/**
 * Converts seconds to integer microseconds, rounding to the nearest µs.
 * @throws UsageError when `seconds` is NaN, infinite, negative or beyond {@link MAX_SECONDS}.
 */
export function toMicros(seconds: number, what = 'time'): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    throw new UsageError(`${what}: ${String(seconds)} is not a finite number of seconds. Pass a number such as 1.5`, 'time');
  }
  if (seconds < 0) {
    throw new UsageError(`${what}: ${seconds} s is negative. Simulated time only moves forward; pass 0 or more`, 'time');
  }
  if (seconds > MAX_SECONDS) {
    throw new UsageError(`${what}: ${seconds} s is beyond the simulated horizon of ${MAX_SECONDS} s (2^53 µs). Pass a shorter time`, 'time');
  }
  return Math.round(seconds * MICROS_PER_SECOND);
}

/** Converts integer microseconds to seconds. */
export function toSeconds(micros: number): number {
  return micros / MICROS_PER_SECOND;
}
