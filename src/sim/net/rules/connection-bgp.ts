/**
 * BGP on a connection: both ends run BGP (the gateway, the peer gateway, or
 * the site with asn and bgpPeeringAddress) and use different ASNs; not on a
 * policy-based gateway (R6).
 */
import type { ConnectionDef } from '../scenario.js';
import type { ConnectionEnds } from './connection-ends.js';
import { gatewayAsn, gatewayType, type Ctx, type Item } from './model.js';

/** Checks a connection with enableBgp. */
export function checkConnectionBgp(ctx: Ctx, { def: c, path }: Item<ConnectionDef>, { gw, peer, site }: ConnectionEnds): void {
  const type = c.connectionType;
  if (!(c.enableBgp && type !== 'ExpressRoute' && gw && gatewayType(gw) === 'Vpn')) return;
  const r = ctx.report;
  const who = `connection "${c.name}"`;
  if (gw.vpnType === 'PolicyBased') r.error(`${path}.enableBgp`, 'R6', `${who}: policy-based gateway "${gw.name}" cannot run BGP`, 'Use a RouteBased gateway, or set enableBgp to false');
  else if (!gw.enableBgp) r.error(`${path}.enableBgp`, 'bgp', `${who}: BGP is enabled on the connection but not on gateway "${gw.name}"`, `Set enableBgp on gateway "${gw.name}", or set enableBgp to false here`);
  if (type === 'Vnet2Vnet' && peer && gatewayType(peer) === 'Vpn') {
    if (!peer.enableBgp) r.error(`${path}.enableBgp`, 'bgp', `${who}: peer gateway "${peer.name}" has no BGP`, `Set enableBgp on gateway "${peer.name}", or set enableBgp to false here`);
    else if (gatewayAsn(peer) === gatewayAsn(gw)) r.error(`${path}.enableBgp`, 'asn', `${who}: both gateways use ASN ${gatewayAsn(gw)}`, 'Give one gateway another ASN in bgpSettings.asn (both ends may not share an ASN)');
  }
  if (type === 'IPsec' && site) {
    const b = site.bgpSettings;
    if (b?.asn === undefined || b.bgpPeeringAddress === undefined) {
      r.error(`${path}.enableBgp`, 'bgp', `${who}: site "${site.name}" has no bgpSettings with asn and bgpPeeringAddress`, `Add bgpSettings { asn, bgpPeeringAddress } to local network gateway "${site.name}"`);
    } else if (b.asn === gatewayAsn(gw)) {
      r.error(`${path}.enableBgp`, 'asn', `${who}: gateway "${gw.name}" and site "${site.name}" both use ASN ${b.asn}`, 'Give the site another ASN (both ends may not share an ASN)');
    }
  }
}
