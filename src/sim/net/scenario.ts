/**
 * The scenario file format: a public contract that other tools write.
 * Property names follow Azure Resource Manager where one exists, flattened.
 * Times are seconds; rates Mbit/s; latency milliseconds; loss percent.
 *
 * A scenario is plain data (JSON, or a TypeScript module exporting
 * `defineScenario({...})`). It is validated as a whole before anything is
 * built from it.
 */
import type { Generation, TunnelCipher, VpnType } from './skus.js';
import type { IkeVersion } from '../../protocols/ike/messages.js';

export type { Generation, VpnType, TunnelCipher } from './skus.js';

/**
 * Gateway SKU names, as Azure spells them (the legacy Basic, Standard and
 * HighPerformance, the VpnGw1-5 generation and their zone-redundant AZ
 * variants). A misspelt name fails to compile in a TypeScript scenario;
 * JSON and YAML scenarios are checked by the validator (rule `sku`).
 */
export type SkuName =
  | 'Basic' | 'Standard' | 'HighPerformance'
  | 'VpnGw1' | 'VpnGw2' | 'VpnGw3' | 'VpnGw4' | 'VpnGw5'
  | 'VpnGw1AZ' | 'VpnGw2AZ' | 'VpnGw3AZ' | 'VpnGw4AZ' | 'VpnGw5AZ';

/** P2S tunnel types (R17). */
export type ClientProtocol = 'IkeV2' | 'SSTP' | 'OpenVPN';
/** P2S authentication types. */
export type AuthenticationType = 'Certificate' | 'Radius' | 'AAD';
/** Operating system of a P2S client; Windows decides how routes arrive (R21). */
export type ClientOs = 'Windows' | 'macOS' | 'Linux' | 'iOS' | 'Android';
/** Connection types, as ARM names them. */
export type ConnectionType = 'IPsec' | 'Vnet2Vnet' | 'ExpressRoute';
/** IKE version of a connection (R5); owned by the IKE protocol. */
export type { IkeVersion };
/** Gateway types: a VPN gateway, or an ExpressRoute gateway coexisting with it (R12). */
export type GatewayType = 'Vpn' | 'ExpressRoute';

/** A subnet of a VNet; the one named exactly `GatewaySubnet` hosts gateways (R1). */
export interface SubnetDef {
  name: string;
  addressPrefix: string;
}

/** A virtual network. */
export interface VnetDef {
  name: string;
  /** Azure region, e.g. `eastus`; keys underlay paths. */
  location: string;
  addressPrefixes: string[];
  subnets: SubnetDef[];
}

/** BGP settings of a gateway or a local network gateway. */
export interface BgpSettingsDef {
  /** Default 65515 (Azure's). */
  asn?: number;
  /** Default: the second-to-last address of GatewaySubnet (gateways); required for sites with BGP. */
  bgpPeeringAddress?: string;
}

/** Point-to-site configuration of a gateway (R16). */
export interface VpnClientConfigurationDef {
  vpnClientAddressPool: string[];
  vpnClientProtocols: ClientProtocol[];
  vpnAuthenticationTypes?: AuthenticationType[];
  /** Trusted root certificates for certificate authentication (at most 20). */
  vpnClientRootCertificates?: { name: string }[];
}

/** A virtual network gateway. */
export interface GatewayDef {
  name: string;
  vnet: string;
  /** Default `Vpn`. An ExpressRoute gateway coexists with a Vpn gateway in the same GatewaySubnet (R12). */
  gatewayType?: GatewayType;
  vpnType: VpnType;
  sku: SkuName;
  /** Default: the SKU's only or first generation (VpnGw4/5: Generation2). */
  vpnGatewayGeneration?: Generation;
  enableBgp?: boolean;
  bgpSettings?: BgpSettingsDef;
  vpnClientConfiguration?: VpnClientConfigurationDef;
  /** Forced tunneling: the local network gateway that receives the default route (R11). */
  gatewayDefaultSite?: string;
  /** Override of the SKU's provisioning time in seconds (R3). */
  provisioningSeconds?: number;
}

/** A local network gateway: an on-premises site and its VPN device. */
export interface LocalNetworkGatewayDef {
  name: string;
  /** Public IP of the on-premises VPN device. */
  gatewayIpAddress: string;
  addressPrefixes: string[];
  bgpSettings?: BgpSettingsDef;
  /** Region or label keying underlay paths; default the site's own name. */
  location?: string;
  /** The device's own routes toward Azure; default: the prefixes of the VNets it connects to. */
  deviceRoutes?: string[];
  uplinkMbps?: number;
  downlinkMbps?: number;
}

/** One policy-based traffic selector: local and remote prefixes (R15). */
export interface TrafficSelectorPolicyDef {
  localAddressRanges: string[];
  remoteAddressRanges: string[];
}

/** A connection: IPsec (S2S), Vnet2Vnet (one half of a link) or ExpressRoute. */
export interface ConnectionDef {
  name: string;
  connectionType: ConnectionType;
  gateway: string;
  /** Vnet2Vnet: the other VNet's gateway. */
  peerGateway?: string;
  /** IPsec and ExpressRoute: the on-premises site. */
  localNetworkGateway?: string;
  /** R4: 1-128 letters or digits; both ends equal. */
  sharedKey?: string;
  /** Default IKEv2 (route-based) or IKEv1 (policy-based). */
  connectionProtocol?: IkeVersion;
  enableBgp?: boolean;
  usePolicyBasedTrafficSelectors?: boolean;
  trafficSelectorPolicies?: TrafficSelectorPolicyDef[];
  /** Vnet2Vnet: static transit prefixes reached through the peer VNet (SPEC section 5). */
  extraAddressPrefixes?: string[];
  /** Cipher for the per-tunnel ceiling; default GCMAES256. */
  ipsecCipher?: TunnelCipher;
}

/** One direction of a VNet peering (R22). */
export interface PeeringDef {
  vnet: string;
  remoteVnet: string;
  allowGatewayTransit?: boolean;
  useRemoteGateways?: boolean;
}

/** A point-to-site client. */
export interface ClientDef {
  name: string;
  os: ClientOs;
  gateway: string;
  protocol: ClientProtocol;
  /** When the client package was downloaded (Windows routes are frozen then, R21). Default 0. */
  packageDownloadedAt?: number;
  /** When the client connects. Default 0; null: not connected until a `connectClient` action. */
  connectAt?: number | null;
  /** Routes added by hand on the client. */
  manualRoutes?: string[];
  /** Root certificate the client certificate chains to (certificate authentication). */
  rootCertificate?: string;
  /** Region or label keying underlay paths; default `internet`. */
  location?: string;
  uplinkMbps?: number;
  downlinkMbps?: number;
}

/** A host: a named address in a VNet subnet or a site prefix. */
export interface HostDef {
  name: string;
  vnet?: string;
  localNetworkGateway?: string;
  address: string;
  uplinkMbps?: number;
  downlinkMbps?: number;
}

/** Figures of one underlay path, between two locations or sites (symmetric). */
export interface UnderlayPathDef {
  /** A location (region) or a site name. */
  from: string;
  to: string;
  latencyMs?: number;
  lossPercent?: number;
  bandwidthMbps?: number;
}

/** The underlay: defaults and explicit paths. */
export interface UnderlayDef {
  /** Used where no path matches. */
  defaults?: { latencyMs?: number; lossPercent?: number; bandwidthMbps?: number };
  paths?: UnderlayPathDef[];
}

/** Flow kinds: bulk TCP, or UDP at a fixed rate. */
export type FlowKind = 'tcp' | 'udp';

/** A traffic flow from a client or host to a host. */
export interface FlowDef {
  name: string;
  /** A host or a client. */
  from: string;
  /** A host. */
  to: string;
  /** Seconds. Default 0. */
  start?: number;
  bytes?: number;
  /** Seconds; for flows without `bytes`. */
  duration?: number;
  /** Default `tcp`. */
  kind?: FlowKind;
  /** UDP sending rate, Mbit/s. */
  rateMbps?: number;
}

/** One timeline entry: `{ at, action, ...fields }`. */
export type TimelineEntry =
  | ({ at: number; action: 'addPeering' } & PeeringDef)
  | { at: number; action: 'removePeering'; vnet: string; remoteVnet: string }
  | ({ at: number; action: 'addConnection' } & ConnectionDef)
  | { at: number; action: 'removeConnection'; connection: string }
  | { at: number; action: 'downloadClientPackage'; client: string }
  | { at: number; action: 'addClientRoute'; client: string; prefix: string }
  | { at: number; action: 'ping'; from: string; to: string; every?: number; until?: number }
  | { at: number; action: 'fail' | 'restore'; target: string; planned?: boolean }
  | ({ at: number; action: 'setPath' } & UnderlayPathDef)
  | { at: number; action: 'resetBgp'; connection: string }
  | { at: number; action: 'resizeGateway'; gateway: string; sku: SkuName }
  | { at: number; action: 'connectClient' | 'disconnectClient'; client: string }
  | ({ at: number; action: 'startFlow' } & FlowDef)
  | ({ at: number; action: 'createGateway' } & GatewayDef)
  | { at: number; action: 'deleteGateway'; gateway: string };

/** Names of the timeline actions. */
export type TimelineAction = TimelineEntry['action'];

/** A scenario file's top level. */
export interface Scenario {
  name: string;
  description?: string;
  /** Master seed of every random stream. Default 1. */
  seed?: number | string;
  vnets: VnetDef[];
  gateways?: GatewayDef[];
  localNetworkGateways?: LocalNetworkGatewayDef[];
  connections?: ConnectionDef[];
  peerings?: PeeringDef[];
  clients?: ClientDef[];
  hosts?: HostDef[];
  underlay?: UnderlayDef;
  flows?: FlowDef[];
  timeline?: TimelineEntry[];
}

/**
 * Identity function that types a scenario written in TypeScript:
 * `export default defineScenario({...})` or `export const scenario = defineScenario({...})`.
 * The parameter is a plain {@link Scenario} (not a generic), so TypeScript's
 * excess-property checks apply: a misspelt field such as `enableBGP` or an
 * unknown SKU fails to compile.
 */
export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}
