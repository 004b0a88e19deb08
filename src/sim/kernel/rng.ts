/**
 * Seeded random streams. Every draw in vpnsim comes from a named stream
 * derived from one master seed, so one seed gives one trace. A stream's
 * sequence depends only on the master seed and its own name: creating or
 * drawing from other streams never shifts it.
 *
 * Generator: seedrandom's Alea (fast, 2^116 period), seeded with
 * `"<master seed>/<stream name>"`.
 */
import seedrandom from 'seedrandom';
import { UsageError } from '../../errors.js';

/** One named stream of draws. */
export class RandomStream {
  private readonly next: () => number;

  constructor(readonly name: string, seedString: string) {
    this.next = seedrandom.alea(seedString);
  }

  /** Uniform draw in [0, 1). */
  random(): number {
    return this.next();
  }

  /** Uniform draw in [min, max). */
  uniform(min = 0, max = 1): number {
    return min + (max - min) * this.next();
  }

  /** Integer uniform in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Exponential draw with the given mean (inverse transform). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Normal draw (Box-Muller; one pair per two calls, the second cached). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  private spare: number | null = null;
}

/** The source of every named stream of one simulation. */
export class Rng {
  private readonly streams = new Map<string, RandomStream>();

  /**
   * @param seed the master seed: an integer or a string.
   * @throws UsageError when the seed is neither a finite number nor a non-empty string.
   */
  constructor(readonly seed: number | string) {
    if (!((typeof seed === 'number' && Number.isFinite(seed)) || (typeof seed === 'string' && seed.length > 0))) {
      throw new UsageError(`rng: seed ${JSON.stringify(seed)} must be a finite number or a non-empty string`, 'seed');
    }
  }

  /** The stream named `name` (created on first use; the same object afterwards). */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, `${this.seed}/${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}
