/**
 * What the SSTP client and server machines ({@link ./machine.ts}) share:
 * the timers common to both ends (RTO, hello, linger, and the setup timers
 * that end in `negotiationTimeout`), the two ways a session ends (at once,
 * or lingering until the last records are acknowledged), segment intake, the
 * PPP records both ends treat alike, and the P2S credential store that the
 * SSTP server and the IKEv2 P2S gateway ({@link ../p2s/ikev2-client.ts}) check.
 *
 * Each machine keeps its own diagram and phases; a {@link SstpSide} names the
 * few places where the ends differ. A {@link SstpTurn} is the scratch of one
 * call of `step`: the transition stays pure.
 *
 *   any --setup timer (http, negotiation) in a setup phase/ CALL_ABORT--> closed (negotiationTimeout)
 *   any --RTO expired after maxRetries--> closed (tcpTimeout); draining --same--> closed (lingerEnded)
 *   connected --hello/ Echo Request--> connected --hello, no Echo Response/ CALL_ABORT--> closed (helloTimeout)
 *   draining --last record acked--> closed; draining --linger--> closed (lingerEnded)
 */
import { ValidationError } from '../../errors.js';
import type { Transition } from '../machine.js';
import type { ClientCertificate, SstpRecord, TcpSegment } from './messages.js';
import { RTO_TIMER, tcpReceive, tcpSend, tcpSendOnce, tcpTimeout, type TcpEffect, type TcpOptions, type TcpReceived, type TcpState } from './tcp.js';

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

// ---------------------------------------------------------------- P2S credentials

/** Whom a P2S gateway lets in: certificates chaining to a trusted root, or MS-CHAPv2 users. */
export interface P2sCredentialStore {
  /** Root certificates a client certificate may chain to; at most 20. */
  readonly trustedRoots: readonly string[];
  /** Accepted MS-CHAPv2 users (a stand-in for RADIUS): user -> password. */
  readonly users: Readonly<Record<string, string>>;
}

/**
 * A checked copy of a credential store, keys in the order `trustedRoots`, `users`.
 * `where` names the configuration in errors (`sstp server`); `nameExtra` adds
 * the first root over the limit to the message.
 * @throws ValidationError (rule `p2sRootCertificates`) when more than 20 trusted roots are given.
 */
export function p2sCredentialStore(o: Partial<P2sCredentialStore>, where: string, nameExtra: boolean): P2sCredentialStore {
  const roots = o.trustedRoots ?? [];
  if (roots.length > MAX_TRUSTED_ROOTS) {
    const extra = nameExtra ? ` ("${roots[MAX_TRUSTED_ROOTS]}" is the 21st)` : '';
    throw new ValidationError({
      path: `${where}.trustedRoots`,
      rule: 'p2sRootCertificates',
      message: `${roots.length} root certificates${extra}; a P2S configuration trusts at most ${MAX_TRUSTED_ROOTS}`,
      fix: `Keep at most ${MAX_TRUSTED_ROOTS} root certificates`,
    });
  }
  return { trustedRoots: [...roots], users: { ...(o.users ?? {}) } };
}

/** Certificate authentication: the chain ends at one of `roots`. */
export function certificateTrusted(roots: ReadonlySet<string>, certificate: ClientCertificate | undefined): boolean {
  return certificate !== undefined && roots.has(certificate.root);
}

/** MS-CHAPv2: a known user with the right password. */
export function passwordAccepted(users: P2sCredentialStore['users'], credentials: { readonly user: string; readonly password: string } | undefined): boolean {
  return credentials !== undefined && Object.prototype.hasOwnProperty.call(users, credentials.user) && users[credentials.user] === credentials.password;
}

// ---------------------------------------------------------------- machines

/** The fields both machines' states carry. */
export interface SstpCommonState {
  readonly phase: string;
  readonly tcp: TcpState;
  readonly lcpMineAcked: boolean;
  readonly lcpTheirsAcked: boolean;
  readonly ipcpMineAcked: boolean;
  readonly ipcpTheirsAcked: boolean;
  /** An Echo Request is waiting for its response. */
  readonly echoOutstanding: boolean;
  /** True once the session was up. */
  readonly wasUp: boolean;
  /** Why the session ended (set on the `down` transition). */
  readonly reason?: SstpReason;
}

/** One call of `step` in progress: the state, effects and reason so far, and the records to send. */
export interface SstpTurn<S extends SstpCommonState> {
  s: S;
  /** The machine's effect list (its TCP and common effects are pushed here). */
  readonly fx: TcpEffect[];
  reason: string;
  /** Records for the peer, sent with one segment at the end of the turn. */
  readonly out: SstpRecord[];
}

/** Starts a turn from `state`, with the reason `ignored` and no records. */
export function sstpTurn<S extends SstpCommonState>(state: S, fx: TcpEffect[]): SstpTurn<S> {
  return { s: state, fx, reason: 'ignored', out: [] };
}

/** The turn as a transition; `reason` overrides the turn's. */
export function sstpDone<S extends SstpCommonState>(t: SstpTurn<S>, reason?: string): Transition<S, TcpEffect> {
  return { next: t.s, effects: t.fx, reason: reason ?? t.reason };
}

/** Where the two ends differ, as the shared steps need to know. */
export interface SstpSide<S extends SstpCommonState> {
  /** Which end this is (the `from` of its PPP records). */
  readonly self: 'client' | 'server';
  readonly config: { readonly helloInterval: number; readonly lingerTimeout: number; readonly tcp: TcpOptions };
  /** The phase before anything happened: timers are stale and disconnects ignored there. */
  readonly start: S['phase'];
  /** Setup timers -> the phases in which they end the session (`negotiationTimeout`, with a Call Abort). */
  readonly setupTimers: ReadonlyMap<string, readonly S['phase'][]>;
  /** Phases in which LCP, then IPCP, run. */
  readonly lcpPhase: S['phase'];
  readonly ipcpPhase: S['phase'];
  /** Records received in this phase and after it in the same segment are not read. */
  readonly holdPhase?: S['phase'];
  /** The turn's reason when the peer acknowledged everything the draining end sent. */
  readonly drainedReason: string;
  /** The end that opened TCP acknowledges the SYN-ACK (RFC 9293 §3.5), data or not. */
  readonly ackOnEstablished: boolean;
  /** Called as the session ends, before `down` (the server gives its pool slot back). */
  onEnd?(t: SstpTurn<S>): void;
  /** Both LCP directions are acknowledged (RFC 1661 §3.5: the Authenticate phase starts). */
  lcpOpened(t: SstpTurn<S>): void;
}

const ALL_TIMERS = Object.values(SSTP_TIMERS);

/** Stops every SSTP timer but `except`, in {@link SSTP_TIMERS} order. */
function stopAll(fx: TcpEffect[], except?: string): void {
  for (const name of ALL_TIMERS) if (name !== except) fx.push({ kind: 'stopTimer', name });
}

/** Says the session ended (`down`) and records why. */
function end<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>, why: SstpReason): void {
  side.onEnd?.(t);
  t.fx.push({ kind: 'down', reason: why });
  t.s = { ...t.s, reason: why };
  t.reason = why;
}

/** Ends the session at once: a Call Abort is sent once when asked, every timer stops; closed. */
export function sstpFail<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>, why: SstpReason, abort: boolean): void {
  if (abort) tcpSendOnce(t.s.tcp, [{ kind: 'callAbort', reason: why }], t.fx);
  stopAll(t.fx);
  end(t, side, why);
  t.s = { ...t.s, phase: 'closed' };
}

/**
 * Ends the session but lingers: the pending records, then `records`, go out
 * reliably and the linger timer runs until they are acknowledged
 * (MS-SSTP §3.1.2); draining.
 */
export function sstpLinger<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>, why: SstpReason, records: readonly SstpRecord[]): void {
  stopAll(t.fx, RTO_TIMER);
  t.s = { ...t.s, tcp: tcpSend(t.s.tcp, [...t.out, ...records], false, t.fx) };
  t.out.length = 0;
  t.fx.push({ kind: 'startTimer', name: SSTP_TIMERS.linger, after: side.config.lingerTimeout });
  end(t, side, why);
  t.s = { ...t.s, phase: 'draining' };
}

/**
 * The user (or the gateway) disconnects: MS-SSTP §3.1.1.1 Call Disconnect,
 * sent reliably while lingering; before TCP is up the session just closes.
 */
export function sstpDisconnect<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>, why: string): Transition<S, TcpEffect> {
  const phase = t.s.phase;
  if (phase === side.start || phase === 'closed' || phase === 'draining') return sstpDone(t, 'ignored');
  if (t.s.tcp.phase !== 'established') sstpFail(t, side, why, false);
  else sstpLinger(t, side, why, [{ kind: 'callDisconnect', reason: why }]);
  return sstpDone(t);
}

/** A timer expired: RTO, hello, linger, or one of the side's setup timers. */
export function sstpTimer<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>, name: string): Transition<S, TcpEffect> {
  if (t.s.phase === 'closed' || t.s.phase === side.start) return sstpDone(t, 'staleTimer');
  switch (name) {
    case SSTP_TIMERS.rto: {
      const r = tcpTimeout(t.s.tcp, side.config.tcp, t.fx);
      t.s = { ...t.s, tcp: r.tcp };
      if (!r.gaveUp) return sstpDone(t, 'retransmitted');
      if (t.s.phase === 'draining') {
        stopAll(t.fx);
        t.s = { ...t.s, phase: 'closed' };
        return sstpDone(t, 'lingerEnded');
      }
      sstpFail(t, side, 'tcpTimeout', false);
      return sstpDone(t);
    }
    case SSTP_TIMERS.hello: {
      if (t.s.phase !== 'connected') return sstpDone(t, 'staleTimer');
      if (t.s.echoOutstanding) {
        sstpFail(t, side, 'helloTimeout', true);
        return sstpDone(t);
      }
      // MS-SSTP §3.1.2: no traffic for a hello interval; ask for an echo.
      const tcp = tcpSend(t.s.tcp, [{ kind: 'echoRequest' }], false, t.fx);
      t.fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: side.config.helloInterval });
      t.s = { ...t.s, tcp, echoOutstanding: true };
      return sstpDone(t, 'echoRequestSent');
    }
    case SSTP_TIMERS.linger:
      if (t.s.phase !== 'draining') return sstpDone(t, 'staleTimer');
      stopAll(t.fx);
      t.s = { ...t.s, phase: 'closed' };
      return sstpDone(t, 'lingerEnded');
    default: {
      const phases = side.setupTimers.get(name);
      if (phases === undefined) return sstpDone(t, 'unknownTimer');
      if (!phases.includes(t.s.phase)) return sstpDone(t, 'staleTimer');
      sstpFail(t, side, 'negotiationTimeout', true);
      return sstpDone(t);
    }
  }
}

/**
 * A segment arrived: TCP takes it, `opened` moves the handshake phases on,
 * each delivered record goes to the shared PPP handling or to `handle`, and
 * the turn's records leave in one segment (with the ACK). A closing end still
 * acknowledges what it received, so the peer stops retransmitting a refusal.
 * While draining, the session closes once everything sent is acknowledged.
 */
export function sstpReceive<S extends SstpCommonState>(
  t: SstpTurn<S>, side: SstpSide<S>, seg: TcpSegment,
  opened: (rx: TcpReceived) => void, handle: (r: SstpRecord) => void,
): Transition<S, TcpEffect> {
  if (t.s.phase === 'closed') return sstpDone(t, 'ignored');
  const rx = tcpReceive(t.s.tcp, seg, side.config.tcp, t.fx);
  t.s = { ...t.s, tcp: rx.tcp };
  t.reason = 'segmentReceived';
  if (t.s.phase === 'draining') {
    if (t.s.tcp.unacked.length === 0) {
      stopAll(t.fx);
      t.s = { ...t.s, phase: 'closed' };
      t.reason = side.drainedReason;
    }
    return sstpDone(t);
  }
  opened(rx);
  for (const r of rx.delivered) {
    if (t.s.phase === 'closed' || t.s.phase === 'draining' || t.s.phase === side.holdPhase) break;
    if (!sharedRecord(t, side, r)) handle(r);
  }
  if (t.s.phase === 'closed') {
    tcpSend(t.s.tcp, [], rx.ackNeeded, t.fx);
    return sstpDone(t);
  }
  if (t.s.phase === 'draining') return sstpDone(t);
  if (t.s.phase === 'connected' && rx.delivered.length > 0) {
    // MS-SSTP §3.1.2: traffic restarts the hello timer.
    t.fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: side.config.helloInterval });
  }
  t.s = { ...t.s, tcp: tcpSend(t.s.tcp, t.out, rx.ackNeeded || (side.ackOnEstablished && rx.established), t.fx) };
  return sstpDone(t);
}

/** LCP (RFC 1661 §5.1-5.2), IPCP acks (RFC 1332) and echoes (MS-SSTP §3.1.2); false for other records. */
function sharedRecord<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>, r: SstpRecord): boolean {
  switch (r.kind) {
    case 'lcpConfigureRequest':
      if (t.s.phase !== side.lcpPhase) return true;
      t.out.push({ kind: 'lcpConfigureAck', from: side.self });
      t.s = { ...t.s, lcpTheirsAcked: true };
      lcpMaybeOpen(t, side);
      return true;
    case 'lcpConfigureAck':
      if (t.s.phase !== side.lcpPhase) return true;
      t.s = { ...t.s, lcpMineAcked: true };
      lcpMaybeOpen(t, side);
      return true;
    case 'ipcpConfigureAck':
      if (t.s.phase !== side.ipcpPhase) return true;
      t.s = { ...t.s, ipcpMineAcked: true };
      sstpIpcpMaybeOpen(t, side);
      return true;
    case 'echoRequest':
      t.out.push({ kind: 'echoResponse' });
      return true;
    case 'echoResponse':
      t.s = { ...t.s, echoOutstanding: false };
      return true;
    default:
      return false;
  }
}

function lcpMaybeOpen<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>): void {
  if (t.s.lcpMineAcked && t.s.lcpTheirsAcked) {
    side.lcpOpened(t);
    t.reason = 'lcpOpened';
  }
}

/** Once IPCP is acknowledged both ways the session is up and the hello timer starts (MS-SSTP §3.1.2). */
export function sstpIpcpMaybeOpen<S extends SstpCommonState>(t: SstpTurn<S>, side: SstpSide<S>): void {
  if (t.s.ipcpMineAcked && t.s.ipcpTheirsAcked) {
    t.s = { ...t.s, phase: 'connected', wasUp: true };
    t.fx.push({ kind: 'startTimer', name: SSTP_TIMERS.hello, after: side.config.helloInterval });
    t.fx.push({ kind: 'up', reason: 'ipcpOpened' });
    t.reason = 'ipcpOpened';
  }
}
