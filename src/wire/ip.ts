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
  const w = new ByteWriter(20 + payload.length);
  w.u8(0x45).u8(0).u16(20 + payload.length).u16(h.id & 0xffff).u16(0x4000).u8(h.ttl ?? 64).u8(h.protocol).u16(0).u32(h.src).u32(h.dst);
  w.patch16(10, internetChecksum(w.view()));
  w.bytes(payload);
  return w.finish();
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
  const w = new ByteWriter(8 + data.length);
  w.u8(reply ? 0 : 8).u8(0).u16(0).u16(identifier & 0xffff).u16(sequence & 0xffff).bytes(data);
  w.patch16(2, internetChecksum(w.view()));
  return w.finish();
}
