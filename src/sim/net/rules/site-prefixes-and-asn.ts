/**
 * A local network gateway (site) on its own: its prefixes do not overlap each
 * other (`overlap`), and its BGP ASN is not reserved (`asn`).
 */
import { reservedAsnReason } from '../asn.js';
import type { LocalNetworkGatewayDef } from '../scenario.js';
import { P, type Ctx, type Item } from './model.js';
import { overlapSweep } from './prefix-sweep.js';

/** Checks one local network gateway's prefixes and ASN. */
export function checkSitePrefixesAndAsn(ctx: Ctx, { def: l, path }: Item<LocalNetworkGatewayDef>): void {
  const r = ctx.report;
  const who = `local network gateway "${l.name}"`;
  const ps = l.addressPrefixes.map((c, i) => ({ prefix: P(c), tag: i, order: i }));
  overlapSweep(ps, String, () => true, (x, m) => {
    const [later, earlier] = x.order > m.order ? [x, m] : [m, x];
    r.error(`${path}.addressPrefixes[${later.tag}]`, 'overlap', `${who}: prefix "${later.prefix.cidr}" overlaps "${earlier.prefix.cidr}"`, 'Remove or merge the overlapping prefix');
  });
  const asn = l.bgpSettings?.asn;
  if (asn !== undefined) {
    const why = reservedAsnReason(asn, false);
    if (why) r.error(`${path}.bgpSettings.asn`, 'asn', `${who}: ASN ${asn} is ${why}`, 'Use a private ASN such as 65010 (not 65515-65520)');
  }
}
