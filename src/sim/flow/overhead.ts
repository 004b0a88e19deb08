/**
 * Per-packet overhead of the tunnels: the factor that turns a wire rate
 * (what a gateway's aggregate, a tunnel's ceiling or an uplink limits) into
 * goodput (TCP payload the application sees).
 *
 * Conventions, shared by every function here:
 * - Wire rate is counted at the outer IP layer: outer IPv4 header onward, no
 *   link framing (`linkBytes` adds it, e.g. 38 B for Ethernet with preamble,
 *   FCS and inter-frame gap).
 * - Full-size TCP segments: payload = MSS, clamped at 1350 B as Azure asks
 *   (SKUS.md: "TCP MSS clamped at 1350, or a tunnel MTU of 1400"). The inner
 *   packet is then MSS + 20 (TCP, no options) + 20 (IPv4) = 1390 B.
 * - One data direction; ACKs on the reverse path are not charged.
 *
 * Goodput factor = MSS / wire bytes per packet.
 */
import { UsageError } from '../../errors.js';
import { IPV4_HEADER_BYTES, TCP_HEADER_BYTES } from '../../protocols/ip.js';
import { espFields, type EspTransform, type TunnelCipher } from '../../protocols/esp/packet.js';

export { IPV4_HEADER_BYTES, TCP_HEADER_BYTES, UDP_HEADER_BYTES } from '../../protocols/ip.js';
export { ESP_TRANSFORMS, espTunnelBytes } from '../../protocols/esp/packet.js';
export type { EspTransform } from '../../protocols/esp/packet.js';

/** Azure's TCP MSS clamp on VPN tunnels, bytes (SKUS.md). */
export const AZURE_MSS_BYTES = 1350;

/** Options of {@link espPacket} and {@link espGoodputFactor}. */
export interface EspOptions {
  /** Cipher name or explicit transform; default GCMAES256. */
  readonly cipher?: TunnelCipher | EspTransform;
  /** UDP-encapsulated ESP for NAT traversal (RFC 3948): +8 B. Default false. */
  readonly natTraversal?: boolean;
  /** TCP payload per packet, bytes; default {@link AZURE_MSS_BYTES}. */
  readonly mss?: number;
  /** Link framing per packet, bytes; default 0 (IP-layer wire rate). */
  readonly linkBytes?: number;
}

/** Byte breakdown of one tunnelled packet. */
export interface PacketBreakdown {
  /** TCP payload, bytes (the goodput part). */
  readonly payload: number;
  /** Each header, trailer or padding field, bytes, in wire order. */
  readonly fields: Readonly<Record<string, number>>;
  /** Bytes on the wire (sum of payload and fields). */
  readonly wire: number;
  /** payload / wire. */
  readonly factor: number;
}

function checkBytes(value: number, what: string, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`overhead: ${what} ${value} is not an integer of ${min} or more. Pass a byte count such as 1350`, 'range');
  }
  return value;
}

function breakdown(payload: number, fields: Record<string, number>): PacketBreakdown {
  let wire = payload;
  for (const v of Object.values(fields)) wire += v;
  return { payload, fields, wire, factor: payload / wire };
}

/**
 * One full-size TCP segment through an ESP tunnel-mode SA (RFC 4303 §2, §3.1.1).
 *
 * Wire order and sizes: [link] + outer IPv4 20 + [NAT-T UDP 8] + ESP header 8
 * (SPI 4, sequence number 4; RFC 4303 §2.1-2.2) + IV + inner IPv4 20 + TCP 20 +
 * payload MSS + padding + trailer 2 (pad length, next header; §2.4-2.6) + ICV.
 * Padding brings (inner packet + padding + 2) to a multiple of the block size.
 *
 * Example, GCMAES256, MSS 1350: inner 1390, 1390 + 2 = 1392 is a multiple of 4,
 * so no padding; 20 + 8 + 8 + 1390 + 0 + 2 + 16 = 1444 B; factor 1350/1444 = 0.9349.
 * The ESP fields come from `protocols/esp` ({@link espFields}), the same
 * computation packet delivery charges tunnel hops with.
 * @throws UsageError on an unknown cipher, a non-integer or too small byte count.
 */
export function espPacket(options: EspOptions = {}): PacketBreakdown {
  const mss = checkBytes(options.mss ?? AZURE_MSS_BYTES, 'mss', 1);
  const esp = espFields(IPV4_HEADER_BYTES + TCP_HEADER_BYTES + mss, options.cipher, options.natTraversal ?? false);
  const fields: Record<string, number> = {};
  if (options.linkBytes) fields.link = checkBytes(options.linkBytes, 'linkBytes', 0);
  fields.outerIp = esp.outerIp;
  if (esp.udp !== undefined) fields.udp = esp.udp;
  fields.espHeader = esp.espHeader;
  fields.iv = esp.iv;
  fields.innerIp = IPV4_HEADER_BYTES;
  fields.tcp = TCP_HEADER_BYTES;
  fields.padding = esp.padding;
  fields.espTrailer = esp.espTrailer;
  fields.icv = esp.icv;
  return breakdown(mss, fields);
}

/**
 * Goodput per unit of wire rate through an IPsec (ESP tunnel mode) tunnel;
 * see {@link espPacket} for the per-packet breakdown. In (0, 1).
 * @throws UsageError as {@link espPacket}.
 */
export function espGoodputFactor(options: EspOptions = {}): number {
  return espPacket(options).factor;
}

/** TLS record protection of an SSTP connection. */
export type SstpTls = 'tls12-aes-gcm' | 'tls13-aes-gcm' | 'tls12-aes-cbc-sha256';

/** Options of {@link sstpPacket} and {@link sstpGoodputFactor}. */
export interface SstpOptions {
  /**
   * Record protection; default `tls12-aes-gcm`.
   * - tls12-aes-gcm: 8 B explicit nonce + 16 B tag (RFC 5288 §3).
   * - tls13-aes-gcm: 1 B inner content type + 16 B tag (RFC 8446 §5.2).
   * - tls12-aes-cbc-sha256: 16 B IV + 32 B HMAC-SHA256 + padding to 16 B
   *   including the pad-length byte (RFC 5246 §6.2.3.2).
   */
  readonly tls?: SstpTls;
  /** PPP header inside SSTP: address/control 2 + protocol 2 (RFC 1661 §2); 2 when compressed. Default 4. */
  readonly pppBytes?: number;
  /** TCP options on the outer connection (12 with timestamps, RFC 7323 §3). Default 0. */
  readonly tcpOptionsBytes?: number;
  /** TCP payload per inner packet, bytes; default {@link AZURE_MSS_BYTES}. */
  readonly mss?: number;
  /** Link framing per packet, bytes; default 0. */
  readonly linkBytes?: number;
}

/**
 * One full-size TCP segment through SSTP (MS-SSTP §2.2.3 data packet over
 * HTTPS on TCP 443), one TLS record per inner packet, one record per outer
 * segment.
 *
 * Wire order: [link] + outer IPv4 20 + outer TCP 20 (+ options) + TLS record
 * header 5 (RFC 5246 §6.2.1) + [explicit nonce or IV] + SSTP header 4
 * (version, reserved/control bit, length; MS-SSTP §2.2.1) + PPP header + inner
 * IPv4 20 + TCP 20 + payload MSS + [MAC, padding] + tag.
 *
 * Example, defaults: 20 + 20 + 5 + 8 + 4 + 4 + 1390 + 16 = 1467 B; factor
 * 1350/1467 = 0.9202. The TCP-over-TCP penalty under loss is not in the factor.
 * @throws UsageError on an unknown TLS mode or a bad byte count.
 */
export function sstpPacket(options: SstpOptions = {}): PacketBreakdown {
  const mss = checkBytes(options.mss ?? AZURE_MSS_BYTES, 'mss', 1);
  const ppp = checkBytes(options.pppBytes ?? 4, 'pppBytes', 0);
  const tls = options.tls ?? 'tls12-aes-gcm';
  const fields: Record<string, number> = {};
  if (options.linkBytes) fields.link = checkBytes(options.linkBytes, 'linkBytes', 0);
  fields.outerIp = IPV4_HEADER_BYTES;
  fields.outerTcp = TCP_HEADER_BYTES + checkBytes(options.tcpOptionsBytes ?? 0, 'tcpOptionsBytes', 0);
  fields.tlsHeader = 5;
  const plaintext = 4 + ppp + IPV4_HEADER_BYTES + TCP_HEADER_BYTES + mss;
  switch (tls) {
    case 'tls12-aes-gcm':
      fields.tlsNonce = 8;
      break;
    case 'tls12-aes-cbc-sha256':
      fields.tlsIv = 16;
      break;
    case 'tls13-aes-gcm':
      break;
    default:
      throw new UsageError(`overhead: TLS mode ${JSON.stringify(tls)} is unknown. Use tls12-aes-gcm, tls13-aes-gcm or tls12-aes-cbc-sha256`, 'range');
  }
  fields.sstpHeader = 4;
  fields.ppp = ppp;
  fields.innerIp = IPV4_HEADER_BYTES;
  fields.tcp = TCP_HEADER_BYTES;
  if (tls === 'tls12-aes-gcm') fields.tlsTag = 16;
  else if (tls === 'tls13-aes-gcm') { fields.tlsContentType = 1; fields.tlsTag = 16; }
  else {
    fields.tlsMac = 32;
    // Padding: plaintext + MAC + padding + 1 pad-length byte is a multiple of 16.
    fields.tlsPadding = (16 - ((plaintext + 32 + 1) % 16)) % 16 + 1;
  }
  return breakdown(mss, fields);
}

/**
 * Goodput per unit of wire rate through an SSTP tunnel; see {@link sstpPacket}.
 * @throws UsageError as {@link sstpPacket}.
 */
export function sstpGoodputFactor(options: SstpOptions = {}): number {
  return sstpPacket(options).factor;
}
