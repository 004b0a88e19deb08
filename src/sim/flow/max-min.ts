/**
 * Max-min fair bandwidth sharing (progressive filling, "water-filling"), as a
 * pure solver that knows nothing of gateways or tunnels (SimGrid keeps its
 * LMM solver apart from the network the same way). Routing turns a flow's
 * path into a list of resources; this module only sees numbers.
 *
 * Model: resources have capacities (Mbit/s); each flow crosses a set of
 * resources and may carry its own cap (a UDP sending rate, a TCP window/RTT
 * limit). The allocation raises every unfrozen flow's rate together; a flow
 * freezes when it reaches its cap, or when a resource it crosses runs out
 * (that resource is its bottleneck). The result is the unique max-min fair
 * vector: no flow can get more without taking from a flow that has no more.
 *
 * Algorithm, exact and event-driven rather than in small increments: every
 * unfrozen flow sits at a common level L. Resource r saturates at
 * `L_r = (capacity_r - frozen_r) / unfrozen_r`, where frozen_r is the sum of
 * the rates already frozen on r. Freezing a flow at level L <= L_r never
 * lowers L_r, so a min-heap of L_r with increase-key, merged with the flows'
 * caps in ascending order, yields the freezing events in order.
 *
 * Complexity per solve, F flows, R resources, P = sum of path lengths:
 * O(P log R + F log F + R): each flow is frozen once and updates the heap
 * key of every resource on its path; caps are sorted once. Memory O(F + R + P),
 * kept in a reusable workspace ({@link MaxMinSolver}) so hot loops allocate
 * nothing once it has grown.
 *
 * Ties: a flow's cap wins over a resource saturating at the same level (the
 * flow is reported as cap-limited); between resources, the lower index wins.
 */
import { UsageError } from '../../errors.js';

/** Bottleneck code of a flow limited by its own cap rather than a resource. */
export const CAP_LIMITED = -1;
/** Bottleneck code of a flow with no resource and no cap (its rate is Infinity). */
export const UNCONSTRAINED = -2;

/**
 * A reusable max-min solver over flat (CSR) arrays: the hot-path interface of
 * the flow engine. One instance may solve any number of problems in turn.
 */
export class MaxMinSolver {
  private heapRes = new Int32Array(64); // heap of resource indices
  private heapPos = new Int32Array(64); // resource -> heap position, -1 when absent
  private key = new Float64Array(64); // resource -> saturation level
  private frozenSum = new Float64Array(64);
  private unfrozen = new Int32Array(64);
  private resStart = new Int32Array(65); // transposed CSR: resource -> flows
  private resFlows = new Int32Array(64);
  private fill = new Int32Array(64);
  private capOrder = new Int32Array(64);
  private frozen = new Uint8Array(64);
  private heapSize = 0;

  /**
   * Solves one problem.
   * @param nRes number of resources; `capacity[0..nRes)` in Mbit/s, 0 or more.
   * @param nFlows number of flows; flow f crosses `flowRes[flowStart[f] .. flowStart[f+1])`
   *   (resource indices, each at most once per flow) and is capped at `flowCap[f]`
   *   Mbit/s (Infinity for none).
   * @param outRate receives each flow's rate, Mbit/s.
   * @param outBottleneck receives each flow's bottleneck resource index,
   *   {@link CAP_LIMITED} or {@link UNCONSTRAINED}.
   * @param capOrder optional: the flows with a finite cap, already in ascending
   *   cap order (ties by index); saves the O(F log F) sort when the caller keeps
   *   flows sorted.
   */
  solve(
    nRes: number, capacity: ArrayLike<number>,
    nFlows: number, flowStart: ArrayLike<number>, flowRes: ArrayLike<number>, flowCap: ArrayLike<number>,
    outRate: Float64Array | number[], outBottleneck: Int32Array | number[],
    capOrder?: ArrayLike<number>,
  ): void {
    this.reserve(nRes, nFlows, flowStart[nFlows]!);
    const { key, frozenSum, unfrozen, resStart, resFlows, fill, frozen } = this;
    for (let r = 0; r < nRes; r++) { unfrozen[r] = 0; frozenSum[r] = 0; }
    for (let f = 0; f < nFlows; f++) {
      frozen[f] = 0;
      for (let k = flowStart[f]!; k < flowStart[f + 1]!; k++) unfrozen[flowRes[k]!]!++;
    }
    // Transposed adjacency: the flows crossing each resource.
    resStart[0] = 0;
    for (let r = 0; r < nRes; r++) { resStart[r + 1] = resStart[r]! + unfrozen[r]!; fill[r] = resStart[r]!; }
    for (let f = 0; f < nFlows; f++) {
      for (let k = flowStart[f]!; k < flowStart[f + 1]!; k++) resFlows[fill[flowRes[k]!]!++] = f;
    }
    // Heap of saturation levels.
    this.heapSize = 0;
    for (let r = 0; r < nRes; r++) {
      this.heapPos[r] = -1;
      if (unfrozen[r]! > 0) {
        key[r] = Math.max(0, capacity[r]!) / unfrozen[r]!;
        this.heapPush(r);
      }
    }
    // Capped flows in ascending cap order (index breaks ties, for determinism).
    let nCapped = 0;
    let sorted: ArrayLike<number> = this.capOrder;
    if (capOrder) {
      sorted = capOrder;
      nCapped = capOrder.length;
    } else {
      for (let f = 0; f < nFlows; f++) if (flowCap[f]! < Infinity) this.capOrder[nCapped++] = f;
      sortByCap(this.capOrder, nCapped, flowCap);
    }
    let capPtr = 0;
    let remaining = nFlows;
    let level = 0;
    while (remaining > 0) {
      while (capPtr < nCapped && frozen[sorted[capPtr]!]) capPtr++;
      const capLevel = capPtr < nCapped ? flowCap[sorted[capPtr]!]! : Infinity;
      const resLevel = this.heapSize > 0 ? key[this.heapRes[0]!]! : Infinity;
      if (capLevel === Infinity && resLevel === Infinity) {
        for (let f = 0; f < nFlows; f++) {
          if (frozen[f]) continue;
          frozen[f] = 1; remaining--; outRate[f] = Infinity; outBottleneck[f] = UNCONSTRAINED;
        }
        break;
      }
      if (capLevel <= resLevel) {
        level = Math.max(level, capLevel);
        const f = sorted[capPtr++]!;
        frozen[f] = 1; remaining--; outRate[f] = capLevel; outBottleneck[f] = CAP_LIMITED;
        this.freezeLinks(f, capLevel, level, capacity, flowStart, flowRes);
      } else {
        level = Math.max(level, resLevel);
        const r = this.heapRes[0]!;
        this.heapRemove(r);
        for (let k = resStart[r]!; k < resStart[r + 1]!; k++) {
          const f = resFlows[k]!;
          if (frozen[f]) continue;
          frozen[f] = 1; remaining--; outRate[f] = level; outBottleneck[f] = r;
          this.freezeLinks(f, level, level, capacity, flowStart, flowRes);
        }
      }
    }
  }

  private freezeLinks(f: number, rate: number, level: number, capacity: ArrayLike<number>, flowStart: ArrayLike<number>, flowRes: ArrayLike<number>): void {
    const { key, frozenSum, unfrozen } = this;
    for (let k = flowStart[f]!; k < flowStart[f + 1]!; k++) {
      const r = flowRes[k]!;
      frozenSum[r] += rate;
      const n = --unfrozen[r]!;
      if (this.heapPos[r]! < 0) continue;
      if (n === 0) this.heapRemove(r);
      else {
        const next = Math.max(0, capacity[r]! - frozenSum[r]!) / n;
        key[r] = next < level ? level : next; // rounding never lowers a level
        this.heapUpdate(r);
      }
    }
  }

  private reserve(nRes: number, nFlows: number, nLinks: number): void {
    if (this.key.length < nRes) {
      const n = Math.max(nRes, this.key.length * 2);
      this.heapRes = new Int32Array(n); this.heapPos = new Int32Array(n); this.key = new Float64Array(n);
      this.frozenSum = new Float64Array(n); this.unfrozen = new Int32Array(n); this.fill = new Int32Array(n);
      this.resStart = new Int32Array(n + 1);
    }
    if (this.frozen.length < nFlows) {
      const n = Math.max(nFlows, this.frozen.length * 2);
      this.frozen = new Uint8Array(n); this.capOrder = new Int32Array(n);
    }
    if (this.resFlows.length < nLinks) this.resFlows = new Int32Array(Math.max(nLinks, this.resFlows.length * 2));
  }

  // Binary min-heap on key[], ties by resource index.
  private less(a: number, b: number): boolean {
    const ka = this.key[a]!, kb = this.key[b]!;
    return ka < kb || (ka === kb && a < b);
  }
  private heapPush(r: number): void {
    this.heapPos[r] = this.heapSize;
    this.heapRes[this.heapSize++] = r;
    this.siftUp(this.heapSize - 1);
  }
  private heapRemove(r: number): void {
    const i = this.heapPos[r]!;
    this.heapPos[r] = -1;
    const last = this.heapRes[--this.heapSize]!;
    if (i === this.heapSize) return;
    this.heapRes[i] = last;
    this.heapPos[last] = i;
    this.siftUp(i);
    this.siftDown(this.heapPos[last]!);
  }
  private heapUpdate(r: number): void {
    const i = this.heapPos[r]!;
    this.siftUp(i);
    this.siftDown(this.heapPos[r]!);
  }
  private siftUp(i: number): void {
    const H = this.heapRes, P = this.heapPos;
    const r = H[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(r, H[p]!)) break;
      H[i] = H[p]!; P[H[i]!] = i; i = p;
    }
    H[i] = r; P[r] = i;
  }
  private siftDown(i: number): void {
    const H = this.heapRes, P = this.heapPos, n = this.heapSize;
    const r = H[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(H[c + 1]!, H[c]!)) c++;
      if (!this.less(H[c]!, r)) break;
      H[i] = H[c]!; P[H[i]!] = i; i = c;
    }
    H[i] = r; P[r] = i;
  }
}

/** Sorts `order[0..n)` by ascending `cap`, index breaking ties: insertion sort when short. */
function sortByCap(order: Int32Array, n: number, cap: ArrayLike<number>): void {
  if (n > 32) {
    const sorted = Array.from(order.subarray(0, n)).sort((a, b) => cap[a]! - cap[b]! || a - b);
    order.set(sorted);
    return;
  }
  for (let i = 1; i < n; i++) {
    const f = order[i]!;
    const c = cap[f]!;
    let j = i - 1;
    while (j >= 0 && (cap[order[j]!]! > c || (cap[order[j]!]! === c && order[j]! > f))) { order[j + 1] = order[j]!; j--; }
    order[j + 1] = f;
  }
}

/** One resource of a {@link maxMinFair} problem. */
export interface MaxMinResource {
  readonly id: string;
  /** Capacity in Mbit/s, 0 or more (0: down). */
  readonly capacityMbps: number;
}

/** One flow of a {@link maxMinFair} problem. */
export interface MaxMinFlow {
  readonly id: string;
  /** Ids of the resources the flow crosses, in any order. */
  readonly resources: readonly string[];
  /** The flow's own limit in Mbit/s (demand); default none. */
  readonly capMbps?: number;
}

/** A flow's share in a {@link MaxMinResult}. */
export interface MaxMinShare {
  /** Rate in Mbit/s. */
  readonly rateMbps: number;
  /** What limits the flow: a resource it crosses, or its own cap. */
  readonly bottleneck: { readonly kind: 'resource'; readonly id: string } | { readonly kind: 'cap' } | { readonly kind: 'none' };
}

/** Result of {@link maxMinFair}: each flow's share, by flow id, in the order given. */
export type MaxMinResult = ReadonlyMap<string, MaxMinShare>;

/**
 * Max-min fair shares of `flows` over `resources` (progressive filling).
 * Cost O(P log R + F log F), see the module header.
 * @returns a map from flow id to its rate (Mbit/s) and bottleneck, in input order.
 * @throws UsageError on a duplicate id, an unknown resource, a negative or NaN
 *   capacity or cap, or a flow listing one resource twice.
 */
export function maxMinFair(resources: readonly MaxMinResource[], flows: readonly MaxMinFlow[]): MaxMinResult {
  const index = new Map<string, number>();
  const capacity = new Float64Array(resources.length);
  resources.forEach((r, i) => {
    if (index.has(r.id)) throw new UsageError(`maxMinFair: resource "${r.id}" is listed twice. Give each resource one entry`, 'duplicate');
    if (!(r.capacityMbps >= 0)) throw new UsageError(`resource "${r.id}": capacity ${r.capacityMbps} Mbit/s is not 0 or more. Pass a capacity such as 100`, 'range');
    index.set(r.id, i);
    capacity[i] = r.capacityMbps;
  });
  const flowStart = new Int32Array(flows.length + 1);
  const links: number[] = [];
  const caps = new Float64Array(flows.length);
  const seen = new Set<string>();
  flows.forEach((f, i) => {
    if (seen.has(f.id)) throw new UsageError(`maxMinFair: flow "${f.id}" is listed twice. Give each flow one entry`, 'duplicate');
    seen.add(f.id);
    const cap = f.capMbps ?? Infinity;
    if (!(cap >= 0)) throw new UsageError(`flow "${f.id}": cap ${f.capMbps} Mbit/s is not 0 or more. Pass a cap such as 10, or none`, 'range');
    caps[i] = cap;
    const mine = new Set<number>();
    for (const id of f.resources) {
      const r = index.get(id);
      if (r === undefined) throw new UsageError(`flow "${f.id}": resource "${id}" does not exist. Add it to the resources`, 'ref');
      if (mine.has(r)) throw new UsageError(`flow "${f.id}": resource "${id}" is listed twice. List each resource once`, 'duplicate');
      mine.add(r);
      links.push(r);
    }
    flowStart[i + 1] = links.length;
  });
  const rates = new Float64Array(flows.length);
  const bottleneck = new Int32Array(flows.length);
  new MaxMinSolver().solve(resources.length, capacity, flows.length, flowStart, links, caps, rates, bottleneck);
  const out = new Map<string, MaxMinShare>();
  flows.forEach((f, i) => {
    const b = bottleneck[i]!;
    out.set(f.id, {
      rateMbps: rates[i]!,
      bottleneck: b >= 0 ? { kind: 'resource', id: resources[b]!.id } : b === CAP_LIMITED ? { kind: 'cap' } : { kind: 'none' },
    });
  });
  return out;
}
