/**
 * Longest-prefix-match table. Routes are grouped by prefix length; a lookup
 * masks the address once per distinct length, longest first, and probes a
 * Map (or, for a length held by one prefix only, such as a VNet's address
 * space, a P2S pool or the default route, compares with its key). Cost: O(L) per lookup with L distinct lengths (at most 33), O(1) per
 * insert (O(L log L) when a new length appears); independent of the number of
 * routes. Keys are small integers (V8's 31-bit Smis), so a lookup neither
 * allocates nor hashes a double: for lengths up to 31 the masked address's
 * lowest bit is 0, and the key is the masked address shifted right by one
 * (`(addr & mask) >> 1`, within -2^30..2^30-1); host routes (/32) sit in
 * pairs under `addr >> 1`, picked by the lowest bit. The last two answers
 * are remembered, so a run of lookups of one address (a flow, a burst of
 * probes), or requests to one server between replies to many clients, cost
 * a comparison or two each.
 *
 * Several routes may share one prefix (ECMP-free: the table keeps them in a
 * list and `select` picks by a caller-given order).
 */
import { maskOf, type Prefix } from './prefix.js';

/** A longest-prefix-match table of routes (see the module header for its costs). */
export class LpmTable<R extends { readonly prefix: Prefix }> {
  private readonly byLength = new Map<number, Map<number, R[]>>();
  /** Per distinct length up to 31, longest first: the mask (signed 32-bit) and the routes by key (masked address >> 1). */
  private masks: number[] = [];
  private maps: Map<number, R[]>[] = [];
  /** Per length as in {@link masks}: the one key, when the length holds one prefix (else NaN), and its routes. */
  private soleKeys: number[] = [];
  private soleLists: (R[] | undefined)[] = [];
  /** Host routes (/32): under `addr >> 1`, the routes of the even address then of the odd one. */
  private hosts: Map<number, [R[] | undefined, R[] | undefined]> | undefined = undefined;
  private count = 0;
  /**
   * The last two lookups: their addresses and answers. Many packets in a row
   * go to one address; a router carrying requests to one server and replies
   * to many clients alternates between that address and others.
   */
  private lastAddr = NaN;
  private lastList: readonly R[] | undefined = undefined;
  private prevAddr = NaN;
  private prevList: readonly R[] | undefined = undefined;

  /** Number of routes held. */
  get size(): number {
    return this.count;
  }

  /** Adds a route (after any route already held for the same prefix). */
  add(route: R): void {
    const base = route.prefix.base | 0;
    this.count++;
    this.lastAddr = NaN;
    this.prevAddr = NaN;
    if (route.prefix.length === 32) {
      const hosts = (this.hosts ??= new Map());
      let pair = hosts.get(base >> 1);
      if (pair === undefined) hosts.set(base >> 1, (pair = [undefined, undefined]));
      (pair[base & 1] ??= []).push(route);
      return;
    }
    let m = this.byLength.get(route.prefix.length);
    const key = base >> 1;
    const list = m?.get(key);
    if (list) {
      list.push(route);
      return;
    }
    if (!m) {
      m = new Map();
      this.byLength.set(route.prefix.length, m);
    }
    m.set(key, [route]);
    // A new prefix: the per-length arrays are rebuilt (O(L log L); tables are built once and read many times).
    const lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    const maps = lengths.map((len) => this.byLength.get(len)!);
    this.masks = lengths.map((len) => maskOf(len) | 0);
    this.maps = maps;
    this.soleKeys = maps.map((x) => (x.size === 1 ? x.keys().next().value! : NaN));
    this.soleLists = maps.map((x) => (x.size === 1 ? x.values().next().value : undefined));
  }

  /** The routes of the longest prefix containing `addr`, or undefined. */
  lookupAll(addr: number): readonly R[] | undefined {
    if (addr === this.lastAddr) return this.lastList;
    if (addr === this.prevAddr) {
      // Swap, so the address seen last is checked first next time.
      const list = this.prevList;
      this.prevAddr = this.lastAddr;
      this.prevList = this.lastList;
      this.lastAddr = addr;
      this.lastList = list;
      return list;
    }
    let found: readonly R[] | undefined = undefined;
    if (this.hosts !== undefined) found = this.hosts.get(addr >> 1)?.[addr & 1];
    if (found === undefined) {
      const masks = this.masks, maps = this.maps, soleKeys = this.soleKeys;
      for (let k = 0; k < maps.length; k++) {
        const key = (addr & masks[k]!) >> 1;
        const sole = soleKeys[k]!;
        if (sole === sole) { // one prefix of this length: compare (NaN marks a length with several)
          if (key === sole) { found = this.soleLists[k]; break; }
          continue;
        }
        const list = maps[k]!.get(key);
        if (list !== undefined) { found = list; break; }
      }
    }
    this.prevAddr = this.lastAddr;
    this.prevList = this.lastList;
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
    for (const pair of this.hosts?.values() ?? []) for (const list of pair) if (list !== undefined) out.push(...list);
    return out.sort((a, b) => a.prefix.base - b.prefix.base || a.prefix.length - b.prefix.length);
  }
}
