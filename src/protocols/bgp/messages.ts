/**
 * BGP-4 messages (RFC 4271 §4) and the simplified TCP segments that carry
 * them to port 179. Messages are data, not bytes: each has a size in octets
 * ({@link segmentBytes}) so that the underlay serialises it like the real one.
 *
 * TCP is modelled by three handshake segments (SYN, SYN-ACK, ACK) and a RST,
 * so an OPEN leaves one round trip after the first SYN. Every segment names
 * its connection (`conn`): a segment of a connection the receiver no longer
 * holds is discarded, as a real TCP stack would answer it with a RST instead
 * of handing it to the BGP machine.
 */

/** ORIGIN attribute values (RFC 4271 §4.3 type code 1); lower is preferred (§9.1.2.2 c). */
export type Origin = 'igp' | 'egp' | 'incomplete';

/** Numeric rank of an ORIGIN value: IGP 0, EGP 1, INCOMPLETE 2 (RFC 4271 §5.1.1). */
export const ORIGIN_RANK: Readonly<Record<Origin, number>> = { igp: 0, egp: 1, incomplete: 2 };

/** The path attributes one UPDATE carries for all of its NLRI (RFC 4271 §4.3, §5). */
export interface PathAttributes {
  /** ORIGIN (well-known mandatory). */
  readonly origin: Origin;
  /**
   * AS_PATH as one AS_SEQUENCE, nearest AS first (RFC 4271 §5.1.2): a speaker
   * prepends its own ASN when it advertises to an external peer.
   */
  readonly asPath: readonly number[];
  /** NEXT_HOP, a dotted quad (RFC 4271 §5.1.3). */
  readonly nextHop: string;
  /** MULTI_EXIT_DISC (optional non-transitive, §5.1.4). */
  readonly med?: number;
  /** LOCAL_PREF, sent to internal peers only (§5.1.5). */
  readonly localPref?: number;
}

/** OPEN (RFC 4271 §4.2). */
export interface OpenMessage {
  readonly type: 'OPEN';
  /** BGP version; 4. */
  readonly version: number;
  /** My Autonomous System (4-octet ASNs as in RFC 6793, carried directly). */
  readonly myAs: number;
  /** Proposed hold time, seconds: 0 or at least 3. */
  readonly holdTime: number;
  /** BGP Identifier, a dotted quad. */
  readonly bgpIdentifier: string;
}

/** KEEPALIVE (RFC 4271 §4.4): a header only. */
export interface KeepaliveMessage {
  readonly type: 'KEEPALIVE';
}

/** UPDATE (RFC 4271 §4.3): withdrawn routes, then NLRI sharing one set of attributes. */
export interface UpdateMessage {
  readonly type: 'UPDATE';
  /** Withdrawn prefixes, canonical CIDR. */
  readonly withdrawn: readonly string[];
  /** Attributes of every prefix in `nlri`; absent when `nlri` is empty. */
  readonly attributes?: PathAttributes;
  /** Advertised prefixes, canonical CIDR. */
  readonly nlri: readonly string[];
}

/** NOTIFICATION (RFC 4271 §4.5); the connection closes right after it. */
export interface NotificationMessage {
  readonly type: 'NOTIFICATION';
  readonly code: number;
  readonly subcode: number;
  /** Free text standing for the Data field. */
  readonly data?: string;
}

/** A BGP message. */
export type BgpMessage = OpenMessage | KeepaliveMessage | UpdateMessage | NotificationMessage;

/** The simplified TCP control segments of the connection to port 179. */
export type TcpControl =
  /** Opens connection `conn`; `routerId` lets a collision be settled at once (see machine.ts). */
  | { readonly type: 'TCP_SYN'; readonly routerId: string }
  | { readonly type: 'TCP_SYN_ACK' }
  | { readonly type: 'TCP_ACK' }
  /** The connection was refused (nothing listening, or the peer is administratively down). */
  | { readonly type: 'TCP_RST' };

/** One segment on the wire: a BGP message or a TCP control segment, tagged with its connection. */
export interface BgpSegment {
  /** Connection id, `<initiator router id>#<attempt>`. */
  readonly conn: string;
  readonly msg: BgpMessage | TcpControl;
}

/** NOTIFICATION error codes (RFC 4271 §4.5). */
export const ErrorCode = {
  messageHeader: 1,
  openMessage: 2,
  updateMessage: 3,
  holdTimerExpired: 4,
  finiteStateMachine: 5,
  cease: 6,
} as const;

/** OPEN Message Error subcodes (RFC 4271 §6.2). */
export const OpenErrorSubcode = {
  unsupportedVersion: 1,
  badPeerAs: 2,
  badBgpIdentifier: 3,
  unsupportedOptionalParameter: 4,
  unacceptableHoldTime: 6,
} as const;

/** Cease subcodes (RFC 4486 §4). */
export const CeaseSubcode = {
  maxPrefixesReached: 1,
  administrativeShutdown: 2,
  peerDeconfigured: 3,
  administrativeReset: 4,
  connectionRejected: 5,
  connectionCollisionResolution: 7,
} as const;

/**
 * The camelCase reason a NOTIFICATION stands for, used for `down` effects on
 * both ends (`holdTimerExpired`, `peerAsMismatch`, `maxPrefixExceeded`, `cease`).
 */
export function notificationReason(code: number, subcode: number): string {
  switch (code) {
    case ErrorCode.messageHeader: return 'messageHeaderError';
    case ErrorCode.openMessage:
      switch (subcode) {
        case OpenErrorSubcode.unsupportedVersion: return 'unsupportedVersion';
        case OpenErrorSubcode.badPeerAs: return 'peerAsMismatch';
        case OpenErrorSubcode.badBgpIdentifier: return 'badBgpIdentifier';
        case OpenErrorSubcode.unacceptableHoldTime: return 'unacceptableHoldTime';
        default: return 'openMessageError';
      }
    case ErrorCode.updateMessage: return 'updateMessageError';
    case ErrorCode.holdTimerExpired: return 'holdTimerExpired';
    case ErrorCode.finiteStateMachine: return 'fsmError';
    case ErrorCode.cease: return subcode === CeaseSubcode.maxPrefixesReached ? 'maxPrefixExceeded' : 'cease';
    default: return 'notificationReceived';
  }
}

/** Largest BGP message, octets (RFC 4271 §4.1). */
export const MAX_MESSAGE_BYTES = 4096;
/** BGP header: marker 16, length 2, type 1 (RFC 4271 §4.1). */
export const HEADER_BYTES = 19;
/** IPv4 + TCP headers without options, octets, added to every segment. */
export const TCP_IP_HEADER_BYTES = 40;

/** Octets of one prefix in withdrawn routes or NLRI: length octet plus the significant octets (RFC 4271 §4.3). */
export function prefixBytes(cidr: string): number {
  const slash = cidr.indexOf('/');
  const length = slash < 0 ? 32 : Number(cidr.slice(slash + 1));
  return 1 + Math.ceil(length / 8);
}

/** Octets of a path attribute block (RFC 4271 §4.3; 4-octet AS numbers as in RFC 6793). */
export function attributesBytes(a: PathAttributes | undefined): number {
  if (!a) return 0;
  let n = 4; // ORIGIN: flags, type, length, value
  n += 3 + (a.asPath.length > 0 ? 2 + 4 * a.asPath.length : 0); // AS_PATH: one AS_SEQUENCE segment
  n += 7; // NEXT_HOP
  if (a.med !== undefined) n += 7;
  if (a.localPref !== undefined) n += 7;
  return n;
}

/** Length of a BGP message in octets, header included (RFC 4271 §4). */
export function messageBytes(msg: BgpMessage): number {
  switch (msg.type) {
    case 'OPEN': return HEADER_BYTES + 10; // version, my AS, hold time, identifier, opt param length
    case 'KEEPALIVE': return HEADER_BYTES;
    case 'NOTIFICATION': return HEADER_BYTES + 2 + (msg.data?.length ?? 0);
    case 'UPDATE': {
      let n = HEADER_BYTES + 4 + attributesBytes(msg.attributes);
      for (const p of msg.withdrawn) n += prefixBytes(p);
      for (const p of msg.nlri) n += prefixBytes(p);
      return n;
    }
  }
}

/** Bytes a segment occupies on the underlay: IPv4 and TCP headers plus the BGP message, if any. */
export function segmentBytes(seg: BgpSegment): number {
  const m = seg.msg;
  if (m.type === 'TCP_SYN' || m.type === 'TCP_SYN_ACK' || m.type === 'TCP_ACK' || m.type === 'TCP_RST') return TCP_IP_HEADER_BYTES;
  return TCP_IP_HEADER_BYTES + messageBytes(m);
}

/**
 * Packs withdrawals and announcements into UPDATE messages of at most
 * {@link MAX_MESSAGE_BYTES} octets (RFC 4271 §4.3, §9.2). Withdrawals go
 * first; announcements are grouped by identical attributes, one group per
 * message run. Order of the input is kept within each group.
 */
export function packUpdates(
  withdrawn: readonly string[],
  announce: readonly { prefix: string; attributes: PathAttributes }[],
): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  let w: string[] = [];
  let size = HEADER_BYTES + 4;
  for (const p of withdrawn) {
    const b = prefixBytes(p);
    if (size + b > MAX_MESSAGE_BYTES) {
      out.push({ type: 'UPDATE', withdrawn: w, nlri: [] });
      w = [];
      size = HEADER_BYTES + 4;
    }
    w.push(p);
    size += b;
  }
  if (w.length > 0) out.push({ type: 'UPDATE', withdrawn: w, nlri: [] });

  const groups = new Map<string, { attributes: PathAttributes; prefixes: string[] }>();
  for (const r of announce) {
    const key = attributesKey(r.attributes);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { attributes: r.attributes, prefixes: [] }));
    g.prefixes.push(r.prefix);
  }
  for (const g of groups.values()) {
    const base = HEADER_BYTES + 4 + attributesBytes(g.attributes);
    let nlri: string[] = [];
    let s = base;
    for (const p of g.prefixes) {
      const b = prefixBytes(p);
      if (s + b > MAX_MESSAGE_BYTES) {
        out.push({ type: 'UPDATE', withdrawn: [], attributes: g.attributes, nlri });
        nlri = [];
        s = base;
      }
      nlri.push(p);
      s += b;
    }
    if (nlri.length > 0) out.push({ type: 'UPDATE', withdrawn: [], attributes: g.attributes, nlri });
  }
  return out;
}

/** A string equal for equal attribute sets (used to group NLRI and to detect changed routes). */
export function attributesKey(a: PathAttributes): string {
  return `${a.origin}|${a.asPath.join(' ')}|${a.nextHop}|${a.med ?? ''}|${a.localPref ?? ''}`;
}
