/**
 * Network-Watcher-shaped queries on a running simulation: the effective
 * routes of a node, and the next hop toward a destination.
 */
import { suggest } from '../net/rules/report.js';
import { NotFoundError } from '../../errors.js';
import { formatAddress, parseAddress } from '../net/prefix.js';
import { toEffective, type EffectiveRoute, type NextHopType } from '../net/routing.js';
import type { LpmTable } from '../net/lpm.js';
import type { Route } from '../net/routing.js';
import type { Simulation } from './simulation.js';

/** The table of a VNet, gateway, local network gateway or client, by name. */
function tableOf(s: Simulation, name: string): LpmTable<Route> {
  const net = s.network;
  if (net.clients.has(name)) return s.clientTable(net.client(name));
  const id = net.vnets.has(name) ? `vnet:${name}` : net.gateways.has(name) ? `gw:${name}` : net.sites.has(name) ? `site:${name}` : undefined;
  const t = id ? s.tables().get(id) : undefined;
  if (!t) throw new NotFoundError(`node "${name}": no VNet, gateway, local network gateway or client of that name. ${suggest(name, [...net.vnets.keys(), ...net.gateways.keys(), ...net.sites.keys(), ...net.clients.keys()], 'node')}`);
  return t;
}

/**
 * Effective routes of a node now, ordered by prefix (address, then length),
 * the preferred route of a prefix first.
 * @throws NotFoundError for an unknown name.
 */
export function effectiveRoutes(s: Simulation, name: string): EffectiveRoute[] {
  return tableOf(s, name).routes().map(toEffective);
}

/** Answer of {@link nextHop}. */
export interface NextHopResult {
  readonly nextHopType: NextHopType | 'None';
  readonly nextHopIpAddress: string | null;
  /** The matching route's prefix, or null when nothing matches. */
  readonly routePrefix: string | null;
  readonly connection: string | null;
  readonly note: string;
}

/**
 * Next hop from a node toward a destination address, by longest-prefix match.
 * @throws NotFoundError for an unknown name; ValidationError for a bad address.
 */
export function nextHop(s: Simulation, name: string, destination: string): NextHopResult {
  const r = tableOf(s, name).lookup(parseAddress(destination, 'destination'));
  if (!r) return { nextHopType: 'None', nextHopIpAddress: null, routePrefix: null, connection: null, note: 'no route matches' };
  return {
    nextHopType: r.nextHopType,
    nextHopIpAddress: r.nextHopIpAddress !== undefined ? formatAddress(r.nextHopIpAddress) : null,
    routePrefix: r.prefix.cidr, connection: r.connection ?? null, note: r.note,
  };
}
