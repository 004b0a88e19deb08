/**
 * Longest-prefix-match table. Routes are grouped by prefix length; a lookup
 * masks the address once per distinct length, longest first, and probes a
 * Map. Cost: O(L) per lookup with L distinct lengths (at most 33), O(1) per
 * insert; independent of the number of routes.
 *
 * Several routes may share one prefix (ECMP-free: the table keeps them in a
 * list and `select` picks by a caller-given order).
 */
import { maskOf, type Prefix } from './prefix.js';

export class LpmTable<R extends { readonly prefix: Prefix }> {
  private readonly byLength = new Map<number, Map<number, R[]>>();
  private lengths: number[] = [];
  private count = 0;

  /** Number of routes held. */
  get size(): number {
    return this.count;
  }

  /** Adds a route (after any route already held for the same prefix). */
  add(route: R): void {
    let m = this.byLength.get(route.prefix.length);
    if (!m) {
      m = new Map();
      this.byLength.set(route.prefix.length, m);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    }
    const list = m.get(route.prefix.base);
    if (list) list.push(route);
    else m.set(route.prefix.base, [route]);
    this.count++;
  }

  /** The routes of the longest prefix containing `addr`, or undefined. */
  lookupAll(addr: number): readonly R[] | undefined {
    for (const len of this.lengths) {
      const list = this.byLength.get(len)!.get((addr & maskOf(len)) >>> 0);
      if (list) return list;
    }
    return undefined;
  }

  /** The first route of the longest prefix containing `addr`. */
  lookup(addr: number): R | undefined {
    return this.lookupAll(addr)?.[0];
  }

  /** Every route, ordered by prefix (address, then length) and insertion. */
  routes(): R[] {
    const out: R[] = [];
    for (const m of this.byLength.values()) for (const list of m.values()) out.push(...list);
    return out.sort((a, b) => a.prefix.base - b.prefix.base || a.prefix.length - b.prefix.length);
  }
}
