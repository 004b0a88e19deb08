/**
 * A gateway's point-to-site configuration: route-based only (R16); no IKEv2
 * or OpenVPN on a SKU without them (R17); at most 20 root certificates, each
 * named once (R18 family); the gateway's pools do not overlap each other (R20).
 */
import type { GatewayDef } from '../scenario.js';
import type { SkuSpec } from '../skus.js';
import { MAX_ROOT_CERTIFICATES, P, type Ctx, type Item } from './model.js';
import { overlapSweep } from './prefix-sweep.js';

/** Checks one Vpn gateway's vpnClientConfiguration, if any. */
export function checkP2sConfiguration(ctx: Ctx, { def: g, path }: Item<GatewayDef>, sku: SkuSpec | undefined): void {
  const r = ctx.report;
  const who = `gateway "${g.name}"`;
  const p2s = g.vpnClientConfiguration;
  if (!p2s) return;
  const pp = `${path}.vpnClientConfiguration`;
  if (g.vpnType === 'PolicyBased') r.error(pp, 'R16', `${who}: point-to-site needs a RouteBased gateway (vpnType "${g.vpnType}")`, 'Use vpnType RouteBased, or remove vpnClientConfiguration');
  if (sku && sku.maxIkev2OpenVpnClients === 0) {
    p2s.vpnClientProtocols.forEach((proto, i) => {
      if (proto !== 'SSTP') r.error(`${pp}.vpnClientProtocols[${i}]`, 'R17', `${who}: SKU "${sku.name}" supports no ${proto} clients`, 'Use SSTP on this SKU, or a VpnGw SKU for IKEv2 and OpenVPN');
    });
  }
  const roots = p2s.vpnClientRootCertificates ?? [];
  if (roots.length > MAX_ROOT_CERTIFICATES) {
    r.error(`${pp}.vpnClientRootCertificates`, 'R18', `${who}: ${roots.length} root certificates (at most ${MAX_ROOT_CERTIFICATES})`, `Keep at most ${MAX_ROOT_CERTIFICATES} root certificates`);
  }
  const rootNames = new Set<string>();
  roots.forEach((c, i) => {
    if (rootNames.has(c.name)) r.error(`${pp}.vpnClientRootCertificates[${i}].name`, 'duplicate', `${who}: root certificate "${c.name}" is listed twice`, 'Give each root certificate its own name');
    rootNames.add(c.name);
  });
  const pools = p2s.vpnClientAddressPool.map((c, i) => ({ prefix: P(c), tag: i, order: i }));
  overlapSweep(pools, String, () => true, (x, m) => {
    const [later, earlier] = x.order > m.order ? [x, m] : [m, x];
    r.error(`${pp}.vpnClientAddressPool[${later.tag}]`, 'R20', `${who}: client pool "${later.prefix.cidr}" overlaps "${earlier.prefix.cidr}"`, 'Use client pools that do not overlap');
  });
}
