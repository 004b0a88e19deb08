/**
 * Route tables of every forwarding node, computed from the network, the
 * state of its tunnels and what BGP learned. Pure: the same inputs give the
 * same tables. Shapes follow Azure's effective routes (`nextHopType`,
 * `nextHopIpAddress`, `source`).
 *
 * Node tables:
 * - VNet fabric: own space (VnetLocal), connected peerings (VNetPeering), the
 *   outward routes of the gateway it uses, own or remote through gateway
 *   transit (VirtualNetworkGateway), the internet default and Azure's `None`
 *   routes for private ranges.
 * - Gateway: its VNet and its transit spokes (toward the fabric), its P2S
 *   pools (to connected clients), each connection's prefixes (into the
 *   tunnel), BGP-learned routes, and a forced-tunnel default (R11).
 * - Site: its own prefixes, the device's routes toward Azure, BGP-learned
 *   routes, the internet default.
 * - Client: the routes of R21 plus those added by hand, into its P2S tunnel.
 */
import { LpmTable } from './lpm.js';
import { comparePrefixes, formatAddress, parsePrefix, sortCidrs, type Prefix } from './prefix.js';
import { connectionPrefixes, speakerOf, type BgpRibs } from './bgp-routes.js';
import type { Client, Connection, Gateway, Network, Site, Vnet } from './model.js';
import { nodeId } from './model.js';

/** Where a route sends a packet, in Azure's terms plus the tunnel and P2S hops of the model. */
export type NextHopType =
  | 'VnetLocal' | 'VNetPeering' | 'VirtualNetworkGateway' | 'Internet' | 'None'
  | 'Tunnel' | 'ExpressRoute' | 'P2SClient' | 'P2STunnel' | 'Local';

/** Why a route is in a table (system default, peering, gateway, static connection prefix, BGP, package, ...). */
export type RouteSource = 'Default' | 'VNet' | 'Peering' | 'VirtualNetworkGateway' | 'Static' | 'BGP' | 'P2S' | 'Package' | 'Gateway' | 'Manual' | 'DeviceRoute' | 'ForcedTunnel';

/** One route of a node's table. */
export interface Route {
  readonly prefix: Prefix;
  readonly nextHopType: NextHopType;
  /** Graph node the packet goes to next (absent for Local/None/Internet/P2SClient). */
  readonly nextNode?: string;
  readonly nextHopIpAddress?: number;
  /** Connection carrying the packet (Tunnel, ExpressRoute), as named on this side. */
  readonly connection?: string;
  readonly source: RouteSource;
  /** Why the route exists, for explanations ("static prefix of connection VNet1toVNet2"). */
  readonly note: string;
}

/** Tunnel state as routing needs it. */
export interface TunnelView {
  /** True when the connection's tunnel (or circuit) carries traffic now. */
  isUp(c: Connection): boolean;
}

/** Everything routing reads, besides the network. */
export interface RoutingInputs {
  readonly tunnels: TunnelView;
  readonly bgp: BgpRibs;
}

const PRIVATE_NONE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => parsePrefix(c));
const DEFAULT = parsePrefix('0.0.0.0/0');

/** Order of preference among routes for the same prefix: lower first. */
const SOURCE_RANK: Record<RouteSource, number> = {
  VNet: 0, Gateway: 0, P2S: 0, Manual: 1, Package: 1, Peering: 2, DeviceRoute: 4, Static: 4, BGP: 5,
  VirtualNetworkGateway: 6, ForcedTunnel: 7, Default: 9,
};

function rank(r: Route): number {
  // R12: ExpressRoute is preferred over S2S for equal prefixes.
  return r.nextHopType === 'ExpressRoute' ? 3 : SOURCE_RANK[r.source];
}

/** The tables of every node, by node id. */
export class RouteTables {
  readonly tables = new Map<string, LpmTable<Route>>();
  constructor(readonly net: Network, private readonly inputs: RoutingInputs) {
    const byGateway = new Map<Gateway, Route[]>();
    const routesOf = (g: Gateway): Route[] => {
      let r = byGateway.get(g);
      if (!r) byGateway.set(g, (r = gatewayRoutes(net, g, inputs)));
      return r;
    };
    for (const g of net.gateways.values()) this.tables.set(nodeId.gateway(g.name), this.table(routesOf(g)));
    for (const v of net.vnets.values()) this.tables.set(nodeId.vnet(v.name), this.table(vnetRoutes(net, v, inputs, routesOf)));
    for (const s of net.sites.values()) this.tables.set(nodeId.site(s.name), this.table(siteRoutes(net, s, inputs)));
  }

  /** The table of a node (clients are computed on demand: see {@link clientTable}). */
  get(node: string): LpmTable<Route> | undefined {
    return this.tables.get(node);
  }

  /** The BGP RIBs these tables were built from. */
  get bgp(): BgpRibs {
    return this.inputs.bgp;
  }

  private table(routes: Route[]): LpmTable<Route> {
    const t = new LpmTable<Route>();
    for (const r of [...routes].sort((a, b) => comparePrefixes(a.prefix, b.prefix) || rank(a) - rank(b))) t.add(r);
    return t;
  }
}

/** True when the gateway exists and has finished provisioning at `now` (R3). */
export function gatewayReady(g: Gateway, now: number): boolean {
  return g.provisionedAt <= now;
}

/** Routes of a gateway. */
export function gatewayRoutes(net: Network, g: Gateway, inputs: RoutingInputs): Route[] {
  const out: Route[] = [];
  const fabric = nodeId.vnet(g.vnet.name);
  for (const p of g.vnet.prefixes) out.push({ prefix: p, nextHopType: 'VnetLocal', nextNode: fabric, source: 'VNet', note: `address space of ${g.vnet.name}` });
  for (const v of net.transitSpokes(g)) {
    for (const p of v.prefixes) out.push({ prefix: p, nextHopType: 'VNetPeering', nextNode: fabric, source: 'Peering', note: `${v.name} uses ${g.name} as remote gateway` });
  }
  for (const p of g.pools) out.push({ prefix: p, nextHopType: 'P2SClient', source: 'P2S', note: `P2S pool of ${g.name}` });
  for (const c of net.connectionsOf(g)) {
    const er = c.type === 'ExpressRoute';
    if (er && !inputs.tunnels.isUp(c)) continue; // circuit routes are withdrawn while it is down (R12)
    const to = c.peerGateway ? nodeId.gateway(c.peerGateway.name) : nodeId.site(c.site!.name);
    for (const p of connectionPrefixes(c)) {
      out.push({ prefix: p, nextHopType: er ? 'ExpressRoute' : 'Tunnel', nextNode: to, connection: c.name, source: 'Static', note: `${c.type === 'Vnet2Vnet' && c.extraPrefixes.includes(p) ? 'static transit prefix' : 'prefix'} of connection ${c.name}` });
    }
    if (c.site && g.def.gatewayDefaultSite === c.site.name && !er) {
      out.push({ prefix: DEFAULT, nextHopType: 'Tunnel', nextNode: to, connection: c.name, source: 'ForcedTunnel', note: `forced tunneling to ${c.site.name}` });
    }
  }
  for (const r of inputs.bgp.get(speakerOf.gateway(g))?.values() ?? []) {
    const c = net.connections.get(r.connection);
    if (!c) continue;
    const to = c.peerGateway ? nodeId.gateway(c.peerGateway.name) : nodeId.site(c.site!.name);
    out.push({ prefix: r.prefix, nextHopType: c.type === 'ExpressRoute' ? 'ExpressRoute' : 'Tunnel', nextNode: to, connection: c.name, source: 'BGP', note: `learned by BGP over ${c.name} (AS_PATH ${r.asPath.join(' ')})` });
  }
  return out;
}

/**
 * Routes of a VNet's fabric.
 * @param routesOf the routes of a gateway (default: computed with {@link gatewayRoutes}; RouteTables passes its own, computed once).
 */
export function vnetRoutes(net: Network, v: Vnet, inputs: RoutingInputs, routesOf: (g: Gateway) => Route[] = (g) => gatewayRoutes(net, g, inputs)): Route[] {
  const out: Route[] = [];
  for (const p of v.prefixes) out.push({ prefix: p, nextHopType: 'VnetLocal', source: 'Default', note: `address space of ${v.name}` });
  for (const peer of net.vnets.values()) {
    if (peer === v || !net.peeringConnected(v, peer)) continue;
    for (const p of peer.prefixes) out.push({ prefix: p, nextHopType: 'VNetPeering', nextNode: nodeId.vnet(peer.name), source: 'Peering', note: `peering ${v.name} <-> ${peer.name}` });
  }
  let forced = false;
  // The ExpressRoute gateway's routes come first: equal prefixes prefer the circuit (R12).
  for (const g of [net.erGatewayOf(v), net.effectiveGatewayOf(v)]) {
    if (!g) continue;
    for (const r of routesOf(g)) {
      if (r.nextHopType === 'VnetLocal' || r.nextHopType === 'VNetPeering') continue;
      if (r.source === 'ForcedTunnel') forced = true;
      out.push({ prefix: r.prefix, nextHopType: 'VirtualNetworkGateway', nextNode: nodeId.gateway(g.name), nextHopIpAddress: g.privateIp, source: 'VirtualNetworkGateway', note: `via ${g.name}: ${r.note}` });
    }
  }
  if (!forced) out.push({ prefix: DEFAULT, nextHopType: 'Internet', source: 'Default', note: 'default route to the internet' });
  for (const p of PRIVATE_NONE) out.push({ prefix: p, nextHopType: 'None', source: 'Default', note: `Azure drops private range ${p.cidr} without a more specific route` });
  return out;
}

/**
 * Routes of an on-premises site (its VPN device and network). Without BGP a
 * site knows only the prefixes its own connection lists (R13: transit without
 * BGP carries only statically defined address spaces).
 */
export function siteRoutes(net: Network, s: Site, inputs: RoutingInputs): Route[] {
  const out: Route[] = [];
  for (const p of s.prefixes) out.push({ prefix: p, nextHopType: 'Local', source: 'Default', note: `address space of ${s.name}` });
  const conns = net.connectionsToSite(s).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const c of conns) {
    const er = c.type === 'ExpressRoute';
    if (er && !inputs.tunnels.isUp(c)) continue;
    const prefixes = s.deviceRoutes ?? c.gateway.vnet.prefixes;
    for (const p of prefixes) {
      out.push({ prefix: p, nextHopType: er ? 'ExpressRoute' : 'Tunnel', nextNode: nodeId.gateway(c.gateway.name), nextHopIpAddress: c.gateway.publicIp, connection: c.name, source: 'DeviceRoute', note: `device route toward Azure over ${c.name}` });
    }
  }
  for (const r of inputs.bgp.get(speakerOf.site(s))?.values() ?? []) {
    const c = net.connections.get(r.connection);
    if (!c) continue;
    out.push({ prefix: r.prefix, nextHopType: c.type === 'ExpressRoute' ? 'ExpressRoute' : 'Tunnel', nextNode: nodeId.gateway(c.gateway.name), connection: c.name, source: 'BGP', note: `learned by BGP over ${c.name} (AS_PATH ${r.asPath.join(' ')})` });
  }
  out.push({ prefix: DEFAULT, nextHopType: 'Internet', source: 'Default', note: 'default route to the internet' });
  return out;
}

/**
 * Routes in the client package of a gateway, as a Windows client gets them
 * (R21, SPEC section 5): the VNet's space, the spaces of VNets using the
 * gateway through gateway transit, and the P2S pools. Never BGP routes.
 */
export function packageRoutes(net: Network, g: Gateway): Prefix[] {
  const out = [...g.vnet.prefixes];
  for (const v of net.transitSpokes(g)) out.push(...v.prefixes);
  out.push(...g.pools);
  return dedupeSorted(out);
}

/**
 * Routes the gateway pushes to a non-Windows client when it connects and
 * while connected (R21): the package's routes, the prefixes configured on
 * its VNet-to-VNet connections, and every prefix it learned by BGP.
 * Static prefixes of local network gateways are not pushed.
 */
export function pushedRoutes(net: Network, g: Gateway, bgp: BgpRibs): Prefix[] {
  const out = packageRoutes(net, g);
  for (const c of net.connectionsOf(g)) if (c.type === 'Vnet2Vnet') out.push(...connectionPrefixes(c));
  for (const r of bgp.get(speakerOf.gateway(g))?.values() ?? []) if (r.prefix.length > 0) out.push(r.prefix);
  return dedupeSorted(out);
}

/** The routes a client has installed now: package or pushed, plus those added by hand. */
export function clientRoutes(net: Network, c: Client, bgp: BgpRibs): Prefix[] {
  const base = c.windows ? c.packageRoutes ?? [] : c.connected ? pushedRoutes(net, c.gateway, bgp) : [];
  return dedupeSorted([...base, ...c.manualRoutes]);
}

/** A client's table: its routes into the P2S tunnel, its own address, the internet default. */
export function clientTable(net: Network, c: Client, bgp: BgpRibs, extra: readonly Prefix[] = []): LpmTable<Route> {
  const t = new LpmTable<Route>();
  const gw = nodeId.gateway(c.gateway.name);
  const manual = new Set(c.manualRoutes.map((p) => p.cidr));
  for (const p of clientRoutes(net, c, bgp)) {
    t.add({ prefix: p, nextHopType: 'P2STunnel', nextNode: gw, source: manual.has(p.cidr) ? 'Manual' : c.windows ? 'Package' : 'Gateway', note: manual.has(p.cidr) ? 'route added by hand' : c.windows ? 'from the client package' : `pushed by ${c.gateway.name}` });
  }
  for (const p of extra) t.add({ prefix: p, nextHopType: 'P2STunnel', nextNode: gw, source: 'Manual', note: 'route added by hand' });
  t.add({ prefix: DEFAULT, nextHopType: 'Internet', source: 'Default', note: 'default route to the internet' });
  return t;
}

function dedupeSorted(ps: Prefix[]): Prefix[] {
  return sortCidrs(ps.map((p) => p.cidr)).map((c) => parsePrefix(c));
}

/** A route as Network Watcher shows it. */
export interface EffectiveRoute {
  readonly addressPrefix: string;
  readonly nextHopType: NextHopType;
  readonly nextHopIpAddress: string | null;
  readonly source: RouteSource;
  readonly connection: string | null;
  readonly note: string;
}

/** Converts a route for display. */
export function toEffective(r: Route): EffectiveRoute {
  return {
    addressPrefix: r.prefix.cidr, nextHopType: r.nextHopType,
    nextHopIpAddress: r.nextHopIpAddress !== undefined ? formatAddress(r.nextHopIpAddress) : null,
    source: r.source, connection: r.connection ?? null, note: r.note,
  };
}
