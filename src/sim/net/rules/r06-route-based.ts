/**
 * R6 on one connection: VNet-to-VNet needs route-based gateways at both ends
 * (a route-based gateway cannot connect to a policy-based one); a
 * policy-based gateway speaks IKEv1 only.
 */
import type { ConnectionDef } from '../scenario.js';
import type { ConnectionEnds } from './connection-ends.js';
import { gatewayType, type Ctx, type Item } from './model.js';

/** Checks one connection against R6. */
export function checkConnectionRouteBased(ctx: Ctx, { def: c, path }: Item<ConnectionDef>, { gw, peer }: ConnectionEnds): void {
  if (!gw || gatewayType(gw) !== 'Vpn') return;
  const r = ctx.report;
  const who = `connection "${c.name}"`;
  const type = c.connectionType;
  if (type === 'Vnet2Vnet' && gw.vpnType === 'PolicyBased') r.error(`${path}.gateway`, 'R6', `${who}: VNet-to-VNet needs a RouteBased gateway ("${gw.name}" is PolicyBased)`, 'Use vpnType RouteBased on both gateways');
  else if (type === 'Vnet2Vnet' && peer && gatewayType(peer) === 'Vpn' && peer.vpnType === 'PolicyBased') r.error(`${path}.peerGateway`, 'R6', `${who}: route-based gateway "${gw.name}" cannot connect to policy-based gateway "${peer.name}"`, 'Use vpnType RouteBased on both gateways');
  if (type === 'IPsec' && gw.vpnType === 'PolicyBased' && c.connectionProtocol === 'IKEv2') r.error(`${path}.connectionProtocol`, 'R6', `${who}: a policy-based gateway speaks IKEv1 only`, 'Use connectionProtocol IKEv1, or a RouteBased gateway');
}
