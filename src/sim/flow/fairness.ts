/**
 * Jain's fairness index (R. Jain, D. Chiu, W. Hawe, "A Quantitative Measure of
 * Fairness and Discrimination for Resource Allocation in Shared Computer
 * Systems", DEC-TR-301, 1984): J = (sum x)^2 / (n * sum x^2). It is 1 when
 * every share is equal and 1/n when one party takes everything. O(n).
 */
import { UsageError } from '../../errors.js';

/**
 * Jain's fairness index of `shares` (any unit: Mbit/s, bytes), in [1/n, 1].
 * An empty list or all-zero shares give 1 (nobody is treated worse than anybody).
 * @throws UsageError on a negative or non-finite share.
 */
export function jainIndex(shares: ArrayLike<number>): number {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < shares.length; i++) {
    const x = shares[i]!;
    if (!(x >= 0 && x < Infinity)) throw new UsageError(`jainIndex: share ${i} is ${x}. Pass finite shares of 0 or more`, 'range');
    sum += x;
    sumSq += x * x;
  }
  if (shares.length === 0 || sumSq === 0) return 1;
  return (sum * sum) / (shares.length * sumSq);
}
