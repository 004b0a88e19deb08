/**
 * The two meanings of "policy-based", one function each, so that every layer
 * (forwarding, the instant and protocol tunnel layers, flows) asks the same
 * question the same way. They are different rules and must not be merged:
 *
 * - R14 (idle teardown) follows the gateway's VPN type only. A route-based
 *   gateway never idles a tunnel out, whatever its traffic selectors.
 * - R15 (traffic selectors) holds on a policy-based gateway and on any
 *   connection that sets `usePolicyBasedTrafficSelectors`, which lets a
 *   route-based gateway talk to a policy-based device; the tunnel stays
 *   route-based for R14 (DPD, no idle teardown).
 *
 * Both take the smallest shape they read, so the IKE protocol layer and tests
 * can call them without a whole network.
 */
import type { VpnType } from './skus.js';

/** What the predicates read of a connection. */
export interface PolicyBasedView {
  readonly type: string;
  readonly gateway: { readonly def: { readonly vpnType: VpnType } };
  readonly def: { readonly usePolicyBasedTrafficSelectors?: boolean };
}

/**
 * R14: true when connection `c`'s tunnel is torn down after five minutes
 * without traffic and comes back on the next packet, i.e. its gateway's VPN
 * type is PolicyBased. Such a tunnel has no DPD. ExpressRoute never idles out.
 */
export function idlesOutR14(c: PolicyBasedView): boolean {
  return c.type !== 'ExpressRoute' && c.gateway.def.vpnType === 'PolicyBased';
}

/**
 * R15: true when connection `c` selects traffic by pairs of prefixes, i.e.
 * its gateway is PolicyBased or it sets `usePolicyBasedTrafficSelectors`.
 * Otherwise its selectors are any-to-any. ExpressRoute has no selectors.
 */
export function usesPolicySelectorsR15(c: PolicyBasedView): boolean {
  return c.type !== 'ExpressRoute' && (c.gateway.def.vpnType === 'PolicyBased' || c.def.usePolicyBasedTrafficSelectors === true);
}
