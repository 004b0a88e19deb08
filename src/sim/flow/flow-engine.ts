/**
 * A flow-level (fluid) simulator on the kernel: resources with capacities,
 * flows crossing them, rates re-allocated max-min fairly ({@link MaxMinSolver})
 * on every arrival, departure, failure and capacity change, completion times
 * following from the rates.
 *
 * Units: capacities and rates in Mbit/s, which is exactly one bit per
 * microsecond, the kernel's tick; sizes in bytes; times in seconds at the API.
 * Resources limit the wire rate; a flow's goodput is its wire rate times its
 * goodput factor (overhead.ts), and its size and caps are in goodput.
 *
 * Incremental re-allocation, exact. Two observations keep the work local:
 * 1. A resource that is not saturated does not constrain the max-min vector:
 *    if the max-min allocation of the problem without it fits within its
 *    capacity, that allocation is also the max-min allocation with it (the
 *    fair vector is the lexicographic optimum; adding a constraint it already
 *    satisfies cannot change the optimum). So each resource is *active*
 *    (taken into the solve) only while it is saturated; an inactive one only
 *    keeps its load, and is activated, and the solve redone, the moment a
 *    proposed allocation would overload it.
 * 2. Flows linked only through inactive resources do not interact. An event
 *    re-solves the connected component of flows and active resources it
 *    touches; nothing else is read or written.
 * With a gateway below its aggregate, a new flow to a client touches that
 * client's flows only; once the gateway saturates, its component is every flow
 * crossing it, until it falls below capacity again.
 *
 * Cost per event: O(C log C) for a component of C flows and links (the solve,
 * see max-min.ts), plus one kernel reschedule, O(log n), per flow whose rate
 * changed; bytes are bookkept lazily (bytes += rate * elapsed at each rate
 * change), so an unchanged flow costs nothing. Worst case, everything in one
 * saturated component: O(A log A) per event for A active flows.
 *
 * Down resources: capacity 0. A flow crossing one gets rate 0 and waits,
 * keeping its bytes, until the resource is restored; with the `stallTimeout`
 * option it instead ends with outcome `stalled` after that many seconds at rate 0.
 * Default: waits for ever (a TCP connection whose path is down keeps
 * retransmitting; vpnsim leaves the giving up to the scenario).
 *
 * UDP flows are fluid flows capped at their sending rate: under contention
 * they get their max-min share (the rest is lost at the bottleneck).
 */
import { NotFoundError, UsageError } from '../../errors.js';
import type { Simulator, EventHandle } from '../kernel/simulator.js';
import { MaxMinSolver } from './max-min.js';

/** Options of {@link FlowEngine.addResource}. */
export interface ResourceOptions {
  /** Label to sum resources by (`gateway`, `tunnel`, `uplink`); default none. */
  readonly group?: string;
}

/** A flow to start. */
export interface FlowSpec {
  /** Label reported in events; default none (the numeric handle identifies it). */
  readonly id?: string;
  /** Resource ids the flow crosses (a path resolved by routing), each once. */
  readonly resources: readonly string[];
  /** Start time, absolute seconds; default now. */
  readonly start?: number;
  /** Goodput bytes to deliver; the flow ends when they are delivered. */
  readonly bytes?: number;
  /** Seconds the flow runs, for flows without `bytes`. */
  readonly duration?: number;
  /** Default `tcp` (bulk, takes its max-min share). */
  readonly kind?: 'tcp' | 'udp';
  /** UDP sending rate (goodput), Mbit/s; required for `udp`. */
  readonly rateMbps?: number;
  /** TCP window, bytes: caps goodput at window / RTT (with `rttSeconds`). */
  readonly windowBytes?: number;
  /** Round-trip time, seconds, for the window limit. */
  readonly rttSeconds?: number;
  /** Goodput per unit of wire rate, in (0, 1]; default 1 (see overhead.ts). */
  readonly goodputFactor?: number;
  /** Label to sum flows by (`s2s`, `p2s`, `tunnel-3`); default none. */
  readonly group?: string;
}

/** Numeric handle of a flow, unique per engine, in order of {@link FlowEngine.addFlow}. */
export type FlowHandle = number;

/** Reported when a flow starts. */
export interface FlowStartEvent {
  readonly handle: FlowHandle;
  readonly id: string | undefined;
  readonly group: string | undefined;
  /** Seconds. */
  readonly start: number;
}

/** How a flow ended: all bytes delivered, its duration over, stalled past the timeout, or cancelled. */
export type FlowOutcome = 'completed' | 'expired' | 'stalled' | 'cancelled';

/** Reported when a flow ends. */
export interface FlowEndEvent extends FlowStartEvent {
  readonly outcome: FlowOutcome;
  /** Goodput bytes delivered. */
  readonly bytes: number;
  /** Seconds. */
  readonly end: number;
  /** Mean goodput over the flow's life, Mbit/s (0 for a zero-length life). */
  readonly goodputMbps: number;
}

/** Events of a {@link FlowEngine}. */
export interface FlowEngineEvents {
  'flow.start': FlowStartEvent;
  'flow.end': FlowEndEvent;
}

/** Options of a {@link FlowEngine}. */
export interface FlowEngineOptions {
  /** Seconds a flow may sit at rate 0 before it ends as `stalled`; default Infinity (waits). */
  readonly stallTimeout?: number;
}

/** Totals of one resource (or a group of resources) since the engine started. */
export interface ResourceStats {
  /** Current capacity, Mbit/s (0 while down). */
  readonly capacityMbps: number;
  /** Current wire load, Mbit/s. */
  readonly loadMbps: number;
  /** Current goodput through it, Mbit/s. */
  readonly goodputMbps: number;
  /** Wire bytes carried. */
  readonly wireBytes: number;
  /** Goodput bytes carried. */
  readonly goodputBytes: number;
  /** Flows crossing it now. */
  readonly activeFlows: number;
}

/** Totals of one flow group. */
export interface FlowGroupStats {
  /** Goodput bytes delivered, by finished and active flows. */
  readonly bytes: number;
  readonly finishedFlows: number;
  readonly activeFlows: number;
}

interface Flow {
  handle: number;
  id: string | undefined;
  group: string | undefined;
  path: number[];
  /** Position of this flow in each path resource's flow list. */
  pos: number[];
  capWire: number;
  factor: number;
  rate: number; // wire Mbit/s
  bytes: number; // goodput bytes at lastUs
  lastUs: number;
  size: number; // goodput bytes, Infinity for duration flows
  startUs: number;
  endHandle: EventHandle | -1;
  stallHandle: EventHandle | -1;
  activeIndex: number;
  stamp: number;
  local: number;
  onDone: () => void;
}

const EPS = 1e-9;

/** The flow-level simulator. One per simulation; it schedules on `sim`. */
export class FlowEngine {
  private readonly index = new Map<string, number>();
  private readonly resIds: string[] = [];
  private readonly resGroup: (string | undefined)[] = [];
  private readonly resNominal: number[] = [];
  private readonly resDown: boolean[] = [];
  private readonly resActive: boolean[] = [];
  private readonly resLoad: number[] = [];
  private readonly resGood: number[] = [];
  private readonly resWireBytes: number[] = [];
  private readonly resGoodBytes: number[] = [];
  private readonly resLastUs: number[] = [];
  private readonly resFlows: Flow[][] = [];
  private readonly resStamp: number[] = [];
  private readonly resLocal: number[] = [];
  private readonly active: Flow[] = [];
  /** Active flows with a finite cap, by ascending (capWire, handle): lets big solves skip sorting. */
  private readonly byCap: Flow[] = [];
  private capOrderBuf: number[] = [];
  private readonly groups = new Map<string, { bytes: number; finished: number }>();
  private readonly listeners: { [K in keyof FlowEngineEvents]: ((e: FlowEngineEvents[K]) => void)[] } = { 'flow.start': [], 'flow.end': [] };
  private readonly solver = new MaxMinSolver();
  private readonly stallTimeoutUs: number;
  private nextHandle = 0;
  private epoch = 0;
  private peak = 0;
  private solves = 0;
  private solvedFlows = 0;
  // Solve workspace.
  private compFlows: Flow[] = [];
  private compRes: number[] = [];
  private capBuf = new Float64Array(16);
  private startBuf = new Int32Array(17);
  private linkBuf = new Int32Array(32);
  private flowCapBuf = new Float64Array(16);
  private rateBuf = new Float64Array(16);
  private bnBuf = new Int32Array(16);
  private deltaBuf: number[] = [];
  private touched: number[] = [];

  /**
   * @param sim the simulator whose clock and event queue the engine uses.
   * @throws UsageError on a negative or NaN `stallTimeout`.
   */
  constructor(private readonly sim: Simulator, options: FlowEngineOptions = {}) {
    const t = options.stallTimeout ?? Infinity;
    if (!(t >= 0)) throw new UsageError(`flow engine: stallTimeout ${t} s is not 0 or more. Pass seconds, or Infinity to wait`, 'range');
    this.stallTimeoutUs = t === Infinity ? Infinity : Math.round(t * 1e6);
  }

  /** Subscribes to an event; returns a function that unsubscribes. Listeners run in subscription order. */
  on<K extends keyof FlowEngineEvents>(event: K, listener: (e: FlowEngineEvents[K]) => void): () => void {
    const list = this.listeners[event] as ((e: FlowEngineEvents[K]) => void)[];
    list.push(listener);
    return () => { const i = list.indexOf(listener); if (i >= 0) list.splice(i, 1); };
  }

  /**
   * Adds a resource (a gateway aggregate, a tunnel ceiling, an uplink).
   * @param capacityMbps Mbit/s, 0 or more.
   * @throws UsageError on a duplicate id or a bad capacity.
   */
  addResource(id: string, capacityMbps: number, options: ResourceOptions = {}): void {
    if (this.index.has(id)) throw new UsageError(`resource "${id}": already exists. Give each resource its own id`, 'duplicate');
    checkCapacity(id, capacityMbps);
    const r = this.resIds.length;
    this.index.set(id, r);
    this.resIds.push(id); this.resGroup.push(options.group); this.resNominal.push(capacityMbps);
    this.resDown.push(false); this.resActive.push(capacityMbps === 0); this.resLoad.push(0); this.resGood.push(0);
    this.resWireBytes.push(0); this.resGoodBytes.push(0); this.resLastUs.push(this.sim.nowUs);
    this.resFlows.push([]); this.resStamp.push(-1); this.resLocal.push(-1); this.deltaBuf.push(0);
  }

  /**
   * Changes a resource's capacity now; rates are re-allocated at once.
   * @throws NotFoundError on an unknown id; UsageError on a bad capacity.
   */
  setCapacity(id: string, capacityMbps: number): void {
    const r = this.resolve(id);
    checkCapacity(id, capacityMbps);
    this.resNominal[r] = capacityMbps;
    this.capacityChanged(r);
  }

  /**
   * Takes a resource down (capacity 0: its flows wait at rate 0) or brings it back.
   * @throws NotFoundError on an unknown id.
   */
  setDown(id: string, down: boolean): void {
    const r = this.resolve(id);
    if (this.resDown[r] === down) return;
    this.resDown[r] = down;
    this.capacityChanged(r);
  }

  /** True while the resource is down. @throws NotFoundError on an unknown id. */
  isDown(id: string): boolean {
    return this.resDown[this.resolve(id)]!;
  }

  /**
   * Adds a flow; it starts at `spec.start` (default now).
   * @returns its handle.
   * @throws UsageError on a start in the past, no size and no duration, a bad
   *   rate, window or factor, or a flow with neither a resource nor a cap;
   *   NotFoundError on an unknown resource.
   */
  addFlow(spec: FlowSpec): FlowHandle {
    const where = `flow ${spec.id !== undefined ? `"${spec.id}"` : `#${this.nextHandle}`}`;
    const path: number[] = [];
    const ids = spec.resources;
    for (let i = 0; i < ids.length; i++) {
      const r = this.index.get(ids[i]!);
      if (r === undefined) throw new NotFoundError(`${where}: resource "${ids[i]}" does not exist. Add it with addResource first`);
      path.push(r);
    }
    if (hasDuplicate(path)) throw new UsageError(`${where}: a resource is listed twice (${spec.resources.join(', ')}). List each once`, 'duplicate');
    const factor = spec.goodputFactor ?? 1;
    if (!(factor > 0 && factor <= 1)) throw new UsageError(`${where}: goodputFactor ${factor} is not in (0, 1]. Use espGoodputFactor() or 1`, 'range');
    const kind = spec.kind ?? 'tcp';
    let cap = Infinity; // goodput Mbit/s
    if (kind === 'udp') {
      if (!(spec.rateMbps! > 0 && spec.rateMbps! < Infinity)) throw new UsageError(`${where}: UDP rate ${spec.rateMbps} Mbit/s is not a positive number. Pass rateMbps`, 'range');
      cap = spec.rateMbps!;
    } else if (kind !== 'tcp') {
      throw new UsageError(`${where}: kind ${JSON.stringify(kind)} is unknown. Use tcp or udp`, 'range');
    }
    if (spec.windowBytes !== undefined || spec.rttSeconds !== undefined) {
      if (!(spec.windowBytes! > 0 && spec.rttSeconds! > 0)) throw new UsageError(`${where}: window ${spec.windowBytes} B / RTT ${spec.rttSeconds} s needs both, positive. Pass windowBytes and rttSeconds`, 'range');
      cap = Math.min(cap, (spec.windowBytes! * 8) / spec.rttSeconds! / 1e6);
    }
    if (path.length === 0 && cap === Infinity) throw new UsageError(`${where}: crosses no resource and has no cap, so its rate is unbounded. Give it a path or a rate`, 'range');
    const size = spec.bytes ?? Infinity;
    if (spec.bytes !== undefined && !(spec.bytes >= 0 && spec.bytes < Infinity)) throw new UsageError(`${where}: bytes ${spec.bytes} is not 0 or more. Pass a size`, 'range');
    if (spec.bytes === undefined && !(spec.duration! >= 0 && spec.duration! < Infinity)) throw new UsageError(`${where}: needs bytes or a duration in seconds. Pass one`, 'range');
    const startUs = spec.start === undefined ? this.sim.nowUs : Math.round(spec.start * 1e6);
    if (!(startUs >= this.sim.nowUs)) throw new UsageError(`${where}: start ${spec.start} s is before now (${this.sim.now} s). Start now or later`, 'time');
    const flow: Flow = {
      handle: this.nextHandle++, id: spec.id, group: spec.group, path, pos: path.map(() => 0),
      capWire: cap / factor, factor, rate: 0, bytes: 0, lastUs: startUs, size, startUs,
      endHandle: -1, stallHandle: -1, activeIndex: -1, stamp: -1, local: -1, onDone: () => {},
    };
    const durationUs = spec.bytes === undefined ? Math.round(spec.duration! * 1e6) : -1;
    flow.onDone = () => this.finish(flow, flow.size === Infinity ? 'expired' : 'completed');
    const begin = (): void => this.begin(flow, durationUs);
    if (startUs === this.sim.nowUs) begin();
    else this.sim.scheduleAtUs(startUs, begin, 'flow.start');
    return flow.handle;
  }

  /** Ends an active flow now with outcome `cancelled`; false when it is not active. */
  cancelFlow(handle: FlowHandle): boolean {
    const f = this.active.find((x) => x.handle === handle);
    if (!f) return false;
    this.finish(f, 'cancelled');
    return true;
  }

  /** Current goodput of an active flow, Mbit/s; undefined when not active. O(active). */
  rateOf(handle: FlowHandle): number | undefined {
    const f = this.active.find((x) => x.handle === handle);
    return f ? f.rate * f.factor : undefined;
  }

  /** Flows active now. */
  get activeFlows(): number {
    return this.active.length;
  }

  /** Most flows active at once so far. */
  get peakActiveFlows(): number {
    return this.peak;
  }

  /** Solves run and the flows they covered, for benchmarks. */
  get solveStats(): { readonly solves: number; readonly flows: number } {
    return { solves: this.solves, flows: this.solvedFlows };
  }

  /** Totals of one resource. @throws NotFoundError on an unknown id. */
  resourceStats(id: string): ResourceStats {
    const r = this.resolve(id);
    this.settleResource(r);
    return {
      capacityMbps: this.capacity(r), loadMbps: this.resLoad[r]!, goodputMbps: this.resGood[r]!,
      wireBytes: this.resWireBytes[r]!, goodputBytes: this.resGoodBytes[r]!, activeFlows: this.resFlows[r]!.length,
    };
  }

  /** Totals summed over the resources of one group (an unknown group sums nothing). */
  resourceGroupStats(group: string): ResourceStats {
    const acc = { capacityMbps: 0, loadMbps: 0, goodputMbps: 0, wireBytes: 0, goodputBytes: 0, activeFlows: 0 };
    this.resIds.forEach((id, r) => {
      if (this.resGroup[r] !== group) return;
      const s = this.resourceStats(id);
      for (const k of Object.keys(acc) as (keyof typeof acc)[]) acc[k] += s[k];
    });
    return acc;
  }

  /** Totals of the flows labelled `group`, active ones counted up to now. O(active flows). */
  flowGroupStats(group: string): FlowGroupStats {
    const g = this.groups.get(group);
    let bytes = g?.bytes ?? 0;
    let activeFlows = 0;
    const now = this.sim.nowUs;
    for (const f of this.active) {
      if (f.group !== group) continue;
      activeFlows++;
      bytes += f.bytes + (f.rate * f.factor * (now - f.lastUs)) / 8;
    }
    return { bytes, finishedFlows: g?.finished ?? 0, activeFlows };
  }

  // ---- internals -------------------------------------------------------

  private resolve(id: string): number {
    const r = this.index.get(id);
    if (r === undefined) throw new NotFoundError(`resource "${id}": does not exist. Add it with addResource first`);
    return r;
  }

  private capacity(r: number): number {
    return this.resDown[r] ? 0 : this.resNominal[r]!;
  }

  private settleResource(r: number): void {
    const now = this.sim.nowUs;
    const dt = now - this.resLastUs[r]!;
    if (dt > 0) {
      this.resWireBytes[r]! += (this.resLoad[r]! * dt) / 8;
      this.resGoodBytes[r]! += (this.resGood[r]! * dt) / 8;
      this.resLastUs[r] = now;
    }
  }

  private begin(flow: Flow, durationUs: number): void {
    const now = this.sim.nowUs;
    flow.lastUs = now;
    flow.activeIndex = this.active.length;
    this.active.push(flow);
    if (this.active.length > this.peak) this.peak = this.active.length;
    if (flow.capWire < Infinity) this.byCap.splice(this.capRank(flow), 0, flow);
    const { path, pos } = flow;
    for (let i = 0; i < path.length; i++) {
      const list = this.resFlows[path[i]!]!;
      pos[i] = list.length;
      list.push(flow);
    }
    this.emit('flow.start', { handle: flow.handle, id: flow.id, group: flow.group, start: now / 1e6 });
    if (durationUs >= 0) flow.endHandle = this.sim.scheduleAtUs(now + durationUs, flow.onDone, 'flow.end');
    if (flow.size === 0) { this.finish(flow, 'completed'); return; }
    this.reallocate([flow], null);
    if (flow.rate === 0) this.armStall(flow);
  }

  private finish(flow: Flow, outcome: FlowOutcome): void {
    if (flow.activeIndex < 0) return;
    const now = this.sim.nowUs;
    this.settleFlow(flow, now);
    if (outcome === 'completed') flow.bytes = flow.size;
    if (flow.endHandle !== -1) { this.sim.cancel(flow.endHandle); flow.endHandle = -1; }
    if (flow.stallHandle !== -1) { this.sim.cancel(flow.stallHandle); flow.stallHandle = -1; }
    // Remove from the active list and from each resource (swap-remove).
    const last = this.active.pop()!;
    if (last !== flow) { this.active[flow.activeIndex] = last; last.activeIndex = flow.activeIndex; }
    flow.activeIndex = -1;
    if (flow.capWire < Infinity) this.byCap.splice(this.capRank(flow), 1);
    const seeds: number[] = [];
    const { path, pos } = flow;
    for (let i = 0; i < path.length; i++) {
      const r = path[i]!;
      this.settleResource(r);
      const list = this.resFlows[r]!;
      const moved = list.pop()!;
      if (moved !== flow) {
        const p = pos[i]!;
        list[p] = moved;
        moved.pos[moved.path.indexOf(r)] = p;
      }
      if (list.length === 0) { this.resLoad[r] = 0; this.resGood[r] = 0; } else {
        this.resLoad[r]! -= flow.rate;
        this.resGood[r]! -= flow.rate * flow.factor;
      }
      if (this.resActive[r] && list.length > 0) seeds.push(r);
    }
    flow.rate = 0;
    if (flow.group !== undefined) {
      let g = this.groups.get(flow.group);
      if (!g) { g = { bytes: 0, finished: 0 }; this.groups.set(flow.group, g); }
      g.bytes += flow.bytes;
      g.finished++;
    }
    const lifeUs = now - flow.startUs;
    this.emit('flow.end', {
      handle: flow.handle, id: flow.id, group: flow.group, start: flow.startUs / 1e6, outcome,
      bytes: flow.bytes, end: now / 1e6, goodputMbps: lifeUs > 0 ? (flow.bytes * 8) / lifeUs : 0,
    });
    if (seeds.length > 0) this.reallocate([], seeds);
  }

  private capacityChanged(r: number): void {
    this.settleResource(r);
    const cap = this.capacity(r);
    if (this.resActive[r]) this.reallocate([], [r]);
    else if (this.resLoad[r]! > cap * (1 + EPS) || cap === 0) {
      this.resActive[r] = true;
      this.reallocate([], [r]);
    }
    if (cap === 0) this.resActive[r] = true; // a down resource stays in every solve that reaches it
  }

  private settleFlow(f: Flow, now: number): void {
    const dt = now - f.lastUs;
    if (dt > 0) {
      f.bytes += (f.rate * f.factor * dt) / 8;
      if (f.bytes > f.size) f.bytes = f.size;
      f.lastUs = now;
    }
  }

  /**
   * Re-solves the component reached from `seedFlows` and `seedRes` through
   * active resources; activates any inactive resource the new rates would
   * overload and solves again; then applies the rates.
   */
  private reallocate(seedFlows: Flow[], seedRes: number[] | null): void {
    const flows = this.compFlows;
    const res = this.compRes;
    for (;;) {
      const stamp = ++this.epoch;
      flows.length = 0;
      res.length = 0;
      // Breadth-first over flows and active resources.
      for (const f of seedFlows) if (f.stamp !== stamp && f.activeIndex >= 0) { f.stamp = stamp; flows.push(f); }
      if (seedRes) for (const r of seedRes) if (this.resActive[r]) this.visitRes(r, stamp);
      let fi = 0;
      let ri = 0;
      while (fi < flows.length || ri < res.length) {
        while (ri < res.length) {
          const list = this.resFlows[res[ri++]!]!;
          for (let k = 0; k < list.length; k++) {
            const f = list[k]!;
            if (f.stamp !== stamp) { f.stamp = stamp; flows.push(f); }
          }
        }
        while (fi < flows.length) {
          const path = flows[fi++]!.path;
          for (let k = 0; k < path.length; k++) if (this.resActive[path[k]!]) this.visitRes(path[k]!, stamp);
        }
      }
      if (flows.length === 0) return;
      this.solveComponent();
      // Would any inactive resource be overloaded?
      const delta = this.deltaBuf;
      const touched = this.touched;
      touched.length = 0;
      for (let i = 0; i < flows.length; i++) {
        const f = flows[i]!;
        const d = this.rateBuf[i]! - f.rate;
        if (d === 0) continue;
        const path = f.path;
        for (let k = 0; k < path.length; k++) {
          const r = path[k]!;
          if (this.resActive[r]) continue;
          if (delta[r] === 0) touched.push(r);
          delta[r]! += d;
          if (delta[r] === 0) delta[r] = Number.MIN_VALUE; // keep it in `touched` once
        }
      }
      let overloaded = false;
      for (const r of touched) {
        const load = this.resLoad[r]! + delta[r]!;
        delta[r] = 0;
        if (load > this.capacity(r) * (1 + EPS) + EPS) { this.resActive[r] = true; overloaded = true; }
      }
      if (!overloaded) break;
      seedFlows = flows.slice();
      seedRes = res.slice();
    }
    this.apply();
  }

  private visitRes(r: number, stamp: number): void {
    if (this.resStamp[r] === stamp) return;
    this.resStamp[r] = stamp;
    this.resLocal[r] = this.compRes.length;
    this.compRes.push(r);
  }

  private solveComponent(): void {
    const flows = this.compFlows;
    const res = this.compRes;
    const nF = flows.length;
    const nR = res.length;
    if (this.capBuf.length < nR) this.capBuf = new Float64Array(Math.max(nR, this.capBuf.length * 2));
    if (this.flowCapBuf.length < nF) {
      const n = Math.max(nF, this.flowCapBuf.length * 2);
      this.flowCapBuf = new Float64Array(n); this.rateBuf = new Float64Array(n);
      this.bnBuf = new Int32Array(n); this.startBuf = new Int32Array(n + 1);
    }
    if (nR === 0) {
      // No active resource: every flow runs at its own cap (the common case below saturation).
      for (let i = 0; i < nF; i++) { this.rateBuf[i] = flows[i]!.capWire; this.bnBuf[i] = -1; }
      this.solves++;
      this.solvedFlows += nF;
      return;
    }
    for (let i = 0; i < nR; i++) this.capBuf[i] = this.capacity(res[i]!);
    let links = 0;
    for (let i = 0; i < nF; i++) {
      const f = flows[i]!;
      this.startBuf[i] = links;
      this.flowCapBuf[i] = f.capWire;
      const path = f.path;
      if (this.linkBuf.length < links + path.length) {
        const grown = new Int32Array(Math.max(links + path.length, this.linkBuf.length * 2));
        grown.set(this.linkBuf); this.linkBuf = grown;
      }
      for (let k = 0; k < path.length; k++) {
        const r = path[k]!;
        if (this.resActive[r]) this.linkBuf[links++] = this.resLocal[r]!;
      }
    }
    this.startBuf[nF] = links;
    // A big component takes its cap order from the sorted list of all active flows: O(A) instead of O(C log C).
    let order: number[] | undefined;
    if (nF > 32 && nF * 8 > this.byCap.length) {
      order = this.capOrderBuf;
      order.length = 0;
      for (let i = 0; i < nF; i++) flows[i]!.local = i;
      const stamp = this.epoch;
      for (const f of this.byCap) if (f.stamp === stamp) order.push(f.local);
    }
    this.solver.solve(nR, this.capBuf, nF, this.startBuf, this.linkBuf, this.flowCapBuf, this.rateBuf, this.bnBuf, order);
    this.solves++;
    this.solvedFlows += nF;
  }

  /** Applies the solved rates: bytes, loads, completion events, stall timers; then retires unsaturated resources. */
  private apply(): void {
    const flows = this.compFlows;
    const now = this.sim.nowUs;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i]!;
      const rate = this.rateBuf[i]!;
      if (rate === f.rate) continue;
      this.settleFlow(f, now);
      const d = rate - f.rate;
      const path = f.path;
      for (let k = 0; k < path.length; k++) {
        const r = path[k]!;
        this.settleResource(r);
        this.resLoad[r]! += d;
        this.resGood[r]! += d * f.factor;
      }
      f.rate = rate;
      if (f.size !== Infinity) {
        if (f.endHandle !== -1) { this.sim.cancel(f.endHandle); f.endHandle = -1; }
        if (rate > 0) {
          // Mbit/s is one bit per µs: the remaining bits over the goodput rate, in µs.
          const us = Math.ceil(((f.size - f.bytes) * 8) / (rate * f.factor));
          f.endHandle = this.sim.scheduleAtUs(now + (us > 0 ? us : 0), f.onDone, 'flow.end');
        }
      }
      if (rate === 0) this.armStall(f);
      else if (f.stallHandle !== -1) { this.sim.cancel(f.stallHandle); f.stallHandle = -1; }
    }
    for (const r of this.compRes) {
      const cap = this.capacity(r);
      if (cap > 0 && this.resLoad[r]! < cap * (1 - EPS)) this.resActive[r] = false;
    }
  }

  /** Index of `flow` (or where it goes) in {@link byCap}: binary search on (capWire, handle). */
  private capRank(flow: Flow): number {
    const list = this.byCap;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = list[mid]!;
      if (m.capWire < flow.capWire || (m.capWire === flow.capWire && m.handle < flow.handle)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private armStall(f: Flow): void {
    if (this.stallTimeoutUs === Infinity || f.stallHandle !== -1) return;
    f.stallHandle = this.sim.scheduleAtUs(this.sim.nowUs + this.stallTimeoutUs, () => {
      f.stallHandle = -1;
      this.finish(f, 'stalled');
    }, 'flow.stall');
  }

  private emit<K extends keyof FlowEngineEvents>(event: K, e: FlowEngineEvents[K]): void {
    const list = this.listeners[event] as ((e: FlowEngineEvents[K]) => void)[];
    for (let i = 0; i < list.length; i++) list[i]!(e);
  }
}

function hasDuplicate(path: readonly number[]): boolean {
  for (let i = 1; i < path.length; i++) for (let j = 0; j < i; j++) if (path[i] === path[j]) return true;
  return false;
}

function checkCapacity(id: string, mbps: number): void {
  if (!(mbps >= 0 && mbps < Infinity)) throw new UsageError(`resource "${id}": capacity ${mbps} Mbit/s is not a finite number of 0 or more. Pass a capacity such as 100`, 'range');
}
