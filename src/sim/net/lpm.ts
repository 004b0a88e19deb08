/**
 * Longest-prefix-match table. Routes are grouped by prefix length; a lookup
 * masks the address once per distinct length, longest first, and probes a
 * Map (or, for a length held by one prefix only, such as a VNet's address
 * space, a P2S pool or the default route, compares with its key). Cost: O(L)
 * per lookup with L distinct lengths (at most 33), O(L) per insert
 * (O(L log L) when a new length appears); independent of the number of
 * routes. Keys are small integers (V8's 31-bit Smis), so a lookup neither
 * allocates nor hashes a double: for lengths up to 31 the masked address's
 * lowest bit is 0, and the key is the masked address shifted right by one
 * (`(addr & mask) >> 1`, within -2^30..2^30-1); host routes (/32) sit in
 * pairs under `addr >> 1`, picked by the lowest bit.
 *
 * The last two answers are remembered, each for the widest range of
 * addresses it holds for: a prefix with no longer route inside it (a leaf)
 * answers for every address it contains, any other answer for its one
 * address. So a run of lookups of one address (a flow, a burst of probes),
 * or of many addresses under one leaf (replies to the clients of a P2S pool),
 * or requests to one server between replies to many clients, costs a masked
 * comparison or two each. Whether a prefix is a leaf is worked out on its
 * first match (O(routes)) and kept until a route is added.
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
   * The last two answers: an address matches one when `(addr & mask) === base`
   * (mask -1 for an answer kept for one address, a leaf's mask for every
   * address under it; mask 0 with base 1 for none). Many packets in a row go
   * to one address or one pool; a router carrying requests to one server and
   * replies to many clients alternates between two.
   */
  private lastMask = 0;
  private lastBase = 1;
  private lastList: readonly R[] | undefined = undefined;
  private prevMask = 0;
  private prevBase = 1;
  private prevList: readonly R[] | undefined = undefined;
  /** Whether each matched route list's prefix is a leaf (no longer route inside it); cleared when a route is added. */
  private readonly leaves = new Map<readonly R[], boolean>();

  /** Number of routes held. */
  get size(): number {
    return this.count;
  }

  /** Adds a route (after any route already held for the same prefix). */
  add(route: R): void {
    const base = route.prefix.base | 0;
    this.count++;
    this.lastMask = this.prevMask = 0;
    this.lastBase = this.prevBase = 1;
    this.leaves.clear();
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
    if (m) {
      // A second prefix of a known length: that length now needs its Map.
      m.set(key, [route]);
      const k = this.maps.indexOf(m);
      this.soleKeys[k] = NaN;
      this.soleLists[k] = undefined;
      return;
    }
    // A new length: the per-length arrays are rebuilt, longest first (O(L log L)).
    m = new Map([[key, [route]]]);
    this.byLength.set(route.prefix.length, m);
    const lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    const maps = lengths.map((len) => this.byLength.get(len)!);
    this.masks = lengths.map((len) => maskOf(len) | 0);
    this.maps = maps;
    this.soleKeys = maps.map((x) => (x.size === 1 ? x.keys().next().value! : NaN));
    this.soleLists = maps.map((x) => (x.size === 1 ? x.values().next().value : undefined));
  }

  /** The routes of the longest prefix containing `addr`, or undefined. */
  lookupAll(addr: number): readonly R[] | undefined {
    if ((addr & this.lastMask) === this.lastBase) return this.lastList;
    if ((addr & this.prevMask) === this.prevBase) {
      // Swap, so the answer used last is checked first next time.
      const list = this.prevList, mask = this.prevMask, base = this.prevBase;
      this.remember(mask, base, list);
      return list;
    }
    let found: readonly R[] | undefined = undefined;
    let mask = -1;
    if (this.hosts !== undefined) found = this.hosts.get(addr >> 1)?.[addr & 1];
    if (found === undefined) {
      const masks = this.masks, maps = this.maps, soleKeys = this.soleKeys;
      let k = 0;
      for (; k < maps.length; k++) {
        const key = (addr & masks[k]!) >> 1;
        const sole = soleKeys[k]!;
        if (sole === sole) { // one prefix of this length: compare (NaN marks a length with several)
          if (key === sole) { found = this.soleLists[k]; break; }
          continue;
        }
        const list = maps[k]!.get(key);
        if (list !== undefined) { found = list; break; }
      }
      if (found !== undefined && this.isLeaf(found, k)) mask = masks[k]!;
    }
    this.remember(mask, addr & mask, found);
    return found;
  }

  /** Makes an answer the last one remembered; the last becomes the previous. */
  private remember(mask: number, base: number, list: readonly R[] | undefined): void {
    this.prevMask = this.lastMask;
    this.prevBase = this.lastBase;
    this.prevList = this.lastList;
    this.lastMask = mask;
    this.lastBase = base;
    this.lastList = list;
  }

  /** True when no route longer than `list`'s prefix (found at length index `k`) lies inside it. */
  private isLeaf(list: readonly R[], k: number): boolean {
    let leaf = this.leaves.get(list);
    if (leaf === undefined) {
      const p = list[0]!.prefix;
      const mask = this.masks[k]!, base = p.base & mask;
      leaf = true;
      for (let j = 0; j < k && leaf; j++) for (const key of this.maps[j]!.keys()) if (((key << 1) & mask) === base) { leaf = false; break; }
      if (leaf && this.hosts !== undefined) for (const key of this.hosts.keys()) if (((key << 1) & mask) === base) { leaf = false; break; }
      this.leaves.set(list, leaf);
    }
    return leaf;
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
