/**
 * SSTP (MS-SSTP) client and server as pure machines:
 * `step(state, input) -> { next, effects, reason }`. TCP reliability lives
 * inside ({@link ./tcp.ts}), because everything rides one TCP connection:
 * a lost segment stalls the whole exchange until its RTO (TCP over TCP).
 *
 * Client (MS-SSTP §3.2.1.1.1, with the HTTPS and PPP layers unrolled):
 *
 *   idle --connect--> tcpConnecting --SYN-ACK/ ACK,ClientHello--> tlsClientHelloSent
 *     --ServerHello..Done/ ClientKeyExchange,CCS,Finished--> tlsFinishedSent
 *     --CCS,Finished/ SSTP_DUPLEX_POST, start http(60 s)--> httpPostSent
 *     --200 OK/ CALL_CONNECT_REQUEST, start negotiation(60 s)--> connectRequestSent
 *     --CALL_CONNECT_ACK/ LCP Configure-Request, restart negotiation--> pppLcp
 *     --LCP both ways acked--> pppAuth --EAP-Success (or CHAP Success)/
 *        CALL_CONNECTED, IPCP Configure-Request, stop negotiation--> pppIpcp
 *     --IPCP both ways acked/ up, start hello(60 s)--> connected
 *   connected --disconnect/ CALL_DISCONNECT--> draining --acked or 5 s--> closed
 *   any --403/503/CALL_CONNECT_NAK/EAP-Failure/CALL_ABORT--> closed (down: reason)
 *   any --http or negotiation timer--> closed (negotiationTimeout, sends CALL_ABORT)
 *   any --RTO expired after maxRetries--> closed (tcpTimeout)
 *   connected --hello expired twice with no answer--> closed (helloTimeout)
 *
 * Server (MS-SSTP §3.3.1.1.1):
 *
 *   listen --SYN/ SYN-ACK--> tcpHandshake --ACK--> tlsHandshake
 *     --ClientHello/ ServerHello..Done; CKE,CCS,Finished/ CCS,Finished--> httpWait
 *     --SSTP_DUPLEX_POST from Windows/ 200 OK, start negotiation--> connectRequestPending
 *     --CALL_CONNECT_REQUEST/ admit--> admitting
 *     --slot granted/ CALL_CONNECT_ACK, LCP Configure-Request, restart negotiation--> callConnectedPending
 *     --LCP, authentication (certificate or password checked), CALL_CONNECTED/
 *        stop negotiation, IPCP Configure-Request--> callConnected
 *     --IPCP both ways acked/ up, start hello--> connected
 *   httpWait --POST from a non-Windows client (R17)/ 403--> draining (notCompatible)
 *   admitting --no slot (R18)/ CALL_CONNECT_NAK--> draining (clientLimitReached)
 *   callConnectedPending --untrusted certificate/ EAP-Failure--> draining (authenticationFailed)
 *   any --negotiation timer--> closed (negotiationTimeout, sends CALL_ABORT)
 *   every end after admission emits `release` (the slot goes back to the pool).
 *
 * With no loss and no processing delay the client is up after exactly
 * k round trips (see {@link setupRoundTrips}):
 *   TCP handshake 1 + TLS 1.2 full handshake 2 + SSTP_DUPLEX_POST/200 OK 1
 *   + CALL_CONNECT_REQUEST/ACK 1 + LCP 1 + authentication (EAP-TLS 4,
 *   MS-CHAPv2 1) + CALL_CONNECTED with IPCP 2 (Configure-Request, Nak with the
 *   address, Configure-Request, Ack) = 12 with EAP-TLS, 9 with MS-CHAPv2.
 * The server's LCP Configure-Request rides with CALL_CONNECT_ACK and its
 * EAP-Request/Identity with its LCP Configure-Ack, so LCP costs one round
 * trip and EAP-TLS four (Identity, Start, ClientHello, certificate flight,
 * empty response, Success: the first request piggybacks on LCP).
 */
import { UsageError, ValidationError } from '../../errors.js';
import type { CommonEffect, CommonInput, StepFn, Transition } from '../machine.js';
import { AUTH_LADDERS, type ClientCertificate, type ClientOs, type PppAuthMethod, type SstpRecord, type TcpSegment } from './messages.js';
import { DEFAULT_TCP_OPTIONS, RTO_TIMER, tcpConnect, tcpInitial, tcpReceive, tcpSend, tcpSendOnce, tcpTimeout, type TcpEffect, type TcpOptions, type TcpState } from './tcp.js';

/** At most this many trusted root certificates per P2S configuration (Azure P2S). */
export const MAX_TRUSTED_ROOTS = 20;

/** Timer names used by both machines. */
export const SSTP_TIMERS = { rto: RTO_TIMER, http: 'http', negotiation: 'negotiation', hello: 'hello', linger: 'linger' } as const;

/** Reasons a session ends, as carried by `down` effects. */
export type SstpReason =
  | 'notCompatible'
  | 'authenticationFailed'
  | 'clientLimitReached'
  | 'negotiationTimeout'
  | 'tcpTimeout'
  | 'helloTimeout'
  | 'peerDisconnected'
  | 'clientAborted'
  | (string & {});

/** Client configuration. Build with {@link sstpClientConfig} to get defaults. */
export interface SstpClientConfig {
  /** Operating system; only Windows runs SSTP (R17). */
  readonly os: ClientOs;
  /** PPP authentication. Default `eapTls` (certificate authentication). */
  readonly authMethod: PppAuthMethod;
  /** The client certificate (EAP-TLS). */
  readonly certificate?: ClientCertificate;
  /** User name and password (MS-CHAPv2). */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** How long the client waits for the HTTP response, seconds. Default 60. */
  readonly httpTimeout: number;
  /** Negotiation timer, seconds (MS-SSTP §3.2.2.1). Default 60. */
  readonly negotiationTimeout: number;
  /** Hello timer, seconds: idle time before an Echo Request (MS-SSTP §3.1.2). Default 60. */
  readonly helloInterval: number;
  /** How long to wait for a Call Disconnect to be acknowledged, seconds. Default 5 (MS-SSTP §3.1.2). */
  readonly lingerTimeout: number;
  readonly tcp: TcpOptions;
}

/** Server (gateway) configuration. Build with {@link sstpServerConfig} to get defaults and checks. */
export interface SstpServerConfig {
  /** PPP authentication the gateway asks for. Default `eapTls` (certificate authentication). */
  readonly authMethod: PppAuthMethod;
  /** Root certificates a client certificate may chain to; at most 20. */
  readonly trustedRoots: readonly string[];
  /** Accepted MS-CHAPv2 users (a stand-in for RADIUS): user -> password. */
  readonly users: Readonly<Record<string, string>>;
  /** Address handed to the client by IPCP (RFC 1332 §3.3). Default `172.16.201.2`. */
  readonly clientAddress: string;
  /** Negotiation timer, seconds (MS-SSTP §3.3.2). Default 60. */
  readonly negotiationTimeout: number;
  /** Hello timer, seconds. Default 60. */
  readonly helloInterval: number;
  /** How long to keep a refusal retransmitting before closing, seconds. Default 5. */
  readonly lingerTimeout: number;
  readonly tcp: TcpOptions;
}

/** Round trips from `connect` to `up` with no loss (see the header comment). */
export function setupRoundTrips(method: PppAuthMethod): number {
  const ladder = AUTH_LADDERS[method];
  // TCP 1 + TLS 2 + HTTP 1 + CALL_CONNECT 1 + LCP 1 + auth + CALL_CONNECTED/IPCP 2.
  // Auth: the server's first request rides with LCP, so it costs one round
  // trip per client answer.
  return 1 + 2 + 1 + 1 + 1 + ladder.client.length + 2;
}

function checkSeconds(value: number, where: string, what: string): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new UsageError(`${where}: ${what} ${String(value)} s is not a positive number of seconds. Pass a value such as 60`, 'usage');
  }
  return value;
}

function tcpOptions(o: Partial<TcpOptions> | undefined, where: string): TcpOptions {
  const t = { ...DEFAULT_TCP_OPTIONS, ...o };
  checkSeconds(t.initialRto, where, 'tcp.initialRto');
  checkSeconds(t.maxRto, where, 'tcp.maxRto');
  if (!Number.isInteger(t.maxRetries) || t.maxRetries < 0) {
    throw new UsageError(`${where}: tcp.maxRetries ${t.maxRetries} is not a whole number of 0 or more. Pass a count such as 5`, 'usage');
  }
  return t;
}

/** Options accepted by {@link sstpClientConfig}: every field but `os` may be left out. */
export type SstpClientOptions = Partial<Omit<SstpClientConfig, 'tcp'>> & { readonly tcp?: Partial<TcpOptions> };
/** Options accepted by {@link sstpServerConfig}. */
export type SstpServerOptions = Partial<Omit<SstpServerConfig, 'tcp'>> & { readonly tcp?: Partial<TcpOptions> };

/**
 * Client configuration with defaults filled in. `os` defaults to `windows`.
 * @throws UsageError on a non-positive timer or a bad TCP option.
 */
export function sstpClientConfig(o: SstpClientOptions = {}): SstpClientConfig {
  const where = 'sstp client';
  return {
    os: o.os ?? 'windows',
    authMethod: o.authMethod ?? 'eapTls',
    ...(o.certificate ? { certificate: o.certificate } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    httpTimeout: checkSeconds(o.httpTimeout ?? 60, where, 'httpTimeout'),
    negotiationTimeout: checkSeconds(o.negotiationTimeout ?? 60, where, 'negotiationTimeout'),
    helloInterval: checkSeconds(o.helloInterval ?? 60, where, 'helloInterval'),
    lingerTimeout: checkSeconds(o.lingerTimeout ?? 5, where, 'lingerTimeout'),
    tcp: tcpOptions(o.tcp, where),
  };
}

/**
 * Server configuration with defaults filled in.
 * @throws ValidationError (rule `p2sRootCertificates`) when more than 20 trusted roots are given.
 * @throws UsageError on a non-positive timer or a bad TCP option.
 */
export function sstpServerConfig(o: SstpServerOptions = {}): SstpServerConfig {
  const where = 'sstp server';
  const roots = o.trustedRoots ?? [];
  if (roots.length > MAX_TRUSTED_ROOTS) {
    throw new ValidationError({
      path: `${where}.trustedRoots`,
      rule: 'p2sRootCertificates',
      message: `${roots.length} root certificates ("${roots[MAX_TRUSTED_ROOTS]}" is the 21st); a P2S configuration trusts at most ${MAX_TRUSTED_ROOTS}`,
      fix: `Keep at most ${MAX_TRUSTED_ROOTS} root certificates`,
    });
  }
  return {
    authMethod: o.authMethod ?? 'eapTls',
    trustedRoots: [...roots],
    users: { ...(o.users ?? {}) },
    clientAddress: o.clientAddress ?? '172.16.201.2',
    negotiationTimeout: checkSeconds(o.negotiationTimeout ?? 60, where, 'negotiationTimeout'),
    helloInterval: checkSeconds(o.helloInterval ?? 60, where, 'helloInterval'),
    lingerTimeout: checkSeconds(o.lingerTimeout ?? 5, where, 'lingerTimeout'),
    tcp: tcpOptions(o.tcp, where),
  };
}

// ---------------------------------------------------------------- client

/** Client phases (see the diagram above). */
export type SstpClientPhase =
  | 'idle'
  | 'tcpConnecting'
  | 'tlsClientHelloSent'
  | 'tlsFinishedSent'
  | 'httpPostSent'
  | 'connectRequestSent'
  | 'pppLcp'
  | 'pppAuth'
  | 'pppIpcp'
  | 'connected'
  | 'draining'
  | 'closed';

/** Client state. Immutable. */
export interface SstpClientState {
  readonly phase: SstpClientPhase;
  readonly tcp: TcpState;
  readonly lcpMineAcked: boolean;
  readonly lcpTheirsAcked: boolean;
  readonly ipcpMineAcked: boolean;
  readonly ipcpTheirsAcked: boolean;
  /** Address granted by IPCP. */
  readonly address?: string;
  /** An Echo Request is waiting for its response. */
  readonly echoOutstanding: boolean;
  /** True once the client was up. */
  readonly wasUp: boolean;
  /** Why the session ended (set on the `down` transition). */
  readonly reason?: SstpReason;
}

/** Client inputs: segments, timers, and the user's connect and disconnect. */
export type SstpClientInput = CommonInput<TcpSegment> | { kind: 'connect' } | { kind: 'disconnect'; reason: string };
/** Client effects. */
export type SstpClientEffect = CommonEffect<TcpSegment>;

/** A machine: its initial state and its pure transition. */
export interface SstpMachine<S, I, E> {
  readonly initial: S;
  readonly step: StepFn<S, I, E>;
}

const ALL_TIMERS = Object.values(SSTP_TIMERS);

function stopAll(fx: TcpEffect[], except?: string): void {
  for (const name of ALL_TIMERS) if (name !== except) fx.push({ kind: 'stopTimer', name });
}

/** Builds the client machine for one configuration. */
export function sstpClientMachine(config: SstpClientConfig): SstpMachine<SstpClientState, SstpClientInput, SstpClientEffect> {
  const initial: SstpClientState = {
    phase: 'idle', tcp: tcpInitial(config.tcp, 'closed'),
    lcpMineAcked: false, lcpTheirsAcked: false, ipcpMineAcked: false, ipcpTheirsAcked: false,
    echoOutstanding: false, wasUp: false,
  };
  const ladder = AUTH_LADDERS[config.authMethod];

  const step = (state: SstpClientState, input: SstpClientInput): Transition<SstpClientState, SstpClientEffect> => {
    const fx: SstpClientEffect[] = [];
    let s: SstpClientState = state;
    let reason = 'ignored';

    /** Ends the session: every timer stops; a Call Abort is sent once when asked. */
    const fail = (why: SstpReason, abort: boolean): void => {
      if (abort) tcpSendOnce(s.tcp, [{ kind: 'callAbort', reason: why }], fx);
      stopAll(fx);
      fx.push({ kind: 'down', reason: why });
      s = { ...s, phase: 'closed', reason: why };
      reason = why;
    };

    if (input.kind === 'connect') {
      if (s.phase !== 'idle') return { next: s, effects: fx, reason: 'alreadyStarted' };
      // MS-SSTP §3.2.1.1.1: the client opens an HTTPS connection to port 443.
      const tcp = tcpConnect(s.tcp, config.tcp, fx);
      return { next: { ...s, phase: 'tcpConnecting', tcp }, effects: fx, reason: 'connect' };
    }

    if (input.kind === 'disconnect') {
      if (s.phase === 'idle' || s.phase === 'closed' || s.phase === 'draining') return { next: s, effects: fx, reason: 'ignored' };
      if (s.tcp.phase !== 'established') {
        fail(input.reason, false);
        return { next: s, effects: fx, reason: input.reason };
      }
      // MS-SSTP §3.1.1.1 Call Disconnect: send it reliably, linger until acknowledged.
      stopAll(fx, RTO_TIMER);
      const tcp = tcpSend(s.tcp, [{ kind: 'callDisconnect', reason: input.reason }], false, fx);
      fx.push({ kind: 'startTimer', name: SSTP_TIMERS.linger, after: config.lingerTimeout });
      fx.push({ kind: 'down', reason: input.reason });
      return { next: { ...s, phase: 'draining', tcp, reason: input.reason }, effects: fx, reason: input.reason };
    }

    if (input.kind === 'timer') {
      if (s.phase === 'closed' || s.phase === 'idle') return { next: s, effects: fx, reason: 'staleTimer' };
      switch (input.name) {
        case SSTP_TIMERS.rto: {
          const r = tcpTimeout(s.tcp, config.tcp, fx);
          s = { ...s, tcp: r.tcp };
          if (r.gaveUp) {
            if (s.phase === 'draining') {
              stopAll(fx);
              return { next: { ...s, phase: 'closed' }, effects: fx, reason: 'lingerEnded' };
            }
            fail('tcpTimeout', false);
            return { next: s, effects: fx, reason };
          }
          return { next: s, effects: fx, reason: 'retransmitted' };
        }
        case SSTP_TIMERS.http:
          if (s.phase !== 'httpPostSent') return { next: s, effects: fx, reason: 'staleTimer' };
          fail('negotiationTimeout', true);
          return { next: s, effects: fx, reason };
        case SSTP_TIMERS.negotiation:
          // MS-SSTP §3.2.2.1: runs from Call Connect Request to Call Connected.
          if (s.phase !== 'connectRequestSent' && s.phase !== 'pppLcp' && s.phase !== 'pppAuth') return { next: s, effects: fx, reason: 'staleTimer' };
          fail('negotiationTimeout', true);
          return { next: s, effects: fx, reason };
        case SSTP_TIMERS.hello: {
          if (s.phase !== 'connected') return { next: s, effects: fx, reason: 'staleTimer' };
          if (s.echoOutstanding) {
            fail('helloTimeout', true);
            return { next: s, effects: fx, reason };
          }
          // MS-SSTP §3.1.2: no traffic for a hello interval; ask for an echo.
          const tcp = tcpSend(s.tcp, [{ kind: 'echoRequest' }], false, fx);
          fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: config.helloInterval });
          return { next: { ...s, tcp, echoOutstanding: true }, effects: fx, reason: 'echoRequestSent' };
        }
        case SSTP_TIMERS.linger:
          if (s.phase !== 'draining') return { next: s, effects: fx, reason: 'staleTimer' };
          stopAll(fx);
          return { next: { ...s, phase: 'closed' }, effects: fx, reason: 'lingerEnded' };
        default:
          return { next: s, effects: fx, reason: 'unknownTimer' };
      }
    }

    // input.kind === 'recv'
    if (s.phase === 'closed' || s.phase === 'idle') return { next: s, effects: fx, reason: 'ignored' };
    const rx = tcpReceive(s.tcp, input.msg, config.tcp, fx);
    s = { ...s, tcp: rx.tcp };
    const out: SstpRecord[] = [];
    reason = 'segmentReceived';
    if (s.phase === 'draining') {
      if (s.tcp.unacked.length === 0) {
        stopAll(fx);
        s = { ...s, phase: 'closed' };
        reason = 'disconnectAcknowledged';
      }
      return { next: s, effects: fx, reason };
    }
    if (rx.established && s.phase === 'tcpConnecting') {
      // RFC 9293 §3.5: the ACK completes the handshake; TLS starts at once (RFC 5246 §7.3).
      out.push({ kind: 'tlsClientHello' });
      s = { ...s, phase: 'tlsClientHelloSent' };
      reason = 'synAckReceived';
    }
    for (const r of rx.delivered) {
      if (s.phase === 'closed') break;
      handle(r);
    }
    if (s.phase === 'closed') {
      // The application closed, but TCP still acknowledges what it received
      // (so a refusal's sender stops retransmitting it).
      tcpSend(s.tcp, [], rx.ackNeeded, fx);
      return { next: s, effects: fx, reason };
    }
    if (s.phase === 'connected' && rx.delivered.length > 0) {
      fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: config.helloInterval });
    }
    s = { ...s, tcp: tcpSend(s.tcp, out, rx.ackNeeded || rx.established, fx) };
    return { next: s, effects: fx, reason };

    function handle(r: SstpRecord): void {
      switch (r.kind) {
        case 'tlsServerHello':
          if (s.phase !== 'tlsClientHelloSent') return;
          out.push({ kind: 'tlsClientFinished' });
          s = { ...s, phase: 'tlsFinishedSent' };
          reason = 'serverHelloReceived';
          return;
        case 'tlsServerFinished':
          if (s.phase !== 'tlsFinishedSent') return;
          // MS-SSTP §3.2.5.1: the HTTPS request; wait up to 60 s for the answer.
          out.push({ kind: 'httpDuplexPost', clientOs: config.os });
          fx.push({ kind: 'startTimer', name: SSTP_TIMERS.http, after: config.httpTimeout });
          s = { ...s, phase: 'httpPostSent' };
          reason = 'tlsEstablished';
          return;
        case 'httpResponse':
          if (s.phase !== 'httpPostSent') return;
          fx.push({ kind: 'stopTimer', name: SSTP_TIMERS.http });
          if (r.status !== 200) {
            fail(r.status === 403 ? 'notCompatible' : 'clientLimitReached', false);
            return;
          }
          // MS-SSTP §3.2.1.1.1: Call Connect Request; §3.2.2.1 negotiation timer.
          out.push({ kind: 'callConnectRequest' });
          fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
          s = { ...s, phase: 'connectRequestSent' };
          reason = 'httpOk';
          return;
        case 'callConnectAck':
          if (s.phase !== 'connectRequestSent') return;
          // §3.2.2.1: the timer restarts on Call Connect Ack; PPP starts (RFC 1661 §3.2).
          fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
          out.push({ kind: 'lcpConfigureRequest', from: 'client' });
          s = { ...s, phase: 'pppLcp' };
          reason = 'callConnectAckReceived';
          return;
        case 'callConnectNak':
          fail(r.reason, false);
          return;
        case 'lcpConfigureRequest':
          if (s.phase !== 'pppLcp') return;
          out.push({ kind: 'lcpConfigureAck', from: 'client' });
          s = { ...s, lcpTheirsAcked: true };
          lcpMaybeOpen();
          return;
        case 'lcpConfigureAck':
          if (s.phase !== 'pppLcp') return;
          s = { ...s, lcpMineAcked: true };
          lcpMaybeOpen();
          return;
        case 'auth': {
          if (s.phase !== 'pppAuth' || r.from !== 'server' || r.method !== config.authMethod) return;
          if (r.step === ladder.server.length - 1) {
            // Authentication succeeded: MS-SSTP §3.2.7.1, send Call Connected
            // (the crypto binding, §2.2.11) and start IPCP (RFC 1332).
            fx.push({ kind: 'stopTimer', name: SSTP_TIMERS.negotiation });
            out.push({ kind: 'callConnected' }, { kind: 'ipcpConfigureRequest', from: 'client' });
            s = { ...s, phase: 'pppIpcp' };
            reason = 'authenticated';
            return;
          }
          const answer: SstpRecord = { kind: 'auth', method: config.authMethod, from: 'client', step: r.step, label: ladder.client[r.step]! };
          if (r.step === ladder.checkAt && config.certificate && config.authMethod === 'eapTls') {
            out.push({ ...answer, certificate: config.certificate });
          } else if (r.step === ladder.checkAt && config.credentials && config.authMethod === 'msChapV2') {
            out.push({ ...answer, credentials: config.credentials });
          } else {
            out.push(answer);
          }
          reason = 'authStep';
          return;
        }
        case 'authFailure':
          fail('authenticationFailed', false);
          return;
        case 'ipcpConfigureNak':
          if (s.phase !== 'pppIpcp') return;
          out.push({ kind: 'ipcpConfigureRequest', from: 'client', address: r.address });
          s = { ...s, address: r.address };
          return;
        case 'ipcpConfigureRequest':
          if (s.phase !== 'pppIpcp') return;
          out.push({ kind: 'ipcpConfigureAck', from: 'client' });
          s = { ...s, ipcpTheirsAcked: true };
          ipcpMaybeOpen();
          return;
        case 'ipcpConfigureAck':
          if (s.phase !== 'pppIpcp') return;
          s = { ...s, ipcpMineAcked: true };
          ipcpMaybeOpen();
          return;
        case 'echoRequest':
          out.push({ kind: 'echoResponse' });
          return;
        case 'echoResponse':
          s = { ...s, echoOutstanding: false };
          return;
        case 'callAbort':
          fail(r.reason, false);
          return;
        case 'callDisconnect':
          // Answer it once; the peer lingers for it, not for its TCP ACK.
          tcpSendOnce(s.tcp, [{ kind: 'callDisconnectAck' }], fx);
          fail('peerDisconnected', false);
          return;
        default:
          return;
      }
    }

    function lcpMaybeOpen(): void {
      if (s.lcpMineAcked && s.lcpTheirsAcked) {
        s = { ...s, phase: 'pppAuth' };
        reason = 'lcpOpened';
      }
    }

    function ipcpMaybeOpen(): void {
      if (s.ipcpMineAcked && s.ipcpTheirsAcked) {
        s = { ...s, phase: 'connected', wasUp: true };
        fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: config.helloInterval });
        fx.push({ kind: 'up', reason: 'ipcpOpened' });
        reason = 'ipcpOpened';
      }
    }
  };
  return { initial, step };
}

// ---------------------------------------------------------------- server

/** Server phases (see the diagram above). */
export type SstpServerPhase =
  | 'listen'
  | 'tcpHandshake'
  | 'tlsHandshake'
  | 'httpWait'
  | 'connectRequestPending'
  | 'admitting'
  | 'callConnectedPending'
  | 'callConnected'
  | 'connected'
  | 'draining'
  | 'closed';

/** Server state. Immutable. */
export interface SstpServerState {
  readonly phase: SstpServerPhase;
  readonly tcp: TcpState;
  /** A pool slot is held (must be released on every end). */
  readonly admitted: boolean;
  readonly lcpMineAcked: boolean;
  readonly lcpTheirsAcked: boolean;
  /** The last authentication step passed (the server sent its final Success). */
  readonly authenticated: boolean;
  readonly ipcpMineAcked: boolean;
  readonly ipcpTheirsAcked: boolean;
  readonly echoOutstanding: boolean;
  readonly wasUp: boolean;
  readonly reason?: SstpReason;
}

/**
 * Server inputs. `admission` answers an `admit` effect: the owner asks the
 * gateway's {@link SstpServerPool} and feeds the answer back at once.
 */
export type SstpServerInput = CommonInput<TcpSegment> | { kind: 'admission'; granted: boolean } | { kind: 'disconnect'; reason: string };
/** Server effects: the common ones, plus asking for a pool slot and giving it back. */
export type SstpServerEffect = CommonEffect<TcpSegment> | { kind: 'admit' } | { kind: 'release' };

/** Builds the server machine for one configuration (one machine per client connection). */
export function sstpServerMachine(config: SstpServerConfig): SstpMachine<SstpServerState, SstpServerInput, SstpServerEffect> {
  const initial: SstpServerState = {
    phase: 'listen', tcp: tcpInitial(config.tcp, 'listen'), admitted: false,
    lcpMineAcked: false, lcpTheirsAcked: false, authenticated: false, ipcpMineAcked: false, ipcpTheirsAcked: false,
    echoOutstanding: false, wasUp: false,
  };
  const roots = new Set(config.trustedRoots);

  const step = (state: SstpServerState, input: SstpServerInput): Transition<SstpServerState, SstpServerEffect> => {
    const fx: SstpServerEffect[] = [];
    const tfx = fx as TcpEffect[];
    let s: SstpServerState = state;
    let reason = 'ignored';
    const out: SstpRecord[] = [];

    const end = (why: SstpReason): void => {
      if (s.admitted) fx.push({ kind: 'release' });
      fx.push({ kind: 'down', reason: why });
      s = { ...s, admitted: false, reason: why };
      reason = why;
    };
    const fail = (why: SstpReason, abort: boolean): void => {
      if (abort) tcpSendOnce(s.tcp, [{ kind: 'callAbort', reason: why }], tfx);
      stopAll(tfx);
      end(why);
      s = { ...s, phase: 'closed' };
    };
    /** Refuses: the last records go out reliably, then the server lingers and closes. */
    const refuse = (why: SstpReason, records: SstpRecord[]): void => {
      stopAll(tfx, RTO_TIMER);
      s = { ...s, tcp: tcpSend(s.tcp, [...out, ...records], false, tfx) };
      out.length = 0;
      fx.push({ kind: 'startTimer', name: SSTP_TIMERS.linger, after: config.lingerTimeout });
      end(why);
      s = { ...s, phase: 'draining' };
    };

    if (input.kind === 'admission') {
      if (s.phase !== 'admitting') return { next: s, effects: fx, reason: 'ignored' };
      if (!input.granted) {
        // R18: the gateway holds its SSTP client limit already (MS-SSTP §3.1.5.1 NAK).
        refuse('clientLimitReached', [{ kind: 'callConnectNak', reason: 'clientLimitReached' }]);
        return { next: s, effects: fx, reason };
      }
      // MS-SSTP §3.3.1.1.1: Call Connect Ack, PPP starts; the negotiation timer
      // now waits for Call Connected. The server's LCP Configure-Request rides along.
      fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
      s = { ...s, admitted: true, phase: 'callConnectedPending' };
      s = { ...s, tcp: tcpSend(s.tcp, [{ kind: 'callConnectAck' }, { kind: 'lcpConfigureRequest', from: 'server' }], false, tfx) };
      return { next: s, effects: fx, reason: 'admitted' };
    }

    if (input.kind === 'disconnect') {
      if (s.phase === 'closed' || s.phase === 'draining' || s.phase === 'listen') return { next: s, effects: fx, reason: 'ignored' };
      if (s.tcp.phase !== 'established') {
        fail(input.reason, false);
        return { next: s, effects: fx, reason };
      }
      refuse(input.reason, [{ kind: 'callDisconnect', reason: input.reason }]);
      return { next: s, effects: fx, reason };
    }

    if (input.kind === 'timer') {
      if (s.phase === 'closed' || s.phase === 'listen') return { next: s, effects: fx, reason: 'staleTimer' };
      switch (input.name) {
        case SSTP_TIMERS.rto: {
          const r = tcpTimeout(s.tcp, config.tcp, tfx);
          s = { ...s, tcp: r.tcp };
          if (!r.gaveUp) return { next: s, effects: fx, reason: 'retransmitted' };
          if (s.phase === 'draining') {
            stopAll(tfx);
            return { next: { ...s, phase: 'closed' }, effects: fx, reason: 'lingerEnded' };
          }
          fail('tcpTimeout', false);
          return { next: s, effects: fx, reason };
        }
        case SSTP_TIMERS.negotiation:
          if (s.phase !== 'connectRequestPending' && s.phase !== 'callConnectedPending') return { next: s, effects: fx, reason: 'staleTimer' };
          fail('negotiationTimeout', true);
          return { next: s, effects: fx, reason };
        case SSTP_TIMERS.hello: {
          if (s.phase !== 'connected') return { next: s, effects: fx, reason: 'staleTimer' };
          if (s.echoOutstanding) {
            fail('helloTimeout', true);
            return { next: s, effects: fx, reason };
          }
          const tcp = tcpSend(s.tcp, [{ kind: 'echoRequest' }], false, tfx);
          fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: config.helloInterval });
          return { next: { ...s, tcp, echoOutstanding: true }, effects: fx, reason: 'echoRequestSent' };
        }
        case SSTP_TIMERS.linger:
          if (s.phase !== 'draining') return { next: s, effects: fx, reason: 'staleTimer' };
          stopAll(tfx);
          return { next: { ...s, phase: 'closed' }, effects: fx, reason: 'lingerEnded' };
        default:
          return { next: s, effects: fx, reason: 'unknownTimer' };
      }
    }

    // input.kind === 'recv'
    if (s.phase === 'closed') return { next: s, effects: fx, reason: 'ignored' };
    const rx = tcpReceive(s.tcp, input.msg, config.tcp, tfx);
    s = { ...s, tcp: rx.tcp };
    reason = 'segmentReceived';
    if (s.phase === 'draining') {
      if (s.tcp.unacked.length === 0) {
        stopAll(tfx);
        s = { ...s, phase: 'closed' };
        reason = 'refusalAcknowledged';
      }
      return { next: s, effects: fx, reason };
    }
    if (s.phase === 'listen' && s.tcp.phase === 'synReceived') {
      s = { ...s, phase: 'tcpHandshake' };
      reason = 'synReceived';
    }
    if (rx.established && s.phase === 'tcpHandshake') {
      s = { ...s, phase: 'tlsHandshake' };
      reason = 'tcpEstablished';
    }
    for (const r of rx.delivered) {
      if (s.phase === 'closed' || s.phase === 'draining' || s.phase === 'admitting') break;
      handle(r);
    }
    if (s.phase === 'closed') {
      tcpSend(s.tcp, [], rx.ackNeeded, tfx);
      return { next: s, effects: fx, reason };
    }
    if (s.phase === 'draining') return { next: s, effects: fx, reason };
    if (s.phase === 'connected' && rx.delivered.length > 0) {
      fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: config.helloInterval });
    }
    s = { ...s, tcp: tcpSend(s.tcp, out, rx.ackNeeded, tfx) };
    if (s.phase === 'admitting') fx.push({ kind: 'admit' });
    return { next: s, effects: fx, reason };

    function handle(r: SstpRecord): void {
      switch (r.kind) {
        case 'tlsClientHello':
          if (s.phase !== 'tlsHandshake') return;
          out.push({ kind: 'tlsServerHello' });
          reason = 'clientHelloReceived';
          return;
        case 'tlsClientFinished':
          if (s.phase !== 'tlsHandshake') return;
          out.push({ kind: 'tlsServerFinished' });
          s = { ...s, phase: 'httpWait' };
          reason = 'tlsEstablished';
          return;
        case 'httpDuplexPost':
          if (s.phase !== 'httpWait') return;
          if (r.clientOs !== 'windows') {
            // R17: SSTP is for Windows clients only.
            refuse('notCompatible', [{ kind: 'httpResponse', status: 403 }]);
            return;
          }
          // MS-SSTP §3.3.5.1: 200 OK; the HTTPS connection is up, so
          // Server_Connect_Request_Pending starts with the negotiation timer (§3.3.2).
          out.push({ kind: 'httpResponse', status: 200 });
          fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
          s = { ...s, phase: 'connectRequestPending' };
          reason = 'duplexPostReceived';
          return;
        case 'callConnectRequest':
          if (s.phase !== 'connectRequestPending') return;
          s = { ...s, phase: 'admitting' };
          reason = 'callConnectRequestReceived';
          return;
        case 'lcpConfigureRequest':
          if (s.phase !== 'callConnectedPending') return;
          out.push({ kind: 'lcpConfigureAck', from: 'server' });
          s = { ...s, lcpTheirsAcked: true };
          lcpMaybeOpen();
          return;
        case 'lcpConfigureAck':
          if (s.phase !== 'callConnectedPending') return;
          s = { ...s, lcpMineAcked: true };
          lcpMaybeOpen();
          return;
        case 'auth': {
          if (s.phase !== 'callConnectedPending' || r.from !== 'client' || !(s.lcpMineAcked && s.lcpTheirsAcked)) return;
          if (r.method !== config.authMethod) return;
          const lad = AUTH_LADDERS[r.method];
          if (r.step === lad.checkAt && !credentialsOk(r)) {
            refuse('authenticationFailed', [{ kind: 'authFailure', method: r.method }]);
            return;
          }
          const next = r.step + 1;
          out.push({ kind: 'auth', method: r.method, from: 'server', step: next, label: lad.server[next]! });
          if (next === lad.server.length - 1) s = { ...s, authenticated: true };
          reason = 'authStep';
          return;
        }
        case 'callConnected':
          if (s.phase !== 'callConnectedPending' || !s.authenticated) return;
          // MS-SSTP §3.3.1.1.1: binding verified, Server_Call_Connected; NCPs may run.
          fx.push({ kind: 'stopTimer', name: SSTP_TIMERS.negotiation });
          out.push({ kind: 'ipcpConfigureRequest', from: 'server' });
          s = { ...s, phase: 'callConnected' };
          reason = 'callConnectedReceived';
          return;
        case 'ipcpConfigureRequest':
          if (s.phase !== 'callConnected') return;
          // RFC 1332 §3.3: a request without the address is answered with a Nak naming it.
          if (r.address !== config.clientAddress) {
            out.push({ kind: 'ipcpConfigureNak', address: config.clientAddress });
            return;
          }
          out.push({ kind: 'ipcpConfigureAck', from: 'server' });
          s = { ...s, ipcpTheirsAcked: true };
          ipcpMaybeOpen();
          return;
        case 'ipcpConfigureAck':
          if (s.phase !== 'callConnected') return;
          s = { ...s, ipcpMineAcked: true };
          ipcpMaybeOpen();
          return;
        case 'echoRequest':
          out.push({ kind: 'echoResponse' });
          return;
        case 'echoResponse':
          s = { ...s, echoOutstanding: false };
          return;
        case 'callAbort':
          fail('clientAborted', false);
          return;
        case 'callDisconnect':
          tcpSendOnce(s.tcp, [...out, { kind: 'callDisconnectAck' }], tfx);
          out.length = 0;
          fail('peerDisconnected', false);
          return;
        default:
          return;
      }
    }

    function lcpMaybeOpen(): void {
      if (s.lcpMineAcked && s.lcpTheirsAcked) {
        // RFC 1661 §3.5: Authenticate phase; the authenticator speaks first.
        const first = AUTH_LADDERS[config.authMethod];
        out.push({ kind: 'auth', method: config.authMethod, from: 'server', step: 0, label: first.server[0]! });
        reason = 'lcpOpened';
      }
    }

    function ipcpMaybeOpen(): void {
      if (s.ipcpMineAcked && s.ipcpTheirsAcked) {
        s = { ...s, phase: 'connected', wasUp: true };
        fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: config.helloInterval });
        fx.push({ kind: 'up', reason: 'ipcpOpened' });
        reason = 'ipcpOpened';
      }
    }
  };

  /** EAP-TLS: the chain must end at a trusted root. MS-CHAPv2: a known user with the right password. */
  function credentialsOk(r: Extract<SstpRecord, { kind: 'auth' }>): boolean {
    if (r.method === 'eapTls') return r.certificate !== undefined && roots.has(r.certificate.root);
    const c = r.credentials;
    return c !== undefined && Object.prototype.hasOwnProperty.call(config.users, c.user) && config.users[c.user] === c.password;
  }

  return { initial, step };
}
