/**
 * A flow-level (fluid) simulator on the kernel: resources with capacities,
 * flows crossing them, rates kept max-min fair (exactly: the same vector as
 * maxMinFair() in max-min.ts over the active flows) through every arrival, departure,
 * failure and capacity change, completion times following from the rates.
 *
 * Units: capacities and rates in Mbit/s, which is exactly one bit per
 * microsecond, the kernel's tick; sizes in bytes; times in seconds at the API.
 * Resources limit the wire rate; a flow's goodput is its wire rate times its
 * goodput factor (overhead.ts), and its size and caps are in goodput.
 *
 * Locality. A resource that is not saturated does not constrain the max-min
 * vector (the fair vector is the lexicographic optimum; adding a constraint it
 * already satisfies cannot change it), so a resource is *active* only while
 * saturated; an inactive one only keeps its load, and is activated the moment
 * an allocation would overload it. Flows linked only through inactive
 * resources do not interact: an event concerns the connected component of
 * flows and active resources it touches, nothing else.
 *
 * Hubs: one saturated bottleneck, incrementally. The usual heavy component is
 * one saturated resource (a gateway aggregate) whose flows cross no other
 * active resource. Water-filling on it alone is exact: with level L =
 * (C - sum of the capped flows' caps) / (number of the others), the flows with
 * cap <= L run at their caps ("capped", a max-heap by cap) and the rest, the
 * largest caps, form the bottleneck group at rate L (a min-heap by cap). An
 * arrival or departure changes L; rebalancing moves the flows that cross it
 * (the largest capped cap above L joins, the smallest member cap below L
 * leaves), O(log n) each, usually none or one. Members share one virtual
 * clock V (wire bits served to each member, the integral of L, as in
 * processor-sharing simulators): a member joining at clock v with w wire bits
 * left completes when V reaches v + w, so members complete in order of that
 * key, from one heap, with one kernel event per hub, and a change of L
 * reschedules that one event instead of every member. Resource loads and byte
 * totals count members per (resource, hub) pair, rate and clock read from the
 * hub, so a level change touches no flow and no other resource.
 * Exactness across resources: when L rises, a member's other (inactive)
 * resources carry more. Only resources whose flows' caps add up to more than
 * their capacity ("risky"; uncapped flows count as infinite) can overload;
 * each hub keeps the set of risky resources its members cross and checks them
 * when L rises, with the resources of flows whose rate rose by changing side
 * and, on an arrival, the new flow's path. An overload activates the resource
 * and the component is solved in full (below); so is any event whose
 * component has two or more active resources, and any capacity change. A hub
 * whose group empties stays on, dormant, until its load falls below 90% of
 * capacity (turning one on costs O(C); see DORMANT).
 *
 * Full solves: the component is collected breadth-first, its hubs are turned
 * back into per-flow rates, and {@link MaxMinSolver} solves it, O(C log C) for
 * C flows and links; a kernel reschedule per flow whose rate changed. The next
 * event on a resource left as the only active one in its component rebuilds
 * its hub, O(C) plus O(log C) per member.
 *
 * Cost per event, n the flows on the saturated resource: arrival or departure
 * at a hub O(log n) (heaps, one kernel reschedule) plus O(log n) per flow that
 * changes side plus O(k) for k risky resources of the hub, none in the
 * vpnsim gateway benchmark; a flow crossing no active resource O(path). An
 * event whose component has several interacting active resources (a gateway
 * saturated while a tunnel or client behind it is also saturated) costs the
 * full solve, O(C log C), as do capacity changes and failures.
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
  /** Wire Mbit/s while not a hub member (a member runs at its hub's rate). */
  rate: number;
  bytes: number; // goodput bytes at lastUs (members: at vBase)
  lastUs: number;
  size: number; // goodput bytes, Infinity for duration flows
  startUs: number;
  endHandle: EventHandle | -1;
  stallHandle: EventHandle | -1;
  activeIndex: number;
  stamp: number;
  /** Active resources on the path. */
  nAct: number;
  /** Hub whose bottleneck group this flow is in (its rate is the hub's level), or null. */
  hub: Hub | null;
  /** Hub in whose capped set this flow is (it runs at its own cap), or null. */
  capHub: Hub | null;
  /** Member: the hub's virtual clock when `bytes` was taken, and the clock value at which it completes. */
  vBase: number;
  key: number;
  /** Positions in the hub heaps: completion heap; member-cap or capped heap. */
  p0: number;
  p1: number;
  /** Handler of the flow's own end event, made when first needed (most flows end through their hub). */
  onDone: (() => void) | null;
}

/**
 * A saturated resource whose component holds no other active resource, kept
 * incrementally: its flows split into the bottleneck group (the largest caps,
 * all at the common level `rate`) and the capped set (the smallest caps, each
 * at its cap). Members share the virtual clock `V` (wire bits served to each
 * member since the group formed) and complete in order of `key`.
 */
interface Hub {
  readonly r: number;
  on: boolean;
  /** Wire Mbit/s of every member (the water level). */
  rate: number;
  V: number;
  lastUs: number;
  /** Members, min-heap by (key, handle). */
  readonly mem: Flow[];
  /** Members with a finite cap, min-heap by (capWire, handle). */
  readonly memCap: Flow[];
  /** Capped flows, max-heap by (capWire, -handle). */
  readonly capped: Flow[];
  capSum: number;
  /** Inactive resources other than the hub crossed by members whose summed caps exceed their capacity. */
  readonly risky: Set<number>;
  endHandle: EventHandle | -1;
  evTop: Flow | null;
  evRate: number;
  onDone: () => void;
}

/** Members of one hub group crossing one resource. */
interface Pair {
  readonly g: Hub;
  cnt: number;
  fsum: number;
  vMark: number;
}

type Less = (a: Flow, b: Flow) => boolean;
const byKey: Less = (a, b) => a.key < b.key || (a.key === b.key && a.handle < b.handle);
const byCapMin: Less = (a, b) => a.capWire < b.capWire || (a.capWire === b.capWire && a.handle < b.handle);
const byCapMax: Less = (a, b) => a.capWire > b.capWire || (a.capWire === b.capWire && a.handle < b.handle);

const EPS = 1e-9;
const NONE: readonly number[] = [];
/**
 * A hub whose group empties stays on, dormant (every flow at its cap), until
 * its load falls below this fraction of capacity: turning a hub on or off costs
 * O(C), and a gateway hovering at its capacity would otherwise pay it every few events.
 */
const DORMANT = 0.9;
/** Relative slack of the water-level comparisons, so rounding cannot move a flow back and forth. */
const TOL = 1e-12;

/** The flow-level simulator. One per simulation; it schedules on `sim`. */
export class FlowEngine {
  private readonly index = new Map<string, number>();
  private readonly resIds: string[] = [];
  private readonly resGroup: (string | undefined)[] = [];
  private readonly resNominal: number[] = [];
  private readonly resDown: boolean[] = [];
  private readonly resActive: boolean[] = [];
  /** Load of the flows not in a hub group (members are counted through resPairs). */
  private readonly resLoad: number[] = [];
  private readonly resGood: number[] = [];
  private readonly resWireBytes: number[] = [];
  private readonly resGoodBytes: number[] = [];
  private readonly resLastUs: number[] = [];
  private readonly resFlows: Flow[][] = [];
  private readonly resStamp: number[] = [];
  private readonly resLocal: number[] = [];
  private readonly resPairs: Pair[][] = [];
  private readonly resHub: (Hub | null)[] = [];
  /** Flows on the resource crossing at least one / two active resources. */
  private readonly resAnyAct: number[] = [];
  private readonly resMulti: number[] = [];
  /** Summed finite wire caps and count of uncapped flows on the resource; risky: they could overload it. */
  private readonly resSumCap: number[] = [];
  private readonly resNInf: number[] = [];
  private readonly resRisky: boolean[] = [];
  private readonly active: Flow[] = [];
  private readonly groups = new Map<string, { bytes: number; finished: number }>();
  private readonly listeners: { [K in keyof FlowEngineEvents]: ((e: FlowEngineEvents[K]) => void)[] } = { 'flow.start': [], 'flow.end': [] };
  private readonly solver = new MaxMinSolver();
  private readonly stallTimeoutUs: number;
  private nextHandle = 0;
  private epoch = 0;
  private peak = 0;
  private solves = 0;
  private solvedFlows = 0;
  private incremental = 0;
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
  /** Flows whose rate rose in the current hub operation (their paths are checked for overload). */
  private bumped: Flow[] = [];
  private overBuf: number[] = [];

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
    this.resPairs.push([]); this.resHub.push(null); this.resAnyAct.push(0); this.resMulti.push(0);
    this.resSumCap.push(0); this.resNInf.push(0); this.resRisky.push(false);
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
    const handle = this.nextHandle;
    const path: number[] = [];
    const ids = spec.resources;
    for (let i = 0; i < ids.length; i++) {
      const r = this.index.get(ids[i]!);
      if (r === undefined) throw new NotFoundError(`${flowName(spec, handle)}: resource "${ids[i]}" does not exist. Add it with addResource first`);
      path.push(r);
    }
    if (hasDuplicate(path)) throw new UsageError(`${flowName(spec, handle)}: a resource is listed twice (${spec.resources.join(', ')}). List each once`, 'duplicate');
    const factor = spec.goodputFactor ?? 1;
    if (!(factor > 0 && factor <= 1)) throw new UsageError(`${flowName(spec, handle)}: goodputFactor ${factor} is not in (0, 1]. Use espGoodputFactor() or 1`, 'range');
    const kind = spec.kind ?? 'tcp';
    let cap = Infinity; // goodput Mbit/s
    if (kind === 'udp') {
      if (!(spec.rateMbps! > 0 && spec.rateMbps! < Infinity)) throw new UsageError(`${flowName(spec, handle)}: UDP rate ${spec.rateMbps} Mbit/s is not a positive number. Pass rateMbps`, 'range');
      cap = spec.rateMbps!;
    } else if (kind !== 'tcp') {
      throw new UsageError(`${flowName(spec, handle)}: kind ${JSON.stringify(kind)} is unknown. Use tcp or udp`, 'range');
    }
    if (spec.windowBytes !== undefined || spec.rttSeconds !== undefined) {
      if (!(spec.windowBytes! > 0 && spec.rttSeconds! > 0)) throw new UsageError(`${flowName(spec, handle)}: window ${spec.windowBytes} B / RTT ${spec.rttSeconds} s needs both, positive. Pass windowBytes and rttSeconds`, 'range');
      cap = Math.min(cap, (spec.windowBytes! * 8) / spec.rttSeconds! / 1e6);
    }
    if (path.length === 0 && cap === Infinity) throw new UsageError(`${flowName(spec, handle)}: crosses no resource and has no cap, so its rate is unbounded. Give it a path or a rate`, 'range');
    const size = spec.bytes ?? Infinity;
    if (spec.bytes !== undefined && !(spec.bytes >= 0 && spec.bytes < Infinity)) throw new UsageError(`${flowName(spec, handle)}: bytes ${spec.bytes} is not 0 or more. Pass a size`, 'range');
    if (spec.bytes === undefined && !(spec.duration! >= 0 && spec.duration! < Infinity)) throw new UsageError(`${flowName(spec, handle)}: needs bytes or a duration in seconds. Pass one`, 'range');
    const startUs = spec.start === undefined ? this.sim.nowUs : Math.round(spec.start * 1e6);
    if (!(startUs >= this.sim.nowUs)) throw new UsageError(`${flowName(spec, handle)}: start ${spec.start} s is before now (${this.sim.now} s). Start now or later`, 'time');
    const flow: Flow = {
      handle: this.nextHandle++, id: spec.id, group: spec.group, path, pos: new Array<number>(path.length).fill(0),
      capWire: cap / factor, factor, rate: 0, bytes: 0, lastUs: startUs, size, startUs,
      endHandle: -1, stallHandle: -1, activeIndex: -1, stamp: -1,
      nAct: 0, hub: null, capHub: null, vBase: 0, key: Infinity, p0: -1, p1: -1, onDone: null,
    };
    const durationUs = spec.bytes === undefined ? Math.round(spec.duration! * 1e6) : -1;
    if (startUs === this.sim.nowUs) this.begin(flow, durationUs);
    else this.sim.scheduleAtUs(startUs, () => this.begin(flow, durationUs), 'flow.start');
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
    return f ? this.wireRate(f) * f.factor : undefined;
  }

  /** Flows active now. */
  get activeFlows(): number {
    return this.active.length;
  }

  /** Most flows active at once so far. */
  get peakActiveFlows(): number {
    return this.peak;
  }

  /**
   * Work counters, for benchmarks: full solves run and the flows they covered;
   * `incremental`, events settled by the hub water level instead of a solve.
   */
  get solveStats(): { readonly solves: number; readonly flows: number; readonly incremental: number } {
    return { solves: this.solves, flows: this.solvedFlows, incremental: this.incremental };
  }

  /** Totals of one resource. @throws NotFoundError on an unknown id. */
  resourceStats(id: string): ResourceStats {
    const r = this.resolve(id);
    this.settleResource(r);
    return {
      capacityMbps: this.capacity(r), loadMbps: this.load(r), goodputMbps: this.good(r),
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
      bytes += this.bytesNow(f, now);
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

  /** Load above which an inactive resource counts as overloaded. */
  private limit(r: number): number {
    return this.capacity(r) * (1 + EPS) + EPS;
  }

  private wireRate(f: Flow): number {
    return f.hub !== null ? f.hub.rate : f.rate;
  }

  /** Wire load of a resource now, Mbit/s. O(hubs with members on it), usually 0 or 1. */
  private load(r: number): number {
    let x = this.resLoad[r]!;
    const pairs = this.resPairs[r]!;
    for (let i = 0; i < pairs.length; i++) x += pairs[i]!.cnt * pairs[i]!.g.rate;
    return x;
  }

  private good(r: number): number {
    let x = this.resGood[r]!;
    const pairs = this.resPairs[r]!;
    for (let i = 0; i < pairs.length; i++) x += pairs[i]!.fsum * pairs[i]!.g.rate;
    return x;
  }

  private bytesNow(f: Flow, now: number): number {
    const g = f.hub;
    if (g === null) return f.bytes + (f.rate * f.factor * (now - f.lastUs)) / 8;
    const v = g.V + g.rate * (now - g.lastUs);
    const b = f.bytes + ((v - f.vBase) * f.factor) / 8;
    return b > f.size ? f.size : b;
  }

  private settleResource(r: number): void {
    const now = this.sim.nowUs;
    const dt = now - this.resLastUs[r]!;
    if (dt > 0) {
      this.resWireBytes[r]! += (this.resLoad[r]! * dt) / 8;
      this.resGoodBytes[r]! += (this.resGood[r]! * dt) / 8;
      const pairs = this.resPairs[r]!;
      for (let i = 0; i < pairs.length; i++) {
        const p = pairs[i]!;
        this.settleHub(p.g, now);
        const dv = p.g.V - p.vMark;
        this.resWireBytes[r]! += (p.cnt * dv) / 8;
        this.resGoodBytes[r]! += (p.fsum * dv) / 8;
        p.vMark = p.g.V;
      }
      this.resLastUs[r] = now;
    }
  }

  private settleHub(g: Hub, now: number): void {
    if (now > g.lastUs) {
      g.V += g.rate * (now - g.lastUs);
      g.lastUs = now;
    }
  }

  private settleFlow(f: Flow, now: number): void {
    const dt = now - f.lastUs;
    if (dt > 0) {
      f.bytes += (f.rate * f.factor * dt) / 8;
      if (f.bytes > f.size) f.bytes = f.size;
      f.lastUs = now;
    }
  }

  /** Marks a resource active or not, keeping every flow's count of active resources and the per-resource tallies. */
  private setActive(r: number, on: boolean): void {
    if (this.resActive[r] === on) return;
    this.resActive[r] = on;
    const d = on ? 1 : -1;
    const list = this.resFlows[r]!;
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      const old = f.nAct;
      const now = old + d;
      f.nAct = now;
      const a = (now >= 1 ? 1 : 0) - (old >= 1 ? 1 : 0);
      const m = (now >= 2 ? 1 : 0) - (old >= 2 ? 1 : 0);
      if (a === 0 && m === 0) continue;
      const path = f.path;
      for (let k = 0; k < path.length; k++) { this.resAnyAct[path[k]!]! += a; this.resMulti[path[k]!]! += m; }
    }
  }

  private updateRisky(r: number): void {
    const risky = this.resNInf[r]! > 0 || this.resSumCap[r]! > this.limit(r);
    if (risky === this.resRisky[r]) return;
    this.resRisky[r] = risky;
    for (const p of this.resPairs[r]!) {
      if (p.g.r === r) continue;
      if (risky) p.g.risky.add(r); else p.g.risky.delete(r);
    }
  }

  private begin(flow: Flow, durationUs: number): void {
    const now = this.sim.nowUs;
    flow.lastUs = now;
    flow.activeIndex = this.active.length;
    this.active.push(flow);
    if (this.active.length > this.peak) this.peak = this.active.length;
    const { path, pos } = flow;
    let nAct = 0;
    let hubRes = -1;
    for (let i = 0; i < path.length; i++) {
      const r = path[i]!;
      const list = this.resFlows[r]!;
      pos[i] = list.length;
      list.push(flow);
      if (this.resActive[r]) { nAct++; hubRes = r; }
      if (flow.capWire < Infinity) this.resSumCap[r]! += flow.capWire; else this.resNInf[r]!++;
      this.updateRisky(r);
    }
    flow.nAct = nAct;
    if (nAct > 0) {
      for (let i = 0; i < path.length; i++) {
        this.resAnyAct[path[i]!]!++;
        if (nAct >= 2) this.resMulti[path[i]!]!++;
      }
    }
    this.emit('flow.start', { handle: flow.handle, id: flow.id, group: flow.group, start: now / 1e6 });
    if (durationUs >= 0) flow.endHandle = this.sim.scheduleAtUs(now + durationUs, this.doneHandler(flow), 'flow.end');
    if (flow.size === 0) { this.finish(flow, 'completed'); return; }
    if (nAct === 0) this.beginFree(flow);
    else if (nAct === 1 && this.hubEligible(hubRes)) {
      const g = this.hubOf(hubRes);
      if (this.bumped.length > 0) this.bumped.length = 0;
      // An insert only lowers the level: only the new flow's path can overload. A build may raise rates (bumped).
      if (g.on) this.hubInsert(g, flow); else this.buildHub(g);
      this.incremental++;
      this.checkAfterHub(g, path, false);
    } else {
      this.reallocate([flow], null);
    }
    if (flow.hub === null && flow.rate === 0) this.armStall(flow);
  }

  /** A new flow crossing no active resource runs at its cap, unless that overloads a resource. */
  private beginFree(flow: Flow): void {
    const path = flow.path;
    const over = this.overBuf;
    if (over.length > 0) over.length = 0;
    for (let i = 0; i < path.length; i++) {
      const r = path[i]!;
      if (this.load(r) + flow.capWire > this.limit(r)) over.push(r);
    }
    if (over.length === 0) {
      this.solves++; this.solvedFlows++;
      this.setFixed(flow, flow.capWire, this.sim.nowUs);
      return;
    }
    if (over.length === 1 && this.resAnyAct[over[0]!] === 0 && this.capacity(over[0]!) > 0) {
      // The overloaded resource becomes a hub of its own: nothing else active touches its flows.
      const r = over[0]!;
      this.setActive(r, true);
      const g = this.hubOf(r);
      if (this.bumped.length > 0) this.bumped.length = 0;
      this.buildHub(g);
      this.incremental++;
      this.checkAfterHub(g, path, false);
      return;
    }
    const seeds = over.slice();
    for (const r of seeds) this.setActive(r, true);
    this.reallocate([flow], seeds);
  }

  private hubEligible(r: number): boolean {
    return this.resMulti[r] === 0 && this.capacity(r) > 0;
  }

  private hubOf(r: number): Hub {
    let g = this.resHub[r]!;
    if (g === null) {
      const hub: Hub = {
        r, on: false, rate: 0, V: 0, lastUs: this.sim.nowUs, mem: [], memCap: [], capped: [], capSum: 0,
        risky: new Set(), endHandle: -1, evTop: null, evRate: 0, onDone: () => {},
      };
      hub.onDone = () => { hub.endHandle = -1; hub.evTop = null; const f = hub.mem[0]; if (f) this.finish(f, 'completed'); };
      this.resHub[r] = g = hub;
    }
    return g;
  }

  /**
   * After a hub operation: the flows whose rate rose, the given path, and, when
   * the level rose, the hub's risky resources may now be overloaded; if so,
   * they are activated and the component is solved in full.
   */
  private checkAfterHub(g: Hub, path: readonly number[], rose: boolean): void {
    const over = this.overBuf;
    if (over.length > 0) over.length = 0;
    for (let i = 0; i < path.length; i++) this.checkOver(path[i]!);
    for (let j = 0; j < this.bumped.length; j++) {
      const p = this.bumped[j]!.path;
      for (let i = 0; i < p.length; i++) this.checkOver(p[i]!);
    }
    if (rose && g.risky.size > 0) for (const r of g.risky) this.checkOver(r);
    if (this.bumped.length > 0) this.bumped.length = 0;
    if (over.length === 0) return;
    const seeds = over.slice();
    for (const r of seeds) this.setActive(r, true);
    if (this.resActive[g.r]) seeds.push(g.r);
    this.reallocate([], seeds);
  }

  private checkOver(r: number): void {
    if (!this.resActive[r] && this.load(r) > this.limit(r) && !this.overBuf.includes(r)) this.overBuf.push(r);
  }

  private finish(flow: Flow, outcome: FlowOutcome): void {
    if (flow.activeIndex < 0) return;
    const now = this.sim.nowUs;
    const g = flow.hub ?? flow.capHub;
    if (flow.hub !== null) this.leaveGroup(flow, now, 0);
    else this.settleFlow(flow, now);
    if (flow.capHub !== null) this.cappedRemove(flow.capHub, flow);
    if (outcome === 'completed') flow.bytes = flow.size;
    if (flow.endHandle !== -1) { this.sim.cancel(flow.endHandle); flow.endHandle = -1; }
    if (flow.stallHandle !== -1) { this.sim.cancel(flow.stallHandle); flow.stallHandle = -1; }
    // Remove from the active list and from each resource (swap-remove).
    const last = this.active.pop()!;
    if (last !== flow) { this.active[flow.activeIndex] = last; last.activeIndex = flow.activeIndex; }
    flow.activeIndex = -1;
    const seeds: number[] = [];
    const { path, pos } = flow;
    const nAct = flow.nAct;
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
      if (list.length === 0) { this.resLoad[r] = 0; this.resGood[r] = 0; this.resSumCap[r] = 0; this.resNInf[r] = 0; } else {
        this.resLoad[r]! -= flow.rate;
        this.resGood[r]! -= flow.rate * flow.factor;
        if (flow.capWire < Infinity) this.resSumCap[r]! -= flow.capWire; else this.resNInf[r]!--;
      }
      this.updateRisky(r);
      if (nAct > 0) { this.resAnyAct[r]!--; if (nAct >= 2) this.resMulti[r]!--; }
      if (this.resActive[r] && list.length > 0) seeds.push(r);
    }
    flow.nAct = 0;
    flow.rate = 0;
    if (flow.group !== undefined) {
      let gs = this.groups.get(flow.group);
      if (!gs) { gs = { bytes: 0, finished: 0 }; this.groups.set(flow.group, gs); }
      gs.bytes += flow.bytes;
      gs.finished++;
    }
    const lifeUs = now - flow.startUs;
    this.emit('flow.end', {
      handle: flow.handle, id: flow.id, group: flow.group, start: flow.startUs / 1e6, outcome,
      bytes: flow.bytes, end: now / 1e6, goodputMbps: lifeUs > 0 ? (flow.bytes * 8) / lifeUs : 0,
    });
    if (g !== null && g.on) {
      if (this.bumped.length > 0) this.bumped.length = 0;
      const rose = this.rebalance(g);
      this.incremental++;
      this.checkAfterHub(g, NONE, rose);
    } else if (seeds.length === 1 && this.hubEligible(seeds[0]!)) {
      const h = this.hubOf(seeds[0]!);
      if (this.bumped.length > 0) this.bumped.length = 0;
      this.buildHub(h);
      this.incremental++;
      this.checkAfterHub(h, NONE, true);
    } else if (seeds.length > 0) this.reallocate([], seeds);
  }

  private capacityChanged(r: number): void {
    this.settleResource(r);
    this.updateRisky(r);
    const cap = this.capacity(r);
    if (this.resActive[r]) this.reallocate([], [r]);
    else if (this.load(r) > cap * (1 + EPS) || cap === 0) {
      this.setActive(r, true);
      this.reallocate([], [r]);
    }
    if (cap === 0) this.setActive(r, true); // a down resource stays in every solve that reaches it
  }

  // ---- fixed-rate flows --------------------------------------------------

  /** Sets the rate of a flow outside any hub group: bytes, loads, its completion event, its stall timer. */
  private setFixed(f: Flow, rate: number, now: number): void {
    if (rate === f.rate) return;
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
    this.scheduleOwn(f, now);
  }

  private doneHandler(f: Flow): () => void {
    return f.onDone ??= () => this.finish(f, f.size === Infinity ? 'expired' : 'completed');
  }

  private scheduleOwn(f: Flow, now: number): void {
    const rate = f.rate;
    if (f.size !== Infinity) {
      if (f.endHandle !== -1) { this.sim.cancel(f.endHandle); f.endHandle = -1; }
      if (rate > 0) {
        // Mbit/s is one bit per µs: the remaining bits over the goodput rate, in µs.
        const us = Math.ceil(((f.size - f.bytes) * 8) / (rate * f.factor));
        f.endHandle = this.sim.scheduleAtUs(now + (us > 0 ? us : 0), this.doneHandler(f), 'flow.end');
      }
    }
    if (rate === 0) this.armStall(f);
    else if (f.stallHandle !== -1) { this.sim.cancel(f.stallHandle); f.stallHandle = -1; }
  }

  // ---- hubs: one saturated resource, incremental water level ---------------

  /** Moves a fixed-rate flow into the hub's bottleneck group (at the hub's rate from now on). */
  private joinGroup(g: Hub, f: Flow, now: number): void {
    this.settleFlow(f, now);
    this.settleHub(g, now);
    const path = f.path;
    for (let k = 0; k < path.length; k++) {
      const r = path[k]!;
      this.settleResource(r);
      this.resLoad[r]! -= f.rate;
      this.resGood[r]! -= f.rate * f.factor;
      const pairs = this.resPairs[r]!;
      let p: Pair | undefined;
      for (let i = 0; i < pairs.length; i++) if (pairs[i]!.g === g) { p = pairs[i]; break; }
      if (p === undefined) {
        pairs.push(p = { g, cnt: 0, fsum: 0, vMark: g.V });
        if (r !== g.r && this.resRisky[r]) g.risky.add(r);
      }
      p.cnt++;
      p.fsum += f.factor;
    }
    f.rate = 0;
    f.hub = g;
    f.vBase = g.V;
    f.key = f.size === Infinity ? Infinity : g.V + ((f.size - f.bytes) * 8) / f.factor;
    if (f.size !== Infinity && f.endHandle !== -1) { this.sim.cancel(f.endHandle); f.endHandle = -1; }
    if (f.stallHandle !== -1) { this.sim.cancel(f.stallHandle); f.stallHandle = -1; }
    heapPush(g.mem, f, byKey, 0);
    if (f.capWire < Infinity) heapPush(g.memCap, f, byCapMin, 1);
  }

  /**
   * Takes a member out of its group, settling its bytes; it continues at `rate`
   * on its own (0: it is ending). The caller schedules its completion.
   */
  private leaveGroup(f: Flow, now: number, rate: number): void {
    const g = f.hub!;
    this.settleHub(g, now);
    f.bytes += ((g.V - f.vBase) * f.factor) / 8;
    if (f.bytes > f.size) f.bytes = f.size;
    f.lastUs = now;
    const path = f.path;
    for (let k = 0; k < path.length; k++) {
      const r = path[k]!;
      this.settleResource(r);
      const pairs = this.resPairs[r]!;
      for (let i = 0; i < pairs.length; i++) {
        const p = pairs[i]!;
        if (p.g !== g) continue;
        if (--p.cnt === 0) {
          pairs[i] = pairs[pairs.length - 1]!; pairs.pop();
          if (r !== g.r) g.risky.delete(r);
        } else p.fsum -= f.factor;
        break;
      }
      this.resLoad[r]! += rate;
      this.resGood[r]! += rate * f.factor;
    }
    heapRemove(g.mem, f.p0, byKey, 0);
    if (f.capWire < Infinity) heapRemove(g.memCap, f.p1, byCapMin, 1);
    f.hub = null;
    f.rate = rate;
    f.key = Infinity;
    if (g.mem.length === 0) g.V = 0; // rebase the clock: no member refers to it
  }

  private cappedRemove(g: Hub, f: Flow): void {
    heapRemove(g.capped, f.p1, byCapMax, 1);
    g.capSum -= f.capWire;
    f.capHub = null;
    if (g.capped.length === 0) g.capSum = 0;
  }

  /**
   * Water-fills a hub from scratch: caps in descending order join the group
   * while above the level. O(C) to heapify the C flows plus O(log C) per member.
   */
  private buildHub(g: Hub): void {
    const now = this.sim.nowUs;
    const C = this.capacity(g.r);
    const list = this.resFlows[g.r]!;
    const capped = g.capped;
    capped.length = 0;
    g.capSum = 0;
    const members: Flow[] = [];
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      if (f.capWire < Infinity) { f.p1 = capped.length; capped.push(f); g.capSum += f.capWire; } else members.push(f);
    }
    for (let i = (capped.length >> 1) - 1; i >= 0; i--) siftDown(capped, i, byCapMax, 1);
    for (;;) {
      const top = capped[0];
      if (top === undefined) break;
      const n = members.length;
      if (n === 0 ? !(g.capSum > C) : !(top.capWire > ((C - g.capSum) / n) * (1 + TOL))) break;
      heapRemove(capped, 0, byCapMax, 1);
      g.capSum -= top.capWire;
      members.push(top);
    }
    if (capped.length === 0) g.capSum = 0;
    g.on = true;
    this.settleHub(g, now);
    const L = members.length > 0 ? Math.max(0, (C - g.capSum) / members.length) : 0;
    g.rate = L;
    for (const f of members) {
      if (L > f.rate) this.bumped.push(f);
      this.joinGroup(g, f, now);
    }
    for (const f of capped) {
      f.capHub = g;
      if (f.capWire > f.rate) this.bumped.push(f);
      this.setFixed(f, f.capWire, now);
    }
    this.afterLevel(g);
  }

  /** Adds a new flow (rate 0, not yet placed) to an active hub. */
  private hubInsert(g: Hub, f: Flow): void {
    const now = this.sim.nowUs;
    if (f.capWire < Infinity && (g.mem.length === 0 || f.capWire <= g.rate)) {
      this.setFixed(f, f.capWire, now);
      f.capHub = g;
      heapPush(g.capped, f, byCapMax, 1);
      g.capSum += f.capWire;
    } else this.joinGroup(g, f, now);
    this.rebalance(g);
  }

  /**
   * Restores the water-filling invariant after one change (all capped caps <=
   * level <= all member caps, level = (C - capSum) / members): moves flows
   * across the boundary, each move O(log C). Returns true when the level rose.
   */
  private rebalance(g: Hub): boolean {
    const now = this.sim.nowUs;
    const C = this.capacity(g.r);
    for (;;) {
      const n = g.mem.length;
      const L = n > 0 ? (C - g.capSum) / n : Infinity;
      const top = g.capped[0];
      if (top !== undefined && (n === 0 ? g.capSum > C : top.capWire > L * (1 + TOL))) {
        this.cappedRemove(g, top);
        this.joinGroup(g, top, now);
        continue;
      }
      const low = g.memCap[0];
      if (low !== undefined && low.capWire < L * (1 - TOL)) {
        this.leaveGroup(low, now, low.capWire);
        this.scheduleOwn(low, now);
        low.capHub = g;
        heapPush(g.capped, low, byCapMax, 1);
        g.capSum += low.capWire;
        this.bumped.push(low);
        continue;
      }
      break;
    }
    const n = g.mem.length;
    const L = n > 0 ? Math.max(0, (C - g.capSum) / n) : 0;
    const rose = L > g.rate;
    if (L !== g.rate) { this.settleHub(g, now); g.rate = L; }
    if (n === 0 && g.capSum < C * DORMANT) {
      // Every flow runs at its cap, well below capacity: the resource is no longer saturated.
      this.dissolve(g);
      this.setActive(g.r, false);
      return false;
    }
    this.afterLevel(g);
    return rose;
  }

  /** (Re)schedules the hub's next completion: its first member by key, at the current level. */
  private afterLevel(g: Hub): void {
    const top = g.mem[0] ?? null;
    if (top === g.evTop && g.rate === g.evRate && (g.endHandle !== -1 || top === null)) return;
    if (g.endHandle !== -1) { this.sim.cancel(g.endHandle); g.endHandle = -1; }
    g.evTop = top;
    g.evRate = g.rate;
    if (top === null || top.key === Infinity || !(g.rate > 0)) return;
    const now = this.sim.nowUs;
    this.settleHub(g, now);
    const us = Math.ceil((top.key - g.V) / g.rate);
    g.endHandle = this.sim.scheduleAtUs(now + (us > 0 ? us : 0), g.onDone, 'flow.end');
  }

  /** Turns a hub back into plain fixed-rate flows (before a full solve of its component). */
  private dissolve(g: Hub): void {
    if (!g.on) return;
    const now = this.sim.nowUs;
    const L = g.rate;
    while (g.mem.length > 0) {
      const f = g.mem[g.mem.length - 1]!;
      this.leaveGroup(f, now, L);
      this.scheduleOwn(f, now);
    }
    for (const f of g.capped) { f.capHub = null; f.p1 = -1; }
    g.capped.length = 0;
    g.capSum = 0;
    g.on = false;
    g.rate = 0;
    g.V = 0;
    if (g.endHandle !== -1) { this.sim.cancel(g.endHandle); g.endHandle = -1; }
    g.evTop = null;
    g.evRate = 0;
  }

  // ---- full solves of a component ----------------------------------------

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
      // Hubs inside the component go back to per-flow rates for the solve.
      for (let i = 0; i < res.length; i++) { const g = this.resHub[res[i]!]; if (g && g.on) this.dissolve(g); }
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
        const load = this.load(r) + delta[r]!;
        delta[r] = 0;
        if (load > this.limit(r)) { this.setActive(r, true); overloaded = true; }
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
    this.solver.solve(nR, this.capBuf, nF, this.startBuf, this.linkBuf, this.flowCapBuf, this.rateBuf, this.bnBuf);
    this.solves++;
    this.solvedFlows += nF;
  }

  /** Applies the solved rates: bytes, loads, completion events, stall timers; then retires unsaturated resources. */
  private apply(): void {
    const flows = this.compFlows;
    const now = this.sim.nowUs;
    for (let i = 0; i < flows.length; i++) this.setFixed(flows[i]!, this.rateBuf[i]!, now);
    for (const r of this.compRes) {
      const cap = this.capacity(r);
      if (cap > 0 && this.load(r) < cap * (1 - EPS)) this.setActive(r, false);
    }
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

// Indexed binary heaps of flows; `slot` says which position field (p0 or p1) the heap owns.
function setPos(f: Flow, slot: 0 | 1, i: number): void {
  if (slot === 0) f.p0 = i; else f.p1 = i;
}

function heapPush(h: Flow[], f: Flow, less: Less, slot: 0 | 1): void {
  h.push(f);
  siftUp(h, h.length - 1, less, slot);
}

function heapRemove(h: Flow[], i: number, less: Less, slot: 0 | 1): void {
  const gone = h[i]!;
  const last = h.pop()!;
  setPos(gone, slot, -1);
  if (i === h.length) return;
  h[i] = last;
  setPos(last, slot, i);
  siftUp(h, i, less, slot);
  siftDown(h, slot === 0 ? last.p0 : last.p1, less, slot);
}

function siftUp(h: Flow[], i: number, less: Less, slot: 0 | 1): void {
  const f = h[i]!;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const q = h[p]!;
    if (!less(f, q)) break;
    h[i] = q; setPos(q, slot, i); i = p;
  }
  h[i] = f; setPos(f, slot, i);
}

function siftDown(h: Flow[], i: number, less: Less, slot: 0 | 1): void {
  const n = h.length;
  const f = h[i]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && less(h[c + 1]!, h[c]!)) c++;
    const q = h[c]!;
    if (!less(q, f)) break;
    h[i] = q; setPos(q, slot, i); i = c;
  }
  h[i] = f; setPos(f, slot, i);
}

/** How error messages name a flow. */
function flowName(spec: FlowSpec, handle: number): string {
  return `flow ${spec.id !== undefined ? `"${spec.id}"` : `#${handle}`}`;
}

function hasDuplicate(path: readonly number[]): boolean {
  for (let i = 1; i < path.length; i++) for (let j = 0; j < i; j++) if (path[i] === path[j]) return true;
  return false;
}

function checkCapacity(id: string, mbps: number): void {
  if (!(mbps >= 0 && mbps < Infinity)) throw new UsageError(`resource "${id}": capacity ${mbps} Mbit/s is not a finite number of 0 or more. Pass a capacity such as 100`, 'range');
}
