/**
 * A simulation of one scenario: the kernel, seeded streams, the network, the
 * underlay, tunnels and BGP, route tables, packet delivery, the timeline and
 * the trace. One instance per run; nothing is global.
 */
import { Simulator } from '../kernel/simulator.js';
import { toSeconds } from '../kernel/time.js';
import { Rng } from '../kernel/rng.js';
import { Trace } from '../trace.js';
import { Network } from '../net/model.js';
import type { Client, Gateway } from '../net/model.js';
import { Underlay } from '../net/underlay.js';
import { PacketEngine, hopChain, type PacketOutcome, type Packet } from '../net/forwarding.js';
import { RouteTables, clientTable, clientRoutes, packageRoutes, gatewayReady } from '../net/routing.js';
import type { LpmTable } from '../net/lpm.js';
import type { Route } from '../net/routing.js';
import type { BgpRibs } from '../net/bgp-routes.js';
import { formatAddress, nthAddress, parsePrefix, type Prefix } from '../net/prefix.js';
import type { Scenario, TimelineEntry } from '../net/scenario.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { InstantTunnels, type TunnelLayer, type TunnelStatus } from './tunnels.js';
import { ProtocolTunnels, type ProtocolOptions } from './protocols.js';
import { parseScenario } from '../net/validate.js';

/** Options of a {@link Simulation}. */
export interface SimulationOptions {
  /** Master seed; default the scenario's `seed`, else 1. */
  seed?: number | string;
  /** Keep trace records in memory (default true). */
  keepTrace?: boolean;
  /** Apply the scenario's timeline (default true). */
  timeline?: boolean;
  /**
   * Run IKE, SSTP and BGP sessions over the underlay (default true). With
   * false, the configuration decides tunnels at once and BGP converges by
   * static propagation ({@link InstantTunnels}): no timing, same tables.
   */
  protocols?: boolean;
  /** Tunables of the protocol layer. */
  protocolOptions?: ProtocolOptions;
  /**
   * Validate the scenario first (default true): every rule is checked and a
   * {@link ScenarioValidationError} lists every violation; nothing is built
   * from an invalid scenario. Pass false only for scenarios validated already.
   */
  validate?: boolean;
}

/** What one probe (a request and its reply) found. */
export interface ProbeResult {
  readonly ok: boolean;
  /** Where it ended: delivered reply, or the drop. */
  readonly outcome: PacketOutcome;
  /** Which packet failed: the request or the reply. */
  readonly failed: 'request' | 'reply' | undefined;
  /** The hops of the request, then of the reply, as a chain. */
  readonly explanation: string;
  /** Round-trip time in seconds when ok. */
  readonly rtt: number | undefined;
  readonly sentAt: number;
  /** The request's path: nodes visited (ids such as `client:laptop`, `gw:VNet1GW`) and the route each used. */
  readonly requestPath?: readonly PathHop[];
  /** The reply's path, when a reply was sent. */
  readonly replyPath?: readonly PathHop[];
}

/** One hop of a path: the node and the route it forwarded by (undefined where the packet ended or was handed on locally). */
export interface PathHop {
  readonly node: string;
  readonly route: Route | undefined;
}

/** One run of one scenario (see the module header). Build, then `settle`, `runUntil` or `probe`. */
export class Simulation {
  readonly sim = new Simulator();
  readonly rng: Rng;
  readonly trace: Trace;
  readonly network: Network;
  readonly underlay: Underlay;
  readonly packets: PacketEngine;
  tunnels: TunnelLayer;
  /** Bumped whenever routing inputs change (network, tunnels, BGP). */
  private stateVersion = 0;
  /** The route tables and the versions (state, network) they were built for: two small integers, compared without arithmetic. */
  private tablesCache: { state: number; net: number; tables: RouteTables } | undefined;
  private lastChange = 0;
  /** Route tables shared by clients with the same routes: key = gateway + kind + package + manual routes. */
  private readonly clientTableCache = new Map<string, { state: number; net: number; table: LpmTable<Route> }>();
  /** The package each gateway hands out, per network version (see {@link packageOf}). */
  private readonly packages = new Map<Gateway, { net: number; routes: readonly Prefix[]; cidrs: readonly string[] }>();
  /** Cache keys of shared package lists (their CIDRs joined), so a client's table key costs no string building. */
  private readonly packageKeys = new WeakMap<readonly Prefix[], string>();
  private readonly actionHandlers = new Map<string, (e: TimelineEntry) => void>();
  /** P2S addresses in use, per gateway. */
  private readonly poolUse = new Map<string, { used: Set<number>; hint: number }>();

  readonly scenario: Scenario;

  /**
   * Builds the simulation of a scenario at t=0; nothing runs until
   * {@link runUntil} or {@link settle}.
   * @throws ScenarioValidationError when the scenario breaks a rule (unless `validate: false`).
   */
  constructor(scenario: Scenario, options: SimulationOptions = {}) {
    this.scenario = options.validate === false ? scenario : parseScenario(scenario); // its name is read from the validated copy, never from the input
    scenario = this.scenario;
    this.rng = new Rng(options.seed ?? scenario.seed ?? 1);
    this.trace = new Trace(options.keepTrace ?? true);
    // The trace opens with the run's inputs, so the fingerprint identifies seed and trajectory together:
    // two runs with different seeds never share a fingerprint, even where no random draw was made.
    this.trace.emit({ t: 0, type: 'run.start', scenario: scenario.name, seed: this.rng.seed });
    this.network = new Network(scenario);
    this.underlay = new Underlay(this.sim, (n) => this.rng.stream(n), scenario.underlay);
    this.tunnels = options.protocols === false ? new InstantTunnels(this) : new ProtocolTunnels(this, options.protocolOptions);
    this.packets = new PacketEngine({
      sim: this.sim, net: this.network, underlay: this.underlay, trace: this.trace,
      tables: () => this.tables(),
      clientTable: (c, extra) => this.clientTable(c, extra),
      tunnels: {
        isUp: (c) => this.tunnels.isUp(c),
        onBlocked: (c) => this.tunnels.onBlocked(c),
        onTraffic: (c) => this.tunnels.onTraffic(c),
      },
      gatewayUp: (g) => this.gatewayRunningNow(g),
    });
    for (const c of this.network.clients.values()) {
      const at = c.def.packageDownloadedAt ?? 0;
      if (c.windows) this.sim.scheduleAt(at, () => this.downloadPackage(c.name), `download/${c.name}`);
    }
    this.tunnels.start();
    for (const c of this.network.clients.values()) {
      const at = c.def.connectAt === undefined ? 0 : c.def.connectAt;
      if (at !== null) this.sim.scheduleAt(at, () => this.connectClient(c.name), `connect/${c.name}`);
    }
    if (options.timeline ?? true) {
      for (const e of scenario.timeline ?? []) this.sim.scheduleAt(e.at, () => this.apply(e), `timeline/${e.action}`);
    }
  }

  /** Simulated time now, seconds. */
  get now(): number {
    return this.sim.now;
  }

  /** Time of the last change of routing state (tunnels, BGP, configuration), seconds. */
  get lastChangeAt(): number {
    return this.lastChange;
  }

  /** Marks routing inputs as changed (tunnel up/down, BGP update, configuration). */
  invalidate(): void {
    this.stateVersion++;
    this.lastChange = this.sim.now;
  }

  /** Current route tables of every gateway, VNet and site (cached until something changes). */
  tables(): RouteTables {
    const c = this.tablesCache;
    if (c !== undefined && this.isCurrent(c)) return c.tables;
    const tables = new RouteTables(this.network, { tunnels: { isUp: (x) => this.tunnels.isUp(x) }, bgp: this.tunnels.bgpRibs() });
    this.tablesCache = { state: this.stateVersion, net: this.network.version, tables };
    return tables;
  }

  /** True when a cache entry was built for the current routing state and network version. */
  private isCurrent(entry: { readonly state: number; readonly net: number }): boolean {
    return entry.state === this.stateVersion && entry.net === this.network.version;
  }

  /** BGP-learned routes of every speaker now. */
  bgpRibs(): BgpRibs {
    return this.tunnels.bgpRibs();
  }

  /** A client's table now, plus `extra` routes for a what-if. */
  clientTable(c: Client, extra: readonly Prefix[] = []): LpmTable<Route> {
    if (extra.length > 0) return clientTable(this.network, c, this.bgpRibs(), extra);
    // Clients with the same gateway, kind, package and manual routes share one table. Packet
    // delivery keeps each client's table itself, so this runs about once per client and version.
    const pkg = c.packageRoutes;
    const kind = c.windows ? (pkg === undefined ? 'w|' : `w|${this.packageKeys.get(pkg) ?? cidrList(pkg)}`) : c.connected ? 'p' : 'x';
    const key = `${c.gateway.name}|${kind}|${c.manualRoutes.length === 0 ? '' : cidrList(c.manualRoutes)}`;
    const hit = this.clientTableCache.get(key);
    if (hit !== undefined && this.isCurrent(hit)) return hit.table;
    const table = clientTable(this.network, c, this.bgpRibs());
    this.clientTableCache.set(key, { state: this.stateVersion, net: this.network.version, table });
    return table;
  }

  /** Routes installed on a client now, sorted numerically. */
  clientRoutes(name: string): string[] {
    return clientRoutes(this.network, this.network.client(name), this.bgpRibs()).map((p) => p.cidr);
  }

  /** True when a gateway exists, is provisioned (R3) and is not failed. */
  gatewayUp(name: string): boolean {
    const g = this.network.gateways.get(name);
    return g !== undefined && this.gatewayRunningNow(g);
  }

  /** True when a gateway of this network is provisioned (R3) and not failed. */
  private gatewayRunningNow(g: Gateway): boolean {
    return gatewayReady(g, this.sim.now) && this.tunnels.gatewayRunning(g);
  }

  /**
   * Every connection's tunnel state now (Batfish's vocabulary), in connection order.
   * The two halves of a VNet-to-VNet link report the same state.
   */
  tunnelStatuses(): { connection: string; status: TunnelStatus }[] {
    return [...this.network.connections.values()].map((c) => ({ connection: c.name, status: this.tunnels.status(c) }));
  }

  /** Runs the kernel until `until` seconds (inclusive). */
  runUntil(until: number): void {
    this.sim.run({ until });
  }

  /**
   * Runs until the network has settled: every session that can come up is up
   * (or has failed) and routing has not changed for `quietSeconds`. Returns
   * the time of the last change, when it settled.
   * @throws UsageError when it has not settled by `limitSeconds`.
   */
  settle(quietSeconds = 30, limitSeconds = 4 * 3600): number {
    this.sim.run({ until: Math.max(this.sim.now, 0) });
    for (;;) {
      if (!this.tunnels.busy() && this.sim.now - this.lastChange >= quietSeconds) return this.lastChange;
      if (this.sim.now >= limitSeconds) {
        throw new UsageError(`settle: the network is still changing at t=${this.sim.now} s. Check for flapping sessions or pass --at`, 'settle');
      }
      const next = Math.max(this.lastChange + quietSeconds, this.sim.now + 1);
      this.sim.run({ until: Math.min(next, limitSeconds) });
    }
  }

  /**
   * Sends one request from a client or host to an address and its reply
   * back; `done` runs when the reply arrives or either packet is dropped.
   * @param from a client or host name, or a client of this simulation's
   *   network (`network.client(name)`): a caller that sends many probes
   *   resolves its clients once and skips a name lookup per probe.
   * @param extraClientRoutes routes the source client uses for this probe only.
   * @throws NotFoundError when `from` names no client or host; UsageError when
   *   `from` is a client object of another network.
   */
  probe(from: string | Client, to: number, done: (r: ProbeResult) => void, extraClientRoutes: readonly Prefix[] = NO_EXTRA_ROUTES): void {
    // Clients first without building an endpoint object (the hot path of reach and bench:reach).
    let c: Client | undefined;
    if (typeof from === 'string') c = this.network.clients.get(from);
    else if (this.network.clientAt(from.index) === from) c = from;
    else throw new UsageError(`probe: client "${from.name}" is not a client of this simulation's network. Pass its name, or the object from network.client(name)`, 'usage');
    let node: string, addr: number | undefined;
    if (c !== undefined) {
      node = c.nodeId;
      addr = c.connected ? c.address : undefined;
    } else ({ node, addr } = this.endpoint(from as string));
    const sentAt = this.sim.now;
    if (addr === undefined) {
      const name = c === undefined ? from as string : c.name;
      const outcome: PacketOutcome = { status: 'dropped', reason: 'clientNotConnected', at: node, time: sentAt, detail: `${name} is not connected` };
      done({ ok: false, outcome, failed: 'request', explanation: `client ${name}: not connected`, sentAt, rtt: undefined });
      return;
    }
    // One object per probe: it rides on both packets as their owner and becomes the result.
    this.packets.send(c ?? node, addr, to, 'request', requestDone, extraClientRoutes, new Probe(this.packets, this.sim, done, this.sim.nowUs));
  }

  /** Node id and source address of a client or host name. */
  endpoint(name: string): { node: string; addr: number | undefined } {
    const c = this.network.clients.get(name);
    if (c) return { node: `client:${c.name}`, addr: c.connected ? c.address : undefined };
    const h = this.network.hosts.get(name);
    if (h) return { node: `host:${h.name}`, addr: h.address };
    throw new NotFoundError(`endpoint "${name}": no client or host of that name. Use a name from clients or hosts`);
  }

  /** The address a probe to a VNet, site or host name goes to: a declared host, else an address in its space. */
  targetAddress(name: string): number {
    const h = this.network.hosts.get(name);
    if (h) return h.address;
    const v = this.network.vnets.get(name);
    if (v) return [...this.network.hosts.values()].find((x) => x.vnet === v)?.address ?? v.probeAddress;
    const s = this.network.sites.get(name);
    if (s) return [...this.network.hosts.values()].find((x) => x.site === s)?.address ?? s.probeAddress;
    throw new NotFoundError(`target "${name}": no host, VNet or local network gateway of that name`);
  }

  // ---------------------------------------------------------------- clients

  /** Downloads the client package now: a Windows client's routes are frozen at this moment (R21). */
  downloadPackage(name: string): void {
    const c = this.network.client(name);
    const pkg = this.packageOf(c.gateway);
    c.packageRoutes = pkg.routes;
    c.packageDownloadedAt = this.sim.now;
    this.trace.emit({ t: this.sim.now, type: 'client.package', client: c.name, routes: pkg.cidrs });
    this.invalidate();
  }

  /**
   * The package a gateway hands out now (its routes depend on configuration
   * only): one frozen list per gateway and network version, shared by every
   * client that downloads it, with its cache key for {@link clientTable}.
   */
  private packageOf(g: Gateway): { readonly routes: readonly Prefix[]; readonly cidrs: readonly string[] } {
    const hit = this.packages.get(g);
    if (hit !== undefined && hit.net === this.network.version) return hit;
    const routes = Object.freeze(packageRoutes(this.network, g));
    const cidrs = Object.freeze(routes.map((p) => p.cidr));
    const pkg = { net: this.network.version, routes, cidrs };
    this.packages.set(g, pkg);
    this.packageKeys.set(routes, cidrs.join(','));
    return pkg;
  }

  /** Connects a P2S client (through its protocol's session when protocols run). */
  connectClient(name: string): void {
    const c = this.network.client(name);
    if (c.connected) return;
    this.tunnels.connectClient(c);
  }

  /** Disconnects a P2S client; it stays down until told to connect (R19). */
  disconnectClient(name: string, reason = 'admin'): void {
    const c = this.network.client(name);
    if (!c.connected) return;
    this.clientLeft(c, reason);
  }

  /** Marks a client connected with a pool address (called by the tunnel layer). */
  clientJoined(c: Client): void {
    const g = c.gateway;
    let use = this.poolUse.get(g.name);
    if (!use) this.poolUse.set(g.name, (use = { used: new Set(), hint: 0 }));
    // Usable addresses of the pools in order, skipping each pool's network, .1 and broadcast;
    // the lowest free one is taken, so allocation is deterministic. `hint` is a lower bound.
    const slots = g.pools.map((p) => Math.max(0, 2 ** (32 - p.length) - 3));
    const total = slots.reduce((a, b) => a + b, 0);
    let addr: number | undefined;
    for (let i = use.hint; i < total; i++) {
      let k = i, j = 0;
      while (k >= slots[j]!) k -= slots[j++]!;
      const a = nthAddress(g.pools[j]!, 2 + k);
      if (!use.used.has(a)) { addr = a; use.hint = i + 1; break; }
    }
    if (addr === undefined) throw new UsageError(`client "${c.name}": the P2S pool of ${g.name} is exhausted. Enlarge vpnClientAddressPool`, 'pool');
    use.used.add(addr);
    c.address = addr;
    c.connected = true;
    this.packets.clientUp(c);
    this.trace.emit({ t: this.sim.now, type: 'client.connected', client: c.name, address: formatAddress(addr) });
    this.invalidate();
  }

  /** Marks a client disconnected (called by the tunnel layer, or on failover). */
  clientLeft(c: Client, reason: string): void {
    this.packets.clientDown(c);
    const use = this.poolUse.get(c.gateway.name);
    if (use && c.address !== undefined) {
      use.used.delete(c.address);
      use.hint = 0; // a freed address may be lower than the hint
    }
    c.connected = false;
    c.address = undefined;
    this.tunnels.clientGone(c);
    this.trace.emit({ t: this.sim.now, type: 'client.disconnected', client: c.name, reason });
    this.invalidate();
  }

  // ---------------------------------------------------------------- timeline

  /**
   * Lets a module handle a timeline action (traffic generators, flows): its
   * handler runs instead of the built-in one. One handler per action.
   * @throws UsageError when the action already has a handler.
   */
  registerAction<A extends TimelineEntry['action']>(action: A, handler: (e: Extract<TimelineEntry, { action: A }>) => void): void {
    if (this.actionHandlers.has(action)) throw new UsageError(`registerAction: "${action}" already has a handler`, 'usage');
    this.actionHandlers.set(action, handler as (e: TimelineEntry) => void);
  }

  /** Applies one timeline entry now. */
  apply(e: TimelineEntry): void {
    const net = this.network;
    this.trace.emit({ t: this.sim.now, type: 'timeline', action: e.action });
    const custom = this.actionHandlers.get(e.action);
    if (custom) {
      custom(e);
      return;
    }
    switch (e.action) {
      case 'addPeering': {
        const { at: _a, action: _b, ...def } = e;
        net.addPeering(def);
        break;
      }
      case 'removePeering':
        net.removePeering(e.vnet, e.remoteVnet);
        break;
      case 'addConnection': {
        const { at: _a, action: _b, ...def } = e;
        const c = net.addConnection(def);
        this.tunnels.connectionAdded(c);
        break;
      }
      case 'removeConnection': {
        const c = net.connection(e.connection);
        this.tunnels.connectionRemoving(c);
        net.removeConnection(e.connection);
        break;
      }
      case 'downloadClientPackage':
        this.downloadPackage(e.client);
        return;
      case 'addClientRoute':
        net.client(e.client).manualRoutes.push(parsePrefix(e.prefix, `timeline addClientRoute "${e.client}"`));
        break;
      case 'connectClient':
        this.connectClient(e.client);
        return;
      case 'disconnectClient':
        this.disconnectClient(e.client);
        return;
      case 'createGateway': {
        const { at: _a, action: _b, ...def } = e;
        const g = net.addGateway(def, this.sim.now, false);
        this.trace.emit({ t: this.sim.now, type: 'gateway.created', gateway: g.name, publicIp: formatAddress(g.publicIp), readyAt: g.provisionedAt });
        this.sim.scheduleAt(g.provisionedAt, () => {
          this.trace.emit({ t: this.sim.now, type: 'gateway.provisioned', gateway: g.name });
          this.tunnels.gatewayProvisioned(g);
          this.invalidate();
        }, `provisioned/${g.name}`);
        break;
      }
      case 'deleteGateway': {
        const g = net.gateway(e.gateway);
        for (const c of net.connectionsOf(g)) this.tunnels.connectionRemoving(c);
        for (const c of net.clients.values()) if (c.gateway === g && c.connected) this.clientLeft(c, 'gatewayDeleted');
        net.removeGateway(e.gateway);
        break;
      }
      case 'ping':
      case 'startFlow':
        throw new UsageError(`timeline ${e.action} at t=${e.at}: no traffic generator is attached to this simulation. Call attachTraffic(simulation) before running (vpnsim run, reach and the watcher commands do)`, 'usage');
      default:
        this.tunnels.applyAction(e);
        return;
    }
    this.invalidate();
  }

}

/**
 * A probe in flight, then its result (the explanation and paths are built
 * only when read). Engine handles are private fields, so the result's own
 * properties are exactly those of {@link ProbeResult}.
 */
class Probe implements ProbeResult {
  ok = false;
  failed: 'request' | 'reply' | undefined = undefined;
  readonly sentAt: number;
  rtt: number | undefined = undefined;
  readonly #packets: PacketEngine;
  readonly #sim: Simulator;
  readonly #done: (r: ProbeResult) => void;
  #req: Packet | undefined = undefined;
  #rep: Packet | undefined = undefined;

  /** When the request left, in integer µs (the round-trip time is taken from these, so it carries no rounding of the absolute time). */
  readonly #sentAtUs: number;

  constructor(packets: PacketEngine, sim: Simulator, done: (r: ProbeResult) => void, sentAtUs: number) {
    this.sentAt = toSeconds(sentAtUs);
    this.#sentAtUs = sentAtUs;
    this.#packets = packets;
    this.#sim = sim;
    this.#done = done;
  }

  /** The request ended: a drop ends the probe, a delivery sends the reply from where it arrived. */
  requestDone(req: Packet): void {
    this.#req = req;
    if (req.status === 'dropped') {
      this.failed = 'request';
      this.#done(this);
      return;
    }
    this.#packets.sendBack(req, 'reply', replyDone, this);
  }

  /** The reply ended: the probe's result is complete. */
  replyDone(rep: Packet): void {
    this.#rep = rep;
    if (rep.status === 'dropped') this.failed = 'reply';
    else {
      this.ok = true;
      this.rtt = toSeconds(this.#sim.nowUs - this.#sentAtUs);
    }
    this.#done(this);
  }

  /** Where it ended: the reply's outcome once one was sent, else the request's (built on first read). */
  get outcome(): PacketOutcome {
    const last = this.#rep ?? this.#req;
    return last === undefined ? PENDING : last.outcome;
  }

  get requestPath(): readonly PathHop[] {
    return pathOf(this.#req!);
  }

  get replyPath(): readonly PathHop[] | undefined {
    return this.#rep ? pathOf(this.#rep) : undefined;
  }

  get explanation(): string {
    const first = chain(this.#req!);
    return this.#rep ? `${first}; reply: ${chain(this.#rep)}` : first;
  }
}

/** No extra client routes: the shared default of {@link Simulation.probe} (never written). */
const NO_EXTRA_ROUTES: readonly Prefix[] = Object.freeze([]);

/** Placeholder outcome of a probe in flight (never seen by callers: results are handed over complete). */
const PENDING: PacketOutcome = { status: 'delivered', at: '', time: 0 };

/** Packet callbacks shared by every probe: the probe rides on the packet as its owner. */
function requestDone(p: Packet): void {
  (p.owner as Probe).requestDone(p);
}

function replyDone(p: Packet): void {
  (p.owner as Probe).replyDone(p);
}

/** CIDRs joined by commas: a cache key part. */
function cidrList(ps: readonly Prefix[]): string {
  let out = ps.length === 0 ? '' : ps[0]!.cidr;
  for (let k = 1; k < ps.length; k++) out += `,${ps[k]!.cidr}`;
  return out;
}

function pathOf(p: Packet): PathHop[] {
  const out: PathHop[] = [];
  for (const x of p.trail) {
    if (typeof x === 'string') out.push({ node: x, route: undefined });
    else out[out.length - 1] = { node: out[out.length - 1]!.node, route: x };
  }
  return out;
}

function chain(p: Packet): string {
  const hops = hopChain(p);
  return p.status === 'delivered' ? hops : `${hops}: ${p.detail.replace(/^[^:]*: /, '')}`;
}
