/**
 * Hop-by-hop packet delivery on the kernel. Each hop is an event after that
 * hop's latency; every node forwards by longest-prefix match in its own
 * table; gateways carry packets into and out of tunnels; TTL decrements at
 * every router. Every packet ends delivered or dropped with a reason, so
 * `sent = delivered + dropped` once the queue is empty.
 *
 * Addresses inside a VNet's or a site's address space answer as hosts (the
 * fabric or the site network delivers them); P2S addresses answer while their
 * client is connected.
 */
import type { Simulator } from '../kernel/simulator.js';
import { UsageError } from '../../errors.js';
import type { Trace } from '../trace.js';
import { contains, formatAddress, parsePrefix, type Prefix } from './prefix.js';
import type { Client, Connection, Gateway, Host, Network } from './model.js';
import { nodeId } from './model.js';
import { usesPolicySelectorsR15 } from './policy-based.js';
import type { LpmTable } from './lpm.js';
import type { Route, RouteTables } from './routing.js';
import type { Link, Underlay } from './underlay.js';
import { espTunnelBytes } from '../../protocols/esp/packet.js';

/** Why a packet was dropped. */
export type DropReason =
  | 'noRoute' | 'noReturnRoute' | 'tunnelDown' | 'ttlExpired' | 'trafficSelectorMismatch'
  | 'gatewayDown' | 'clientNotConnected' | 'loss' | 'deviceDown' | 'tunnelNegotiating';

/** Time of one hop inside a location (fabric, gateway NIC, site LAN), microseconds. */
export const INTERNAL_HOP_US = 100;
/** Initial TTL of a packet. */
export const INITIAL_TTL = 64;
/** Size of a probe packet (ICMP echo of 56 data bytes), bytes. */
export const PROBE_BYTES = 84;

/** How a packet ended. */
export type PacketOutcome =
  | { readonly status: 'delivered'; readonly at: string; readonly time: number }
  | { readonly status: 'dropped'; readonly reason: DropReason; readonly at: string; readonly time: number; readonly detail: string };

/** What a packet carries. */
export type PacketKind = 'request' | 'reply' | 'data';

/**
 * One packet in flight, then its outcome. The outcome lives in plain fields
 * (`status`, `at`, `time`, `reason`, `detail`) so ending a packet allocates
 * nothing; {@link Packet.outcome} builds the {@link PacketOutcome} object on
 * first read.
 */
export class Packet {
  /** Nodes visited so far (node ids), and the route each used (undefined where none). Explanations are built from these only when asked. */
  readonly trail: (string | Route)[] = [];
  /** Nodes visited (routers and endpoints), for the TTL and explanations. */
  hops = 0;
  ttl = INITIAL_TTL;
  /** How it ended; undefined while in flight. */
  status: 'delivered' | 'dropped' | undefined = undefined;
  /** Node where it ended (a node id such as `vnet:Hub`); empty while in flight. */
  at = '';
  /** Simulated time when it ended, seconds. */
  time = 0;
  /** Why it was dropped (dropped only). */
  reason: DropReason | undefined = undefined;
  /** What happened, in words (dropped only). */
  detail = '';
  /** Node the packet travels to: a P2S client's `Client`, else the engine's record of a node (internal to the engine). */
  to: unknown = undefined;
  /**
   * The outer header while the packet crosses a tunnel: the packet is
   * encapsulated in ESP between the two ends' public addresses at the tunnel's
   * entry and decapsulated at its far end.
   */
  outer: { readonly src: number; readonly dst: number; readonly connection: string; readonly bytes: number } | undefined = undefined;
  private built: PacketOutcome | undefined = undefined;

  constructor(
    readonly id: number,
    readonly src: number,
    readonly dst: number,
    readonly kind: PacketKind,
    /** Routes the source client uses for this packet only (the "added by hand" what-if). */
    readonly extraClientRoutes: readonly Prefix[],
    /** Runs once, when the packet is delivered or dropped. */
    readonly done: (p: Packet) => void,
    /** The sender's data (for example the probe this packet belongs to). */
    readonly owner: unknown,
  ) {}

  /**
   * How the packet ended, as an object (built on first read, then the same object).
   * @throws UsageError while the packet is still in flight.
   */
  get outcome(): PacketOutcome {
    if (this.built) return this.built;
    if (this.status === undefined) throw new UsageError(`packet ${this.id}: its outcome was read while it is still in flight. Read it once done has run`, 'usage');
    this.built = this.status === 'delivered'
      ? { status: 'delivered', at: this.at, time: this.time }
      : { status: 'dropped', reason: this.reason!, at: this.at, time: this.time, detail: this.detail };
    return this.built;
  }
}

/** What the engine asks of the tunnels. */
export interface TunnelHooks {
  /** True while the tunnel of `c` carries traffic. */
  isUp(c: Connection): boolean;
  /**
   * A data packet wants to cross `c` while it is down: policy-based tunnels
   * start negotiating (R14). Returns the drop reason to use.
   */
  onBlocked(c: Connection): DropReason;
  /** A data packet crossed `c` (restarts idle timers). */
  onTraffic(c: Connection): void;
}

/** Everything the engine reads. */
export interface ForwardingContext {
  readonly sim: Simulator;
  readonly net: Network;
  readonly underlay: Underlay;
  readonly trace: Trace;
  /** The route tables of the network now. */
  tables(): RouteTables;
  /** A P2S client's table now, with `extra` routes added for one packet. */
  clientTable(c: Client, extra: readonly Prefix[]): LpmTable<Route>;
  readonly tunnels: TunnelHooks;
  /** True when the gateway is provisioned and running. */
  gatewayUp(g: Gateway): boolean;
}

/**
 * Hop-by-hop delivery. Per hop: one kernel event (one handler per kind of
 * node shared by every packet, the packet as the event's argument), one
 * longest-prefix match, and reads of per-node facts cached on a node record
 * (location, route table) and of the next node cached on the route.
 *
 * P2S clients have no node record: the `Client` itself is the node, and its
 * route table sits in an array by {@link Client.index}. A run with 10,000
 * clients then touches one object per client, not two (the clients are
 * visited in random order, so each such object is a cache miss), and a reply
 * finds its client by address in blocks of 256 addresses. No string is built
 * unless the packet is dropped or an explanation is read; ending a packet
 * allocates nothing.
 */
export class PacketEngine {
  sent = 0;
  delivered = 0;
  readonly dropped = new Map<DropReason, number>();
  private nextId = 1;
  private readonly infos = new Map<string, NodeInfo>();
  private infoVersion = -1;
  /**
   * The connected clients by address, in blocks of 256: the block under
   * `addr >>> 8`, the client at `addr & 255`. Both keys are small integers,
   * so a lookup hashes no double and allocates nothing (a P2S pool address
   * such as 172.16.0.9 is above 2^30 and would not be one).
   */
  private readonly clientByAddr = new Map<number, (Client | undefined)[]>();
  /** Each client's route table without extra routes, by {@link Client.index}, valid for {@link clientTablesOf}. */
  private readonly clientTables: (LpmTable<Route> | undefined)[] = [];
  private clientTablesOf: RouteTables | undefined = undefined;
  /** The underlay link last used from a client: clients in one location sending to one gateway ask for the same one. */
  private readonly clientLink = new LastLink();
  /** The kernel handlers of every packet hop: the packet rides on the event as its argument, and `p.to` says where it arrives. */
  private readonly onArrival = (p: Packet): void => this.arrive(p.to as NodeInfo, p);
  private readonly onClientArrival = (p: Packet): void => this.arriveAtClient(p.to as Client, p);
  /** Each route's resolved next node: a side table, so the exported {@link Route} carries no delivery state. */
  private readonly nextOf = new WeakMap<Route, NodeInfo>();
  /** Parsed traffic selector prefixes of this engine's network, by CIDR (R15). */
  private readonly selectorCache = new Map<string, Prefix>();

  constructor(private readonly ctx: ForwardingContext) {}

  /** Packets dropped, all reasons. */
  get droppedTotal(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }

  /** A P2S client connected: its pool address now leads to it. O(1). */
  clientUp(c: Client): void {
    if (c.address === undefined) return;
    const a = c.address;
    let block = this.clientByAddr.get(a >>> 8);
    if (block === undefined) this.clientByAddr.set(a >>> 8, (block = new Array<Client | undefined>(256).fill(undefined)));
    block[a & 255] = c;
  }

  /** A P2S client left (call before its address is cleared). O(1). */
  clientDown(c: Client): void {
    if (c.address === undefined) return;
    const block = this.clientByAddr.get(c.address >>> 8);
    if (block !== undefined && block[c.address & 255] === c) block[c.address & 255] = undefined;
  }

  /**
   * Sends a packet from a node (`client:X`, `host:X`, `vnet:X`, `site:X`), or
   * from a P2S client given as its object. `done` runs once, when it is
   * delivered or dropped (read the outcome from the packet); `owner` is
   * handed back on the packet.
   */
  send(from: string | Client, src: number, dst: number, kind: PacketKind, done: (p: Packet) => void, extraClientRoutes: readonly Prefix[] = NO_ROUTES, owner: unknown = undefined): Packet {
    const p = new Packet(this.nextId++, src, dst, kind, extraClientRoutes, done, owner);
    this.sent++;
    this.start(p, typeof from === 'string' ? this.nodeOf(from) : from);
    return p;
  }

  /**
   * Sends a packet back from where `p` was delivered, from its destination to
   * its source (a reply). `done` and `owner` as for {@link send}.
   * @throws UsageError when `p` was not delivered.
   */
  sendBack(p: Packet, kind: PacketKind, done: (p: Packet) => void, owner: unknown = undefined): Packet {
    if (p.status !== 'delivered') throw new UsageError(`packet ${p.id}: only a delivered packet can be answered (it is ${p.status ?? 'in flight'})`, 'usage');
    const r = new Packet(this.nextId++, p.dst, p.src, kind, NO_ROUTES, done, owner);
    this.sent++;
    // The node it arrived at (a client, or a node record kept while the network is unchanged), else looked up by id.
    const to = p.to;
    const here = to instanceof NodeInfo ? (to.id === p.at && this.infoVersion === this.ctx.net.version ? to : this.nodeOf(p.at))
      : (to as Client).nodeId === p.at ? (to as Client) : this.nodeOf(p.at);
    this.start(r, here);
    return r;
  }

  /** A packet's first arrival, at the node it is sent from. */
  private start(p: Packet, at: NodeInfo | Client): void {
    p.to = at;
    if (at instanceof NodeInfo) this.arrive(at, p);
    else this.arriveAtClient(at, p);
  }

  /** A node id's client (`client:X`) or node record. */
  private nodeOf(node: string): NodeInfo | Client {
    if (node.charCodeAt(0) === 99 /* c */ && node.startsWith('client:')) return this.ctx.net.client(node.slice(7));
    return this.info(node);
  }

  /** What forwarding needs to know of a node id other than a client's, cached until the network changes. */
  private info(node: string): NodeInfo {
    const net = this.ctx.net;
    if (this.infoVersion !== net.version) {
      this.infos.clear();
      this.infoVersion = net.version;
    }
    let i = this.infos.get(node);
    if (i === undefined) {
      i = new NodeInfo(net, node);
      this.infos.set(node, i);
    }
    return i;
  }

  /** The route table of a gateway, VNet or site now (cached on the node while the tables object lives). */
  private tableOf(i: NodeInfo): LpmTable<Route> | undefined {
    const tables = this.ctx.tables();
    if (i.tables !== tables) {
      i.tables = tables;
      i.table = tables.get(i.id);
    }
    return i.table;
  }

  /**
   * A client's table now. Without extra routes it is kept by client index
   * while the route tables object lives: both are rebuilt on the same
   * changes (every change of routing inputs gives a new tables object).
   */
  private clientTableOf(c: Client, extra: readonly Prefix[]): LpmTable<Route> {
    if (extra.length > 0) return this.ctx.clientTable(c, extra);
    const tables = this.ctx.tables();
    const kept = this.clientTables;
    if (this.clientTablesOf !== tables) {
      kept.fill(undefined);
      this.clientTablesOf = tables;
    }
    // Grown one slot at a time, so the array stays dense.
    while (kept.length <= c.index) kept.push(undefined);
    return (kept[c.index] ??= this.ctx.clientTable(c, extra));
  }

  /** A packet at a P2S client: delivered when it owns the destination, else sent into its P2S tunnel by its own table. */
  private arriveAtClient(c: Client, p: Packet): void {
    const node = c.nodeId;
    if (p.outer !== undefined) p.outer = undefined;
    if (c.connected && c.address === p.dst) return this.deliver(p, node);
    visit(p, node);
    if (p.src !== c.address) return this.drop(p, node, 'noRoute', `client ${c.name} does not own ${formatAddress(p.src)}`);
    const route = this.clientTableOf(c, p.extraClientRoutes).lookup(p.dst);
    if (route === undefined) return this.drop(p, node, 'noRoute', `${display(node)}: no route to ${formatAddress(p.dst)}`);
    if (route.nextHopType !== 'P2STunnel') return this.dropUnrouted(p, node, route);
    if (!c.connected) return this.drop(p, node, 'clientNotConnected', `${display(node)}: P2S tunnel to ${c.gateway.name} is not connected`);
    annotate(p, route);
    const to = this.next(route);
    this.transmit(p, this.clientLink.get(this.ctx.underlay, c.location, to.location), to, this.onArrival, node);
  }

  private arrive(i: NodeInfo, p: Packet): void {
    const node = i.id;
    // Decapsulation at the tunnel's far end (the outer header was addressed to this node's public NIC).
    if (p.outer !== undefined) p.outer = undefined;
    switch (i.kind) {
      case 'host': {
        visit(p, node);
        return this.hop(p, (i.attachedTo ??= this.info(i.host!.vnet ? nodeId.vnet(i.host!.vnet.name) : nodeId.site(i.host!.site!.name))), INTERNAL_HOP_US);
      }
      case 'gw':
        if (!this.ctx.gatewayUp(i.gateway!)) return this.drop(p, node, 'gatewayDown', `gateway ${i.name} is not running`);
        break;
      case 'site': {
        // A failed VPN device still looks up for a while from Azure (until DPD notices): what it receives over a tunnel is lost.
        const last = p.trail[p.trail.length - 1];
        if (typeof last === 'object' && last.nextHopType === 'Tunnel' && !this.ctx.net.site(i.name).deviceUp) {
          return this.drop(p, node, 'deviceDown', `${i.name}: its VPN device is down`);
        }
        break;
      }
    }
    visit(p, node);
    if (p.hops > 1 && --p.ttl <= 0) return this.drop(p, node, 'ttlExpired', `TTL expired at ${display(node)}`);
    const table = this.tableOf(i);
    return this.forward(i, p, table === undefined ? undefined : table.lookup(p.dst));
  }

  private forward(i: NodeInfo, p: Packet, route: Route | undefined): void {
    const node = i.id;
    if (route === undefined) return this.drop(p, node, 'noRoute', `${display(node)}: no route to ${formatAddress(p.dst)}`);
    switch (route.nextHopType) {
      case 'VnetLocal':
        if (i.isGateway) { annotate(p, route); return this.hop(p, this.next(route), INTERNAL_HOP_US); }
        return this.deliver(p, node);
      case 'Local':
        return this.deliver(p, node);
      case 'VNetPeering': {
        annotate(p, route);
        const to = this.next(route);
        return this.hop(p, to, i.isGateway ? INTERNAL_HOP_US : this.latencyUs(i, to));
      }
      case 'VirtualNetworkGateway': {
        annotate(p, route);
        const to = this.next(route);
        return this.hop(p, to, this.latencyUs(i, to));
      }
      case 'P2SClient': {
        const to = this.clientAt(p.dst);
        if (to === undefined || to.gateway !== i.gateway) return this.drop(p, node, 'clientNotConnected', `${display(node)}: no P2S client connected at ${formatAddress(p.dst)}`);
        annotate(p, route);
        return this.transmit(p, i.lastLink.get(this.ctx.underlay, i.location, to.location), to, this.onClientArrival, node);
      }
      case 'Tunnel':
      case 'ExpressRoute': {
        const net = this.ctx.net;
        const c = net.connections.get(route.connection!)!;
        const what = route.nextHopType === 'Tunnel' ? 'tunnel' : 'ExpressRoute';
        annotate(p, route);
        if (i.kind === 'site' && route.nextHopType === 'Tunnel' && !net.site(i.name).deviceUp) {
          return this.drop(p, node, 'deviceDown', `${i.name}: its VPN device is down`);
        }
        if (!this.ctx.tunnels.isUp(c)) {
          const reason = this.ctx.tunnels.onBlocked(c);
          return this.drop(p, node, reason, `${display(node)}: ${what} ${c.name} is down`);
        }
        if (!selectorsMatch(net, c, node, p, this.selectorCache)) {
          return this.drop(p, node, 'trafficSelectorMismatch', `${display(node)}: ${formatAddress(p.src)} -> ${formatAddress(p.dst)} matches no traffic selector of ${c.name}`);
        }
        this.ctx.tunnels.onTraffic(c);
        if (route.nextHopType === 'Tunnel') this.encapsulate(p, i, c);
        return this.viaUnderlay(p, i, this.next(route));
      }
      default:
        // Internet, None, and a client's P2STunnel (only client tables hold it; arriveAtClient follows it).
        return this.dropUnrouted(p, node, route);
    }
  }

  /** A route that leads nowhere private (Internet, None), or that does not apply at this node: the packet is dropped, a reply with the missing return route explained. */
  private dropUnrouted(p: Packet, node: string, route: Route): void {
    const dst = formatAddress(p.dst);
    const why = route.nextHopType === 'None' ? route.note
      : route.nextHopType === 'Internet' ? `only the default route to the internet matches ${dst}`
        : `route ${route.prefix.cidr} (${route.nextHopType}) does not apply here`;
    if (p.kind === 'reply') return this.drop(p, node, 'noReturnRoute', `${display(node)}: no route back to ${dst} (${why}${poolHint(this.ctx.net, node, p.dst)})`);
    return this.drop(p, node, 'noRoute', `${display(node)}: no route to ${dst} (${why})`);
  }

  /** The connected P2S client holding a pool address: kept up to date by {@link clientUp} and {@link clientDown}, O(1). */
  private clientAt(addr: number): Client | undefined {
    const block = this.clientByAddr.get(addr >>> 8);
    return block === undefined ? undefined : block[addr & 255];
  }

  /** The node a route leads to (remembered per route, which lives no longer than the network version it was built for). */
  private next(route: Route): NodeInfo {
    let i = this.nextOf.get(route);
    if (i === undefined) this.nextOf.set(route, (i = this.info(route.nextNode!)));
    return i;
  }

  /** ESP tunnel mode: the packet gets an outer header between the tunnel's public endpoints. */
  private encapsulate(p: Packet, at: NodeInfo, c: Connection): void {
    const net = this.ctx.net;
    const fromGateway = at.kind === 'gw';
    const here = fromGateway ? net.gateway(at.name).publicIp : net.site(at.name).publicIp;
    const there = fromGateway ? (c.peerGateway ? c.peerGateway.publicIp : c.site!.publicIp) : c.gateway.publicIp;
    p.outer = { src: here, dst: there, connection: c.name, bytes: espTunnelBytes(PROBE_BYTES, { cipher: c.def.ipsecCipher }) };
  }

  /** Over the underlay from a node record to a node record. */
  private viaUnderlay(p: Packet, from: NodeInfo, to: NodeInfo): void {
    this.transmit(p, from.lastLink.get(this.ctx.underlay, from.location, to.location), to, this.onArrival, from.id);
  }

  /** Puts the packet on an underlay link toward `to` (a node record or a client, with the matching handler); a loss drops it at `fromId`. */
  private transmit(p: Packet, link: Link, to: NodeInfo | Client, arrival: (p: Packet) => void, fromId: string): void {
    p.to = to;
    const ok = link.transmit(p.outer ? p.outer.bytes : PROBE_BYTES, arrival, 'packet', p);
    if (!ok) this.drop(p, fromId, 'loss', `lost on the underlay between ${display(fromId)} and ${display(to instanceof NodeInfo ? to.id : to.nodeId)}`);
  }

  private latencyUs(a: NodeInfo, b: NodeInfo): number {
    const la = a.location, lb = b.location;
    if (la === lb) return INTERNAL_HOP_US;
    return Math.round(this.ctx.underlay.figures(la, lb).latencyMs * 1000);
  }

  /** Schedules the packet's arrival at `to` after `delayUs`: one shared handler, the packet as the event's argument. */
  private hop(p: Packet, to: NodeInfo, delayUs: number): void {
    p.to = to;
    const sim = this.ctx.sim;
    sim.scheduleAtUs(sim.nowUs + delayUs, this.onArrival, 'packet', p);
  }

  private deliver(p: Packet, node: string): void {
    this.delivered++;
    if (p.trail[p.trail.length - 1] !== node) visit(p, node);
    p.status = 'delivered';
    p.at = node;
    p.time = this.ctx.sim.now;
    p.done(p);
  }

  private drop(p: Packet, node: string, reason: DropReason, detail: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    this.ctx.trace.emit({ t: this.ctx.sim.now, type: 'packet.drop', reason, node, src: formatAddress(p.src), dst: formatAddress(p.dst) });
    p.status = 'dropped';
    p.reason = reason;
    p.at = node;
    p.time = this.ctx.sim.now;
    p.detail = detail;
    p.done(p);
  }
}

/** No extra client routes (shared, never written). */
const NO_ROUTES: readonly Prefix[] = [];

/** The underlay link last asked for between two locations, kept for the next ask (links live as long as the underlay; `setPath` changes them in place). */
class LastLink {
  private link: Link | undefined = undefined;
  private from = '';
  private to = '';

  /** The link from `from` to `to`: the kept one when the locations are the same as last time. */
  get(underlay: Underlay, from: string, to: string): Link {
    if (this.link === undefined || this.to !== to || this.from !== from) {
      this.link = underlay.link(from, to);
      this.from = from;
      this.to = to;
    }
    return this.link;
  }
}

/** What forwarding needs to know of a node other than a P2S client (a client is its own record), resolved once per network version. */
class NodeInfo {
  readonly kind: 'host' | 'gw' | 'vnet' | 'site';
  readonly name: string;
  readonly location: string;
  readonly host: Host | undefined;
  /** The gateway, when the node is one. */
  readonly gateway: Gateway | undefined;
  readonly isGateway: boolean;
  /** The VNet or site node a host hangs off (resolved on first use). */
  attachedTo: NodeInfo | undefined = undefined;
  /** The route tables object {@link table} was read from. */
  tables: RouteTables | undefined = undefined;
  /** The underlay link last used from this node: a gateway answering many clients in one location asks for the same one. */
  readonly lastLink = new LastLink();
  table: LpmTable<Route> | undefined = undefined;

  /** @param id a node id other than a client's (`gw:X`, `host:X`, `vnet:X`, `site:X`). */
  constructor(net: Network, readonly id: string) {
    // One lookup of the named object; kinds told apart by their first letter.
    const colon = id.indexOf(':');
    const name = id.slice(colon + 1);
    this.name = name;
    this.host = undefined;
    this.gateway = undefined;
    this.isGateway = false;
    switch (id.charCodeAt(0)) {
      case 103: // gw
        this.kind = 'gw';
        this.isGateway = true;
        this.gateway = net.gateway(name);
        this.location = this.gateway.vnet.location;
        break;
      case 104: { // host
        const h = net.host(name);
        this.kind = 'host';
        this.host = h;
        this.location = h.vnet ? h.vnet.location : h.site!.location;
        break;
      }
      default:
        this.kind = id.slice(0, colon) as 'vnet' | 'site';
        this.location = locationOf(net, id);
    }
  }
}

/** The trail holds node ids, each followed by the route it used, if any. */
function visit(p: Packet, node: string): void {
  p.trail.push(node);
  p.hops++;
}

function annotate(p: Packet, route: Route): void {
  p.trail.push(route);
}

/** What a route did with a packet, in words. */
function describe(r: Route, next: string | undefined): string {
  switch (r.nextHopType) {
    case 'VnetLocal': return `to ${display(r.nextNode!)}`;
    case 'VNetPeering': return 'via peering';
    case 'VirtualNetworkGateway': return `via gateway ${display(r.nextNode!)}`;
    case 'P2SClient': return `to P2S ${next ? display(next) : 'client'}`;
    case 'P2STunnel': return `via P2S tunnel to ${display(r.nextNode!)}`;
    case 'Tunnel': return `via tunnel ${r.connection}`;
    case 'ExpressRoute': return `via ExpressRoute ${r.connection}`;
    default: return r.nextHopType;
  }
}

/** The hops of a packet as a chain: `client laptop (route 10.2.0.0/16 via P2S tunnel to VNet1GW) -> VNet1GW -> ...`. */
export function hopChain(p: Packet): string {
  const parts: string[] = [];
  const t = p.trail;
  for (let i = 0; i < t.length; i++) {
    const n = t[i] as string;
    const r = typeof t[i + 1] === 'object' ? (t[i + 1] as Route) : undefined;
    if (r) i++;
    const next = t[i + 1] as string | undefined;
    parts.push(r ? `${display(n)} (route ${r.prefix.cidr} ${describe(r, next)})` : display(n));
  }
  return parts.join(' -> ');
}

/** Human name of a node id: `client laptop`, `VNet1GW`, `VNet2`, `Site1`. */
export function display(node: string): string {
  const i = node.indexOf(':');
  const kind = node.slice(0, i), name = node.slice(i + 1);
  return kind === 'client' ? `client ${name}` : kind === 'host' ? `host ${name}` : name;
}

/** The underlay location of a node. */
export function locationOf(net: Network, node: string): string {
  const i = node.indexOf(':');
  const kind = node.slice(0, i), name = node.slice(i + 1);
  switch (kind) {
    case 'vnet': return net.vnet(name).location;
    case 'gw': return net.gateway(name).vnet.location;
    case 'site': return net.site(name).location;
    case 'client': return net.client(name).location;
    default: {
      const h = net.host(name);
      return h.vnet ? h.vnet.location : h.site!.location;
    }
  }
}

/**
 * Policy-based traffic selectors (R15): on a policy-based gateway, or a
 * connection with `usePolicyBasedTrafficSelectors`, a packet enters the
 * tunnel only when (source, destination) matches a pair of prefixes. Default
 * pairs: the VNet's prefixes with the site's (or peer VNet's) prefixes.
 * Route-based tunnels are any-to-any.
 * @param cache parsed prefixes by CIDR, one per engine (a fresh map parses every time).
 */
export function selectorsMatch(net: Network, c: Connection, node: string, p: Packet, cache: Map<string, Prefix> = new Map()): boolean {
  if (!usesPolicySelectorsR15(c)) return true;
  const onGateway = node === `gw:${c.gateway.name}`;
  const pairs = c.def.trafficSelectorPolicies?.length
    ? c.def.trafficSelectorPolicies.map((t) => ({ local: t.localAddressRanges, remote: t.remoteAddressRanges }))
    : [{ local: c.gateway.vnet.prefixes.map((x) => x.cidr), remote: (c.site?.prefixes ?? c.peerGateway?.vnet.prefixes ?? []).map((x) => x.cidr) }];
  const within = (cidrs: string[], addr: number) => cidrs.some((cidr) => inCidr(cache, cidr, addr));
  return pairs.some(({ local, remote }) => (onGateway ? within(local, p.src) && within(remote, p.dst) : within(remote, p.src) && within(local, p.dst)));
}

function inCidr(cache: Map<string, Prefix>, cidr: string, addr: number): boolean {
  let p = cache.get(cidr);
  if (!p) cache.set(cidr, (p = parsePrefix(cidr)));
  return contains(p, addr);
}

/** Explains a missing return route toward a P2S pool, when the destination is one. */
function poolHint(net: Network, node: string, addr: number): string {
  for (const g of net.gateways.values()) {
    const pool = g.pools.find((p) => contains(p, addr));
    if (!pool) continue;
    const i = node.indexOf(':');
    const kind = node.slice(0, i), name = node.slice(i + 1);
    if (kind === 'site') {
      const s = net.site(name);
      const direct = net.connectionsToSite(s).find((c) => c.gateway === g);
      return direct ? `; P2S pool ${pool.cidr} not in the device routes of ${s.name} and not learned by BGP` : `; P2S pool ${pool.cidr} of ${g.name} not known at ${s.name}`;
    }
    const vnet = kind === 'vnet' ? net.vnet(name) : kind === 'gw' ? net.gateway(name).vnet : undefined;
    const own = vnet ? net.effectiveGatewayOf(vnet) : undefined;
    const direct = own ? net.connectionsOf(own).find((c) => c.peerGateway === g) : undefined;
    if (direct) return `; P2S pool ${pool.cidr} not in connection ${direct.name}`;
    return `; P2S pool ${pool.cidr} of ${g.name} not known here`;
  }
  return '';
}
