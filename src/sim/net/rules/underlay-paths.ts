/**
 * Underlay paths: each end names a known location (a warning otherwise: the
 * path is never used).
 */
import type { UnderlayPathDef } from '../scenario.js';
import type { Config, Ctx } from './model.js';
import { suggest } from './report.js';

/** Every underlay location a path may name: `internet`, VNet locations, sites and client locations. */
export function locations(cfg: Config): Set<string> {
  const out = new Set<string>(['internet']);
  for (const v of cfg.vnets.values()) out.add(v.def.location);
  for (const l of cfg.lngs.values()) {
    out.add(l.def.name);
    if (l.def.location) out.add(l.def.location);
  }
  for (const c of cfg.clients.values()) if (c.def.location) out.add(c.def.location);
  for (const l of cfg.opaqueLocations) out.add(l);
  return out;
}

/** Warns when an underlay path names an unknown location. */
export function checkPath(ctx: Ctx, known: Set<string>, p: UnderlayPathDef, path: string): void {
  // A whole list the schema rejected hides every location it held: say nothing rather than guess.
  if (ctx.brokenKinds.has('vnet') || ctx.brokenKinds.has('localNetworkGateway') || ctx.brokenKinds.has('client')) return;
  for (const end of ['from', 'to'] as const) {
    if (!known.has(p[end])) {
      ctx.report.warn(`${path}.${end}`, 'ref', `underlay path: "${p[end]}" is no VNet location, site or client location`, suggest(p[end], known, 'location'));
    }
  }
}
