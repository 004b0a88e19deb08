/**
 * A local network gateway (site) on its own: its prefixes do not overlap each
 * other (`overlap`), and its BGP ASN is not reserved (`asn`).
 */
import { reservedAsnReason } from '../asn.js';
import { overlaps } from '../prefix.js';
import type { LocalNetworkGatewayDef } from '../scenario.js';
import { P, type Ctx, type Item } from './model.js';

/** Checks one local network gateway's prefixes and ASN. */
export function checkSitePrefixesAndAsn(ctx: Ctx, { def: l, path }: Item<LocalNetworkGatewayDef>): void {
  const r = ctx.report;
  const who = `local network gateway "${l.name}"`;
  const ps = l.addressPrefixes.map(P);
  for (let i = 0; i < ps.length; i++) {
    for (let j = 0; j < i; j++) {
      if (overlaps(ps[i]!, ps[j]!)) r.error(`${path}.addressPrefixes[${i}]`, 'overlap', `${who}: prefix "${ps[i]!.cidr}" overlaps "${ps[j]!.cidr}"`, 'Remove or merge the overlapping prefix');
    }
  }
  const asn = l.bgpSettings?.asn;
  if (asn !== undefined) {
    const why = reservedAsnReason(asn, false);
    if (why) r.error(`${path}.bgpSettings.asn`, 'asn', `${who}: ASN ${asn} is ${why}`, 'Use a private ASN such as 65010 (not 65515-65520)');
  }
}
