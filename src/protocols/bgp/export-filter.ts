/**
 * Ready-made export filters. Azure's gateway advertises its VNet prefixes,
 * its connections' prefixes and routes learned from other BGP peers, except a
 * default route and learned prefixes that overlap its VNet (SKUS.md, "BGP on
 * the gateway").
 */
import { overlaps, parsePrefix, type Prefix } from '../../sim/net/prefix.js';
import type { ExportFilter } from './speaker.js';

/** The default route, never advertised by an Azure gateway. */
export const DEFAULT_ROUTE = '0.0.0.0/0';

/**
 * Azure's export rules for a gateway in a VNet with `vnetPrefixes`:
 * no `0.0.0.0/0` (whatever its source), and no learned route that overlaps
 * any VNet prefix. Routes the gateway originates pass (its VNet itself).
 * @throws ValidationError when a VNet prefix is not canonical CIDR.
 */
export function azureExportFilter(vnetPrefixes: readonly string[]): ExportFilter {
  const vnets: Prefix[] = vnetPrefixes.map((p, i) => parsePrefix(p, `azureExportFilter vnetPrefixes[${i}]`));
  return (route) => {
    if (route.prefix === DEFAULT_ROUTE) return false;
    if (route.local) return true;
    const p = parsePrefix(route.prefix);
    return !vnets.some((v) => overlaps(v, p));
  };
}

/** Combines filters: a route passes when every filter lets it through. */
export function allOf(...filters: readonly ExportFilter[]): ExportFilter {
  return (route, neighbor) => filters.every((f) => f(route, neighbor));
}
