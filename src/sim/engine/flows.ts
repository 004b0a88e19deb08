/**
 * Flows on a simulation: bulk TCP transfers and fixed-rate UDP streams from a
 * host or P2S client to a host, along the path routing resolves, sharing the
 * network max-min fairly on the {@link FlowEngine} (SPEC section 6, R10).
 *
 * Life of a flow:
 * 1. At its start time (scenario `flows[].start`, or a `startFlow` timeline
 *    entry) a probe goes from `from` to `to` and back ({@link Simulation.probe}),
 *    like TCP's handshake. Data begins when the reply arrives, so a flow's
 *    `start` is its requested time plus one round trip; that round trip is
 *    also the RTT of the TCP window limit. The request's path fixes the flow's
 *    resources for its whole life (no re-routing mid-flow).
 * 2. A probe that fails on something that passes (a tunnel, gateway, device
 *    or client down or negotiating, R14's policy-based tunnel coming up on the
 *    probe, a loss), or on anything while the tunnel layer is still `busy()`
 *    (sessions and BGP coming up), is retried like a TCP SYN: at once after
 *    the next tunnel, client, route or gateway change, else after 1 s, 2 s,
 *    4 s, ... (RFC 6298 §2.1 initial RTO of 1 s, §5.5 doubling), for at most
 *    `pathWaitSeconds` (default 60 s) after the requested start. So flows
 *    starting at t=0 start when their tunnels are up, and the timeline keeps
 *    its absolute times (no settling first). A probe that finds no route
 *    (`noRoute`, `noReturnRoute`, `ttlExpired`, `trafficSelectorMismatch`)
 *    once the network is not busy, or any failure past the wait, ends the
 *    flow at once: goodput 0, outcome `unreachable`, with the drop reason.
 * 3. Rates are re-allocated on every arrival, departure, failure and capacity
 *    change. A flow whose tunnel, gateway or client goes down waits at rate 0
 *    (the engine's documented behaviour) and resumes when it comes back.
 *
 * Resources (wire rates, Mbit/s), created when a first flow crosses them:
 * - `gw:<name>`: a VPN gateway's aggregate, `sku.aggregateMbps`, shared by all
 *   its tunnels and P2S clients in both directions (R10); down while the
 *   gateway is not running (instance failover, not provisioned). Follows
 *   `gateway.resized`. ExpressRoute gateways have no VPN aggregate: not limited.
 * - `tunnel:<connection>`: one S2S or VNet-to-VNet tunnel, both directions,
 *   `sku.perTunnelMbps[ipsecCipher]` (default GCMAES256) of its gateway (the
 *   lower of the two gateways for VNet-to-VNet, whose two connections are one
 *   tunnel, named by the alphabetically first). Down while the tunnel is down.
 * - `er:<connection>`, `p2s:<client>`: liveness only ({@link LIVENESS_MBPS}):
 *   down while the circuit is down or the client disconnected.
 * - `uplink:<site|host|client>:<name>`, `downlink:...`: a site's uplink for
 *   traffic leaving it through a tunnel and downlink for traffic entering; a
 *   source endpoint's uplink and a destination endpoint's downlink. Absent
 *   figures are unlimited.
 * - `path:<locA>-><locB>`: the underlay bandwidth of each tunnel or P2S hop,
 *   per direction (`Underlay.figures(a, b).bandwidthMbps`); follows `setPath`.
 * Plus, per TCP flow, the window limit: window / RTT (default window
 * {@link DEFAULT_TCP_WINDOW_BYTES}; the RTT measured by the probe, not updated
 * later). A UDP flow is capped at its `rateMbps` of goodput.
 *
 * Goodput: wire rate times the flow's goodput factor (overhead.ts): ESP tunnel
 * mode with the connection's cipher for S2S and VNet-to-VNet; ESP GCMAES256
 * with NAT traversal (RFC 3948) for IKEv2 and OpenVPN P2S clients; SSTP for
 * SSTP clients. A flow crossing several tunnels takes the lowest factor of
 * them (one factor per flow: the engine's model); a flow crossing none, 1.
 *
 * Trace records: `flow.start` `{ t, type, flow, from, to, kind }` when data
 * begins (or when the flow is found unreachable), `flow.end` `{ t, type, flow,
 * bytes, goodputMbps, outcome }` (outcomes: the engine's `completed`,
 * `expired`, `stalled`, `cancelled`, and `unreachable`).
 *
 * Totals per tunnel and per gateway: goodput bytes of the flows that crossed
 * it, divided by its active time, the union of those flows' lifetimes (from
 * data start to end, waiting time included): the mean goodput while it had
 * open flows. Bytes count each flow once per tunnel or gateway it crossed.
 */
import { Simulation, type ProbeResult, type SimulationOptions } from './simulation.js';
import type { Connection, Gateway } from '../net/model.js';
import type { FlowDef, FlowKind, Scenario } from '../net/scenario.js';
import { locationOf } from '../net/forwarding.js';
import { idlesOutR14 } from '../net/policy-based.js';
import { FlowEngine, type FlowHandle, type FlowOutcome, type FlowEndEvent } from '../flow/flow-engine.js';
import { espGoodputFactor, sstpGoodputFactor } from '../flow/overhead.js';
import { jainIndex } from '../flow/fairness.js';
import type { TraceRecord } from '../trace.js';
import { asEngineStateEvent } from './events.js';
import type { EventHandle } from '../kernel/simulator.js';
import { NotFoundError, UsageError } from '../../errors.js';

/** Default TCP window, bytes (4 MiB: a common Linux autotuning ceiling). */
export const DEFAULT_TCP_WINDOW_BYTES = 4 * 1024 * 1024;
/** Default time a flow waits for its path while the network comes up, seconds. */
export const DEFAULT_PATH_WAIT_SECONDS = 60;
/** First retry of a failed path probe, seconds (RFC 6298 §2.1: initial RTO 1 s). */
export const INITIAL_RETRY_SECONDS = 1;
/** Default cap of {@link runThroughput}, simulated seconds. */
export const DEFAULT_THROUGHPUT_LIMIT_SECONDS = 3600;
/** Capacity of resources that only follow an up/down state (circuits, P2S tunnels), Mbit/s: never a bottleneck. */
export const LIVENESS_MBPS = 1e9;
/** How often active flows count as traffic on policy-based tunnels (R14 idle timer), seconds. */
export const TRAFFIC_TICK_SECONDS = 10;

/** How a flow ended, or where it is: the engine's outcomes, `unreachable`, and the states of a flow not ended yet. */
export type FlowResultOutcome = FlowOutcome | 'unreachable' | 'running' | 'waiting' | 'scheduled' | 'notStarted';

/** One flow's result. Times in seconds, bytes of goodput, rates in Mbit/s of goodput. */
export interface FlowResult {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly kind: FlowKind;
  /** When the flow was asked to start. */
  readonly requestedAt: number;
  /** When data began (after the handshake probe); for an unreachable flow, when it was found so. */
  readonly start: number | undefined;
  /** When it ended; undefined while open. */
  readonly end: number | undefined;
  /** Goodput bytes delivered (so far, while running). */
  readonly bytes: number;
  /** Mean goodput from start to end (to now while running); 0 when unreachable. */
  readonly goodputMbps: number;
  /** Goodput rate now while running (its max-min share times its goodput factor); undefined otherwise. */
  readonly rateMbps: number | undefined;
  readonly outcome: FlowResultOutcome;
  /** Why an unreachable flow failed: the probe's drop reason. */
  readonly reason: string | undefined;
  /** Round-trip time measured by the probe. */
  readonly rttSeconds: number | undefined;
  /** Goodput per unit of wire rate used for this flow. */
  readonly goodputFactor: number;
  /** Connections crossed (as named by the route used), in path order. */
  readonly connections: readonly string[];
  /** VPN gateways crossed, in path order. */
  readonly gateways: readonly string[];
  /** Flow-engine resources crossed, in path order. */
  readonly resources: readonly string[];
}

/** Totals of one S2S or VNet-to-VNet connection. */
export interface TunnelTotal {
  readonly connection: string;
  /** Goodput bytes of the flows that crossed it. */
  readonly bytes: number;
  /** Union of those flows' lifetimes, seconds. */
  readonly activeSeconds: number;
  /** bytes * 8 / activeSeconds, Mbit/s; 0 when it carried no flow. */
  readonly goodputMbps: number;
  readonly flows: number;
}

/** Totals of one VPN gateway. */
export interface GatewayTotal {
  readonly name: string;
  /** SKU at the end of the run (after any resize). */
  readonly sku: string;
  readonly generation: string;
  /** Aggregate capacity (R10) at the end, Mbit/s of wire rate. */
  readonly capacityMbps: number;
  readonly bytes: number;
  readonly activeSeconds: number;
  readonly goodputMbps: number;
  readonly flows: number;
}

/** Options of a {@link FlowLayer}. */
export interface FlowLayerOptions {
  /** TCP window, bytes; default {@link DEFAULT_TCP_WINDOW_BYTES}. */
  readonly windowBytes?: number;
  /** Seconds a flow waits for its path while the network comes up; default {@link DEFAULT_PATH_WAIT_SECONDS}. */
  readonly pathWaitSeconds?: number;
  /** Seconds at rate 0 before a flow ends as `stalled`; default Infinity (waits). */
  readonly stallTimeout?: number;
  /** Schedule the scenario's `flows` (default true). */
  readonly scenarioFlows?: boolean;
}

interface FlowState {
  readonly index: number;
  readonly def: FlowDef;
  readonly kind: FlowKind;
  readonly requestedAt: number;
  outcome: FlowResultOutcome;
  start?: number;
  end?: number;
  bytes: number;
  goodputMbps: number;
  reason?: string;
  rtt?: number;
  factor: number;
  handle?: FlowHandle;
  connections: string[];
  gateways: string[];
  resources: string[];
  policy: Connection[];
  probing: boolean;
  retry?: EventHandle;
  backoff: number;
}

interface ResourceSpec {
  cap: number;
  down: boolean;
  readonly capacity: () => number;
  readonly isDown: () => boolean;
}

/** Record types after which resource states are re-read. */
const STATE_RECORDS = new Set(['tunnel.up', 'tunnel.down', 'gateway.up', 'gateway.down', 'gateway.resized', 'client.connected', 'client.disconnected', 'client.failed', 'device.up', 'device.down', 'underlay.set', 'timeline']);
/** Drop reasons that routing, not a passing state, decides: the flow is unreachable at once. */
const NO_PATH = new Set(['noRoute', 'noReturnRoute', 'ttlExpired', 'trafficSelectorMismatch']);
/** Record types after which waiting flows probe again at once. */
const RETRY_RECORDS = new Set(['tunnel.up', 'gateway.up', 'client.connected', 'route.add', 'device.up']);

/**
 * Flows attached to one {@link Simulation}: schedules the scenario's `flows`,
 * handles the `startFlow` timeline action, follows tunnel, gateway and client
 * state from the trace. See the module header for the model.
 */
export class FlowLayer {
  /** The flow engine, on the simulation's kernel. */
  readonly engine: FlowEngine;
  private readonly flows: FlowState[] = [];
  private readonly byName = new Map<string, FlowState>();
  private readonly resources = new Map<string, ResourceSpec>();
  /** Connection name -> tunnel resource id. */
  private readonly tunnelOf = new Map<string, string>();
  /** Connections and gateways crossed by some flow (kept after deletion). */
  private readonly seenConnections = new Map<string, Connection>();
  private readonly seenGateways = new Map<string, Gateway>();
  private readonly endListeners: ((f: FlowResult) => void)[] = [];
  private readonly windowBytes: number;
  private readonly pathWaitSeconds: number;
  private reconcilePending = false;
  private retryPending = false;
  private tick: EventHandle | undefined;
  private openCount = 0;

  /**
   * Attaches flows to `s`: registers the `startFlow` action, subscribes to the
   * trace and schedules the scenario's flows at their start (now, if already past).
   * @throws UsageError when `startFlow` already has a handler, or on a bad option.
   */
  constructor(readonly s: Simulation, options: FlowLayerOptions = {}) {
    this.windowBytes = options.windowBytes ?? DEFAULT_TCP_WINDOW_BYTES;
    if (!(this.windowBytes > 0)) throw new UsageError(`flows: windowBytes ${this.windowBytes} is not positive. Pass bytes such as 4194304`, 'range');
    this.pathWaitSeconds = options.pathWaitSeconds ?? DEFAULT_PATH_WAIT_SECONDS;
    if (!(this.pathWaitSeconds >= 0)) throw new UsageError(`flows: pathWaitSeconds ${this.pathWaitSeconds} is not 0 or more. Pass seconds such as 60`, 'range');
    this.engine = new FlowEngine(s.sim, { stallTimeout: options.stallTimeout });
    this.engine.on('flow.end', (e) => this.ended(e));
    s.registerAction('startFlow', (e) => {
      const { at: _at, action: _action, ...def } = e;
      this.startFlow(def);
    });
    s.trace.subscribe((r) => this.onRecord(r));
    if (options.scenarioFlows ?? true) {
      for (const def of s.scenario.flows ?? []) {
        const f = this.register(def, Math.max(def.start ?? 0, s.now));
        s.sim.scheduleAt(f.requestedAt, () => this.request(f), `flow/${def.name}`);
      }
    }
  }

  /**
   * Starts a flow now (the `startFlow` action calls this; `def.start` is ignored).
   * @throws UsageError on a duplicate name, a UDP flow without a rate, or
   *   neither bytes nor duration; NotFoundError on an unknown endpoint.
   */
  startFlow(def: FlowDef): void {
    this.request(this.register(def, this.s.now));
  }

  /** Calls `listener` after each flow ends (in end order). */
  onFlowEnd(listener: (f: FlowResult) => void): void {
    this.endListeners.push(listener);
  }

  /** Flows registered (scheduled, requested or ended). */
  get count(): number {
    return this.flows.length;
  }

  /** Flows not ended yet (scheduled, waiting for a path, or running). */
  get open(): number {
    return this.openCount;
  }

  /** Every flow's result, in order of registration: scenario flows in file order, then others as started. */
  results(): FlowResult[] {
    return this.flows.map((f) => this.result(f));
  }

  /** One flow's result. @throws NotFoundError on an unknown name. */
  flow(name: string): FlowResult {
    const f = this.byName.get(name);
    if (!f) throw new NotFoundError(`flow "${name}": not found. Known: ${[...this.byName.keys()].join(', ') || '(none)'}`);
    return this.result(f);
  }

  /**
   * Ends every open flow now: running flows are cancelled (outcome
   * `cancelled`, bytes so far), flows waiting for a path become `unreachable`,
   * scheduled ones `notStarted`.
   */
  close(): void {
    for (const f of this.flows) {
      if (f.outcome === 'running' && f.handle !== undefined) this.engine.cancelFlow(f.handle);
      else if (f.outcome === 'waiting') this.unreachable(f, f.reason ?? 'pathWait');
      else if (f.outcome === 'scheduled') {
        f.outcome = 'notStarted';
        this.openCount--;
      }
    }
  }

  /**
   * Totals per S2S and VNet-to-VNet connection: every connection of the
   * network in its order, then removed ones that carried flows.
   */
  tunnelTotals(): TunnelTotal[] {
    const names = [...this.s.network.connections.values()].filter((c) => c.type !== 'ExpressRoute').map((c) => c.name);
    for (const [n, c] of this.seenConnections) if (!names.includes(n) && c.type !== 'ExpressRoute') names.push(n);
    const all = this.results();
    return names.map((connection) => ({ connection, ...totals(all, this.s.now, (f) => f.connections.includes(connection)) }));
  }

  /** Totals per VPN gateway: every gateway of the network in its order, then deleted ones that carried flows. */
  gatewayTotals(): GatewayTotal[] {
    const gws = [...this.s.network.gateways.values()].filter((g) => g.type === 'Vpn');
    for (const g of this.seenGateways.values()) if (!gws.some((x) => x.name === g.name)) gws.push(g);
    const all = this.results();
    return gws.map((g) => ({
      name: g.name, sku: g.sku.name, generation: g.sku.generation, capacityMbps: g.sku.aggregateMbps,
      ...totals(all, this.s.now, (f) => f.gateways.includes(g.name)),
    }));
  }

  /** Jain's fairness index over the goodput of flows that carried data (unreachable and unstarted flows left out). */
  fairness(): number {
    return jainIndex(this.results().filter((f) => f.start !== undefined && f.outcome !== 'unreachable').map((f) => f.goodputMbps));
  }

  // ---------------------------------------------------------------- flows

  private register(def: FlowDef, at: number): FlowState {
    const where = `flow "${def.name}"`;
    if (this.byName.has(def.name)) throw new UsageError(`${where}: the name is already in use. Give every flow a name of its own`, 'duplicate');
    const kind = def.kind ?? 'tcp';
    if ((def.bytes === undefined) === (def.duration === undefined)) throw new UsageError(`${where}: set exactly one of bytes and duration. Give the flow a size or a duration`, 'required');
    if (kind === 'udp' && !(def.rateMbps! > 0)) throw new UsageError(`${where}: a UDP flow needs rateMbps above 0. Set the sending rate in Mbit/s`, 'required');
    this.s.endpoint(def.from);
    this.address(def.to);
    const f: FlowState = {
      index: this.flows.length, def, kind, requestedAt: at, outcome: 'scheduled', bytes: 0, goodputMbps: 0, factor: 1,
      connections: [], gateways: [], resources: [], policy: [], probing: false, backoff: INITIAL_RETRY_SECONDS,
    };
    this.flows.push(f);
    this.byName.set(def.name, f);
    this.openCount++;
    return f;
  }

  /** The address a flow goes to: a host's, or a connected client's (undefined while it is not connected). */
  private address(name: string): number | undefined {
    const h = this.s.network.hosts.get(name);
    if (h) return h.address;
    const c = this.s.network.clients.get(name);
    if (c) return c.connected ? c.address : undefined;
    throw new NotFoundError(`flow destination "${name}": no host or client of that name. Use a name from hosts`);
  }

  private request(f: FlowState): void {
    if (f.outcome !== 'scheduled') return;
    f.outcome = 'waiting';
    this.attempt(f);
  }

  /** Sends the handshake probe; on success the flow starts, else it waits or ends unreachable. */
  private attempt(f: FlowState): void {
    if (f.probing || f.outcome !== 'waiting') return;
    const to = this.address(f.def.to);
    if (to === undefined) return this.failed(f, 'clientNotConnected');
    f.probing = true;
    this.s.probe(f.def.from, to, (r) => {
      f.probing = false;
      if (f.outcome !== 'waiting') return;
      if (r.ok && r.requestPath) this.begin(f, r);
      else this.failed(f, r.outcome.status === 'dropped' ? r.outcome.reason : 'noRoute');
    });
  }

  private failed(f: FlowState, reason: string): void {
    f.reason = reason;
    const waited = this.s.now - f.requestedAt;
    const transient = this.s.tunnels.busy() || !NO_PATH.has(reason);
    if (!transient || waited >= this.pathWaitSeconds) return this.unreachable(f, reason);
    if (f.retry !== undefined) return;
    const at = Math.min(this.s.now + f.backoff, f.requestedAt + this.pathWaitSeconds);
    f.backoff *= 2; // RFC 6298 §5.5
    f.retry = this.s.sim.scheduleAt(at, () => {
      f.retry = undefined;
      this.attempt(f);
    }, `flow.retry/${f.def.name}`);
  }

  private unreachable(f: FlowState, reason: string): void {
    this.cancelRetry(f);
    f.reason = reason;
    f.outcome = 'unreachable';
    f.start = f.end = this.s.now;
    this.openCount--;
    this.emitStart(f);
    this.s.trace.emit({ t: this.s.now, type: 'flow.end', flow: f.def.name, bytes: 0, goodputMbps: 0, outcome: 'unreachable', reason });
    this.notifyEnd(f);
  }

  private cancelRetry(f: FlowState): void {
    if (f.retry !== undefined) {
      this.s.sim.cancel(f.retry);
      f.retry = undefined;
    }
  }

  private begin(f: FlowState, r: ProbeResult): void {
    this.cancelRetry(f);
    this.resolvePath(f, r);
    f.rtt = r.rtt;
    f.start = this.s.now;
    f.outcome = 'running';
    this.emitStart(f);
    const tcp = f.kind === 'tcp';
    f.handle = this.engine.addFlow({
      id: String(f.index), group: `flow/${f.index}`, resources: f.resources, kind: f.kind,
      bytes: f.def.bytes, duration: f.def.bytes === undefined ? f.def.duration : undefined,
      rateMbps: tcp ? undefined : f.def.rateMbps,
      windowBytes: tcp ? this.windowBytes : undefined, rttSeconds: tcp ? r.rtt : undefined,
      goodputFactor: f.factor,
    });
    if (f.policy.length > 0 && f.outcome === 'running') this.armTick();
  }

  private emitStart(f: FlowState): void {
    this.s.trace.emit({ t: this.s.now, type: 'flow.start', flow: f.def.name, from: f.def.from, to: f.def.to, kind: f.kind });
  }

  private ended(e: FlowEndEvent): void {
    const f = this.flows[Number(e.id)]!;
    f.outcome = e.outcome;
    f.bytes = e.bytes;
    f.end = e.end;
    f.goodputMbps = e.goodputMbps;
    this.openCount--;
    this.s.trace.emit({ t: this.s.now, type: 'flow.end', flow: f.def.name, bytes: e.bytes, goodputMbps: e.goodputMbps, outcome: e.outcome });
    this.notifyEnd(f);
  }

  private notifyEnd(f: FlowState): void {
    if (this.endListeners.length === 0) return;
    const r = this.result(f);
    for (const l of this.endListeners) l(r);
  }

  private result(f: FlowState): FlowResult {
    let { bytes, goodputMbps } = f;
    if (f.outcome === 'running' && f.start !== undefined) {
      bytes = this.engine.flowGroupStats(`flow/${f.index}`).bytes;
      const life = this.s.now - f.start;
      goodputMbps = life > 0 ? (bytes * 8) / life / 1e6 : 0;
    }
    return {
      name: f.def.name, from: f.def.from, to: f.def.to, kind: f.kind, requestedAt: f.requestedAt, start: f.start, end: f.end,
      bytes, goodputMbps, rateMbps: f.outcome === 'running' && f.handle !== undefined ? this.engine.rateOf(f.handle) : undefined, outcome: f.outcome, reason: f.outcome === 'unreachable' ? f.reason : undefined, rttSeconds: f.rtt,
      goodputFactor: f.factor, connections: [...f.connections], gateways: [...f.gateways], resources: [...f.resources],
    };
  }

  // ---------------------------------------------------------------- paths and resources

  /** Turns the probe's request path into resources, connections, gateways and the goodput factor. */
  private resolvePath(f: FlowState, r: ProbeResult): void {
    const net = this.s.network;
    const hops = r.requestPath!;
    const ids: string[] = [];
    const add = (id: string | undefined): void => {
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    };
    let factor = 1;
    add(this.endpointResource('uplink', f.def.from));
    for (let i = 0; i < hops.length; i++) {
      const { node, route } = hops[i]!;
      const next = hops[i + 1]?.node;
      if (node.startsWith('gw:')) {
        const g = net.gateways.get(node.slice(3));
        if (g && g.type === 'Vpn') {
          add(this.gatewayResource(g));
          if (!f.gateways.includes(g.name)) f.gateways.push(g.name);
          this.seenGateways.set(g.name, g);
        }
      }
      if (!route || next === undefined) continue;
      switch (route.nextHopType) {
        case 'Tunnel':
        case 'ExpressRoute': {
          const c = net.connection(route.connection!);
          this.seenConnections.set(c.name, c);
          if (!f.connections.includes(c.name)) f.connections.push(c.name);
          if (route.nextHopType === 'ExpressRoute') {
            add(this.liveness(`er:${c.name}`, () => !this.connectionUp(c.name)));
            break;
          }
          add(this.tunnelResource(c));
          add(this.pathResource(locationOf(net, node), locationOf(net, next)));
          if (node.startsWith('site:')) add(this.accessResource('uplink', 'site', node.slice(5)));
          if (next.startsWith('site:')) add(this.accessResource('downlink', 'site', next.slice(5)));
          factor = Math.min(factor, espGoodputFactor({ cipher: c.def.ipsecCipher ?? 'GCMAES256' }));
          if (idlesOutR14(c) && !f.policy.includes(c)) f.policy.push(c);
          break;
        }
        case 'P2STunnel':
        case 'P2SClient': {
          const clientNode = route.nextHopType === 'P2STunnel' ? node : next;
          const c = net.client(clientNode.slice(7));
          add(this.liveness(`p2s:${c.name}`, () => !net.clients.get(c.name)?.connected));
          add(this.pathResource(locationOf(net, node), locationOf(net, next)));
          factor = Math.min(factor, c.def.protocol === 'SSTP' ? sstpGoodputFactor() : espGoodputFactor({ natTraversal: true }));
          break;
        }
        default:
          break;
      }
    }
    add(this.endpointResource('downlink', f.def.to));
    f.resources = ids;
    f.factor = factor;
  }

  private endpointResource(dir: 'uplink' | 'downlink', name: string): string | undefined {
    const net = this.s.network;
    return net.hosts.has(name) ? this.accessResource(dir, 'host', name) : this.accessResource(dir, 'client', name);
  }

  /** A site's, host's or client's uplink or downlink; undefined when unlimited. */
  private accessResource(dir: 'uplink' | 'downlink', kind: 'site' | 'host' | 'client', name: string): string | undefined {
    const net = this.s.network;
    const def = kind === 'site' ? net.sites.get(name)?.def : kind === 'host' ? net.hosts.get(name)?.def : net.clients.get(name)?.def;
    const mbps = dir === 'uplink' ? def?.uplinkMbps : def?.downlinkMbps;
    if (mbps === undefined) return undefined;
    return this.resource(`${dir}:${kind}:${name}`, 'access', () => mbps, () => false);
  }

  private gatewayResource(g: Gateway): string {
    const net = this.s.network;
    return this.resource(`gw:${g.name}`, 'gateway', () => (net.gateways.get(g.name) ?? g).sku.aggregateMbps, () => !net.gateways.has(g.name) || !this.s.gatewayUp(g.name));
  }

  /** The tunnel of a connection; a VNet-to-VNet tunnel is shared by its two connections. */
  private tunnelResource(c: Connection): string {
    const net = this.s.network;
    const known = this.tunnelOf.get(c.name);
    if (known) return known;
    const members = [c.name];
    const rev = net.reverseOf(c);
    if (rev) members.push(rev.name);
    members.sort();
    const id = `tunnel:${members[0]}`;
    for (const m of members) this.tunnelOf.set(m, id);
    const last = new Map<string, number>();
    const capacity = (): number => {
      let cap = Infinity;
      for (const m of members) {
        const x = net.connections.get(m);
        if (x) last.set(m, x.gateway.sku.perTunnelMbps[x.def.ipsecCipher ?? 'GCMAES256']);
        cap = Math.min(cap, last.get(m) ?? Infinity);
      }
      return cap;
    };
    return this.resource(id, 'tunnel', capacity, () => members.some((m) => !this.connectionUp(m)));
  }

  private connectionUp(name: string): boolean {
    const c = this.s.network.connections.get(name);
    return !!c && this.s.tunnels.isUp(c);
  }

  private pathResource(a: string, b: string): string {
    return this.resource(`path:${a}->${b}`, 'underlay', () => this.s.underlay.figures(a, b).bandwidthMbps, () => false);
  }

  private liveness(id: string, isDown: () => boolean): string {
    return this.resource(id, 'liveness', () => LIVENESS_MBPS, isDown);
  }

  private resource(id: string, group: string, capacity: () => number, isDown: () => boolean): string {
    if (this.resources.has(id)) return id;
    const spec: ResourceSpec = { cap: capacity(), down: isDown(), capacity, isDown };
    this.engine.addResource(id, spec.cap, { group });
    if (spec.down) this.engine.setDown(id, true);
    this.resources.set(id, spec);
    return id;
  }

  private setDown(id: string | undefined, down: boolean): void {
    const spec = id === undefined ? undefined : this.resources.get(id);
    if (!spec || spec.down === down) return;
    spec.down = down;
    this.engine.setDown(id!, down);
  }

  private setCapacity(id: string, mbps: number): void {
    const spec = this.resources.get(id);
    if (!spec || spec.cap === mbps) return;
    spec.cap = mbps;
    this.engine.setCapacity(id, mbps);
  }

  // ---------------------------------------------------------------- state from the trace

  private onRecord(r: TraceRecord): void {
    const e = asEngineStateEvent(r);
    switch (e?.type) {
      case 'tunnel.down':
      case 'tunnel.up': {
        const id = this.tunnelOf.get(e.connection);
        if (id) this.setDown(id, e.type === 'tunnel.down' || this.resources.get(id)!.isDown());
        break;
      }
      case 'gateway.down':
      case 'gateway.up':
        this.setDown(`gw:${e.gateway}`, e.type === 'gateway.down');
        break;
      case 'gateway.resized':
        this.setCapacity(`gw:${e.gateway}`, e.capacityMbps);
        break;
      case 'client.connected':
        this.setDown(`p2s:${e.client}`, false);
        break;
      case 'client.disconnected':
      case 'client.failed':
        this.setDown(`p2s:${e.client}`, true);
        break;
      default:
        break;
    }
    // Re-read every resource once the instant has settled (kernel late class), when every layer's state is complete.
    if (STATE_RECORDS.has(r.type) && !this.reconcilePending && this.resources.size > 0) {
      this.reconcilePending = true;
      this.s.sim.scheduleLate(0, () => this.reconcile(), 'flows.reconcile');
    }
    if (RETRY_RECORDS.has(r.type) && !this.retryPending && this.flows.some((f) => f.outcome === 'waiting')) {
      this.retryPending = true;
      this.s.sim.scheduleLate(0, () => {
        this.retryPending = false;
        for (const f of this.flows) if (f.outcome === 'waiting') this.attempt(f);
      }, 'flows.retry');
    }
  }

  /** Re-reads every resource's capacity and state from the network, the tunnel layer and the underlay. */
  private reconcile(): void {
    this.reconcilePending = false;
    for (const [id, spec] of this.resources) {
      this.setCapacity(id, spec.capacity());
      this.setDown(id, spec.isDown());
    }
  }

  /**
   * Active flows are traffic on policy-based tunnels (R14): they keep the idle
   * timer from expiring, and a waiting flow's retransmissions bring an idled-out
   * tunnel back, as packets would.
   */
  private armTick(): void {
    if (this.tick !== undefined) return;
    this.tick = this.s.sim.schedule(TRAFFIC_TICK_SECONDS, () => {
      this.tick = undefined;
      const conns = new Set<Connection>();
      for (const f of this.flows) if (f.outcome === 'running') for (const c of f.policy) conns.add(c);
      if (conns.size === 0) return;
      for (const c of conns) {
        if (!this.s.network.connections.has(c.name)) continue;
        if (this.s.tunnels.isUp(c)) this.s.tunnels.onTraffic(c);
        else this.s.tunnels.onBlocked(c);
      }
      this.armTick();
    }, 'flows.traffic');
  }
}

/** Bytes, active time (union of lifetimes) and mean goodput of the flows that `crosses` selects, O(n log n). */
function totals(all: readonly FlowResult[], now: number, crosses: (f: FlowResult) => boolean): { bytes: number; activeSeconds: number; goodputMbps: number; flows: number } {
  const spans: [number, number][] = [];
  let bytes = 0;
  let flows = 0;
  for (const f of all) {
    if (!crosses(f) || f.start === undefined || f.outcome === 'unreachable') continue;
    flows++;
    bytes += f.bytes;
    spans.push([f.start, f.end ?? now]);
  }
  const activeSeconds = unionLength(spans);
  return { bytes, activeSeconds, goodputMbps: activeSeconds > 0 ? (bytes * 8) / activeSeconds / 1e6 : 0, flows };
}

/** Total length of the union of intervals, O(n log n). */
function unionLength(spans: [number, number][]): number {
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let total = 0;
  let lo = -Infinity;
  let hi = -Infinity;
  for (const [a, b] of spans) {
    if (a > hi) {
      if (hi > lo) total += hi - lo;
      lo = a;
      hi = b;
    } else if (b > hi) hi = b;
  }
  if (hi > lo) total += hi - lo;
  return total;
}

/** Options of {@link runThroughput}. */
export interface ThroughputOptions extends FlowLayerOptions {
  /** Master seed; default the scenario's. */
  readonly seed?: number | string;
  /** Stop at this simulated time even if flows are open, seconds; default {@link DEFAULT_THROUGHPUT_LIMIT_SECONDS}. */
  readonly untilSeconds?: number;
  /** Run the protocol layer (default true); false: tunnels decided at once. */
  readonly protocols?: boolean;
  /** Further options of the {@link Simulation} (seed and protocols above win). */
  readonly simulation?: SimulationOptions;
}

/** What {@link runThroughput} measured. */
export interface ThroughputReport {
  readonly scenario: string;
  readonly seed: number | string;
  /** When the run ended: the last flow's end, or the cap, seconds. */
  readonly endedAt: number;
  /** Flows in registration order (scenario flows in file order, then timeline flows). */
  readonly flows: readonly FlowResult[];
  readonly tunnels: readonly TunnelTotal[];
  readonly gateways: readonly GatewayTotal[];
  /** Jain's fairness index over the goodput of flows that carried data. */
  readonly jainIndex: number;
  /** Kernel events run. */
  readonly events: number;
  /** Fingerprint of the trace: one seed, one fingerprint. */
  readonly traceFingerprint: string;
}

/**
 * Runs a scenario's flows to their end: builds a {@link Simulation}, attaches
 * a {@link FlowLayer}, runs until every flow (scenario `flows` and timeline
 * `startFlow` entries) has ended or `untilSeconds` passed, then closes what is
 * still open (cancelled, unreachable or notStarted) and reports.
 * @throws ScenarioValidationError when the scenario is invalid (the
 *   Simulation validates it unless `simulation.validate` is false);
 *   UsageError on bad options; SimulationError when an event fails.
 */
export function runThroughput(scenario: Scenario, options: ThroughputOptions = {}): ThroughputReport {
  const until = options.untilSeconds ?? DEFAULT_THROUGHPUT_LIMIT_SECONDS;
  if (!(until >= 0 && until < Infinity)) throw new UsageError(`runThroughput: untilSeconds ${until} is not a finite number of 0 or more. Pass seconds such as 3600`, 'range');
  const timeline = options.simulation?.timeline ?? true;
  const seed = options.seed ?? options.simulation?.seed ?? scenario.seed ?? 1;
  const s = new Simulation(scenario, { keepTrace: false, ...options.simulation, seed, protocols: options.protocols ?? options.simulation?.protocols });
  const layer = new FlowLayer(s, options);
  const timelineFlows = timeline ? (scenario.timeline ?? []).filter((e) => e.action === 'startFlow' && e.at <= until) : [];
  const expected = layer.count + timelineFlows.length;
  layer.onFlowEnd(() => {
    if (layer.count >= expected && layer.open === 0) s.sim.stop();
  });
  if (expected > 0) s.sim.run({ until });
  layer.close();
  const flows = layer.results();
  const report: ThroughputReport = {
    scenario: scenario.name, seed, endedAt: s.now, flows, tunnels: layer.tunnelTotals(), gateways: layer.gatewayTotals(),
    jainIndex: layer.fairness(), events: s.sim.executed, traceFingerprint: s.trace.fingerprint(),
  };
  return report;
}

/** The `--json` form of a {@link ThroughputReport}: a public contract, exactly these keys. */
export interface ThroughputJson {
  readonly scenario: string;
  readonly flows: { readonly name: string; readonly bytes: number; readonly start: number; readonly end: number; readonly goodputMbps: number }[];
  readonly tunnels: { readonly connection: string; readonly goodputMbps: number }[];
  readonly gateways: { readonly name: string; readonly sku: string; readonly capacityMbps: number; readonly goodputMbps: number }[];
}

/**
 * Converts a report to its JSON contract: bytes rounded to whole bytes, rates
 * to 1e-6 Mbit/s, times to the microsecond; a flow that never started has
 * start = end = its requested time.
 */
export function throughputJson(r: ThroughputReport): ThroughputJson {
  return {
    scenario: r.scenario,
    flows: r.flows.map((f) => ({
      name: f.name, bytes: Math.round(f.bytes), start: us(f.start ?? f.requestedAt), end: us(f.end ?? f.start ?? f.requestedAt), goodputMbps: mbps(f.goodputMbps),
    })),
    tunnels: r.tunnels.map((t) => ({ connection: t.connection, goodputMbps: mbps(t.goodputMbps) })),
    gateways: r.gateways.map((g) => ({ name: g.name, sku: g.sku, capacityMbps: g.capacityMbps, goodputMbps: mbps(g.goodputMbps) })),
  };
}

function us(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}

function mbps(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
