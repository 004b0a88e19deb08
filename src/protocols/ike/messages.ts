/**
 * IKE messages as plain data: IKEv1 (RFC 2409 over the ISAKMP framing of
 * RFC 2408) and IKEv2 (RFC 7296). One record shape carries every exchange;
 * payloads are optional fields named after the RFC payloads. Nothing here is
 * encrypted: the PSK proof is a deterministic HMAC (see {@link pskDigest}),
 * and sizes are estimates of the wire format for serialisation delay.
 */

import { createHmac } from 'node:crypto';

/** IKE major version (the scenario format's `connectionProtocol` takes it from here): IKEv1 is ISAKMP major version 1 (RFC 2408 §3.1), IKEv2 major version 2 (RFC 7296 §3.1). */
export type IkeVersion = 'IKEv1' | 'IKEv2';

/**
 * Exchange types. IKEv2: RFC 7296 §3.1 (34 IKE_SA_INIT, 35 IKE_AUTH,
 * 36 CREATE_CHILD_SA, 37 INFORMATIONAL). IKEv1: RFC 2408 §3.1 / RFC 2409 §5
 * (2 Identity Protection = Main Mode, 32 Quick Mode, 5 Informational).
 */
export type IkeExchange = 'IKE_SA_INIT' | 'IKE_AUTH' | 'CREATE_CHILD_SA' | 'INFORMATIONAL' | 'MAIN_MODE' | 'QUICK_MODE';

/**
 * Notify message types used by vpnsim. IKEv2 error types: RFC 7296 §3.10.1
 * (AUTHENTICATION_FAILED 24, NO_PROPOSAL_CHOSEN 14, INVALID_KE_PAYLOAD 17,
 * TS_UNACCEPTABLE 38, INVALID_MAJOR_VERSION 5). IKEv1: RFC 2408 §3.14.1
 * (AUTHENTICATION-FAILED 24, NO-PROPOSAL-CHOSEN 14, INVALID-ID-INFORMATION 18,
 * INVALID-MAJOR-VERSION 5); R-U-THERE / R-U-THERE-ACK are RFC 3706 §5.
 */
export type IkeNotify =
  | 'AUTHENTICATION_FAILED'
  | 'NO_PROPOSAL_CHOSEN'
  | 'INVALID_KE_PAYLOAD'
  | 'TS_UNACCEPTABLE'
  | 'INVALID_ID_INFORMATION'
  | 'INVALID_MAJOR_VERSION'
  | 'R_U_THERE'
  | 'R_U_THERE_ACK';

/** Which SA a Delete payload (RFC 7296 §3.11, RFC 2408 §3.15) or a rekey names. */
export type IkeSaKind = 'ike' | 'child';

/** One IKE message. Fields absent from an exchange are left undefined. */
export interface IkeMessage {
  readonly version: IkeVersion;
  readonly exchange: IkeExchange;
  /** IKEv2 Response flag (RFC 7296 §3.1). IKEv1: true for messages that answer one (MM 2/4/6, QM 2/3, notifies). */
  readonly response: boolean;
  /** IKEv2 Message ID (§2.2); IKEv1: 0 in Main Mode, the Quick Mode / Informational message ID otherwise. */
  readonly messageId: number;
  /** IKEv1 only: position inside the exchange, Main Mode 1-6, Quick Mode 1-3 (RFC 2409 §5, §5.5). */
  readonly seq?: number;
  /** Initiator SPI (IKEv1: initiator cookie). */
  readonly spiI: number;
  /** Responder SPI (IKEv1: responder cookie); 0 in the first message (RFC 7296 §3.1). */
  readonly spiR: number;
  /** SA payload: the offered IKE proposals in a request, the single chosen one in a response. */
  readonly sa?: readonly string[];
  /** KE payload: the Diffie-Hellman group of the public value (RFC 7296 §3.4). */
  readonly ke?: number;
  /** Nonce payload (RFC 7296 §3.9). */
  readonly nonce?: string;
  /** Identification payload (IDi / IDr). */
  readonly id?: string;
  /** AUTH payload (IKEv2 §3.8) or HASH_I / HASH_R (IKEv1): a digest of the PSK, never the key. */
  readonly auth?: string;
  /** Child SA (ESP) proposals: offered in a request, the chosen one in a response. */
  readonly childSa?: readonly string[];
  /** Traffic selectors of the initiator (TSi) and responder (TSr), RFC 7296 §3.13; IKEv1 Quick Mode IDci / IDcr. */
  readonly tsi?: readonly string[];
  readonly tsr?: readonly string[];
  /** Notify payload type (RFC 7296 §3.10). */
  readonly notify?: IkeNotify;
  /** Notify data: for INVALID_KE_PAYLOAD the group the responder wants (§1.3.1). */
  readonly notifyData?: number;
  /** CREATE_CHILD_SA purpose (§1.3.2 rekey IKE SA, §1.3.3 rekey child SA with REKEY_SA). */
  readonly rekey?: IkeSaKind;
  /** New SPI offered when rekeying the IKE SA (§1.3.2). */
  readonly newSpi?: number;
  /** Delete payload (RFC 7296 §3.11; RFC 2408 §3.15). */
  readonly delete?: IkeSaKind;
  /**
   * vpnsim annotation, not on the wire: the sender deleted the SA because its
   * IKEv1 phase-1 lifetime ran out and it negotiates again at once, so the
   * receiver reports `rekey` rather than `peerDown`.
   */
  readonly deleteForRekey?: boolean;
}

/** Diffie-Hellman public value length per group, bytes (RFC 2409 §6, RFC 3526, RFC 5903). */
const DH_BYTES: Readonly<Record<number, number>> = { 1: 96, 2: 128, 5: 192, 14: 256, 15: 384, 16: 512, 19: 64, 20: 96, 21: 132, 24: 256 };

/**
 * The Diffie-Hellman group named by a proposal string such as
 * `AES256-SHA1-DH2` (the trailing `DH<n>` token); group 2 when none is named
 * (Azure's default, SKUS.md).
 */
export function dhGroupOf(proposal: string): number {
  const m = /DH(\d+)$/i.exec(proposal);
  return m ? Number(m[1]) : 2;
}

/**
 * Estimated size of a message on the wire, bytes, for serialisation delay.
 * Built from the payload formats: header 28 (RFC 7296 §3.1), SA payload
 * 4 + 40 per proposal, KE 8 + public value, nonce 4 + 32, IKEv2 IKE_SA_INIT
 * NAT-D notifies 2 x 28, ID 12, AUTH/HASH 8 + 32, traffic selectors 8 + 16
 * each, notify 8 + 4, delete 12; encrypted messages add 4 + 16 IV + 16
 * ICV/padding (§3.14). UDP/IP headers (28) are included. A six-proposal
 * IKE_SA_INIT request with group 2 comes to about 530 bytes.
 */
export function messageBytes(msg: IkeMessage): number {
  let n = 28 + 28; // IP + UDP, IKE header
  if (msg.sa) n += 4 + 40 * msg.sa.length;
  if (msg.ke !== undefined) n += 8 + (DH_BYTES[msg.ke] ?? 128);
  if (msg.nonce !== undefined) n += 4 + 32;
  if (msg.version === 'IKEv2' && msg.exchange === 'IKE_SA_INIT' && !msg.notify) n += 2 * 28;
  if (msg.id !== undefined) n += 12 + msg.id.length;
  if (msg.auth !== undefined) n += 8 + 32;
  if (msg.childSa) n += 4 + 40 * msg.childSa.length;
  if (msg.tsi) n += 8 + 16 * msg.tsi.length;
  if (msg.tsr) n += 8 + 16 * msg.tsr.length;
  if (msg.notify) n += 8 + 4;
  if (msg.newSpi !== undefined) n += 8;
  if (msg.delete) n += 12;
  const encrypted = !(msg.exchange === 'IKE_SA_INIT' || (msg.exchange === 'MAIN_MODE' && (msg.seq ?? 0) <= 4));
  if (encrypted) n += 4 + 16 + 16;
  return n;
}

/**
 * True when a message asks for an answer, so a duplicate of it is answered
 * again with the cached reply (RFC 7296 §2.1: the responder retransmits its
 * response when a request is retransmitted). IKEv1 Quick Mode message 2 both
 * answers message 1 and asks for message 3 (RFC 2409 §5.5).
 */
export function isRequest(msg: IkeMessage): boolean {
  if (msg.version === 'IKEv1' && msg.exchange === 'QUICK_MODE') return msg.seq === 1 || msg.seq === 2;
  return !msg.response;
}

/** Identity of a message for duplicate detection: same SA, exchange, Message ID, position and direction. */
export function messageKey(msg: IkeMessage): string {
  return `${msg.spiI}/${msg.exchange}/${msg.messageId}/${msg.seq ?? 0}/${msg.response ? 'r' : 'q'}`;
}

/** A short ladder label: `IKE_SA_INIT req`, `MM3`, `QM2`, `INFORMATIONAL resp [AUTHENTICATION_FAILED]`. */
export function describe(msg: IkeMessage): string {
  let s: string;
  if (msg.exchange === 'MAIN_MODE') s = `MM${msg.seq}`;
  else if (msg.exchange === 'QUICK_MODE') s = `QM${msg.seq}`;
  else s = `${msg.exchange} ${msg.response ? 'resp' : 'req'}`;
  if (msg.notify) s += ` [${msg.notify}]`;
  if (msg.delete) s += ` [DELETE ${msg.delete}]`;
  if (msg.rekey) s += ` [REKEY ${msg.rekey}]`;
  return s;
}

/**
 * The PSK proof carried in AUTH (IKEv2) or HASH_I/HASH_R (IKEv1):
 * HMAC-SHA-256 keyed by the shared key over the role and the exchange's
 * context, hex. It stands in for `prf(prf(Shared Secret, "Key Pad for
 * IKEv2"), <SignedOctets>)` of RFC 7296 §2.15 and HASH_I of RFC 2409 §5 with
 * the PRF of RFC 4868 (HMAC-SHA-256): the key never travels, and two
 * different keys cannot be made to give one proof (a 64-bit non-cryptographic
 * digest could; test/fixtures/regressions/psk-fnv1a-collision.json).
 * @param role `I` for the initiator's proof, `R` for the responder's.
 */
export function pskDigest(sharedKey: string, role: 'I' | 'R', context: string): string {
  return createHmac('sha256', sharedKey).update(`${role}\u0000${context}`).digest('hex');
}
