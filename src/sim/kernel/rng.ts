/**
 * Seeded random streams. Every draw in vpnsim comes from a named stream
 * derived from one master seed, so one seed gives one trace. A stream's
 * sequence depends only on the master seed and its own name: creating or
 * drawing from other streams never shifts it.
 *
 * Generator: Alea (J. Baagoe; period about 2^116), seeded by seedrandom's
 * `alea` with `"<master seed>/<stream name>"`. The stream then steps Alea's
 * state itself, on its own fields, so a draw is a few multiplications with
 * no closure call; the sequence is exactly seedrandom's (a test checks).
 */
import seedrandom from 'seedrandom';
import { UsageError } from '../../errors.js';

/** One named stream of draws. Obtain it from {@link Rng.stream}. */
export class RandomStream {
  // Alea state (seedrandom's names): three fractions in [0, 1) and a carry.
  private s0: number;
  private s1: number;
  private s2: number;
  private c: number;

  /**
   * @param name the stream's name (for traces).
   * @param seedString the string seedrandom's Alea is seeded with.
   */
  constructor(readonly name: string, seedString: string) {
    const st = seedrandom.alea(seedString, { state: true }).state();
    this.s0 = st.s0;
    this.s1 = st.s1;
    this.s2 = st.s2;
    this.c = st.c;
  }

  /** Uniform draw in [0, 1), 32 bits of resolution. */
  random(): number {
    return this.next();
  }

  /** One Alea step (seedrandom's `alea.next`). */
  private next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  /** Uniform draw in [min, max), in the caller's units. */
  uniform(min = 0, max = 1): number {
    return min + (max - min) * this.next();
  }

  /** Integer uniform in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Exponential draw with the given mean, in the mean's units (inverse transform; 1 - u is in (0, 1]). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Normal draw with the given mean and standard deviation (Box-Muller; one pair per two calls, the second cached). */
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
