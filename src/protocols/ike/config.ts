/**
 * Configuration of one IKE end, with Azure's defaults per VPN type and era
 * (SKUS.md, "IKE / IPsec defaults") and strongSwan's retransmission policy.
 * {@link ikeConfig} fills defaults and validates; the machine takes the
 * complete {@link IkeConfig} it returns.
 */
import { UsageError } from '../../errors.js';
import { sortCidrs } from '../../sim/net/prefix.js';
import type { SkuEra, VpnType } from '../../sim/net/skus.js';
import type { IkeVersion } from './messages.js';

/**
 * Request retransmission with exponential backoff (RFC 7296 §2.1 asks for
 * retransmission but leaves the schedule to the implementation). The n-th
 * send (n = 0 for the first) waits `timeout * base^n` seconds for an answer;
 * after `tries` retransmissions the last wait runs out and the peer is given up.
 */
export interface RetransmitPolicy {
  /** Wait after the first send, seconds. */
  readonly timeout: number;
  /** Growth factor of each further wait. */
  readonly base: number;
  /** Retransmissions after the first send. */
  readonly tries: number;
}

/**
 * strongSwan's charon defaults (`retransmit_timeout` 4 s, `retransmit_base`
 * 1.8, `retransmit_tries` 5): sends at 0, 4, 11.2, 24.16, 47.488 and
 * 89.4784 s; the peer is given up 165.06112 s after the first send. vpnsim
 * uses them because Azure does not document its schedule.
 */
export const STRONGSWAN_RETRANSMIT: Readonly<RetransmitPolicy> = Object.freeze({ timeout: 4, base: 1.8, tries: 5 });

/**
 * The waits of a retransmission policy, seconds, in send order: `tries + 1`
 * entries, each rounded to the microsecond as the kernel keeps it.
 */
export function retransmitSchedule(p: RetransmitPolicy): number[] {
  const out: number[] = [];
  for (let n = 0; n <= p.tries; n++) out.push(Math.round(p.timeout * p.base ** n * 1e6) / 1e6);
  return out;
}

/** Seconds from the first send of a request to giving the peer up: the sum of {@link retransmitSchedule}. */
export function giveUpAfter(p: RetransmitPolicy): number {
  return Math.round(retransmitSchedule(p).reduce((a, b) => a + b * 1e6, 0)) / 1e6;
}

/**
 * Dead peer detection (RFC 3706 for IKEv1; RFC 7296 §2.4 liveness checks for
 * IKEv2). After `interval` seconds with nothing from the peer an empty
 * INFORMATIONAL (IKEv1: R-U-THERE) probe is sent, and resent every `interval`
 * seconds while unanswered, so a quiet but live peer always answers in time;
 * the peer is declared dead when nothing at all has arrived from it for
 * `timeout` seconds. Detection therefore takes exactly `timeout` seconds
 * from the last message heard from a peer that vanished.
 */
export interface DpdSettings {
  /** Azure's DPD timeout, seconds: default 45, allowed 9-3,600 (SKUS.md). */
  readonly timeout: number;
  /** Probe interval, seconds, below `timeout`; default `timeout / 3` (Azure does not document it). */
  readonly interval: number;
}

/** Azure's DPD timeout default, seconds (SKUS.md). */
export const DEFAULT_DPD_TIMEOUT = 45;

/** R14: a policy-based tunnel idle for this long in both directions is torn down, seconds. */
export const IDLE_TIMEOUT_SECONDS = 300;

/**
 * A responder drops a negotiation that makes no progress for this long,
 * seconds (strongSwan's `half_open_timeout`, 30 s), reporting `peerUnreachable`.
 */
export const HALF_OPEN_TIMEOUT = 30;

/**
 * Azure's default IKE (phase 1) proposals, preferred first: encryption,
 * integrity, DH group 2 (Azure "About VPN devices", IPsec/IKE parameters).
 */
export const AZURE_IKE_PROPOSALS: readonly string[] = Object.freeze([
  'AES256-SHA1-DH2', 'AES256-SHA256-DH2', 'AES128-SHA1-DH2', 'AES128-SHA256-DH2', '3DES-SHA1-DH2', '3DES-SHA256-DH2',
]);

/** Azure's default IPsec (phase 2 / child SA, ESP) proposals, preferred first; no PFS. */
export const AZURE_ESP_PROPOSALS: readonly string[] = Object.freeze([
  'GCMAES256', 'AES256-SHA1', '3DES-SHA1', 'AES256-SHA256', 'AES128-SHA1', '3DES-SHA256',
]);

/** Traffic selectors of one end (R15): local and remote prefix lists, canonical CIDR, sorted. */
export interface TrafficSelectors {
  readonly local: readonly string[];
  readonly remote: readonly string[];
}

/** Any-to-any selectors of route-based tunnels (R15). */
export const ANY_TO_ANY: TrafficSelectors = Object.freeze({ local: Object.freeze(['0.0.0.0/0']), remote: Object.freeze(['0.0.0.0/0']) });

/** A complete configuration of one IKE end. Times in seconds. */
export interface IkeConfig {
  /** Identity sent in ID payloads (IDi/IDr, IKEv1 IDii/IDir); also breaks simultaneous-initiation ties through the nonces. */
  readonly id: string;
  readonly version: IkeVersion;
  /** R4: 1-128 letters or digits. Never put in a message; only its digest is. */
  readonly sharedKey: string;
  /** IKE SA / phase-1 proposals, preferred first. */
  readonly ikeProposals: readonly string[];
  /** Child SA / phase-2 proposals, preferred first. */
  readonly espProposals: readonly string[];
  /** IKE SA (phase 1) lifetime, seconds. */
  readonly ikeLifetime: number;
  /** Child SA (phase 2) lifetime, seconds. */
  readonly childLifetime: number;
  /** Dead peer detection; null for none (policy-based). */
  readonly dpd: DpdSettings | null;
  /** Policy-based behaviour: idle teardown (R14) and negotiation on demand by traffic. */
  readonly policyBased: boolean;
  readonly trafficSelectors: TrafficSelectors;
  /** Policy-based idle timeout, seconds (R14: 300). */
  readonly idleTimeout: number;
  readonly retransmit: RetransmitPolicy;
  /** Responder's half-open negotiation timeout, seconds. */
  readonly halfOpenTimeout: number;
  /** Delay between a message's arrival and this end acting on it, seconds (default 0). Applied by the session. */
  readonly processingDelay: number;
}

/** Inputs of {@link ikeConfig}: everything but `id` and `sharedKey` has a default. */
export interface IkeOptions {
  id: string;
  sharedKey: string;
  /** Default `RouteBased`. Selects the defaults of the table in SKUS.md. */
  vpnType?: VpnType;
  /** Default `current`. `legacy` is the 2016 era of the seeds. */
  era?: SkuEra;
  /** Default IKEv1 for policy-based, IKEv2 for route-based. */
  version?: IkeVersion;
  /** Default {@link AZURE_IKE_PROPOSALS}. */
  ikeProposals?: readonly string[];
  /** Default {@link AZURE_ESP_PROPOSALS}. */
  espProposals?: readonly string[];
  /** Default 28,800 s (policy-based, route-based current) or 10,800 s (route-based legacy). */
  ikeLifetime?: number;
  /** Default 3,600 s (policy-based, route-based legacy) or 27,000 s (route-based current). */
  childLifetime?: number;
  /** Default `{ timeout: 45, interval: 15 }` for route-based; policy-based has none (`false` or null). */
  dpd?: Partial<DpdSettings> | false | null;
  /** Default: true for `vpnType` PolicyBased. */
  policyBased?: boolean;
  /** Default any-to-any. */
  trafficSelectors?: { local: readonly string[]; remote: readonly string[] };
  /** Default 300 s (R14). */
  idleTimeout?: number;
  /** Default {@link STRONGSWAN_RETRANSMIT}. */
  retransmit?: Partial<RetransmitPolicy>;
  /** Default 30 s. */
  halfOpenTimeout?: number;
  /** Default 0 s. */
  processingDelay?: number;
}

/** Defaults per VPN type and era, from SKUS.md's "IKE / IPsec defaults" table. */
export function ikeDefaults(vpnType: VpnType = 'RouteBased', era: SkuEra = 'current'): {
  version: IkeVersion; ikeLifetime: number; childLifetime: number; dpd: DpdSettings | null; policyBased: boolean;
} {
  if (vpnType === 'PolicyBased') return { version: 'IKEv1', ikeLifetime: 28_800, childLifetime: 3_600, dpd: null, policyBased: true };
  const dpd = { timeout: DEFAULT_DPD_TIMEOUT, interval: DEFAULT_DPD_TIMEOUT / 3 };
  if (era === 'legacy') return { version: 'IKEv2', ikeLifetime: 10_800, childLifetime: 3_600, dpd, policyBased: false };
  return { version: 'IKEv2', ikeLifetime: 28_800, childLifetime: 27_000, dpd, policyBased: false };
}

const KEY_RE = /^[A-Za-z0-9]{1,128}$/;

function positive(value: number, where: string, what: string): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new UsageError(`${where}: ${what} ${String(value)} must be a number of seconds above 0. Pass for example 3600`, 'range');
  }
  return value;
}

/**
 * Builds a complete configuration from options and the defaults of its VPN
 * type and era.
 * @throws UsageError (rule `R4`) on a shared key that is not 1-128 letters or
 *   digits; (rule `range`) on non-positive times, a DPD timeout outside
 *   9-3,600 s or a DPD interval not below it, a bad retransmission policy or empty proposal lists; (rule
 *   `usage`) on DPD asked for a policy-based end; and the prefix parser's
 *   error on a traffic selector that is not canonical CIDR.
 */
export function ikeConfig(options: IkeOptions): IkeConfig {
  const where = `ike "${options.id}"`;
  if (typeof options.sharedKey !== 'string' || !KEY_RE.test(options.sharedKey)) {
    throw new UsageError(`${where}: shared key ${JSON.stringify(options.sharedKey)} is not 1-128 letters or digits (R4). Use a key such as "abc123"`, 'R4');
  }
  const d = ikeDefaults(options.vpnType, options.era);
  const policyBased = options.policyBased ?? d.policyBased;
  let dpd: DpdSettings | null;
  if (options.dpd === false || options.dpd === null) dpd = null;
  else if (options.dpd !== undefined) {
    if (policyBased) throw new UsageError(`${where}: DPD asked for a policy-based end. Policy-based gateways have no DPD; drop the dpd option`, 'usage');
    const timeout = options.dpd.timeout ?? DEFAULT_DPD_TIMEOUT;
    if (!(timeout >= 9 && timeout <= 3600)) throw new UsageError(`${where}: DPD timeout ${timeout} s is outside 9-3600 s. Pass a timeout within that range`, 'range');
    const interval = positive(options.dpd.interval ?? timeout / 3, where, 'DPD interval');
    if (interval >= timeout) throw new UsageError(`${where}: DPD interval ${interval} s is not below the timeout ${timeout} s. Probe more often than the timeout`, 'range');
    dpd = { timeout, interval };
  } else dpd = policyBased ? null : d.dpd;
  const r = { ...STRONGSWAN_RETRANSMIT, ...options.retransmit };
  positive(r.timeout, where, 'retransmit timeout');
  if (!(r.base >= 1) || !Number.isInteger(r.tries) || r.tries < 0) {
    throw new UsageError(`${where}: retransmit policy base ${r.base}, tries ${r.tries} is invalid. Use base 1 or more and a whole number of tries`, 'range');
  }
  const ikeProposals = options.ikeProposals ?? AZURE_IKE_PROPOSALS;
  const espProposals = options.espProposals ?? AZURE_ESP_PROPOSALS;
  if (ikeProposals.length === 0 || espProposals.length === 0) {
    throw new UsageError(`${where}: an empty proposal list. Give at least one proposal or leave the default`, 'range');
  }
  const ts = options.trafficSelectors;
  const trafficSelectors: TrafficSelectors = ts ? { local: sortCidrs(ts.local), remote: sortCidrs(ts.remote) } : ANY_TO_ANY;
  const processingDelay = options.processingDelay ?? 0;
  if (!(processingDelay >= 0 && Number.isFinite(processingDelay))) {
    throw new UsageError(`${where}: processing delay ${processingDelay} s must be 0 or more. Pass for example 0.001`, 'range');
  }
  return {
    id: options.id,
    version: options.version ?? d.version,
    sharedKey: options.sharedKey,
    ikeProposals: [...ikeProposals],
    espProposals: [...espProposals],
    ikeLifetime: positive(options.ikeLifetime ?? d.ikeLifetime, where, 'IKE lifetime'),
    childLifetime: positive(options.childLifetime ?? d.childLifetime, where, 'child lifetime'),
    dpd,
    policyBased,
    trafficSelectors,
    idleTimeout: positive(options.idleTimeout ?? IDLE_TIMEOUT_SECONDS, where, 'idle timeout'),
    retransmit: r,
    halfOpenTimeout: positive(options.halfOpenTimeout ?? HALF_OPEN_TIMEOUT, where, 'half-open timeout'),
    processingDelay,
  };
}
