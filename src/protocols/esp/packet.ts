/**
 * ESP tunnel-mode packet arithmetic (RFC 4303): the one computation of what
 * an IPsec tunnel adds to a packet. Packet delivery charges tunnel hops with
 * {@link espTunnelBytes}; the bandwidth model's goodput factor
 * (`sim/flow/overhead.ts` `espPacket`) is built on {@link espFields}.
 *
 * Wire order: outer IPv4 20 + [NAT-T UDP 8] + ESP header 8 (SPI 4, sequence
 * number 4; §2.1-2.2) + IV + inner packet + padding + trailer 2 (pad length,
 * next header; §2.4-2.6) + ICV. Padding brings (inner + padding + 2) to a
 * multiple of the cipher's block.
 */
import { UsageError } from '../../errors.js';
import { IPV4_HEADER_BYTES, UDP_HEADER_BYTES } from '../ip.js';

/** IPsec cipher suites with a per-tunnel throughput figure (SKUS.md). */
export type TunnelCipher = 'GCMAES256' | 'AES256_SHA256' | 'DES3_SHA256';

/** ESP transform parameters of one cipher suite. */
export interface EspTransform {
  /** Explicit IV carried in each packet, bytes. */
  readonly ivBytes: number;
  /** The encrypted part (payload + padding + 2 B trailer) is padded to a multiple of this, bytes. */
  readonly blockBytes: number;
  /** Integrity check value appended after the trailer, bytes. */
  readonly icvBytes: number;
}

/**
 * ESP transforms of the ciphers with a measured per-tunnel figure.
 * - GCMAES256: AES-GCM, RFC 4106 §3.1: 8 B explicit IV, 4 B alignment (§3.2: no
 *   block padding beyond ESP's 4 B), 16 B ICV (§8: 16 octets is the one to use).
 * - AES256_SHA256: AES-CBC, RFC 3602 §3: 16 B IV, 16 B block; HMAC-SHA-256-128,
 *   RFC 4868 §2.3: 16 B ICV (the SHA-256 output truncated to 128 bits; the 12 B
 *   ICV belongs to HMAC-SHA1-96, RFC 2404, not to SHA-256).
 * - DES3_SHA256: 3DES-CBC, RFC 2451 §2.3: 8 B IV, 8 B block; HMAC-SHA-256-128: 16 B.
 */
export const ESP_TRANSFORMS: Readonly<Record<TunnelCipher, EspTransform>> = {
  GCMAES256: { ivBytes: 8, blockBytes: 4, icvBytes: 16 },
  AES256_SHA256: { ivBytes: 16, blockBytes: 16, icvBytes: 16 },
  DES3_SHA256: { ivBytes: 8, blockBytes: 8, icvBytes: 16 },
};

/** ESP header: SPI 4 + sequence number 4, bytes (RFC 4303 §2.1-2.2). */
export const ESP_HEADER_BYTES = 8;
/** ESP trailer: pad length 1 + next header 1, bytes (RFC 4303 §2.5-2.6). */
export const ESP_TRAILER_BYTES = 2;

/** What ESP tunnel mode adds around one inner packet, bytes, in wire order (the inner packet between `iv` and `padding`). */
export interface EspFields {
  readonly outerIp: number;
  /** NAT-T UDP header; absent without NAT traversal. */
  readonly udp?: number;
  readonly espHeader: number;
  readonly iv: number;
  readonly padding: number;
  readonly espTrailer: number;
  readonly icv: number;
}

function checkBytes(value: number, what: string, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`esp: ${what} ${value} is not an integer of ${min} or more. Pass a byte count such as 1390`, 'range');
  }
  return value;
}

/**
 * Resolves a cipher name or an explicit transform, default GCMAES256.
 * @throws UsageError (rule `range`) on an unknown cipher or a transform with bad byte counts.
 */
export function espTransform(cipher: TunnelCipher | EspTransform | undefined): EspTransform {
  const t = typeof cipher === 'object' ? cipher : ESP_TRANSFORMS[cipher ?? 'GCMAES256'];
  if (!t) throw new UsageError(`esp: cipher ${JSON.stringify(cipher)} is unknown. Use GCMAES256, AES256_SHA256 or DES3_SHA256`, 'range');
  checkBytes(t.blockBytes, 'blockBytes', 1);
  checkBytes(t.ivBytes, 'ivBytes', 0);
  checkBytes(t.icvBytes, 'icvBytes', 0);
  return t;
}

/**
 * The fields ESP tunnel mode puts around an inner IP packet of `innerBytes`
 * (RFC 4303 §2, §3.1.2). Example, GCMAES256, inner 1390: 1390 + 2 is a
 * multiple of 4, so no padding: 20 + 8 + 8 + 0 + 2 + 16 = 54 B around it.
 * @throws UsageError (rule `range`) on an unknown cipher or an inner size below 1.
 */
export function espFields(innerBytes: number, cipher?: TunnelCipher | EspTransform, natTraversal = false): EspFields {
  const t = espTransform(cipher);
  const inner = checkBytes(innerBytes, 'inner packet', 1);
  const padding = (t.blockBytes - ((inner + ESP_TRAILER_BYTES) % t.blockBytes)) % t.blockBytes;
  return {
    outerIp: IPV4_HEADER_BYTES,
    ...(natTraversal ? { udp: UDP_HEADER_BYTES } : {}),
    espHeader: ESP_HEADER_BYTES, iv: t.ivBytes, padding, espTrailer: ESP_TRAILER_BYTES, icv: t.icvBytes,
  };
}

/**
 * Bytes on the wire (outer IPv4 header onward) of one IP packet of
 * `innerBytes` carried in ESP tunnel mode: the inner packet plus
 * {@link espFields}. Packet delivery uses it for tunnel hops.
 * @throws UsageError (rule `range`) on an unknown cipher or a non-positive size.
 */
export function espTunnelBytes(innerBytes: number, options: { cipher?: TunnelCipher; natTraversal?: boolean } = {}): number {
  const f = espFields(innerBytes, options.cipher, options.natTraversal ?? false);
  return innerBytes + f.outerIp + (f.udp ?? 0) + f.espHeader + f.iv + f.padding + f.espTrailer + f.icv;
}
