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
import type { Client, Connection, Network } from './model.js';
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
  /** Hops so far, as explanation fragments. */
  readonly hops: string[];
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
    const p: Packet = { id: this.nextId++, src, dst, ttl: INITIAL_TTL, kind, hops: [], extraClientRoutes, done };
    this.sent++;
    this.arrive(from, p);
    return p;
  }

  private arrive(node: string, p: Packet): void {
    const { net } = this.ctx;
    const colon = node.indexOf(':');
    const kind = node.slice(0, colon);
    const name = node.slice(colon + 1);
    if (kind === 'client') {
      const c = net.clients.get(name);
      if (!c) return this.drop(p, node, 'noRoute', `client ${name} no longer exists`);
      if (c.connected && c.address === p.dst) return this.deliver(p, node);
      p.hops.push(`client ${name}`);
      if (p.src !== c.address) return this.drop(p, node, 'noRoute', `client ${name} does not own ${formatAddress(p.src)}`);
      const route = this.ctx.clientTable(c, p.extraClientRoutes).lookup(p.dst);
      return this.forward(node, p, route);
    }
    if (kind === 'host') {
      const h = net.hosts.get(name)!;
      p.hops.push(`host ${name}`);
      return this.hop(p, h.vnet ? `vnet:${h.vnet.name}` : `site:${h.site!.name}`, INTERNAL_HOP_US);
    }
    if (kind === 'gw' && !this.ctx.gatewayUp(name)) return this.drop(p, node, 'gatewayDown', `gateway ${name} is not running`);
    p.hops.push(display(node));
    if (p.hops.length > 1 && --p.ttl <= 0) return this.drop(p, node, 'ttlExpired', `TTL expired at ${display(node)}`);
    const table = this.ctx.tables().get(node);
    return this.forward(node, p, table?.lookup(p.dst));
  }

  private forward(node: string, p: Packet, route: Route | undefined): void {
    const { net, underlay } = this.ctx;
    const here = display(node);
    const dst = formatAddress(p.dst);
    if (!route) return this.drop(p, node, 'noRoute', `${here}: no route to ${dst}`);
    const annotate = (what: string) => {
      p.hops[p.hops.length - 1] = `${p.hops[p.hops.length - 1]} (route ${route.prefix.cidr} ${what})`;
    };
    switch (route.nextHopType) {
      case 'VnetLocal':
        if (node.startsWith('gw:')) { annotate(`to ${route.nextNode!.slice(5)}`); return this.hop(p, route.nextNode!, INTERNAL_HOP_US); }
        return this.deliver(p, node);
      case 'Local':
        return this.deliver(p, node);
      case 'VNetPeering': {
        annotate(`via peering`);
        return this.hop(p, route.nextNode!, node.startsWith('gw:') ? INTERNAL_HOP_US : this.latencyUs(node, route.nextNode!));
      }
      case 'VirtualNetworkGateway':
        annotate(`via gateway ${route.nextNode!.slice(3)}`);
        return this.hop(p, route.nextNode!, this.latencyUs(node, route.nextNode!));
      case 'P2SClient': {
        const c = this.clientAt(p.dst);
        if (!c || c.gateway.name !== node.slice(3)) return this.drop(p, node, 'clientNotConnected', `${here}: no P2S client connected at ${dst}`);
        annotate(`to P2S client ${c.name}`);
        return this.viaUnderlay(p, node, `client:${c.name}`);
      }
      case 'P2STunnel': {
        const c = net.clients.get(node.slice(7))!;
        if (!c.connected) return this.drop(p, node, 'clientNotConnected', `${here}: P2S tunnel to ${c.gateway.name} is not connected`);
        annotate(`via P2S tunnel to ${c.gateway.name}`);
        return this.viaUnderlay(p, node, route.nextNode!);
      }
      case 'Tunnel':
      case 'ExpressRoute': {
        const c = net.connections.get(route.connection!)!;
        const what = route.nextHopType === 'Tunnel' ? 'tunnel' : 'ExpressRoute';
        if (!this.ctx.tunnels.isUp(c)) {
          const reason = this.ctx.tunnels.onBlocked(c);
          annotate(`via ${what} ${c.name}`);
          return this.drop(p, node, reason, `${here}: ${what} ${c.name} is down`);
        }
        if (!selectorsMatch(net, c, node, p)) {
          return this.drop(p, node, 'trafficSelectorMismatch', `${here}: ${formatAddress(p.src)} -> ${dst} matches no traffic selector of ${c.name}`);
        }
        this.ctx.tunnels.onTraffic(c);
        annotate(`via ${what} ${c.name}`);
        return this.viaUnderlay(p, node, route.nextNode!);
      }
      case 'Internet':
      case 'None': {
        const why = route.nextHopType === 'None' ? route.note : `only the default route to the internet matches ${dst}`;
        if (p.kind === 'reply') return this.drop(p, node, 'noReturnRoute', `${here}: no route back to ${dst} (${why}${poolHint(net, node, p.dst)})`);
        return this.drop(p, node, 'noRoute', `${here}: no route to ${dst} (${why})`);
      }
    }
    void underlay;
  }

  private clientAt(addr: number): Client | undefined {
    if (this.clientIndexVersion !== this.ctx.net.version) {
      this.clientByAddr = new Map();
      for (const c of this.ctx.net.clients.values()) if (c.connected && c.address !== undefined) this.clientByAddr.set(c.address, c);
      this.clientIndexVersion = this.ctx.net.version;
    }
    return this.clientByAddr.get(addr);
  }

  private viaUnderlay(p: Packet, from: string, to: string): void {
    const link = this.ctx.underlay.link(locationOf(this.ctx.net, from), locationOf(this.ctx.net, to));
    const ok = link.transmit(PROBE_BYTES, () => this.arrive(to, p), 'packet');
    if (!ok) this.drop(p, from, 'loss', `lost on the underlay between ${display(from)} and ${display(to)}`);
  }

  private latencyUs(a: string, b: string): number {
    const la = locationOf(this.ctx.net, a), lb = locationOf(this.ctx.net, b);
    if (la === lb) return INTERNAL_HOP_US;
    return Math.round(this.ctx.underlay.figures(la, lb).latencyMs * 1000);
  }

  private hop(p: Packet, to: string, delayUs: number): void {
    this.ctx.sim.scheduleAtUs(this.ctx.sim.nowUs + delayUs, () => this.arrive(to, p), 'packet');
  }

  private deliver(p: Packet, node: string): void {
    this.delivered++;
    if (p.hops[p.hops.length - 1] !== display(node)) p.hops.push(display(node));
    p.done(p, { status: 'delivered', at: node, time: this.ctx.sim.now });
  }

  private drop(p: Packet, node: string, reason: DropReason, detail: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    this.ctx.trace.emit({ t: this.ctx.sim.now, type: 'packet.drop', reason, node, src: formatAddress(p.src), dst: formatAddress(p.dst) });
    p.done(p, { status: 'dropped', reason, at: node, time: this.ctx.sim.now, detail });
  }
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
