/**
 * ESP (RFC 4303) and ESP-in-UDP (RFC 3948) packets of the modelled length:
 * the field sizes come from the one ESP size computation
 * (`protocols/esp/packet.ts` {@link espFields}), so a captured packet is
 * exactly as long as packet delivery and the bandwidth model charge.
 */
import { espFields, type TunnelCipher } from '../protocols/esp/packet.js';
import type { FillPool } from './bytes.js';
import { IpProto, ipv4, udp, writeIpv4Header } from './ip.js';

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
 * seeded filler octets (they are encrypted or keyed on the real wire).
 * @throws UsageError from {@link espFields} on an unknown cipher or an empty inner packet.
 */
export function encodeEsp(p: EspPacket, fill: FillPool): Uint8Array {
  const sealed = sealedBytes(p.innerBytes, p.cipher, p.natTraversal ?? false);
  if (p.natTraversal) {
    const esp = new Uint8Array(8 + sealed);
    writeEspHeader(esp, 0, p.spi, p.seq);
    fill.fill(esp, 8, sealed);
    return ipv4({ src: p.src, dst: p.dst, protocol: IpProto.udp, id: p.ipId }, udp(p.src, p.dst, NAT_T_PORT, NAT_T_PORT, esp));
  }
  // The common case in one buffer: outer header, SPI, sequence number, sealed part.
  const out = new Uint8Array(20 + 8 + sealed);
  writeIpv4Header(out, 0, { src: p.src, dst: p.dst, protocol: IpProto.esp, id: p.ipId }, 8 + sealed);
  writeEspHeader(out, 20, p.spi, p.seq);
  fill.fill(out, 28, sealed);
  return out;
}

const CIPHER_INDEX: Readonly<Record<TunnelCipher, number>> = { GCMAES256: 0, AES256_SHA256: 1, DES3_SHA256: 2 };
/** Memo of {@link sealedBytes}, a pure function of its arguments (a few distinct packet sizes recur). */
const sealedMemo = new Map<number, number>();

/** Octets after the ESP header: IV, inner packet, padding, trailer, ICV, from {@link espFields}. */
function sealedBytes(innerBytes: number, cipher: TunnelCipher | undefined, nat: boolean): number {
  const key = (innerBytes * 4 + CIPHER_INDEX[cipher ?? 'GCMAES256']) * 2 + (nat ? 1 : 0);
  let n = Number.isInteger(innerBytes) ? sealedMemo.get(key) : undefined;
  if (n === undefined) {
    const f = espFields(innerBytes, cipher, nat);
    n = f.iv + innerBytes + f.padding + f.espTrailer + f.icv;
    if (sealedMemo.size < 4096) sealedMemo.set(key, n);
  }
  return n;
}

function writeEspHeader(out: Uint8Array, at: number, spi: number, seq: number): void {
  for (let i = 0; i < 4; i++) {
    out[at + i] = (spi >>> (24 - 8 * i)) & 0xff;
    out[at + 4 + i] = (seq >>> (24 - 8 * i)) & 0xff;
  }
}

/** Prefixes an IKE message with the 4-octet non-ESP marker for UDP 4500 (RFC 3948 §2.2). */
export function nonEspMarker(ike: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + ike.length);
  out.set(ike, 4);
  return out;
}
