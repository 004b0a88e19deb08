/**
 * The configuration rules, run over one configuration state (the initial one,
 * and again after each configuration-changing timeline entry).
 */
import { checkConnection } from './connection.js';
import { checkGateway } from './gateway.js';
import { checkHosts } from './host-placement.js';
import type { Config, Ctx } from './model.js';
import { checkConnectionsPerGateway } from './r06-r08-connections-per-gateway.js';
import { checkAddressOverlap, networks } from './r09-address-overlap.js';
import { checkGatewaysPerVnet } from './r01-r12-gateways-per-vnet.js';
import { checkClients } from './r16-r18-clients.js';
import { checkClientPools } from './r20-client-pools.js';
import { checkPeerings } from './r22-peerings.js';
import { checkSitePrefixesAndAsn } from './site-prefixes-and-asn.js';
import { checkVnetAddressSpaces } from './vnet-address-spaces.js';

/** Runs every configuration rule on `cfg`, in a fixed order. */
export function checkConfig(ctx: Ctx, cfg: Config): void {
  for (const v of cfg.vnets.values()) checkVnetAddressSpaces(ctx, v);
  for (const l of cfg.lngs.values()) checkSitePrefixesAndAsn(ctx, l);
  for (const g of cfg.gateways.values()) checkGateway(ctx, cfg, g);
  checkGatewaysPerVnet(ctx, cfg);
  for (const c of cfg.connections.values()) checkConnection(ctx, cfg, c);
  checkConnectionsPerGateway(ctx, cfg);
  checkPeerings(ctx, cfg);
  checkClients(ctx, cfg);
  checkHosts(ctx, cfg);
  const nets = networks(cfg);
  checkAddressOverlap(ctx, cfg, nets);
  checkClientPools(ctx, cfg, nets);
}
