/**
 * R12: an ExpressRoute connection ends on an ExpressRoute gateway, a tunnel
 * connection on a Vpn gateway (both ends for Vnet2Vnet).
 */
import type { ConnectionDef } from '../scenario.js';
import type { ConnectionEnds } from './connection-ends.js';
import { gatewayType, type Ctx, type Item } from './model.js';

/** Checks the gateway types at a connection's ends. */
export function checkConnectionGatewayTypes(ctx: Ctx, { def: c, path }: Item<ConnectionDef>, { gw, peer }: ConnectionEnds): void {
  const r = ctx.report;
  const who = `connection "${c.name}"`;
  const type = c.connectionType;
  if (gw) {
    const gt = gatewayType(gw);
    if (type === 'ExpressRoute' && gt !== 'ExpressRoute') r.error(`${path}.gateway`, 'R12', `${who}: an ExpressRoute connection needs a gateway of gatewayType ExpressRoute ("${gw.name}" is ${gt})`, 'Add an ExpressRoute gateway to the VNet and name it here');
    if (type !== 'ExpressRoute' && gt !== 'Vpn') r.error(`${path}.gateway`, 'R12', `${who}: an ${type} connection needs a Vpn gateway ("${gw.name}" is ${gt})`, 'Name the VNet\'s Vpn gateway');
  }
  if (peer && gatewayType(peer) !== 'Vpn') r.error(`${path}.peerGateway`, 'R12', `${who}: peer gateway "${peer.name}" is not a Vpn gateway`, 'Name the other VNet\'s Vpn gateway');
}
