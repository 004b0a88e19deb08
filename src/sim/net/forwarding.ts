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
import type { Trace } from '../trace.js';
import { contains, formatAddress, type Prefix } from './prefix.js';
import type { Client, Connection, Host, Network } from './model.js';
import { nodeId } from './model.js';
import type { LpmTable } from './lpm.js';
import type { Route, RouteTables } from './routing.js';
import type { Underlay } from './underlay.js';

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

export interface Packet {
  readonly id: number;
  readonly src: number;
  readonly dst: number;
  ttl: number;
  readonly kind: 'request' | 'reply' | 'data';
  /** Nodes visited so far (node ids), and the route each used (undefined where none). Explanations are built from these only when asked. */
  readonly trail: (string | Route)[];
  /** Nodes visited (routers and endpoints), for the TTL and explanations. */
  hops: number;
  /** Routes the source client uses for this packet only (the "added by hand" what-if). */
  readonly extraClientRoutes: readonly Prefix[];
  readonly done: (p: Packet, outcome: PacketOutcome) => void;
}

/** What the engine asks of the tunnels. */
export interface TunnelHooks {
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
  tables(): RouteTables;
  clientTable(c: Client, extra: readonly Prefix[]): LpmTable<Route>;
  readonly tunnels: TunnelHooks;
  gatewayUp(name: string): boolean;
}

export class PacketEngine {
  sent = 0;
  delivered = 0;
  readonly dropped = new Map<DropReason, number>();
  private nextId = 1;
  private readonly infos = new Map<string, NodeInfo>();
  private infoVersion = -1;
  private clientByAddr = new Map<number, Client>();
  private clientIndexVersion = -1;

  constructor(private readonly ctx: ForwardingContext) {}

  /** Packets dropped, all reasons. */
  get droppedTotal(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }

  /** Marks the client address index stale (a client connected or left). */
  clientsChanged(): void {
    this.clientIndexVersion = -1;
  }

  /**
   * Sends a packet from a node (`client:X`, `host:X`, `vnet:X`, `site:X`).
   * `done` runs once, when it is delivered or dropped.
   */
  send(from: string, src: number, dst: number, kind: Packet['kind'], done: Packet['done'], extraClientRoutes: readonly Prefix[] = []): Packet {
    const p: Packet = { id: this.nextId++, src, dst, ttl: INITIAL_TTL, kind, trail: [], hops: 0, extraClientRoutes, done };
    this.sent++;
    this.arrive(this.info(from), p);
    return p;
  }

  /** What forwarding needs to know of a node id, cached until the network changes. */
  private info(node: string): NodeInfo {
    const net = this.ctx.net;
    if (this.infoVersion !== net.version) {
      this.infos.clear();
      this.infoVersion = net.version;
    }
    let i = this.infos.get(node);
    if (!i) {
      const colon = node.indexOf(':');
      const kind = node.slice(0, colon) as NodeInfo['kind'];
      const name = node.slice(colon + 1);
      i = { id: node, kind, name, location: locationOf(net, node), client: kind === 'client' ? net.client(name) : undefined, host: kind === 'host' ? net.host(name) : undefined };
      this.infos.set(node, i);
    }
    return i;
  }

  private arrive(i: NodeInfo, p: Packet): void {
    const node = i.id;
    if (i.kind === 'client') {
      const c = i.client!;
      if (c.connected && c.address === p.dst) return this.deliver(p, node);
      visit(p, node);
      if (p.src !== c.address) return this.drop(p, node, 'noRoute', `client ${i.name} does not own ${formatAddress(p.src)}`);
      const route = this.ctx.clientTable(c, p.extraClientRoutes).lookup(p.dst);
      return this.forward(node, p, route);
    }
    if (i.kind === 'host') {
      const h = i.host!;
      visit(p, node);
      return this.hop(p, this.info(h.vnet ? nodeId.vnet(h.vnet.name) : nodeId.site(h.site!.name)), INTERNAL_HOP_US);
    }
    if (i.kind === 'gw' && !this.ctx.gatewayUp(i.name)) return this.drop(p, node, 'gatewayDown', `gateway ${i.name} is not running`);
    visit(p, node);
    if (p.hops > 1 && --p.ttl <= 0) return this.drop(p, node, 'ttlExpired', `TTL expired at ${display(node)}`);
    const table = this.ctx.tables().get(node);
    return this.forward(node, p, table?.lookup(p.dst));
  }

  private forward(node: string, p: Packet, route: Route | undefined): void {
    const net = this.ctx.net;
    if (!route) return this.drop(p, node, 'noRoute', `${display(node)}: no route to ${formatAddress(p.dst)}`);
    switch (route.nextHopType) {
      case 'VnetLocal':
        if (node.charCodeAt(0) === 103 /* g */) { annotate(p, route); return this.hop(p, this.next(route), INTERNAL_HOP_US); }
        return this.deliver(p, node);
      case 'Local':
        return this.deliver(p, node);
      case 'VNetPeering':
        annotate(p, route);
        return this.hop(p, this.next(route), node.charCodeAt(0) === 103 ? INTERNAL_HOP_US : this.latencyUs(node, route.nextNode!));
      case 'VirtualNetworkGateway':
        annotate(p, route);
        return this.hop(p, this.next(route), this.latencyUs(node, route.nextNode!));
      case 'P2SClient': {
        const c = this.clientAt(p.dst);
        if (!c || c.gateway.name !== node.slice(3)) return this.drop(p, node, 'clientNotConnected', `${display(node)}: no P2S client connected at ${formatAddress(p.dst)}`);
        annotate(p, route);
        return this.viaUnderlay(p, node, this.info(c.nodeId));
      }
      case 'P2STunnel': {
        const c = this.info(node).client!;
        if (!c.connected) return this.drop(p, node, 'clientNotConnected', `${display(node)}: P2S tunnel to ${c.gateway.name} is not connected`);
        annotate(p, route);
        return this.viaUnderlay(p, node, this.next(route));
      }
      case 'Tunnel':
      case 'ExpressRoute': {
        const c = net.connections.get(route.connection!)!;
        const what = route.nextHopType === 'Tunnel' ? 'tunnel' : 'ExpressRoute';
        annotate(p, route);
        if (!this.ctx.tunnels.isUp(c)) {
          const reason = this.ctx.tunnels.onBlocked(c);
          return this.drop(p, node, reason, `${display(node)}: ${what} ${c.name} is down`);
        }
        if (!selectorsMatch(net, c, node, p)) {
          return this.drop(p, node, 'trafficSelectorMismatch', `${display(node)}: ${formatAddress(p.src)} -> ${formatAddress(p.dst)} matches no traffic selector of ${c.name}`);
        }
        this.ctx.tunnels.onTraffic(c);
        return this.viaUnderlay(p, node, this.next(route));
      }
      case 'Internet':
      case 'None': {
        const dst = formatAddress(p.dst);
        const why = route.nextHopType === 'None' ? route.note : `only the default route to the internet matches ${dst}`;
        if (p.kind === 'reply') return this.drop(p, node, 'noReturnRoute', `${display(node)}: no route back to ${dst} (${why}${poolHint(net, node, p.dst)})`);
        return this.drop(p, node, 'noRoute', `${display(node)}: no route to ${dst} (${why})`);
      }
    }
  }

  private clientAt(addr: number): Client | undefined {
    if (this.clientIndexVersion !== this.ctx.net.version) {
      this.clientByAddr = new Map();
      for (const c of this.ctx.net.clients.values()) if (c.connected && c.address !== undefined) this.clientByAddr.set(c.address, c);
      this.clientIndexVersion = this.ctx.net.version;
    }
    return this.clientByAddr.get(addr);
  }

  /** The node a route leads to (cached on the route, which lives no longer than the network version it was built for). */
  private next(route: Route): NodeInfo {
    return (route.nextInfo ??= this.info(route.nextNode!)) as NodeInfo;
  }

  private viaUnderlay(p: Packet, from: string, to: NodeInfo): void {
    const link = this.ctx.underlay.link(this.info(from).location, to.location);
    const ok = link.transmit(PROBE_BYTES, () => this.arrive(to, p), 'packet');
    if (!ok) this.drop(p, from, 'loss', `lost on the underlay between ${display(from)} and ${display(to.id)}`);
  }

  private latencyUs(a: string, b: string): number {
    const la = this.info(a).location, lb = this.info(b).location;
    if (la === lb) return INTERNAL_HOP_US;
    return Math.round(this.ctx.underlay.figures(la, lb).latencyMs * 1000);
  }

  private hop(p: Packet, to: NodeInfo, delayUs: number): void {
    this.ctx.sim.scheduleAtUs(this.ctx.sim.nowUs + delayUs, () => this.arrive(to, p), 'packet');
  }

  private deliver(p: Packet, node: string): void {
    this.delivered++;
    if (p.trail[p.trail.length - 1] !== node) visit(p, node);
    p.done(p, { status: 'delivered', at: node, time: this.ctx.sim.now });
  }

  private drop(p: Packet, node: string, reason: DropReason, detail: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    this.ctx.trace.emit({ t: this.ctx.sim.now, type: 'packet.drop', reason, node, src: formatAddress(p.src), dst: formatAddress(p.dst) });
    p.done(p, { status: 'dropped', reason, at: node, time: this.ctx.sim.now, detail });
  }
}

interface NodeInfo {
  readonly id: string;
  readonly kind: 'client' | 'host' | 'gw' | 'vnet' | 'site';
  readonly name: string;
  readonly location: string;
  readonly client: Client | undefined;
  readonly host: Host | undefined;
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
    case 'client': return net.client(name).def.location ?? 'internet';
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
 */
export function selectorsMatch(net: Network, c: Connection, node: string, p: Packet): boolean {
  const policy = c.gateway.def.vpnType === 'PolicyBased' || c.def.usePolicyBasedTrafficSelectors === true;
  if (!policy || c.type === 'ExpressRoute') return true;
  const onGateway = node === `gw:${c.gateway.name}`;
  const pairs = c.def.trafficSelectorPolicies?.length
    ? c.def.trafficSelectorPolicies.map((t) => ({ local: t.localAddressRanges, remote: t.remoteAddressRanges }))
    : [{ local: c.gateway.vnet.prefixes.map((x) => x.cidr), remote: (c.site?.prefixes ?? c.peerGateway?.vnet.prefixes ?? []).map((x) => x.cidr) }];
  const within = (cidrs: string[], addr: number) => cidrs.some((cidr) => inCidr(cidr, addr));
  return pairs.some(({ local, remote }) => (onGateway ? within(local, p.src) && within(remote, p.dst) : within(remote, p.src) && within(local, p.dst)));
}

function inCidr(cidr: string, addr: number): boolean {
  const [a, l] = cidr.split('/') as [string, string];
  const parts = a.split('.').map(Number);
  const base = (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
  return contains({ base, length: +l, cidr }, addr);
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
