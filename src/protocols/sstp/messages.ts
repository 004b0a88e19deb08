/**
 * Messages of an SSTP session (MS-SSTP), as data. Everything rides one TCP
 * connection to port 443, so the unit that crosses the underlay is a
 * {@link TcpSegment}; a data segment carries one flight of {@link SstpRecord}s
 * (TLS handshake records, the HTTPS request and response, SSTP control
 * messages, PPP frames inside SSTP data messages).
 *
 * Sizes are rough on-the-wire figures (bytes) used only for serialisation
 * time on the underlay; a flight is sent as one segment (a modelling
 * simplification: a 3 kB certificate flight would be two or three IP packets
 * in reality, so its loss probability here is that of one packet).
 */

/** Operating system of a P2S client (R17, R21). */
export type ClientOs = 'windows' | 'linux' | 'macos' | 'android' | 'ios';

/** PPP authentication methods modelled inside SSTP. */
export type PppAuthMethod = 'eapTls' | 'msChapV2';

/**
 * A client certificate, reduced to what the gateway checks: the name of the
 * root certificate its chain ends at (Azure P2S trusts up to 20 roots).
 */
export interface ClientCertificate {
  /** Subject of the client certificate (for traces). */
  readonly subject: string;
  /** Subject of the root certificate the chain ends at. */
  readonly root: string;
}

/** One record carried over the TLS/HTTPS stream (or before it: the TLS handshake). */
export type SstpRecord =
  // TLS 1.2 full handshake, RFC 5246 §7.3 (Figure 1): 2 round trips.
  | { kind: 'tlsClientHello' }
  | { kind: 'tlsServerHello' } // ServerHello, Certificate, ServerHelloDone
  | { kind: 'tlsClientFinished' } // ClientKeyExchange, ChangeCipherSpec, Finished
  | { kind: 'tlsServerFinished' } // ChangeCipherSpec, Finished
  // HTTPS, MS-SSTP §3.2.5.1 / §3.3.5.1 (the SSTP_DUPLEX_POST request).
  | { kind: 'httpDuplexPost'; clientOs: ClientOs }
  | { kind: 'httpResponse'; status: 200 | 403 | 503 }
  // SSTP control messages, MS-SSTP §2.2.9-§2.2.16.
  | { kind: 'callConnectRequest' }
  | { kind: 'callConnectAck' }
  | { kind: 'callConnectNak'; reason: string }
  | { kind: 'callConnected' } // binds TLS and PPP authentication (§2.2.11)
  | { kind: 'callAbort'; reason: string }
  | { kind: 'callDisconnect'; reason: string }
  | { kind: 'callDisconnectAck' }
  | { kind: 'echoRequest' }
  | { kind: 'echoResponse' }
  // PPP inside SSTP data messages, RFC 1661 (LCP), RFC 1332 (IPCP).
  | { kind: 'lcpConfigureRequest'; from: 'client' | 'server' }
  | { kind: 'lcpConfigureAck'; from: 'client' | 'server' }
  | { kind: 'ipcpConfigureRequest'; from: 'client' | 'server'; address?: string }
  | { kind: 'ipcpConfigureNak'; address: string }
  | { kind: 'ipcpConfigureAck'; from: 'client' | 'server' }
  /**
   * One step of the PPP authentication ladder (see `AUTH_LADDERS`): the
   * server's step `i` is answered by the client's step `i`.
   */
  | {
      kind: 'auth'; method: PppAuthMethod; from: 'client' | 'server'; step: number; label: string;
      /** The client certificate (EAP-TLS, on the client's certificate flight). */
      certificate?: ClientCertificate;
      /** The MS-CHAPv2 user and password (the NT-Response stands for a proof of the password). */
      credentials?: { readonly user: string; readonly password: string };
    }
  | { kind: 'authFailure'; method: PppAuthMethod };

/** A TCP segment (RFC 9293), numbered per segment rather than per byte. */
export type TcpSegment =
  | { kind: 'syn' }
  | { kind: 'synAck' }
  /** A pure acknowledgement: `ack` is the next segment number expected. */
  | { kind: 'ack'; ack: number }
  /** One flight of records; `seq` numbers segments from 0, `ack` piggybacks. */
  | { kind: 'data'; seq: number; ack: number; records: readonly SstpRecord[] };

/**
 * One round of PPP authentication: the server sends `server[i]`, the client
 * answers with `client[i]`; the server checks credentials on `client[checkAt]`.
 */
export interface AuthLadder {
  readonly server: readonly string[];
  readonly client: readonly string[];
  readonly checkAt: number;
}

/**
 * The authentication ladders. EAP-TLS follows RFC 5216 §2.1.1 (Identity,
 * Start, the inner TLS handshake in two flights, the empty response, Success);
 * MS-CHAPv2 follows RFC 2759 §4 over PPP CHAP (Challenge, Response, Success).
 */
export const AUTH_LADDERS: Readonly<Record<PppAuthMethod, AuthLadder>> = {
  eapTls: {
    server: ['EAP-Request/Identity', 'EAP-Request/EAP-TLS Start', 'EAP-Request/EAP-TLS ServerHello..ServerHelloDone', 'EAP-Request/EAP-TLS ChangeCipherSpec,Finished', 'EAP-Success'],
    client: ['EAP-Response/Identity', 'EAP-Response/EAP-TLS ClientHello', 'EAP-Response/EAP-TLS Certificate..Finished', 'EAP-Response/EAP-TLS (empty)'],
    checkAt: 2,
  },
  msChapV2: {
    server: ['CHAP Challenge', 'CHAP Success'],
    client: ['CHAP Response'],
    checkAt: 0,
  },
};

/** TCP/IP header bytes added to every segment (20 IPv4 + 20 TCP). */
export const TCP_IP_HEADER_BYTES = 40;
/** TLS record overhead added to each record after the handshake (header, IV, MAC/tag). */
export const TLS_RECORD_OVERHEAD_BYTES = 29;

/** Approximate size of one record on the wire, bytes. */
export function recordBytes(r: SstpRecord): number {
  switch (r.kind) {
    case 'tlsClientHello': return 250;
    case 'tlsServerHello': return 3200; // certificate chain dominates
    case 'tlsClientFinished': return 180;
    case 'tlsServerFinished': return 60;
    case 'httpDuplexPost': return 180 + TLS_RECORD_OVERHEAD_BYTES;
    case 'httpResponse': return 120 + TLS_RECORD_OVERHEAD_BYTES;
    case 'auth':
      return (r.label.includes('ServerHello') || r.label.includes('Certificate..') ? 3000 : 60) + TLS_RECORD_OVERHEAD_BYTES;
    case 'callConnected': return 112 + TLS_RECORD_OVERHEAD_BYTES; // nonce, cert hash, compound MAC (§2.2.11)
    default: return 40 + TLS_RECORD_OVERHEAD_BYTES;
  }
}

/** Size of a segment on the wire, bytes. */
export function segmentBytes(s: TcpSegment): number {
  if (s.kind !== 'data') return TCP_IP_HEADER_BYTES;
  let n = TCP_IP_HEADER_BYTES;
  for (const r of s.records) n += recordBytes(r);
  return n;
}

/** A short label for traces (`data#3[callConnectRequest]`). */
export function segmentLabel(s: TcpSegment): string {
  if (s.kind === 'data') return `data#${s.seq}[${s.records.map((r) => (r.kind === 'auth' ? r.label : r.kind)).join(',')}]`;
  if (s.kind === 'ack') return `ack ${s.ack}`;
  return s.kind;
}
