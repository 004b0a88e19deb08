/**
 * BGP-4 message encoders (RFC 4271 §4) with 4-octet AS numbers (RFC 6793):
 * OPEN with the Capabilities parameter (RFC 5492) advertising
 * Multiprotocol IPv4 unicast (RFC 4760) and 4-octet AS (RFC 6793 §3), UPDATE
 * with ORIGIN, AS_PATH (one AS_SEQUENCE of 4-octet ASNs), NEXT_HOP, MED,
 * LOCAL_PREF and NLRI, KEEPALIVE and NOTIFICATION.
 */
import type { BgpMessage } from '../protocols/bgp/messages.js';
import { ByteWriter } from './bytes.js';

/** BGP message type codes (RFC 4271 §4.1). */
export const BGP_TYPE: Readonly<Record<BgpMessage['type'], number>> = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4 };

/** AS_TRANS, the 2-octet stand-in for a 4-octet ASN (RFC 6793 §9). */
export const AS_TRANS = 23456;

function quad(s: string): number {
  return s.split('.').reduce((x, o) => x * 256 + Number(o), 0) >>> 0;
}

function prefix(w: ByteWriter, cidr: string): void {
  const [addr, len] = cidr.split('/') as [string, string?];
  const bits = len === undefined ? 32 : Number(len);
  const a = quad(addr);
  w.u8(bits);
  for (let i = 0; i < Math.ceil(bits / 8); i++) w.u8((a >>> (24 - 8 * i)) & 0xff);
}

function attr(w: ByteWriter, flags: number, type: number, body: (w: ByteWriter) => void): void {
  const inner = new ByteWriter(64);
  body(inner);
  const ext = inner.length > 255;
  w.u8(flags | (ext ? 0x10 : 0)).u8(type);
  if (ext) w.u16(inner.length); else w.u8(inner.length);
  w.bytes(inner.view());
}

/** One BGP message: 16-octet all-ones marker, length, type, body (RFC 4271 §4.1). */
export function encodeBgp(m: BgpMessage): Uint8Array {
  const w = new ByteWriter(64);
  for (let i = 0; i < 4; i++) w.u32(0xffffffff);
  w.u16(0).u8(BGP_TYPE[m.type]);
  switch (m.type) {
    case 'OPEN': {
      w.u8(m.version).u16(m.myAs > 0xffff ? AS_TRANS : m.myAs).u16(m.holdTime).u32(quad(m.bgpIdentifier));
      // Optional parameter 2 (Capabilities): MP-BGP IPv4 unicast (1), 4-octet AS (65).
      w.u8(14).u8(2).u8(12).u8(1).u8(4).u16(1).u8(0).u8(1).u8(65).u8(4).u32(m.myAs >>> 0);
      break;
    }
    case 'UPDATE': {
      const wd = new ByteWriter(32);
      for (const p of m.withdrawn) prefix(wd, p);
      w.u16(wd.length).bytes(wd.view());
      const at = new ByteWriter(64);
      const a = m.attributes;
      if (a && m.nlri.length) {
        attr(at, 0x40, 1, (b) => b.u8(a.origin === 'igp' ? 0 : a.origin === 'egp' ? 1 : 2));
        attr(at, 0x40, 2, (b) => { if (a.asPath.length) { b.u8(2).u8(a.asPath.length); for (const n of a.asPath) b.u32(n >>> 0); } });
        attr(at, 0x40, 3, (b) => b.u32(quad(a.nextHop)));
        if (a.med !== undefined) attr(at, 0x80, 4, (b) => b.u32(a.med!));
        if (a.localPref !== undefined) attr(at, 0x40, 5, (b) => b.u32(a.localPref!));
      }
      w.u16(at.length).bytes(at.view());
      for (const p of m.nlri) prefix(w, p);
      break;
    }
    case 'NOTIFICATION':
      w.u8(m.code).u8(m.subcode);
      if (m.data) w.ascii(m.data);
      break;
    case 'KEEPALIVE':
      break;
  }
  w.patch16(16, w.length);
  return w.finish();
}
