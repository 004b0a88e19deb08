/**
 * Per VNet: one gateway of each type (R1), and a Vpn gateway beside an
 * ExpressRoute gateway must be route-based on a SKU that coexists (R12).
 */
import { gatewayType, vpnSku, type Config, type Ctx, type Item } from './model.js';
import type { GatewayDef } from '../scenario.js';

/** R1 (one gateway per type per VNet) and R12 (ExpressRoute coexistence). */
export function checkGatewaysPerVnet(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const byVnet = new Map<string, Item<GatewayDef>[]>();
  for (const g of cfg.gateways.values()) {
    const list = byVnet.get(g.def.vnet) ?? [];
    list.push(g);
    byVnet.set(g.def.vnet, list);
  }
  for (const [vnet, gws] of byVnet) {
    for (const type of ['Vpn', 'ExpressRoute'] as const) {
      const same = gws.filter((g) => gatewayType(g.def) === type);
      for (const g of same.slice(1)) {
        r.error(`${g.path}.vnet`, 'R1', `gateway "${g.def.name}": VNet "${vnet}" already has a ${type} gateway ("${same[0]!.def.name}")`, `Keep one ${type} gateway per VNet`);
      }
    }
    const er = gws.find((g) => gatewayType(g.def) === 'ExpressRoute');
    if (!er) continue;
    for (const g of gws.filter((x) => gatewayType(x.def) === 'Vpn')) {
      const sku = vpnSku(g.def);
      if (sku && !sku.expressRouteCoexistence) {
        r.error(`${g.path}.sku`, 'R12', `gateway "${g.def.name}": SKU "${sku.name}" cannot coexist with ExpressRoute gateway "${er.def.name}"`, 'Use Standard, HighPerformance or a VpnGw SKU');
      }
      if (g.def.vpnType !== 'RouteBased') {
        r.error(`${g.path}.vpnType`, 'R12', `gateway "${g.def.name}": a ${g.def.vpnType} gateway cannot coexist with ExpressRoute gateway "${er.def.name}"`, 'Use vpnType RouteBased');
      }
    }
  }
}
