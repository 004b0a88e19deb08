/**
 * VNet peerings: not to itself, one per direction (`duplicate`); R22
 * (useRemoteGateways needs a remote Vpn gateway, allowGatewayTransit on the
 * way back, no own gateway, one such peering per VNet; not both flags); transit
 * through a policy-based gateway is refused (R6).
 */
import type { GatewayDef, PeeringDef } from '../scenario.js';
import { gatewayType, resolve, type Config, type Ctx } from './model.js';

/** Checks every peering. */
export function checkPeerings(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const seen = new Map<string, string>();
  const usesRemote = new Map<string, string>();
  // Indexes built once per pass: O(G + P) instead of a scan per peering.
  const vpnByVnet = new Map<string, GatewayDef>();
  const anyByVnet = new Map<string, GatewayDef>();
  for (const g of cfg.gateways.values()) {
    if (!anyByVnet.has(g.def.vnet)) anyByVnet.set(g.def.vnet, g.def);
    if (gatewayType(g.def) === 'Vpn' && !vpnByVnet.has(g.def.vnet)) vpnByVnet.set(g.def.vnet, g.def);
  }
  const byDirection = new Map<string, PeeringDef>();
  for (const q of cfg.peerings) {
    const k = `${q.def.vnet}\u0000${q.def.remoteVnet}`;
    if (!byDirection.has(k)) byDirection.set(k, q.def);
  }
  const vpnGatewayOf = (vnet: string): GatewayDef | undefined => vpnByVnet.get(vnet);
  const anyGatewayOf = (vnet: string): GatewayDef | undefined => anyByVnet.get(vnet);
  // When some gateway is broken, deleted or placed in an unknown VNet, "VNet has no gateway" may be a consequence: say nothing then.
  const uncertain = ctx.brokenKinds.has('gateway') || ctx.brokenKinds.has('vnet') || ctx.deleted.size > 0
    || ctx.opaqueGateways()
    || [...cfg.gateways.values()].some((g) => !cfg.vnets.has(g.def.vnet));
  for (const { def: p, path } of cfg.peerings) {
    const who = `peering "${p.vnet}" -> "${p.remoteVnet}"`;
    const a = resolve(ctx, cfg.vnets, 'vnet', p.vnet, `${path}.vnet`, who);
    const b = resolve(ctx, cfg.vnets, 'vnet', p.remoteVnet, `${path}.remoteVnet`, who);
    if (p.vnet === p.remoteVnet) {
      r.error(`${path}.remoteVnet`, 'peering', `${who}: a VNet cannot peer with itself`, 'Name another VNet in remoteVnet');
      continue;
    }
    const key = `${p.vnet}\u0000${p.remoteVnet}`;
    const prev = seen.get(key);
    if (prev) {
      r.error(path, 'duplicate', `${who}: this direction is already defined at ${prev}`, 'Keep one peering per direction');
      continue;
    }
    seen.set(key, path);
    if (!a || !b) continue;
    if (p.allowGatewayTransit && p.useRemoteGateways) {
      r.error(`${path}.useRemoteGateways`, 'R22', `${who}: allowGatewayTransit and useRemoteGateways are both set`, 'Set only one of them on a peering');
    }
    if (p.allowGatewayTransit) {
      const own = vpnGatewayOf(p.vnet);
      if (!own) r.warn(`${path}.allowGatewayTransit`, 'R22', `${who}: VNet "${p.vnet}" has no Vpn gateway to share`, 'Add a gateway to the VNet, or remove allowGatewayTransit');
      else if (own.vpnType === 'PolicyBased') r.error(`${path}.allowGatewayTransit`, 'R6', `${who}: transit needs a RouteBased gateway ("${own.name}" is PolicyBased)`, 'Use vpnType RouteBased');
    }
    if (p.useRemoteGateways) {
      const before = usesRemote.get(p.vnet);
      if (before) r.error(`${path}.useRemoteGateways`, 'R22', `${who}: VNet "${p.vnet}" already uses remote gateways through ${before}`, 'Set useRemoteGateways on one peering of a VNet only');
      else usesRemote.set(p.vnet, path);
      const own = anyGatewayOf(p.vnet);
      if (own) r.error(`${path}.useRemoteGateways`, 'R22', `${who}: VNet "${p.vnet}" has its own gateway "${own.name}" and cannot use remote gateways`, 'Remove useRemoteGateways, or remove the VNet\'s own gateway');
      const remoteGw = vpnGatewayOf(p.remoteVnet);
      if (!remoteGw) {
        if (!uncertain) r.error(`${path}.useRemoteGateways`, 'R22', `${who}: remote VNet "${p.remoteVnet}" has no Vpn gateway`, `Add a gateway to "${p.remoteVnet}", or remove useRemoteGateways`);
      } else if (remoteGw.vpnType === 'PolicyBased') {
        r.error(`${path}.useRemoteGateways`, 'R6', `${who}: transit needs a RouteBased gateway ("${remoteGw.name}" is PolicyBased)`, 'Use vpnType RouteBased');
      }
      const back = byDirection.get(`${p.remoteVnet}\u0000${p.vnet}`);
      if (!back || !back.allowGatewayTransit) {
        r.error(`${path}.useRemoteGateways`, 'R22', `${who}: the peering "${p.remoteVnet}" -> "${p.vnet}" ${back ? 'does not set allowGatewayTransit' : 'does not exist'}`, `${back ? 'Set allowGatewayTransit on' : 'Add'} the peering from "${p.remoteVnet}" to "${p.vnet}"${back ? '' : ' with allowGatewayTransit'}`);
      }
    }
  }
}
