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
 *
 * What both ends do alike (the RTO, hello, linger and setup timers, failing,
 * lingering, segment intake, LCP, IPCP acks, echoes) lives in
 * {@link ./common.ts}; each machine below names its phases for it.
 */
import { UsageError } from '../../errors.js';
import type { CommonEffect, CommonInput, StepFn, Transition } from '../machine.js';
import {
  certificateTrusted, p2sCredentialStore, passwordAccepted, sstpDisconnect, sstpDone, sstpFail, sstpIpcpMaybeOpen, sstpLinger, sstpReceive, sstpTimer, sstpTurn,
  SSTP_TIMERS, type P2sCredentialStore, type SstpCommonState, type SstpReason, type SstpSide,
} from './common.js';
import { AUTH_LADDERS, type ClientCertificate, type ClientOs, type PppAuthMethod, type SstpRecord, type TcpSegment } from './messages.js';
import { DEFAULT_TCP_OPTIONS, tcpConnect, tcpInitial, tcpSend, tcpSendOnce, type TcpEffect, type TcpOptions } from './tcp.js';

export { MAX_TRUSTED_ROOTS, SSTP_TIMERS } from './common.js';
export type { SstpReason } from './common.js';

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
export interface SstpServerConfig extends P2sCredentialStore {
  /** PPP authentication the gateway asks for. Default `eapTls` (certificate authentication). */
  readonly authMethod: PppAuthMethod;
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
  const store = p2sCredentialStore(o, where, true);
  return {
    authMethod: o.authMethod ?? 'eapTls',
    ...store,
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
export interface SstpClientState extends SstpCommonState {
  readonly phase: SstpClientPhase;
  /** Address granted by IPCP. */
  readonly address?: string;
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

/** Builds the client machine for one configuration. */
export function sstpClientMachine(config: SstpClientConfig): SstpMachine<SstpClientState, SstpClientInput, SstpClientEffect> {
  const initial: SstpClientState = {
    phase: 'idle', tcp: tcpInitial(config.tcp, 'closed'),
    lcpMineAcked: false, lcpTheirsAcked: false, ipcpMineAcked: false, ipcpTheirsAcked: false,
    echoOutstanding: false, wasUp: false,
  };
  const ladder = AUTH_LADDERS[config.authMethod];
  const side: SstpSide<SstpClientState> = {
    self: 'client', config, start: 'idle',
    setupTimers: new Map<string, readonly SstpClientPhase[]>([
      // The client's wait for the HTTP answer.
      [SSTP_TIMERS.http, ['httpPostSent']],
      // MS-SSTP §3.2.2.1: runs from Call Connect Request to Call Connected.
      [SSTP_TIMERS.negotiation, ['connectRequestSent', 'pppLcp', 'pppAuth']],
    ]),
    lcpPhase: 'pppLcp', ipcpPhase: 'pppIpcp',
    drainedReason: 'disconnectAcknowledged',
    // RFC 9293 §3.5: the ACK completes the handshake.
    ackOnEstablished: true,
    lcpOpened: (t) => { t.s = { ...t.s, phase: 'pppAuth' }; },
  };

  const step = (state: SstpClientState, input: SstpClientInput): Transition<SstpClientState, SstpClientEffect> => {
    const t = sstpTurn(state, []);

    if (input.kind === 'connect') {
      if (t.s.phase !== 'idle') return sstpDone(t, 'alreadyStarted');
      // MS-SSTP §3.2.1.1.1: the client opens an HTTPS connection to port 443.
      const tcp = tcpConnect(t.s.tcp, config.tcp, t.fx);
      return { next: { ...t.s, phase: 'tcpConnecting', tcp }, effects: t.fx, reason: 'connect' };
    }
    // MS-SSTP §3.1.1.1 Call Disconnect: sent reliably, the client lingers until it is acknowledged.
    if (input.kind === 'disconnect') return sstpDisconnect(t, side, input.reason);
    if (input.kind === 'timer') return sstpTimer(t, side, input.name);
    // input.kind === 'recv'
    if (t.s.phase === 'idle') return sstpDone(t, 'ignored');
    return sstpReceive(t, side, input.msg, (rx) => {
      if (rx.established && t.s.phase === 'tcpConnecting') {
        // TLS starts at once (RFC 5246 §7.3).
        t.out.push({ kind: 'tlsClientHello' });
        t.s = { ...t.s, phase: 'tlsClientHelloSent' };
        t.reason = 'synAckReceived';
      }
    }, handle);

    function handle(r: SstpRecord): void {
      const out = t.out;
      switch (r.kind) {
        case 'tlsServerHello':
          if (t.s.phase !== 'tlsClientHelloSent') return;
          out.push({ kind: 'tlsClientFinished' });
          t.s = { ...t.s, phase: 'tlsFinishedSent' };
          t.reason = 'serverHelloReceived';
          return;
        case 'tlsServerFinished':
          if (t.s.phase !== 'tlsFinishedSent') return;
          // MS-SSTP §3.2.5.1: the HTTPS request; wait up to 60 s for the answer.
          out.push({ kind: 'httpDuplexPost', clientOs: config.os });
          t.fx.push({ kind: 'startTimer', name: SSTP_TIMERS.http, after: config.httpTimeout });
          t.s = { ...t.s, phase: 'httpPostSent' };
          t.reason = 'tlsEstablished';
          return;
        case 'httpResponse':
          if (t.s.phase !== 'httpPostSent') return;
          t.fx.push({ kind: 'stopTimer', name: SSTP_TIMERS.http });
          if (r.status !== 200) {
            sstpFail(t, side, r.status === 403 ? 'notCompatible' : 'clientLimitReached', false);
            return;
          }
          // MS-SSTP §3.2.1.1.1: Call Connect Request; §3.2.2.1 negotiation timer.
          out.push({ kind: 'callConnectRequest' });
          t.fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
          t.s = { ...t.s, phase: 'connectRequestSent' };
          t.reason = 'httpOk';
          return;
        case 'callConnectAck':
          if (t.s.phase !== 'connectRequestSent') return;
          // §3.2.2.1: the timer restarts on Call Connect Ack; PPP starts (RFC 1661 §3.2).
          t.fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
          out.push({ kind: 'lcpConfigureRequest', from: 'client' });
          t.s = { ...t.s, phase: 'pppLcp' };
          t.reason = 'callConnectAckReceived';
          return;
        case 'callConnectNak':
          sstpFail(t, side, r.reason, false);
          return;
        case 'auth': {
          if (t.s.phase !== 'pppAuth' || r.from !== 'server' || r.method !== config.authMethod) return;
          if (r.step === ladder.server.length - 1) {
            // Authentication succeeded: MS-SSTP §3.2.7.1, send Call Connected
            // (the crypto binding, §2.2.11) and start IPCP (RFC 1332).
            t.fx.push({ kind: 'stopTimer', name: SSTP_TIMERS.negotiation });
            out.push({ kind: 'callConnected' }, { kind: 'ipcpConfigureRequest', from: 'client' });
            t.s = { ...t.s, phase: 'pppIpcp' };
            t.reason = 'authenticated';
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
          t.reason = 'authStep';
          return;
        }
        case 'authFailure':
          sstpFail(t, side, 'authenticationFailed', false);
          return;
        case 'ipcpConfigureNak':
          if (t.s.phase !== 'pppIpcp') return;
          out.push({ kind: 'ipcpConfigureRequest', from: 'client', address: r.address });
          t.s = { ...t.s, address: r.address };
          return;
        case 'ipcpConfigureRequest':
          if (t.s.phase !== 'pppIpcp') return;
          out.push({ kind: 'ipcpConfigureAck', from: 'client' });
          t.s = { ...t.s, ipcpTheirsAcked: true };
          sstpIpcpMaybeOpen(t, side);
          return;
        case 'callAbort':
          sstpFail(t, side, r.reason, false);
          return;
        case 'callDisconnect':
          // Answer it once; the peer lingers for it, not for its TCP ACK.
          tcpSendOnce(t.s.tcp, [{ kind: 'callDisconnectAck' }], t.fx);
          sstpFail(t, side, 'peerDisconnected', false);
          return;
        default:
          return;
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
export interface SstpServerState extends SstpCommonState {
  readonly phase: SstpServerPhase;
  /** A pool slot is held (must be released on every end). */
  readonly admitted: boolean;
  /** The last authentication step passed (the server sent its final Success). */
  readonly authenticated: boolean;
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
  const side: SstpSide<SstpServerState> = {
    self: 'server', config, start: 'listen',
    // MS-SSTP §3.3.2: from the HTTPS connection to Call Connected.
    setupTimers: new Map<string, readonly SstpServerPhase[]>([[SSTP_TIMERS.negotiation, ['connectRequestPending', 'callConnectedPending']]]),
    lcpPhase: 'callConnectedPending', ipcpPhase: 'callConnected',
    // Records after a Call Connect Request wait for the pool's answer.
    holdPhase: 'admitting',
    drainedReason: 'refusalAcknowledged',
    ackOnEstablished: false,
    // Every end after admission gives the pool slot back.
    onEnd: (t) => {
      if (t.s.admitted) (t.fx as SstpServerEffect[]).push({ kind: 'release' });
      t.s = { ...t.s, admitted: false };
    },
    lcpOpened: (t) => {
      // RFC 1661 §3.5: Authenticate phase; the authenticator speaks first.
      const first = AUTH_LADDERS[config.authMethod];
      t.out.push({ kind: 'auth', method: config.authMethod, from: 'server', step: 0, label: first.server[0]! });
    },
  };

  const step = (state: SstpServerState, input: SstpServerInput): Transition<SstpServerState, SstpServerEffect> => {
    const fx: SstpServerEffect[] = [];
    const t = sstpTurn(state, fx as TcpEffect[]);
    /** Refuses: the last records go out reliably, then the server lingers and closes. */
    const refuse = (why: SstpReason, records: SstpRecord[]): void => sstpLinger(t, side, why, records);

    if (input.kind === 'admission') {
      if (t.s.phase !== 'admitting') return sstpDone(t, 'ignored');
      if (!input.granted) {
        // R18: the gateway holds its SSTP client limit already (MS-SSTP §3.1.5.1 NAK).
        refuse('clientLimitReached', [{ kind: 'callConnectNak', reason: 'clientLimitReached' }]);
        return sstpDone(t);
      }
      // MS-SSTP §3.3.1.1.1: Call Connect Ack, PPP starts; the negotiation timer
      // now waits for Call Connected. The server's LCP Configure-Request rides along.
      fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
      t.s = { ...t.s, admitted: true, phase: 'callConnectedPending' };
      t.s = { ...t.s, tcp: tcpSend(t.s.tcp, [{ kind: 'callConnectAck' }, { kind: 'lcpConfigureRequest', from: 'server' }], false, t.fx) };
      return sstpDone(t, 'admitted');
    }
    if (input.kind === 'disconnect') return sstpDisconnect(t, side, input.reason);
    if (input.kind === 'timer') return sstpTimer(t, side, input.name);
    // input.kind === 'recv'
    const result = sstpReceive(t, side, input.msg, (rx) => {
      if (t.s.phase === 'listen' && t.s.tcp.phase === 'synReceived') {
        t.s = { ...t.s, phase: 'tcpHandshake' };
        t.reason = 'synReceived';
      }
      if (rx.established && t.s.phase === 'tcpHandshake') {
        t.s = { ...t.s, phase: 'tlsHandshake' };
        t.reason = 'tcpEstablished';
      }
    }, handle);
    if (t.s.phase === 'admitting') fx.push({ kind: 'admit' });
    return result;

    function handle(r: SstpRecord): void {
      const out = t.out;
      switch (r.kind) {
        case 'tlsClientHello':
          if (t.s.phase !== 'tlsHandshake') return;
          out.push({ kind: 'tlsServerHello' });
          t.reason = 'clientHelloReceived';
          return;
        case 'tlsClientFinished':
          if (t.s.phase !== 'tlsHandshake') return;
          out.push({ kind: 'tlsServerFinished' });
          t.s = { ...t.s, phase: 'httpWait' };
          t.reason = 'tlsEstablished';
          return;
        case 'httpDuplexPost':
          if (t.s.phase !== 'httpWait') return;
          if (r.clientOs !== 'windows') {
            // R17: SSTP is for Windows clients only.
            refuse('notCompatible', [{ kind: 'httpResponse', status: 403 }]);
            return;
          }
          // MS-SSTP §3.3.5.1: 200 OK; the HTTPS connection is up, so
          // Server_Connect_Request_Pending starts with the negotiation timer (§3.3.2).
          out.push({ kind: 'httpResponse', status: 200 });
          fx.push({ kind: 'startTimer', name: SSTP_TIMERS.negotiation, after: config.negotiationTimeout });
          t.s = { ...t.s, phase: 'connectRequestPending' };
          t.reason = 'duplexPostReceived';
          return;
        case 'callConnectRequest':
          if (t.s.phase !== 'connectRequestPending') return;
          t.s = { ...t.s, phase: 'admitting' };
          t.reason = 'callConnectRequestReceived';
          return;
        case 'auth': {
          if (t.s.phase !== 'callConnectedPending' || r.from !== 'client' || !(t.s.lcpMineAcked && t.s.lcpTheirsAcked)) return;
          if (r.method !== config.authMethod) return;
          const lad = AUTH_LADDERS[r.method];
          if (r.step === lad.checkAt && !credentialsOk(r)) {
            refuse('authenticationFailed', [{ kind: 'authFailure', method: r.method }]);
            return;
          }
          const next = r.step + 1;
          out.push({ kind: 'auth', method: r.method, from: 'server', step: next, label: lad.server[next]! });
          if (next === lad.server.length - 1) t.s = { ...t.s, authenticated: true };
          t.reason = 'authStep';
          return;
        }
        case 'callConnected':
          if (t.s.phase !== 'callConnectedPending' || !t.s.authenticated) return;
          // MS-SSTP §3.3.1.1.1: binding verified, Server_Call_Connected; NCPs may run.
          fx.push({ kind: 'stopTimer', name: SSTP_TIMERS.negotiation });
          out.push({ kind: 'ipcpConfigureRequest', from: 'server' });
          t.s = { ...t.s, phase: 'callConnected' };
          t.reason = 'callConnectedReceived';
          return;
        case 'ipcpConfigureRequest':
          if (t.s.phase !== 'callConnected') return;
          // RFC 1332 §3.3: a request without the address is answered with a Nak naming it.
          if (r.address !== config.clientAddress) {
            out.push({ kind: 'ipcpConfigureNak', address: config.clientAddress });
            return;
          }
          out.push({ kind: 'ipcpConfigureAck', from: 'server' });
          t.s = { ...t.s, ipcpTheirsAcked: true };
          sstpIpcpMaybeOpen(t, side);
          return;
        case 'callAbort':
          sstpFail(t, side, 'clientAborted', false);
          return;
        case 'callDisconnect':
          tcpSendOnce(t.s.tcp, [...out, { kind: 'callDisconnectAck' }], t.fx);
          out.length = 0;
          sstpFail(t, side, 'peerDisconnected', false);
          return;
        default:
          return;
      }
    }
  };

  /** EAP-TLS: the chain must end at a trusted root. MS-CHAPv2: a known user with the right password. */
  function credentialsOk(r: Extract<SstpRecord, { kind: 'auth' }>): boolean {
    return r.method === 'eapTls' ? certificateTrusted(roots, r.certificate) : passwordAccepted(config.users, r.credentials);
  }

  return { initial, step };
}
