/**
 * SKUs: an ExpressRoute gateway uses a modelled ExpressRoute SKU and takes no
 * P2S clients (R16); a Vpn gateway's SKU exists (`sku`) and offers its VPN
 * type (R6).
 */
import { ValidationError } from '../../../errors.js';
import type { GatewayDef } from '../scenario.js';
import { skuSpec, type SkuSpec } from '../skus.js';
import { EXPRESSROUTE_SKUS, type Ctx, type Item } from './model.js';

/** Checks an ExpressRoute gateway's SKU and that it has no P2S configuration. */
export function checkExpressRouteGatewaySku(ctx: Ctx, { def: g, path }: Item<GatewayDef>): void {
  const r = ctx.report;
  const who = `gateway "${g.name}"`;
  if (!EXPRESSROUTE_SKUS.includes(g.sku)) {
    r.error(`${path}.sku`, 'sku', `${who}: "${g.sku}" is not an ExpressRoute gateway SKU vpnsim models`, `Use one of ${EXPRESSROUTE_SKUS.join(', ')}`);
  }
  if (g.vpnClientConfiguration) r.error(`${path}.vpnClientConfiguration`, 'R16', `${who}: an ExpressRoute gateway cannot take point-to-site clients`, 'Move vpnClientConfiguration to a route-based Vpn gateway');
}

/**
 * Checks a Vpn gateway's SKU and VPN type.
 * @returns the SKU when it exists.
 */
export function checkVpnGatewaySku(ctx: Ctx, { def: g, path }: Item<GatewayDef>): SkuSpec | undefined {
  const r = ctx.report;
  const who = `gateway "${g.name}"`;
  let sku: SkuSpec | undefined;
  try {
    sku = skuSpec(g.sku, g.vpnGatewayGeneration);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const m = err.message.match(/: (.*) \(sku\)\./);
    r.error(`${path}.sku`, 'sku', `${who}: ${m ? m[1] : `SKU "${g.sku}" is unknown`}`, err.fix);
  }
  if (sku && !sku.vpnTypes.includes(g.vpnType)) {
    r.error(`${path}.vpnType`, 'R6', `${who}: SKU "${sku.name}" does not offer vpnType "${g.vpnType}"`, `Use vpnType ${sku.vpnTypes.join(' or ')}, or a SKU that offers ${g.vpnType} (Basic)`);
  }
  return sku;
}
