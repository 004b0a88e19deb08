/**
 * IPv4 (RFC 791), UDP (RFC 768), TCP (RFC 9293) and ICMP echo (RFC 792)
 * encoders. Addresses are 32-bit numbers as the network model keeps them.
 * Every checksum is computed, so a dissector validating them finds none bad.
 */
import { ByteWriter, internetChecksum, sum32 } from './bytes.js';

/** IP protocol numbers (IANA). */
export const IpProto = { icmp: 1, tcp: 6, udp: 17, esp: 50 } as const;

/** Header fields of one IPv4 packet the encoder does not derive. */
export interface Ipv4Header {
  readonly src: number;
  readonly dst: number;
  /** IP protocol number ({@link IpProto}). */
  readonly protocol: number;
  /** Identification field (RFC 791 §3.1), modulo 2^16. */
  readonly id: number;
  /** Time to live; default 64. */
  readonly ttl?: number;
}

/** One IPv4 packet: a 20-byte header (no options, DF set) and `payload`. */
export function ipv4(h: Ipv4Header, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  writeIpv4Header(out, 0, h, payload.length);
  out.set(payload, 20);
  return out;
}

/** Writes a 20-byte IPv4 header (no options, DF set) with its checksum into `out` at `at`, for a payload of `payloadBytes`. */
export function writeIpv4Header(out: Uint8Array, at: number, h: Ipv4Header, payloadBytes: number): void {
  const total = 20 + payloadBytes;
  out[at] = 0x45; out[at + 1] = 0;
  out[at + 2] = total >>> 8; out[at + 3] = total & 0xff;
  out[at + 4] = (h.id >>> 8) & 0xff; out[at + 5] = h.id & 0xff;
  out[at + 6] = 0x40; out[at + 7] = 0;
  out[at + 8] = h.ttl ?? 64; out[at + 9] = h.protocol;
  out[at + 10] = 0; out[at + 11] = 0;
  for (let i = 0; i < 4; i++) {
    out[at + 12 + i] = (h.src >>> (24 - 8 * i)) & 0xff;
    out[at + 16 + i] = (h.dst >>> (24 - 8 * i)) & 0xff;
  }
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (out[at + i]! << 8) | out[at + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  out[at + 10] = c >>> 8; out[at + 11] = c & 0xff;
}

function pseudoSum(src: number, dst: number, protocol: number, length: number): number {
  return sum32(src) + sum32(dst) + protocol + length;
}

/** One UDP datagram with its checksum over the IPv4 pseudo-header (RFC 768). */
export function udp(src: number, dst: number, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const w = new ByteWriter(8 + payload.length);
  w.u16(srcPort).u16(dstPort).u16(8 + payload.length).u16(0).bytes(payload);
  const c = internetChecksum(w.view(), pseudoSum(src, dst, IpProto.udp, 8 + payload.length));
  w.patch16(6, c === 0 ? 0xffff : c);
  return w.finish();
}

/** TCP flag bits (RFC 9293 §3.1). */
export const TcpFlag = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

/** Header fields of one TCP segment. Sequence numbers are modulo 2^32. */
export interface TcpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** OR of {@link TcpFlag} bits. */
  readonly flags: number;
  /** Receive window; default 64240. */
  readonly window?: number;
  /** Maximum segment size option (SYN segments, RFC 9293 §3.7.1). */
  readonly mss?: number;
}

/** One TCP segment with its checksum over the IPv4 pseudo-header. */
export function tcp(src: number, dst: number, h: TcpHeader, payload: Uint8Array): Uint8Array {
  const options = h.mss === undefined ? 0 : 4;
  const hl = 20 + options;
  const w = new ByteWriter(hl + payload.length);
  w.u16(h.srcPort).u16(h.dstPort).u32(h.seq >>> 0).u32(h.ack >>> 0).u8((hl / 4) << 4).u8(h.flags).u16(h.window ?? 64240).u16(0).u16(0);
  if (h.mss !== undefined) w.u8(2).u8(4).u16(h.mss);
  w.bytes(payload);
  w.patch16(16, internetChecksum(w.view(), pseudoSum(src, dst, IpProto.tcp, hl + payload.length)));
  return w.finish();
}

/** One ICMP echo request (type 8) or reply (type 0), RFC 792, with `data` after the 8-byte header. */
export function icmpEcho(reply: boolean, identifier: number, sequence: number, data: Uint8Array): Uint8Array {
  return ipv4Icmp(undefined, reply, identifier, sequence, data);
}

/**
 * An ICMP echo message, inside an IPv4 header when `h` is given, built in
 * one buffer (the per-ping path of a capture).
 */
export function ipv4Icmp(h: Ipv4Header | undefined, reply: boolean, identifier: number, sequence: number, data: Uint8Array): Uint8Array {
  const off = h ? 20 : 0;
  const out = new Uint8Array(off + 8 + data.length);
  if (h) writeIpv4Header(out, 0, h, 8 + data.length);
  out[off] = reply ? 0 : 8;
  out[off + 4] = (identifier >>> 8) & 0xff; out[off + 5] = identifier & 0xff;
  out[off + 6] = (sequence >>> 8) & 0xff; out[off + 7] = sequence & 0xff;
  out.set(data, off + 8);
  const c = internetChecksum(out.subarray(off));
  out[off + 2] = c >>> 8; out[off + 3] = c & 0xff;
  return out;
}
