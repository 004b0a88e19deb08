/**
 * IKE message encoders: IKEv2 (RFC 7296 §3) and IKEv1 / ISAKMP (RFC 2408
 * §3, RFC 2409 §5). They turn an {@link IkeMessage} of the protocol model
 * into the octets of the UDP payload. What the model does not carry (DH
 * public values, nonces, SK ciphertext, NAT-D hashes) is drawn from a seeded
 * stream; the model's PSK digest is the first octets of AUTH / HASH.
 *
 * Encrypted parts (IKEv2 SK payload §3.14, IKEv1 after Main Mode 4) carry
 * seeded bytes of the length the plaintext payloads would have, padded to the
 * cipher block, so the message length is that of the real exchange.
 */
import type { IkeMessage, IkeNotify } from '../protocols/ike/messages.js';
import { dhGroupOf } from '../protocols/ike/messages.js';
import type { RandomStream } from '../sim/kernel/rng.js';
import { ByteWriter } from './bytes.js';

/** DH public value length per group, bytes (RFC 3526, RFC 5903 §7: x || y for ECP). */
const DH_BYTES: Readonly<Record<number, number>> = { 1: 96, 2: 128, 5: 192, 14: 256, 15: 384, 16: 512, 19: 64, 20: 96, 21: 132, 24: 256 };

/** IKEv2 exchange types (RFC 7296 §3.1). */
export const IKEV2_EXCHANGE: Readonly<Record<string, number>> = { IKE_SA_INIT: 34, IKE_AUTH: 35, CREATE_CHILD_SA: 36, INFORMATIONAL: 37 };
/** IKEv1 exchange types (RFC 2408 §3.1): Identity Protection (Main Mode) 2, Informational 5, Quick Mode 32 (RFC 2409 §9). */
export const IKEV1_EXCHANGE: Readonly<Record<string, number>> = { MAIN_MODE: 2, INFORMATIONAL: 5, QUICK_MODE: 32 };

/** Notify message types: IKEv2 RFC 7296 §3.10.1, IKEv1 RFC 2408 §3.14.1; R-U-THERE(-ACK) RFC 3706 §5. */
export const NOTIFY_TYPE: Readonly<Record<IkeNotify, number>> = {
  AUTHENTICATION_FAILED: 24, NO_PROPOSAL_CHOSEN: 14, INVALID_KE_PAYLOAD: 17, TS_UNACCEPTABLE: 38,
  INVALID_ID_INFORMATION: 18, INVALID_MAJOR_VERSION: 5, R_U_THERE: 36136, R_U_THERE_ACK: 36137,
};

/** IKEv2 payload types (RFC 7296 §3.2). */
const P2 = { none: 0, sa: 33, ke: 34, idi: 35, idr: 36, auth: 39, nonce: 40, notify: 41, delete: 42, tsi: 44, tsr: 45, sk: 46 } as const;
/** IKEv1 payload types (RFC 2408 §3.1; NAT-D 20, RFC 3947 §3.2). */
const P1 = { none: 0, sa: 1, proposal: 2, transform: 3, ke: 4, id: 5, hash: 8, nonce: 10, notify: 11, delete: 12, natd: 20 } as const;

/** Per-message context the model does not carry: who initiated the IKE SA, addresses, child SPIs. */
export interface IkeWireContext {
  /** The sender is the original initiator of the IKE SA (IKEv2 I flag, §3.1). */
  readonly fromInitiator: boolean;
  /** Sender and receiver IPv4 addresses (for traffic selectors of route-based tunnels). */
  readonly src: number;
  readonly dst: number;
  /** ESP SPI the sender offers in an SA payload carrying child proposals (its inbound SA). */
  readonly childSpi: number;
  /** Seeded stream for nonces, DH values and ciphertext. */
  readonly fill: RandomStream;
}

/** Cryptographic parameters of one algorithm token set. */
interface Algs {
  readonly encr: { id2: number; id1: number; esp1: number; keyBits?: number; block: number; iv: number };
  readonly integ?: { prf: number; integ: number; hash1: number; espAuth1: number; icv: number };
  readonly group?: number;
}

/** Parses a proposal string such as `AES256-SHA1-DH2` or `GCMAES256` into IANA transform ids. */
function algs(proposal: string): Algs {
  const up = proposal.toUpperCase();
  const tokens = up.split(/[-_]/);
  let encr: Algs['encr'] = { id2: 12, id1: 7, esp1: 12, keyBits: 256, block: 16, iv: 16 };
  let aead = false;
  for (const t of tokens) {
    const gcm = /^GCMAES(\d+)$/.exec(t) ?? /^AES(\d+)GCM/.exec(t);
    const cbc = /^AES(\d+)$/.exec(t);
    if (gcm) { encr = { id2: 20, id1: 7, esp1: 20, keyBits: Number(gcm[1]), block: 4, iv: 8 }; aead = true; }
    else if (cbc) encr = { id2: 12, id1: 7, esp1: 12, keyBits: Number(cbc[1]), block: 16, iv: 16 };
    else if (t === '3DES' || t === 'DES3') encr = { id2: 3, id1: 5, esp1: 3, block: 8, iv: 8 };
  }
  let integ: Algs['integ'];
  if (tokens.some((t) => t === 'SHA256' || t === 'SHA2')) integ = { prf: 5, integ: 12, hash1: 4, espAuth1: 5, icv: 16 };
  else if (tokens.includes('SHA384')) integ = { prf: 6, integ: 13, hash1: 5, espAuth1: 6, icv: 24 };
  else if (tokens.includes('SHA1') || tokens.includes('SHA') || !aead) integ = { prf: 2, integ: 2, hash1: 2, espAuth1: 2, icv: 12 };
  const dh = /DH(\d+)$/.exec(up) ?? /(?:^|-)PFS(\d+)$/.exec(up);
  return { encr, ...(integ ? { integ } : {}), ...(dh ? { group: Number(dh[1]) } : {}) };
}

function parseCidr(cidr: string): [number, number] {
  const [addr, len] = cidr.split('/') as [string, string?];
  const a = addr.split('.').reduce((x, o) => (x * 256) + Number(o), 0) >>> 0;
  const bits = len === undefined ? 32 : Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const start = (a & mask) >>> 0;
  return [start, (start | (~mask >>> 0)) >>> 0];
}

/** Starts a generic payload header (next payload patched later); returns its offset. */
function open(w: ByteWriter, critical = 0): number {
  const at = w.length;
  w.u8(0).u8(critical).u16(0);
  return at;
}

function close(w: ByteWriter, at: number): void {
  w.patch16(at + 2, w.length - at);
}

/** A chain of payloads: each new one patches the previous one's Next Payload field. */
class Chain {
  private prevAt = -1;
  first = 0;
  constructor(private readonly w: ByteWriter, private readonly headerNextAt: number) {}
  add(type: number): number {
    if (this.prevAt < 0) { this.first = type; this.w.patch8(this.headerNextAt, type); } else this.w.patch8(this.prevAt, type);
    const at = open(this.w);
    this.prevAt = at;
    return at;
  }
}

// ----------------------------------------------------------------- IKEv2

function v2Transform(w: ByteWriter, last: boolean, type: number, id: number, keyBits?: number): void {
  const at = w.length;
  w.u8(last ? 0 : 3).u8(0).u16(0).u8(type).u8(0).u16(id);
  if (keyBits !== undefined) w.u16(0x800e).u16(keyBits); // Key Length, TV (§3.3.5)
  w.patch16(at + 2, w.length - at);
}

/** SA payload body (§3.3): one proposal per string, numbered from 1. */
function v2SaBody(w: ByteWriter, proposals: readonly string[], esp: boolean, spi: Uint8Array | undefined): void {
  proposals.forEach((p, i) => {
    const a = algs(p);
    const list: [number, number, number?][] = [[1, a.encr.id2, a.encr.keyBits]];
    if (!esp) {
      list.push([2, a.integ?.prf ?? 5]);
      if (a.integ && a.encr.id2 !== 20) list.push([3, a.integ.integ]);
      list.push([4, a.group ?? dhGroupOf(p)]);
    } else {
      if (a.integ && a.encr.id2 !== 20) list.push([3, a.integ.integ]);
      if (a.group !== undefined) list.push([4, a.group]);
      list.push([5, 0]); // ESN: no
    }
    const at = w.length;
    const spiBytes = spi ?? new Uint8Array(0);
    w.u8(i === proposals.length - 1 ? 0 : 2).u8(0).u16(0).u8(i + 1).u8(esp ? 3 : 1).u8(spiBytes.length).u8(list.length).bytes(spiBytes);
    list.forEach(([type, id, bits], k) => v2Transform(w, k === list.length - 1, type, id, bits));
    w.patch16(at + 2, w.length - at);
  });
}

function u32Bytes(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

function u64Bytes(v: number): Uint8Array {
  const w = new ByteWriter(8);
  return w.u64(v).finish();
}

/** Digest hex (the model's PSK proof) to octets, then seeded octets up to `n`. */
function proof(hex: string, n: number, fill: RandomStream): Uint8Array {
  const w = new ByteWriter(n);
  for (let i = 0; i + 1 < hex.length && w.length < n; i += 2) w.u8(parseInt(hex.slice(i, i + 2), 16));
  if (w.length < n) w.random(n - w.length, fill);
  return w.finish();
}

function v2Ts(w: ByteWriter, list: readonly string[]): void {
  w.u8(list.length).u8(0).u16(0);
  for (const c of list) {
    const [s, e] = parseCidr(c);
    w.u8(7).u8(0).u16(16).u16(0).u16(65535).u32(s).u32(e); // TS_IPV4_ADDR_RANGE (§3.13.1)
  }
}

/** Writes the payloads of an IKEv2 message (plaintext) through a chain. */
function v2Payloads(w: ByteWriter, chain: Chain, m: IkeMessage, ctx: IkeWireContext): void {
  const fill = ctx.fill;
  if (m.notify && m.rekey === undefined) {
    const at = chain.add(P2.notify);
    w.u8(0).u8(0).u16(NOTIFY_TYPE[m.notify]);
    if (m.notify === 'INVALID_KE_PAYLOAD') w.u16(m.notifyData ?? 2);
    close(w, at);
  }
  if (m.rekey === 'child') {
    const at = chain.add(P2.notify);
    w.u8(3).u8(4).u16(16393).bytes(u32Bytes((ctx.childSpi ^ 0x5a5a5a5a) >>> 0)); // REKEY_SA (§3.10.1) naming the old child SA
    close(w, at);
  }
  if (m.id !== undefined) {
    const at = chain.add(ctx.fromInitiator ? P2.idi : P2.idr);
    w.u8(2).zeros(3).ascii(m.id); // ID_FQDN (§3.5)
    close(w, at);
  }
  if (m.auth !== undefined) {
    const at = chain.add(P2.auth);
    w.u8(2).zeros(3).bytes(proof(m.auth, 20, fill)); // Shared Key Message Integrity Code (§3.8)
    close(w, at);
  }
  if (m.sa) {
    const at = chain.add(P2.sa);
    v2SaBody(w, m.sa, false, m.newSpi !== undefined ? u64Bytes(m.newSpi) : undefined);
    close(w, at);
  }
  if (m.childSa) {
    const at = chain.add(P2.sa);
    v2SaBody(w, m.childSa, true, u32Bytes(ctx.childSpi));
    close(w, at);
  }
  if (m.nonce !== undefined) {
    const at = chain.add(P2.nonce);
    w.random(32, fill);
    close(w, at);
  }
  if (m.ke !== undefined) {
    const at = chain.add(P2.ke);
    w.u16(m.ke).u16(0).random(DH_BYTES[m.ke] ?? 128, fill);
    close(w, at);
  }
  if (m.tsi) { const at = chain.add(P2.tsi); v2Ts(w, m.tsi); close(w, at); }
  if (m.tsr) { const at = chain.add(P2.tsr); v2Ts(w, m.tsr); close(w, at); }
  if (m.delete) {
    const at = chain.add(P2.delete);
    if (m.delete === 'ike') w.u8(1).u8(0).u16(0);
    else w.u8(3).u8(4).u16(1).bytes(u32Bytes(ctx.childSpi));
    close(w, at);
  }
}

/**
 * The UDP payload of one IKEv2 message (RFC 7296 §3.1 header, then payloads).
 * IKE_SA_INIT is in the clear, with NAT_DETECTION_SOURCE_IP and
 * NAT_DETECTION_DESTINATION_IP notifies (§2.23) unless it refuses; every other
 * exchange carries one SK payload (§3.14): AES-CBC IV, seeded ciphertext of
 * the padded plaintext length, 12-octet HMAC-SHA1-96 ICV.
 */
export function encodeIkev2(m: IkeMessage, ctx: IkeWireContext): Uint8Array {
  const w = new ByteWriter(512);
  const flags = (m.response ? 0x20 : 0) | (ctx.fromInitiator ? 0x08 : 0);
  w.u64(m.spiI).u64(m.spiR).u8(0).u8(0x20).u8(IKEV2_EXCHANGE[m.exchange] ?? 37).u8(flags).u32(m.messageId).u32(0);
  if (m.exchange === 'IKE_SA_INIT') {
    const chain = new Chain(w, 16);
    v2Payloads(w, chain, m, ctx);
    if (!m.notify) {
      for (const type of [16388, 16389]) {
        const at = chain.add(P2.notify);
        w.u8(0).u8(0).u16(type).random(20, ctx.fill); // SHA-1 of SPIs, address and port (§2.23)
        close(w, at);
      }
    }
  } else {
    // Plaintext inner chain, measured, then replaced by an SK payload of that length.
    const inner = new ByteWriter(256);
    inner.u8(0);
    const chain = new Chain(inner, 0);
    v2Payloads(inner, chain, m, ctx);
    const plain = inner.length - 1;
    const padded = Math.ceil((plain + 1) / 16) * 16; // + Pad Length octet, AES block 16
    w.patch8(16, P2.sk);
    const at = w.length;
    w.u8(0).u8(0).u16(0);
    w.patch8(at, chain.first);
    w.random(16 + padded + 12, ctx.fill); // IV, ciphertext, ICV
    close(w, at);
  }
  w.patch32(24, w.length);
  return w.finish();
}

// ----------------------------------------------------------------- IKEv1

function v1Attrs(w: ByteWriter, attrs: readonly [number, number][]): void {
  for (const [type, value] of attrs) {
    if (value < 0x10000) w.u16(0x8000 | type).u16(value); // TV (RFC 2408 §3.3)
    else w.u16(type).u16(4).u32(value); // TLV
  }
}

/** Phase-1 SA body (RFC 2409 §5, IPSEC DOI RFC 2407): one proposal, one transform per proposal string. */
function v1SaPhase1(w: ByteWriter, proposals: readonly string[]): void {
  w.u32(1).u32(1); // DOI IPSEC, SIT_IDENTITY_ONLY
  const p = w.length;
  w.u8(0).u8(0).u16(0).u8(1).u8(1).u8(0).u8(proposals.length); // Proposal #1, PROTO_ISAKMP, no SPI
  proposals.forEach((s, i) => {
    const a = algs(s);
    const t = w.length;
    w.u8(i === proposals.length - 1 ? 0 : P1.transform).u8(0).u16(0).u8(i + 1).u8(1).u16(0); // KEY_IKE
    const attrs: [number, number][] = [[1, a.encr.id1]];
    if (a.encr.id1 === 7) attrs.push([14, a.encr.keyBits ?? 256]);
    attrs.push([2, a.integ?.hash1 ?? 2], [3, 1], [4, a.group ?? dhGroupOf(s)], [11, 1], [12, 28800]);
    v1Attrs(w, attrs);
    w.patch16(t + 2, w.length - t);
  });
  w.patch16(p + 2, w.length - p);
}

/** Phase-2 SA body (RFC 2407 §4.5): one ESP proposal per string, each with one transform. */
function v1SaPhase2(w: ByteWriter, proposals: readonly string[], spi: number): void {
  w.u32(1).u32(1);
  proposals.forEach((s, i) => {
    const a = algs(s);
    const p = w.length;
    w.u8(i === proposals.length - 1 ? 0 : P1.proposal).u8(0).u16(0).u8(i + 1).u8(3).u8(4).u8(1).u32(spi);
    const t = w.length;
    w.u8(0).u8(0).u16(0).u8(1).u8(a.encr.esp1).u16(0);
    const attrs: [number, number][] = [[1, 1], [2, 3600], [4, 1]];
    if (a.integ && a.encr.esp1 !== 20) attrs.push([5, a.integ.espAuth1]);
    if (a.encr.keyBits !== undefined) attrs.push([6, a.encr.keyBits]);
    v1Attrs(w, attrs);
    w.patch16(t + 2, w.length - t);
    w.patch16(p + 2, w.length - p);
  });
}

function v1Id(w: ByteWriter, value: string | number): void {
  if (typeof value === 'number') w.u8(1).u8(0).u16(0).u32(value); // ID_IPV4_ADDR
  else if (value.includes('/')) {
    const [s, e] = parseCidr(value);
    w.u8(4).u8(0).u16(0).u32(s).u32((~(s ^ e)) >>> 0); // ID_IPV4_ADDR_SUBNET (RFC 2407 §4.6.2.1)
  } else w.u8(2).u8(0).u16(0).ascii(value); // ID_FQDN
}

/**
 * The UDP payload of one IKEv1 message (RFC 2408 §3.1 header). Main Mode
 * 1-4 and refusals are in the clear; Main Mode 5-6, Quick Mode and the other
 * Informational exchanges set the E flag and carry seeded bytes of the
 * encrypted payloads' length padded to 16 (RFC 2409 Appendix B).
 */
export function encodeIkev1(m: IkeMessage, ctx: IkeWireContext): Uint8Array {
  const w = new ByteWriter(512);
  w.u64(m.spiI).u64(m.spiR).u8(0).u8(0x10).u8(IKEV1_EXCHANGE[m.exchange] ?? 5).u8(0).u32(m.messageId).u32(0);
  const clear = (m.exchange === 'MAIN_MODE' && (m.seq ?? 0) <= 4) || (m.exchange === 'INFORMATIONAL' && m.notify !== undefined && m.notify !== 'R_U_THERE' && m.notify !== 'R_U_THERE_ACK');
  const body = clear ? w : new ByteWriter(256);
  if (!clear) body.u8(0);
  const chain = new Chain(body, clear ? 16 : 0);
  const fill = ctx.fill;
  if (!clear && m.exchange !== 'MAIN_MODE') { const at = chain.add(P1.hash); body.random(20, fill); close(body, at); }
  if (m.exchange === 'MAIN_MODE') {
    if (m.sa) { const at = chain.add(P1.sa); v1SaPhase1(body, m.sa); close(body, at); }
    if (m.ke !== undefined) { const at = chain.add(P1.ke); body.random(DH_BYTES[m.ke] ?? 128, fill); close(body, at); }
    if (m.nonce !== undefined) { const at = chain.add(P1.nonce); body.random(32, fill); close(body, at); }
    if (m.seq === 3 || m.seq === 4) for (let i = 0; i < 2; i++) { const at = chain.add(P1.natd); body.random(20, fill); close(body, at); }
    if (m.id !== undefined) { const at = chain.add(P1.id); v1Id(body, ctx.src); close(body, at); }
    if (m.auth !== undefined) { const at = chain.add(P1.hash); body.bytes(proof(m.auth, 20, fill)); close(body, at); }
  } else if (m.exchange === 'QUICK_MODE') {
    if (m.childSa) { const at = chain.add(P1.sa); v1SaPhase2(body, m.childSa, ctx.childSpi); close(body, at); }
    if (m.nonce !== undefined) { const at = chain.add(P1.nonce); body.random(32, fill); close(body, at); }
    if (m.ke !== undefined) { const at = chain.add(P1.ke); body.random(DH_BYTES[m.ke] ?? 128, fill); close(body, at); }
    // IDci and IDcr (RFC 2409 §5.5): the initiator's and the responder's client selectors, in that order from either end.
    if (m.tsi && m.tsr) {
      for (const sel of [m.tsi[0]!, m.tsr[0]!]) { const at = chain.add(P1.id); v1Id(body, sel); close(body, at); }
    }
  } else {
    if (m.notify) {
      const at = chain.add(P1.notify);
      const dpd = m.notify === 'R_U_THERE' || m.notify === 'R_U_THERE_ACK';
      body.u32(1).u8(1).u8(dpd ? 16 : 0).u16(NOTIFY_TYPE[m.notify]);
      if (dpd) body.u64(m.spiI).u64(m.spiR).u32(m.messageId >>> 0); // cookies as SPI, sequence number (RFC 3706 §5)
      close(body, at);
    }
    if (m.delete) {
      const at = chain.add(P1.delete);
      if (m.delete === 'ike') body.u32(1).u8(1).u8(16).u16(1).u64(m.spiI).u64(m.spiR);
      else body.u32(1).u8(3).u8(4).u16(1).u32(ctx.childSpi);
      close(body, at);
    }
  }
  if (!clear) {
    w.patch8(16, chain.first);
    w.patch8(19, 0x01); // E: encrypted (RFC 2408 §3.1)
    const padded = Math.ceil((body.length - 1) / 16) * 16;
    w.random(padded, fill);
  }
  w.patch32(24, w.length);
  return w.finish();
}

/** The UDP payload of an IKE message of either version. */
export function encodeIke(m: IkeMessage, ctx: IkeWireContext): Uint8Array {
  return m.version === 'IKEv2' ? encodeIkev2(m, ctx) : encodeIkev1(m, ctx);
}
