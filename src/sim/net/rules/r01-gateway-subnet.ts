/**
 * R1: a gateway lives in a subnet named exactly `GatewaySubnet`, of /29 at the
 * least (a /29 gets a warning: /27 or /28 recommended).
 */
import type { Prefix } from '../prefix.js';
import type { GatewayDef, VnetDef } from '../scenario.js';
import { GATEWAY_SUBNET, gatewaySubnet, P, type Ctx, type Item } from './model.js';

/**
 * Checks the GatewaySubnet of the gateway's VNet.
 * @returns the GatewaySubnet prefix when the VNet has one.
 */
export function checkGatewaySubnet(ctx: Ctx, { def: g, path }: Item<GatewayDef>, vnetItem: Item<VnetDef>): Prefix | undefined {
  const r = ctx.report;
  const who = `gateway "${g.name}"`;
  const vnet = vnetItem.def;
  const gs = gatewaySubnet(vnet);
  if (!gs) {
    const near = vnet.subnets.find((s) => s.name.toLowerCase() === GATEWAY_SUBNET.toLowerCase());
    r.error(`${path}.vnet`, 'R1', `${who}: VNet "${vnet.name}" has no subnet named exactly "${GATEWAY_SUBNET}"${near ? ` (found "${near.name}")` : ''}`, near ? `Rename subnet "${near.name}" to "${GATEWAY_SUBNET}"` : `Add a subnet "${GATEWAY_SUBNET}" of /27 or /28 to VNet "${vnet.name}"`);
    return undefined;
  }
  const gwSubnet = P(gs.subnet.addressPrefix);
  const sp = `${vnetItem.path}.subnets[${gs.index}].addressPrefix`;
  if (gwSubnet.length > 29) {
    r.error(sp, 'R1', `VNet "${vnet.name}": GatewaySubnet "${gwSubnet.cidr}" is smaller than /29`, 'Use a /27 or /28 GatewaySubnet (/29 at the least)');
  } else if (gwSubnet.length === 29) {
    r.warn(sp, 'R1', `VNet "${vnet.name}": GatewaySubnet "${gwSubnet.cidr}" is a /29, the smallest allowed`, 'Use a /27 or /28 GatewaySubnet so that later features fit');
  }
  return gwSubnet;
}
