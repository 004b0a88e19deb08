/**
 * The gateway SKU catalogue, both eras. Figures and sources: SKUS.md.
 *
 * - Legacy (2016, the seeds' era): Basic, Standard, HighPerformance; from the
 *   VPN Gateway FAQ of 2016 and seed 001/002 ("Basic and Standard take 10
 *   connections, HighPerformance 30; 128 SSTP clients").
 * - Current: VpnGw1-5 (and AZ variants), Generation1/Generation2; from
 *   MicrosoftDocs/azure-docs `includes/vpn-gateway-table-gwtype-aggtput-include.md`
 *   and `articles/vpn-gateway/vpn-gateway-about-vpn-devices.md` (2023 per-tunnel
 *   measurements).
 */
import { distance as levenshtein } from 'fastest-levenshtein';
import { ValidationError } from '../../errors.js';
import type { TunnelCipher } from '../../protocols/esp/packet.js';

/** Ciphers with a measured per-tunnel figure (2023 docs); owned by the ESP protocol. */
export type { TunnelCipher };

/** VPN types: policy-based (static routing) or route-based (dynamic routing). */
export type VpnType = 'PolicyBased' | 'RouteBased';
/** Gateway generation, as ARM's `vpnGatewayGeneration`. */
export type Generation = 'Generation1' | 'Generation2';
/** The era of a SKU: the seeds' 2016 catalogue or the current one. */
export type SkuEra = 'legacy' | 'current';

/** One SKU of one generation. */
export interface SkuSpec {
  readonly name: string;
  readonly generation: Generation;
  readonly era: SkuEra;
  /** Aggregate VPN throughput shared by every tunnel, P2S included (R10), Mbit/s. */
  readonly aggregateMbps: number;
  /** S2S + VNet-to-VNet tunnels on a route-based gateway (R7). */
  readonly maxTunnels: number;
  /** S2S tunnels on a policy-based gateway (Basic only: 1); 0 where PolicyBased is not offered. */
  readonly maxPolicyBasedTunnels: number;
  /** SSTP clients connected at once (R18). */
  readonly maxSstpClients: number;
  /** IKEv2 + OpenVPN clients connected at once; separate from the SSTP limit. */
  readonly maxIkev2OpenVpnClients: number;
  readonly bgp: boolean;
  readonly vpnTypes: readonly VpnType[];
  /** ExpressRoute + S2S coexistence allowed (R12): Standard, HighPerformance and the VpnGw SKUs. */
  readonly expressRouteCoexistence: boolean;
  /** Single-tunnel ceiling per cipher, Mbit/s. Legacy SKUs: the aggregate (no separate figure). */
  readonly perTunnelMbps: Readonly<Record<TunnelCipher, number>>;
  /** Default provisioning time in seconds (R3: "often 45 minutes or more"). */
  readonly provisioningSeconds: number;
}

const PROVISION = 45 * 60;

function legacy(name: string, aggregateMbps: number, maxTunnels: number, bgp: boolean, vpnTypes: VpnType[], coexist: boolean): SkuSpec {
  return {
    name, generation: 'Generation1', era: 'legacy', aggregateMbps, maxTunnels,
    maxPolicyBasedTunnels: vpnTypes.includes('PolicyBased') ? 1 : 0,
    maxSstpClients: 128, maxIkev2OpenVpnClients: 0, bgp, vpnTypes, expressRouteCoexistence: coexist,
    perTunnelMbps: { GCMAES256: aggregateMbps, AES256_SHA256: aggregateMbps, DES3_SHA256: aggregateMbps },
    provisioningSeconds: PROVISION,
  };
}

function current(name: string, generation: Generation, aggregateMbps: number, maxTunnels: number, ikev2: number, perTunnel: [number, number, number]): SkuSpec {
  return {
    name, generation, era: 'current', aggregateMbps, maxTunnels, maxPolicyBasedTunnels: 0,
    maxSstpClients: 128, maxIkev2OpenVpnClients: ikev2, bgp: true, vpnTypes: ['RouteBased'],
    expressRouteCoexistence: true,
    perTunnelMbps: { GCMAES256: perTunnel[0], AES256_SHA256: perTunnel[1], DES3_SHA256: perTunnel[2] },
    provisioningSeconds: PROVISION,
  };
}

const BASE: SkuSpec[] = [
  // Legacy, 2016. Basic is the same in both eras (current table: 10 tunnels, 128 SSTP, no IKEv2, 100 Mbps, no BGP).
  legacy('Basic', 100, 10, false, ['PolicyBased', 'RouteBased'], false),
  legacy('Standard', 100, 10, true, ['RouteBased'], true),
  legacy('HighPerformance', 200, 30, true, ['RouteBased'], true),
  // Current, Generation1.
  current('VpnGw1', 'Generation1', 650, 30, 250, [650, 500, 130]),
  current('VpnGw2', 'Generation1', 1000, 30, 500, [1200, 650, 140]),
  current('VpnGw3', 'Generation1', 1250, 30, 1000, [1250, 700, 140]),
  // Current, Generation2.
  current('VpnGw2', 'Generation2', 1250, 30, 500, [1250, 550, 130]),
  current('VpnGw3', 'Generation2', 2500, 30, 1000, [1500, 700, 140]),
  current('VpnGw4', 'Generation2', 5000, 100, 5000, [2300, 700, 140]),
  current('VpnGw5', 'Generation2', 10000, 100, 10000, [2300, 700, 140]),
];

/** Every SKU of both eras; the AZ variants carry the figures of their base SKU. */
export const SKU_CATALOGUE: readonly SkuSpec[] = [
  ...BASE,
  ...BASE.filter((s) => s.name.startsWith('VpnGw')).map((s) => ({ ...s, name: `${s.name}AZ` })),
];

/** The generation a SKU has when a scenario does not say (VpnGw4/5 exist only in Generation2). */
export function defaultGeneration(sku: string): Generation {
  return /^VpnGw[45]/.test(sku) ? 'Generation2' : 'Generation1';
}

/** Every SKU name, each once. */
export const SKU_NAMES: readonly string[] = [...new Set(SKU_CATALOGUE.map((s) => s.name))];

/**
 * Looks up a SKU.
 * @param generation default: {@link defaultGeneration}.
 * @throws ValidationError naming the SKU and the names that exist.
 */
export function skuSpec(name: string, generation?: Generation, where = `sku "${name}"`): SkuSpec {
  const gen = generation ?? defaultGeneration(name);
  const spec = SKU_CATALOGUE.find((s) => s.name === name && s.generation === gen);
  if (spec) return spec;
  const other = SKU_CATALOGUE.find((s) => s.name === name);
  if (other) {
    throw new ValidationError({ path: where, rule: 'sku', message: `SKU "${name}" does not exist in ${gen}`, fix: `Use vpnGatewayGeneration "${other.generation}"` });
  }
  const lower = name.toLowerCase();
  const near = SKU_NAMES.find((n) => n.toLowerCase() === lower) ?? closest(lower, SKU_NAMES);
  throw new ValidationError({ path: where, rule: 'sku', message: `unknown SKU "${name}"`, fix: `${near ? `Did you mean "${near}"? ` : ''}Use one of ${SKU_NAMES.join(', ')}` });
}

/** The name nearest to `lower` (already lower-case) by edit distance, when within 2 edits. */
function closest(lower: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = levenshtein(lower, n.toLowerCase());
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best;
}
