/**
 * Incremental re-checks for the timeline replay: after an entry changes the
 * configuration, only the rules that can see the change run again, on the
 * objects it touches. What a timeline entry can change is gateways,
 * connections and peerings; VNets, sites, hosts and the underlay stay as
 * loaded, so their own rules never need a second run.
 *
 * - a gateway created, deleted or resized: that gateway, the gateways of its
 *   VNet (R1, R12), its connections and their per-gateway limits (R6-R8), the
 *   peerings of its VNet (R22), its clients (R16-R18, `pool`), its pools (R20);
 * - a connection added or removed: that connection, the gateways at its ends
 *   and their connections; R9 for the group it joins (removing one can only
 *   split groups, which raises no overlap);
 * - a peering added or removed: the peerings of both VNets; R9 for the group
 *   an added peering joins.
 *
 * Each re-check costs a scan of the touched objects' neighbours plus
 * O(log n) index queries, instead of every rule over everything.
 */
import type { Config, Ctx } from './model.js';
import { checkConnection } from './connection.js';
import { checkGateway } from './gateway.js';
import { checkConnectionsPerGateway } from './r06-r08-connections-per-gateway.js';
import { checkAddressOverlap, networks } from './r09-address-overlap.js';
import { checkGatewaysPerVnet } from './r01-r12-gateways-per-vnet.js';
import { checkClients } from './r16-r18-clients.js';
import { checkClientPoolsOf } from './r20-client-pools.js';
import { checkPeerings } from './r22-peerings.js';

/** What one timeline entry touched, read before it was applied. */
export interface Scope {
  readonly gateways: readonly string[];
  readonly connections: readonly string[];
  readonly vnets: readonly string[];
  /** Network keys (`vnet:X`, `lng:Y`) the entry may have joined. */
  readonly joins: readonly string[];
}

/** The scope of an entry, or undefined when the replay should re-run every rule. */
export function scopeOf(d: Record<string, unknown>, cfg: Config): Scope | undefined {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const gwVnet = (g: string | undefined): string | undefined => (g === undefined ? undefined : cfg.gateways.get(g)?.def.vnet);
  const list = (...xs: (string | undefined)[]): string[] => xs.filter((x): x is string => x !== undefined);
  switch (d.action) {
    case 'createGateway':
      return { gateways: list(str(d.name)), connections: [], vnets: list(str(d.vnet)), joins: [] };
    case 'deleteGateway':
    case 'resizeGateway': {
      const g = str(d.gateway);
      return { gateways: list(g), connections: [], vnets: list(gwVnet(g)), joins: [] };
    }
    case 'addConnection':
    case 'removeConnection': {
      const name = str(d.action === 'addConnection' ? d.name : d.connection);
      const c = d.action === 'addConnection' ? d : cfg.connections.get(name ?? '')?.def;
      if (!c) return { gateways: [], connections: list(name), vnets: [], joins: [] };
      const gw = str(c.gateway);
      const peer = str(c.peerGateway);
      const here = gwVnet(gw);
      const there = c.connectionType === 'Vnet2Vnet' ? gwVnet(peer) : undefined;
      const site = c.connectionType === 'Vnet2Vnet' ? undefined : str(c.localNetworkGateway);
      const joins = d.action === 'addConnection' ? list(here && `vnet:${here}`, there && `vnet:${there}`, site && `lng:${site}`) : [];
      return { gateways: list(gw, peer), connections: list(name), vnets: list(here, there), joins };
    }
    case 'addPeering':
    case 'removePeering': {
      const a = str(d.vnet);
      const b = str(d.remoteVnet);
      return { gateways: [], connections: [], vnets: list(a, b), joins: d.action === 'addPeering' ? list(a && `vnet:${a}`, b && `vnet:${b}`) : [] };
    }
    default:
      return undefined;
  }
}

function filtered<V>(m: Map<string, V>, keep: (v: V) => boolean): Map<string, V> {
  const out = new Map<string, V>();
  for (const [k, v] of m) if (keep(v)) out.set(k, v);
  return out;
}

/** Re-runs the rules that can see a change of `scope` on the configuration after it. */
export function recheck(ctx: Ctx, cfg: Config, scope: Scope): void {
  const gws = new Set(scope.gateways);
  const vnets = new Set(scope.vnets);
  for (const g of cfg.gateways.values()) if (vnets.has(g.def.vnet)) gws.add(g.def.name);
  for (const g of gws) {
    const v = cfg.gateways.get(g)?.def.vnet;
    if (v !== undefined) vnets.add(v);
  }
  const touches = (c: { gateway: string; peerGateway?: string }): boolean => gws.has(c.gateway) || (c.peerGateway !== undefined && gws.has(c.peerGateway));
  const view: Config = {
    ...cfg,
    gateways: filtered(cfg.gateways, (g) => gws.has(g.def.name)),
    connections: filtered(cfg.connections, (c) => touches(c.def) || scope.connections.includes(c.def.name)),
    peerings: cfg.peerings.filter((p) => vnets.has(p.def.vnet) || vnets.has(p.def.remoteVnet)),
    clients: filtered(cfg.clients, (c) => gws.has(c.def.gateway)),
  };
  for (const g of view.gateways.values()) checkGateway(ctx, cfg, g);
  checkGatewaysPerVnet(ctx, { ...view, gateways: filtered(cfg.gateways, (g) => vnets.has(g.def.vnet)) });
  for (const c of view.connections.values()) checkConnection(ctx, cfg, c);
  checkConnectionsPerGateway(ctx, { ...cfg, connections: view.connections });
  checkPeerings(ctx, { ...cfg, peerings: view.peerings });
  checkClients(ctx, view);
  const nets = networks(cfg);
  if (scope.joins.length > 0) checkAddressOverlap(ctx, cfg, nets, scope.joins);
  checkClientPoolsOf(ctx, cfg, nets, new Set(scope.gateways));
}
