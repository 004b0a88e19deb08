/**
 * R11, forced tunneling: a gateway's default site exists and has an IPsec
 * connection from this gateway (a warning otherwise: the default route leads
 * nowhere).
 */
import type { GatewayDef } from '../scenario.js';
import { resolve, type Config, type Ctx, type Item } from './model.js';

const linkCache = new WeakMap<Config['connections'], { size: number; version: number; links: Set<string> }>();

/** (gateway, site) pairs joined by an IPsec connection. Rebuilt when the connection map changes size (a timeline entry adds or removes one). */
function ipsecLinks(cfg: Config): Set<string> {
  const hit = linkCache.get(cfg.connections);
  if (hit && hit.size === cfg.connections.size && hit.version === cfg.version) return hit.links;
  const links = new Set<string>();
  for (const c of cfg.connections.values()) if (c.def.connectionType === 'IPsec') links.add(`${c.def.gateway}\u0000${c.def.localNetworkGateway}`);
  linkCache.set(cfg.connections, { size: cfg.connections.size, version: cfg.version, links });
  return links;
}

/** Checks one gateway's gatewayDefaultSite, if any. */
export function checkForcedTunneling(ctx: Ctx, cfg: Config, { def: g, path }: Item<GatewayDef>): void {
  if (g.gatewayDefaultSite === undefined) return;
  const who = `gateway "${g.name}"`;
  const site = resolve(ctx, cfg.lngs, 'localNetworkGateway', g.gatewayDefaultSite, `${path}.gatewayDefaultSite`, who);
  if (!site) return;
  const linked = ipsecLinks(cfg).has(`${g.name}\u0000${site.def.name}`);
  if (!linked) ctx.report.warn(`${path}.gatewayDefaultSite`, 'R11', `${who}: default site "${site.def.name}" has no IPsec connection from this gateway`, 'Add an IPsec connection to the default site, or the default route leads nowhere');
}
