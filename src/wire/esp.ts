/**
 * ESP (RFC 4303) and ESP-in-UDP (RFC 3948) packets of the modelled length:
 * the field sizes come from the one ESP size computation
 * (`protocols/esp/packet.ts` {@link espFields}), so a captured packet is
 * exactly as long as packet delivery and the bandwidth model charge.
 */
import { espFields, type TunnelCipher } from '../protocols/esp/packet.js';
import type { RandomStream } from '../sim/kernel/rng.js';
import { ByteWriter } from './bytes.js';
import { IpProto, ipv4, udp } from './ip.js';

/** UDP port of NAT traversal: IKE after the NAT-T switch and ESP-in-UDP (RFC 3948 §2.2). */
export const NAT_T_PORT = 4500;

/** One ESP tunnel-mode packet around an inner IPv4 packet. */
export interface EspPacket {
  readonly src: number;
  readonly dst: number;
  readonly spi: number;
  /** Sequence number of the SA, from 1 (RFC 4303 §2.2). */
  readonly seq: number;
  /** The inner IPv4 packet; only its length shows on the wire (it is encrypted). */
  readonly innerBytes: number;
  readonly cipher?: TunnelCipher;
  /** ESP-in-UDP on port 4500 (RFC 3948 §2.1). */
  readonly natTraversal?: boolean;
  /** IPv4 identification of the outer header. */
  readonly ipId: number;
}

/**
 * The outer IPv4 packet of one ESP packet: header, [UDP 4500], SPI, sequence
 * number, then IV, ciphertext of inner + padding + trailer, and the ICV as
 * seeded octets (they are encrypted or keyed on the real wire).
 * @throws UsageError from {@link espFields} on an unknown cipher or an empty inner packet.
 */
export function encodeEsp(p: EspPacket, fill: RandomStream): Uint8Array {
  const f = espFields(p.innerBytes, p.cipher, p.natTraversal ?? false);
  const w = new ByteWriter(8 + f.iv + p.innerBytes + f.padding + f.espTrailer + f.icv);
  w.u32(p.spi).u32(p.seq).random(f.iv + p.innerBytes + f.padding + f.espTrailer + f.icv, fill);
  const esp = w.finish();
  if (p.natTraversal) return ipv4({ src: p.src, dst: p.dst, protocol: IpProto.udp, id: p.ipId }, udp(p.src, p.dst, NAT_T_PORT, NAT_T_PORT, esp));
  return ipv4({ src: p.src, dst: p.dst, protocol: IpProto.esp, id: p.ipId }, esp);
}

/** Prefixes an IKE message with the 4-octet non-ESP marker for UDP 4500 (RFC 3948 §2.2). */
export function nonEspMarker(ike: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + ike.length);
  out.set(ike, 4);
  return out;
}
