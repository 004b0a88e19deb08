/**
 * The semantic model the rules read: the configuration at one instant
 * ({@link Config}), the state of one validation run ({@link Ctx}), reference
 * resolution and small shared helpers.
 */
import { AZURE_DEFAULT_ASN } from '../asn.js';
import { parsePrefix, type Prefix } from '../prefix.js';
import type { ClientDef, ConnectionDef, GatewayDef, HostDef, LocalNetworkGatewayDef, PeeringDef, VnetDef } from '../scenario.js';
import { skuSpec, type SkuSpec } from '../skus.js';
import { suggest, type Report } from './report.js';

/**
 * ExpressRoute gateway SKUs the catalogue models (the runtime looks every
 * gateway's SKU up in it). Azure also has UltraPerformance and ErGw1AZ-3AZ,
 * which have no VPN figures in the SKU table.
 */
export const EXPRESSROUTE_SKUS: readonly string[] = ['Standard', 'HighPerformance'];
/** The one subnet name that hosts a gateway (R1). */
export const GATEWAY_SUBNET = 'GatewaySubnet';
/** Root certificates per P2S configuration (R18's neighbour in the SPEC table: up to 20). */
export const MAX_ROOT_CERTIFICATES = 20;

/** Kinds of named objects (one namespace). */
export type Kind = 'vnet' | 'gateway' | 'localNetworkGateway' | 'connection' | 'client' | 'host' | 'flow';

/** How a kind reads in a message. */
export const KIND_LABEL: Record<Kind, string> = {
  vnet: 'VNet', gateway: 'gateway', localNetworkGateway: 'local network gateway', connection: 'connection',
  client: 'client', host: 'host', flow: 'flow',
};

/** One object of the scenario with its JSON path. */
export interface Item<T> {
  readonly def: T;
  /** JSON path of the object: `$.connections[2]` or `$.timeline[5]`. */
  readonly path: string;
}

/** The configuration at one instant. */
export interface Config {
  vnets: Map<string, Item<VnetDef>>;
  gateways: Map<string, Item<GatewayDef>>;
  lngs: Map<string, Item<LocalNetworkGatewayDef>>;
  connections: Map<string, Item<ConnectionDef>>;
  peerings: Item<PeeringDef>[];
  clients: Map<string, Item<ClientDef>>;
  hosts: Map<string, Item<HostDef>>;
  /** Bumped by every change the timeline replay makes (caches key on it). */
  version: number;
  /** Locations named by VNets, sites and clients the schema rejected: an underlay path to one is no second problem. */
  readonly opaqueLocations: Set<string>;
}

/** State of one validation run. */
export interface Ctx {
  readonly report: Report;
  /** Live names of every kind (one namespace: names are `fail` targets). */
  readonly names: Map<string, { kind: Kind; path: string }>;
  /** Names of objects the schema rejected: references to them are not errors. */
  readonly opaque: Set<string>;
  /** Kinds whose whole list is unusable. */
  readonly brokenKinds: Set<Kind>;
  /** Gateways deleted by the timeline: name -> path of the deleting entry. */
  readonly deleted: Map<string, string>;
  /** True when some object the schema rejected is a gateway (memoised: opaque names are fixed after loading). */
  opaqueGateways(): boolean;
}

/** Resolves a reference; reports it when it names nothing (or the wrong kind). */
export function resolve<T>(ctx: Ctx, map: Map<string, Item<T>>, kind: Kind, name: string, path: string, who: string, strictDeleted = false): Item<T> | undefined {
  const hit = map.get(name);
  if (hit) return hit;
  if (ctx.opaque.has(name) || ctx.brokenKinds.has(kind)) return undefined;
  const deletedBy = ctx.deleted.get(name);
  if (deletedBy !== undefined) {
    if (strictDeleted) ctx.report.error(path, 'ref', `${who}: ${KIND_LABEL[kind]} "${name}" was deleted by ${deletedBy}`, `Create it again first, or remove this entry`);
    return undefined;
  }
  const other = ctx.names.get(name);
  if (other) {
    ctx.report.error(path, 'ref', `${who}: "${name}" is a ${KIND_LABEL[other.kind]}, not a ${KIND_LABEL[kind]}`, `Name a ${KIND_LABEL[kind]}. ${suggest(name, map.keys(), KIND_LABEL[kind])}`);
  } else {
    ctx.report.error(path, 'ref', `${who}: no ${KIND_LABEL[kind]} named "${name}"`, suggest(name, map.keys(), KIND_LABEL[kind]));
  }
  return undefined;
}

/** Parses a CIDR the schema has already checked. */
export const P = (cidr: string): Prefix => parsePrefix(cidr);

/** The VNet's GatewaySubnet and its index, if any. */
export function gatewaySubnet(vnet: VnetDef): { subnet: VnetDef['subnets'][number]; index: number } | undefined {
  const index = vnet.subnets.findIndex((s) => s.name === GATEWAY_SUBNET);
  return index >= 0 ? { subnet: vnet.subnets[index]!, index } : undefined;
}

/** A gateway's type (default Vpn). */
export function gatewayType(gw: GatewayDef): 'Vpn' | 'ExpressRoute' {
  return gw.gatewayType ?? 'Vpn';
}

/** The SKU of a Vpn gateway, or undefined (ExpressRoute gateway, unknown SKU: reported by the SKU rule). */
export function vpnSku(gw: GatewayDef): SkuSpec | undefined {
  if (gatewayType(gw) !== 'Vpn') return undefined;
  try {
    return skuSpec(gw.sku, gw.vpnGatewayGeneration);
  } catch {
    return undefined;
  }
}

/** A gateway's ASN (default 65515). */
export function gatewayAsn(gw: GatewayDef): number {
  return gw.bgpSettings?.asn ?? AZURE_DEFAULT_ASN;
}
