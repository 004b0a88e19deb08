/**
 * R11, forced tunneling: a gateway's default site exists and has an IPsec
 * connection from this gateway (a warning otherwise: the default route leads
 * nowhere).
 */
import type { GatewayDef } from '../scenario.js';
import { resolve, type Config, type Ctx, type Item } from './model.js';

/** Checks one gateway's gatewayDefaultSite, if any. */
export function checkForcedTunneling(ctx: Ctx, cfg: Config, { def: g, path }: Item<GatewayDef>): void {
  if (g.gatewayDefaultSite === undefined) return;
  const who = `gateway "${g.name}"`;
  const site = resolve(ctx, cfg.lngs, 'localNetworkGateway', g.gatewayDefaultSite, `${path}.gatewayDefaultSite`, who);
  if (!site) return;
  const linked = [...cfg.connections.values()].some((c) => c.def.gateway === g.name && c.def.connectionType === 'IPsec' && c.def.localNetworkGateway === site.def.name);
  if (!linked) ctx.report.warn(`${path}.gatewayDefaultSite`, 'R11', `${who}: default site "${site.def.name}" has no IPsec connection from this gateway`, 'Add an IPsec connection to the default site, or the default route leads nowhere');
}
