/**
 * BGP on a gateway: not on a policy-based gateway (R6) nor a SKU without BGP
 * (`bgp`); bgpSettings without enableBgp is a warning; the ASN is not
 * reserved (`asn`); the peering address lies in GatewaySubnet (`bgp`).
 */
import { AZURE_DEFAULT_ASN, reservedAsnReason } from '../asn.js';
import { contains, parseAddress, type Prefix } from '../prefix.js';
import type { GatewayDef } from '../scenario.js';
import { SKU_NAMES, type SkuSpec } from '../skus.js';
import type { Ctx, Item } from './model.js';

/** Checks one Vpn gateway's BGP settings. */
export function checkGatewayBgp(ctx: Ctx, { def: g, path }: Item<GatewayDef>, sku: SkuSpec | undefined, gwSubnet: Prefix | undefined): void {
  const r = ctx.report;
  const who = `gateway "${g.name}"`;
  const policy = g.vpnType === 'PolicyBased';
  if (g.enableBgp) {
    if (policy) r.error(`${path}.enableBgp`, 'R6', `${who}: a policy-based gateway cannot run BGP`, 'Use a RouteBased gateway, or set enableBgp to false');
    else if (sku && !sku.bgp) r.error(`${path}.enableBgp`, 'bgp', `${who}: SKU "${sku.name}" does not support BGP`, `Use a SKU with BGP (${SKU_NAMES.filter((n) => n !== 'Basic').slice(0, 4).join(', ')}, ...) or set enableBgp to false`);
  } else if (g.bgpSettings) {
    r.warn(`${path}.bgpSettings`, 'bgp', `${who}: bgpSettings are set but enableBgp is not`, 'Set enableBgp to true, or remove bgpSettings');
  }
  const asn = g.bgpSettings?.asn;
  if (asn !== undefined) {
    const why = reservedAsnReason(asn, true);
    if (why) r.error(`${path}.bgpSettings.asn`, 'asn', `${who}: ASN ${asn} is ${why}`, `Use the default ${AZURE_DEFAULT_ASN} or a private ASN such as 65020`);
  }
  const peerAddr = g.bgpSettings?.bgpPeeringAddress;
  if (peerAddr !== undefined && gwSubnet && !contains(gwSubnet, parseAddress(peerAddr))) {
    r.error(`${path}.bgpSettings.bgpPeeringAddress`, 'bgp', `${who}: BGP peering address "${peerAddr}" is not in GatewaySubnet "${gwSubnet.cidr}"`, 'Use an address of GatewaySubnet, or leave it out for the default (second-to-last address)');
  }
}
