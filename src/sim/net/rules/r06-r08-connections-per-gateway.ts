/**
 * Per gateway: a policy-based gateway takes one S2S tunnel (R6, multi-site
 * needs route-based); a route-based one at most its SKU's tunnels (R7); no
 * redundant tunnels to one site, device or peer gateway (R8); a Vnet2Vnet
 * half without its other half is a warning (`pair`).
 */
import type { ConnectionDef } from '../scenario.js';
import { gatewayType, vpnSku, type Config, type Ctx, type Item } from './model.js';

/** R6, R7, R8 and VNet-to-VNet pairing, per gateway. */
export function checkConnectionsPerGateway(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const byGw = new Map<string, Item<ConnectionDef>[]>();
  for (const c of cfg.connections.values()) {
    const list = byGw.get(c.def.gateway) ?? [];
    list.push(c);
    byGw.set(c.def.gateway, list);
  }
  // Vnet2Vnet halves by (gateway, peer gateway), for the pairing warning.
  const halves = new Set<string>();
  for (const c of cfg.connections.values()) if (c.def.connectionType === 'Vnet2Vnet') halves.add(`${c.def.gateway}\u0000${c.def.peerGateway}`);
  for (const [gwName, conns] of byGw) {
    const gi = cfg.gateways.get(gwName);
    if (!gi || gatewayType(gi.def) !== 'Vpn') continue;
    const g = gi.def;
    const sku = vpnSku(g);
    const tunnels = conns.filter((c) => c.def.connectionType !== 'ExpressRoute');
    const ipsec = tunnels.filter((c) => c.def.connectionType === 'IPsec');
    if (g.vpnType === 'PolicyBased') {
      // A SKU without PolicyBased (max 0) is reported on vpnType already.
      const max = sku?.maxPolicyBasedTunnels || 1;
      if (ipsec.length > max) {
        r.error(gi.path, 'R6', `gateway "${gwName}": a policy-based gateway takes ${max} S2S tunnel${max === 1 ? '' : 's'}, it has ${ipsec.length} (multi-site)`, 'Use a RouteBased gateway for multi-site');
      }
    } else if (sku && tunnels.length > sku.maxTunnels) {
      r.error(gi.path, 'R7', `gateway "${gwName}": ${tunnels.length} S2S/VNet-to-VNet connections, SKU "${sku.name}" takes ${sku.maxTunnels}`, 'Remove connections or use a larger SKU');
    }
    // R8: no redundant tunnels to one site.
    const bySite = new Map<string, string>();
    const byIp = new Map<string, string>();
    const byPeer = new Map<string, string>();
    for (const c of tunnels) {
      const d = c.def;
      if (d.connectionType === 'IPsec' && d.localNetworkGateway !== undefined) {
        const prev = bySite.get(d.localNetworkGateway);
        if (prev) r.error(`${c.path}.localNetworkGateway`, 'R8', `connection "${d.name}": gateway "${gwName}" already connects to site "${d.localNetworkGateway}" (connection "${prev}")`, 'Keep one connection per site');
        else bySite.set(d.localNetworkGateway, d.name);
        const site = cfg.lngs.get(d.localNetworkGateway)?.def;
        if (site && !prev) {
          const prevIp = byIp.get(site.gatewayIpAddress);
          if (prevIp) r.error(`${c.path}.localNetworkGateway`, 'R8', `connection "${d.name}": gateway "${gwName}" already connects to device ${site.gatewayIpAddress} (connection "${prevIp}")`, 'Keep one connection per on-premises device');
          else byIp.set(site.gatewayIpAddress, d.name);
        }
      }
      if (d.connectionType === 'Vnet2Vnet' && d.peerGateway !== undefined) {
        const prev = byPeer.get(d.peerGateway);
        if (prev) r.error(`${c.path}.peerGateway`, 'R8', `connection "${d.name}": gateway "${gwName}" already connects to gateway "${d.peerGateway}" (connection "${prev}")`, 'Keep one connection per peer gateway');
        else byPeer.set(d.peerGateway, d.name);
        const peer = cfg.gateways.get(d.peerGateway);
        if (peer && !prev) {
          const back = halves.has(`${d.peerGateway}\u0000${gwName}`);
          if (!back) r.warn(`${c.path}`, 'pair', `connection "${d.name}": no Vnet2Vnet connection back from "${d.peerGateway}" to "${gwName}"`, 'Add the other half with the same sharedKey, or the tunnel never comes up');
        }
      }
    }
  }
}
