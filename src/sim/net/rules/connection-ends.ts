/**
 * A connection's ends and fields by type: a Vnet2Vnet connection names a peer
 * gateway (not its own) and no site; IPsec and ExpressRoute name a site and no
 * peer gateway; extraAddressPrefixes on Vnet2Vnet only; traffic selectors on
 * IPsec only (rules `required`, `ref`, `field`).
 */
import type { ConnectionDef, GatewayDef, LocalNetworkGatewayDef } from '../scenario.js';
import { resolve, type Config, type Ctx, type Item } from './model.js';

/** What a connection's references resolve to (undefined when they do not). */
export interface ConnectionEnds {
  readonly gw: GatewayDef | undefined;
  readonly peer: GatewayDef | undefined;
  readonly site: LocalNetworkGatewayDef | undefined;
}

/** Checks a connection's references and type-specific fields; returns its ends. */
export function checkConnectionEnds(ctx: Ctx, cfg: Config, { def: c, path }: Item<ConnectionDef>): ConnectionEnds {
  const r = ctx.report;
  const who = `connection "${c.name}"`;
  const gw = resolve(ctx, cfg.gateways, 'gateway', c.gateway, `${path}.gateway`, who)?.def;
  const type = c.connectionType;
  let peer: GatewayDef | undefined;
  let site: LocalNetworkGatewayDef | undefined;

  if (type === 'Vnet2Vnet') {
    if (c.peerGateway === undefined) r.error(`${path}.peerGateway`, 'required', `${who}: a Vnet2Vnet connection needs peerGateway`, 'Name the other VNet\'s gateway in peerGateway');
    else if (c.peerGateway === c.gateway) r.error(`${path}.peerGateway`, 'ref', `${who}: peerGateway is the connection's own gateway ("${c.gateway}")`, 'Name the other VNet\'s gateway');
    else peer = resolve(ctx, cfg.gateways, 'gateway', c.peerGateway, `${path}.peerGateway`, who)?.def;
    if (c.localNetworkGateway !== undefined) r.error(`${path}.localNetworkGateway`, 'field', `${who}: a Vnet2Vnet connection takes no localNetworkGateway`, 'Remove localNetworkGateway, or use connectionType IPsec');
  } else {
    if (c.localNetworkGateway === undefined) r.error(`${path}.localNetworkGateway`, 'required', `${who}: an ${type} connection needs localNetworkGateway`, 'Name the on-premises site in localNetworkGateway');
    else site = resolve(ctx, cfg.lngs, 'localNetworkGateway', c.localNetworkGateway, `${path}.localNetworkGateway`, who)?.def;
    if (c.peerGateway !== undefined) r.error(`${path}.peerGateway`, 'field', `${who}: an ${type} connection takes no peerGateway`, 'Remove peerGateway, or use connectionType Vnet2Vnet');
  }
  if (type !== 'Vnet2Vnet' && c.extraAddressPrefixes !== undefined) {
    r.error(`${path}.extraAddressPrefixes`, 'field', `${who}: extraAddressPrefixes apply to Vnet2Vnet connections only`, 'Remove extraAddressPrefixes, or add the prefixes to the local network gateway');
  }
  if (type !== 'IPsec' && (c.usePolicyBasedTrafficSelectors !== undefined || c.trafficSelectorPolicies !== undefined)) {
    r.error(`${path}.${c.usePolicyBasedTrafficSelectors !== undefined ? 'usePolicyBasedTrafficSelectors' : 'trafficSelectorPolicies'}`, 'field', `${who}: traffic selectors apply to IPsec connections only`, 'Remove the traffic selector fields');
  }
  return { gw, peer, site };
}
