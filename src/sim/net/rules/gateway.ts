/**
 * Every rule about one gateway, in a fixed order: its VNet exists, R1
 * (GatewaySubnet), the SKU, BGP, the P2S configuration, R11.
 */
import type { Prefix } from '../prefix.js';
import type { GatewayDef } from '../scenario.js';
import { checkGatewayBgp } from './gateway-bgp.js';
import { checkExpressRouteGatewaySku, checkVpnGatewaySku } from './gateway-sku.js';
import { gatewayType, resolve, type Config, type Ctx, type Item } from './model.js';
import { checkGatewaySubnet } from './r01-gateway-subnet.js';
import { checkForcedTunneling } from './r11-forced-tunneling.js';
import { checkP2sConfiguration } from './r16-r18-p2s-configuration.js';

/** Checks one gateway against every per-gateway rule. */
export function checkGateway(ctx: Ctx, cfg: Config, item: Item<GatewayDef>): void {
  const g = item.def;
  const vnetItem = resolve(ctx, cfg.vnets, 'vnet', g.vnet, `${item.path}.vnet`, `gateway "${g.name}"`);
  let gwSubnet: Prefix | undefined;
  if (vnetItem) gwSubnet = checkGatewaySubnet(ctx, item, vnetItem);
  if (gatewayType(g) === 'ExpressRoute') {
    checkExpressRouteGatewaySku(ctx, item);
    return;
  }
  const sku = checkVpnGatewaySku(ctx, item);
  checkGatewayBgp(ctx, item, sku, gwSubnet);
  checkP2sConfiguration(ctx, item, sku);
  checkForcedTunneling(ctx, cfg, item);
}
