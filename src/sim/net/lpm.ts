/**
 * Longest-prefix-match table. Routes are grouped by prefix length; a lookup
 * masks the address once per distinct length, longest first, and probes a
 * Map. Cost: O(L) per lookup with L distinct lengths (at most 33), O(1) per
 * insert (O(L log L) when a new length appears); independent of the number of
 * routes. Keys are the masked address as a signed 32-bit integer, so lookups
 * stay on small integers and allocate nothing. The last answer is remembered,
 * so a run of lookups of one address (a flow, a burst of probes) costs one
 * comparison each.
 *
 * Several routes may share one prefix (ECMP-free: the table keeps them in a
 * list and `select` picks by a caller-given order).
 */
import { maskOf, type Prefix } from './prefix.js';

/** A longest-prefix-match table of routes (see the module header for its costs). */
export class LpmTable<R extends { readonly prefix: Prefix }> {
  private readonly byLength = new Map<number, Map<number, R[]>>();
  /** Per distinct length, longest first: the mask (signed 32-bit) and the routes by masked address. */
  private masks: number[] = [];
  private maps: Map<number, R[]>[] = [];
  private count = 0;
  /** The last lookup (many packets in a row go to one address): its address and answer. */
  private lastAddr = NaN;
  private lastList: readonly R[] | undefined = undefined;

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
      const lengths = [...this.byLength.keys()].sort((a, b) => b - a);
      this.masks = lengths.map((len) => maskOf(len) | 0);
      this.maps = lengths.map((len) => this.byLength.get(len)!);
    }
    const key = route.prefix.base | 0;
    const list = m.get(key);
    if (list) list.push(route);
    else m.set(key, [route]);
    this.count++;
    this.lastAddr = NaN;
  }

  /** The routes of the longest prefix containing `addr`, or undefined. */
  lookupAll(addr: number): readonly R[] | undefined {
    if (addr === this.lastAddr) return this.lastList;
    const masks = this.masks, maps = this.maps;
    let found: readonly R[] | undefined = undefined;
    for (let k = 0; k < maps.length; k++) {
      const list = maps[k]!.get(addr & masks[k]!);
      if (list !== undefined) { found = list; break; }
    }
    this.lastAddr = addr;
    this.lastList = found;
    return found;
  }

  /** The first route of the longest prefix containing `addr`. */
  lookup(addr: number): R | undefined {
    const list = this.lookupAll(addr);
    return list === undefined ? undefined : list[0];
  }

  /** Every route, ordered by prefix (address, then length) and insertion. */
  routes(): R[] {
    const out: R[] = [];
    for (const m of this.byLength.values()) for (const list of m.values()) out.push(...list);
    return out.sort((a, b) => a.prefix.base - b.prefix.base || a.prefix.length - b.prefix.length);
  }
}
