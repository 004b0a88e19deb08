/**
 * IKE as a pure state machine: one machine per tunnel end, IKEv1 (RFC 2409)
 * or IKEv2 (RFC 7296) by configuration, initiator or responder per
 * negotiation (either end may initiate: a policy-based tunnel comes up from
 * whichever side has traffic, R14). `step(state, input)` returns the next
 * state, effects as data and a reason; {@link ../driver.ts} runs it on the
 * kernel and {@link ./session.ts} wires two ends over the underlay.
 *
 * ```
 *                  start, or traffic on a policy-based end (R14)
 *   ┌───────────┐ ───────────────────────────────────────────┐ initiator
 *   │ idle/down │ ◄── down(failure reason) from any phase    ▼
 *   └───────────┘                      IKEv2                                 IKEv1
 *     │      ▲     saInitSent ──IKE_SA_INIT resp──► authSent     mm1Sent ─MM2─► mm3Sent ─MM4─► mm5Sent
 *     │      │       │  ▲  INVALID_KE_PAYLOAD:         │           qm1Sent ◄──────MM6──────────────┘
 *     │      │       └──┘  resend with its group       │ IKE_AUTH     │ QM2 (sends QM3)
 *     │      │                                         ▼ resp         ▼
 *     │      └─ down(idleTimeout | dpdTimeout | ◄── established ◄─────┘
 *     │         peerDown | admin | rekey)            ▲     CREATE_CHILD_SA / Quick Mode: rekeyed, stays up
 *     │                                              │     IKEv1 phase-1 lifetime: down(rekey), then MM1
 *     │ responder: IKE_SA_INIT req                   │
 *     ├──► saInitReplied ──IKE_AUTH req (sends resp)─┤
 *     │ responder: MM1                               │
 *     └──► mm2Sent ─MM3─► mm4Sent ─MM5─► mm6Sent ─QM1─► qm2Sent ─QM3─┘
 * ```
 *
 * Requests wait for their answer with one request in flight per end (the
 * IKEv2 window of 1, RFC 7296 §2.3) and are retransmitted with exponential
 * backoff ({@link RetransmitPolicy}); a duplicate request is answered with the
 * cached reply (§2.1). Rekeys are driven by the end that initiated the IKE SA,
 * which avoids the simultaneous-rekey collisions of §2.8.1; the responder
 * runs no lifetime timers. Times are seconds.
 */
import type { CommonEffect, CommonInput, Transition } from '../machine.js';
import { retransmitSchedule, type IkeConfig } from './config.js';
import { dhGroupOf, isRequest, messageKey, pskDigest, type IkeMessage, type IkeNotify, type IkeSaKind } from './messages.js';

/** Phases of one end. The initiator's and the responder's negotiation phases are distinct. */
export type IkePhase =
  | 'idle'
  | 'down'
  | 'saInitSent' | 'authSent'
  | 'saInitReplied'
  | 'mm1Sent' | 'mm3Sent' | 'mm5Sent' | 'qm1Sent'
  | 'mm2Sent' | 'mm4Sent' | 'mm6Sent' | 'qm2Sent'
  | 'established';

/** This end's role in its current IKE SA. */
export type IkeRole = 'initiator' | 'responder';

/** Names of the timers the machine starts. */
export const IKE_TIMERS = Object.freeze({
  /** Waits for the answer to the request in flight. */
  retransmit: 'retransmit',
  /** Responder: a negotiation making no progress is dropped. */
  halfOpen: 'halfOpen',
  /** Nothing heard from the peer for the DPD interval: probe. */
  dpd: 'dpd',
  /** Nothing heard from the peer for the DPD timeout: the peer is dead. */
  dpdDead: 'dpdDead',
  /** Policy-based idle teardown (R14). */
  idle: 'idle',
  /** IKE SA / phase-1 lifetime (initiator of the IKE SA only). */
  ikeLifetime: 'ikeLifetime',
  /** Child SA / phase-2 lifetime (initiator of the IKE SA only). */
  childLifetime: 'childLifetime',
});

const ALL_TIMERS: readonly string[] = Object.values(IKE_TIMERS);

/** Why a request is in flight. */
export type IkeRequestPurpose = 'negotiate' | 'ikeRekey' | 'childRekey' | 'dpd';

/** The request in flight, kept for retransmission. */
export interface IkeOutstanding {
  readonly msg: IkeMessage;
  /** Retransmissions so far. */
  readonly tries: number;
  readonly purpose: IkeRequestPurpose;
}

/** State of one end. Plain data; every transition returns a new object. */
export interface IkeState {
  readonly config: IkeConfig;
  readonly phase: IkePhase;
  /** Role in the current (or last) IKE SA; null before the first negotiation. */
  readonly role: IkeRole | null;
  /** Reason of the last `down`; null until one. */
  readonly reason: string | null;
  readonly spiI: number;
  readonly spiR: number;
  readonly nonceI: string;
  readonly nonceR: string;
  /** Chosen IKE SA / phase-1 proposal. */
  readonly ikeProposal: string | null;
  /** Chosen child SA / phase-2 proposal. */
  readonly childProposal: string | null;
  /** DH group of the initiator's KE payload (changes after INVALID_KE_PAYLOAD). */
  readonly keGroup: number;
  /** Message ID of this end's next request (IKEv2 §2.2; IKEv1 Quick Mode / Informational IDs). */
  readonly nextMessageId: number;
  readonly outstanding: IkeOutstanding | null;
  /** Key of the last request received and the reply sent to it, to answer duplicates. */
  readonly lastRequestKey: string | null;
  readonly lastReply: IkeMessage | null;
  /** Rekeys waiting for the request window. */
  readonly queued: readonly IkeSaKind[];
  /** Counter for SPIs and nonces: deterministic, no randomness needed. */
  readonly counter: number;
}

/** Inputs: a message, a timer, and the IKE-specific ones. */
export type IkeInput =
  | CommonInput<IkeMessage>
  /** Initiate now (an administrator or a route-based gateway connecting). */
  | { kind: 'start' }
  /**
   * A data packet crossed (or tried to cross) the tunnel at this end. Restarts
   * the policy-based idle timer; on a down policy-based end it starts a
   * negotiation at once (R14). Ignored by route-based ends.
   */
  | { kind: 'traffic' }
  /** Close the tunnel: a Delete is sent and `down` carries `reason` (default `admin`). */
  | { kind: 'close'; reason?: string };

/** Effects: the common ones plus rekey and negotiation notices. */
export type IkeEffect =
  | CommonEffect<IkeMessage>
  /** An SA was replaced in place; the tunnel stayed up. */
  | { kind: 'rekeyed'; sa: IkeSaKind; reason: string }
  /** This end starts a negotiation as initiator (`start`, `traffic`, `rekey`, `simultaneous`...). */
  | { kind: 'negotiating'; reason: string };

/** One transition of an IKE end. */
export type IkeTransition = Transition<IkeState, IkeEffect>;

/** Phases in which this end negotiates. */
export function isNegotiating(phase: IkePhase): boolean {
  return phase !== 'idle' && phase !== 'down' && phase !== 'established';
}

/** The state of an end that has done nothing yet. */
export function initialIkeState(config: IkeConfig): IkeState {
  return {
    config, phase: 'idle', role: null, reason: null, spiI: 0, spiR: 0, nonceI: '', nonceR: '',
    ikeProposal: null, childProposal: null, keGroup: dhGroupOf(config.ikeProposals[0]!), nextMessageId: 0,
    outstanding: null, lastRequestKey: null, lastReply: null, queued: [], counter: 0,
  };
}

/**
 * The transition function: pure, no clock. Unknown or out-of-place
 * messages are ignored with a reason, as IKE ignores them (RFC 7296 §2.21).
 */
export function ikeStep(s: IkeState, input: IkeInput): IkeTransition {
  const fx: IkeEffect[] = [];
  switch (input.kind) {
    case 'start': {
      if (s.phase !== 'idle' && s.phase !== 'down') return same(s, 'alreadyActive');
      return done(initiate(s, fx, 'start'), fx, 'initiated');
    }
    case 'traffic': return onTraffic(s, fx);
    case 'close': return onClose(s, input.reason ?? 'admin', fx);
    case 'timer': return onTimer(s, input.name, fx);
    case 'recv': return onRecv(s, input.msg, fx);
  }
}

// ---------------------------------------------------------------- helpers

function same(s: IkeState, reason: string): IkeTransition {
  return { next: s, effects: [], reason };
}

function done(next: IkeState, effects: IkeEffect[], reason: string): IkeTransition {
  return { next, effects, reason };
}

/** Stable per-end salt so the two ends' SPIs differ (they carry the identity). */
function salt(id: string): number {
  let h = 7;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) % 65_521;
  return h;
}

function newSpi(s: IkeState, counter: number): number {
  return salt(s.config.id) * 65_536 + (counter % 65_536);
}

function sameSet(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((x, i) => x === sb[i]);
}

/** RFC 7296 §2.7: the responder picks one of the initiator's proposals, in the initiator's order. */
function choose(offered: readonly string[] | undefined, own: readonly string[]): string | null {
  for (const p of offered ?? []) if (own.includes(p)) return p;
  return null;
}

function authContext(s: IkeState, id: string): string {
  return `${s.spiI}:${s.spiR}:${s.nonceI}:${s.nonceR}:${id}`;
}

function send(fx: IkeEffect[], msg: IkeMessage): void {
  fx.push({ kind: 'send', msg });
}

function base(s: IkeState, exchange: IkeMessage['exchange'], response: boolean, messageId: number): Pick<IkeMessage, 'version' | 'exchange' | 'response' | 'messageId' | 'spiI' | 'spiR'> {
  return { version: s.config.version, exchange, response, messageId, spiI: s.spiI, spiR: s.spiR };
}

function waitFor(s: IkeState, purpose: IkeRequestPurpose, tries: number): number {
  if (purpose === 'dpd') return s.config.dpd!.interval;
  return retransmitSchedule(s.config.retransmit)[tries]!;
}

/** Sends a request and keeps it for retransmission. */
function request(s: IkeState, fx: IkeEffect[], msg: IkeMessage, purpose: IkeRequestPurpose): IkeState {
  send(fx, msg);
  fx.push({ kind: 'startTimer', name: IKE_TIMERS.retransmit, after: waitFor(s, purpose, 0) });
  return { ...s, outstanding: { msg, tries: 0, purpose } };
}

/** Sends a reply and caches it against the request it answers. */
function reply(s: IkeState, fx: IkeEffect[], req: IkeMessage, msg: IkeMessage): IkeState {
  send(fx, msg);
  return { ...s, lastRequestKey: messageKey(req), lastReply: msg };
}

function clearOutstanding(s: IkeState, fx: IkeEffect[]): IkeState {
  fx.push({ kind: 'stopTimer', name: IKE_TIMERS.retransmit });
  return { ...s, outstanding: null };
}

/** True when `msg` answers the request in flight (same exchange and Message ID; IKEv1: the next position). */
function answers(s: IkeState, msg: IkeMessage): boolean {
  const o = s.outstanding?.msg;
  if (!o || o.exchange !== msg.exchange || o.messageId !== msg.messageId || !msg.response) return false;
  if (o.seq !== undefined) return msg.seq === o.seq + 1;
  return true;
}

/** Stops every timer, reports `down` and keeps what answers duplicates (SPIs, cached reply). */
function goDown(s: IkeState, fx: IkeEffect[], reason: string): IkeState {
  for (const name of ALL_TIMERS) fx.push({ kind: 'stopTimer', name });
  fx.push({ kind: 'down', reason });
  return { ...s, phase: 'down', reason, outstanding: null, queued: [] };
}

/** Sends a Delete for the current IKE SA (RFC 7296 §1.4.1; RFC 2408 §3.15). Not retransmitted: the sender is already gone. */
function sendDelete(s: IkeState, fx: IkeEffect[], forRekey: boolean): IkeState {
  const msg: IkeMessage = { ...base(s, 'INFORMATIONAL', false, s.nextMessageId), delete: 'ike', ...(forRekey ? { deleteForRekey: true } : {}) };
  send(fx, msg);
  return { ...s, nextMessageId: s.nextMessageId + 1 };
}

/** Starts a negotiation as initiator: IKE_SA_INIT (RFC 7296 §1.2) or Main Mode message 1 (RFC 2409 §5). */
function initiate(s0: IkeState, fx: IkeEffect[], why: string): IkeState {
  const counter = s0.counter + 1;
  const c = s0.config;
  let s: IkeState = {
    ...s0, phase: c.version === 'IKEv2' ? 'saInitSent' : 'mm1Sent', role: 'initiator', counter,
    spiI: newSpi(s0, counter), spiR: 0, nonceI: `${c.id}#${counter}`, nonceR: '', ikeProposal: null, childProposal: null,
    keGroup: dhGroupOf(c.ikeProposals[0]!), nextMessageId: c.version === 'IKEv2' ? 2 : 1, outstanding: null, queued: [],
  };
  fx.push({ kind: 'negotiating', reason: why });
  if (c.version === 'IKEv2') {
    s = request(s, fx, { ...base(s, 'IKE_SA_INIT', false, 0), sa: c.ikeProposals, ke: s.keGroup, nonce: s.nonceI }, 'negotiate');
  } else {
    s = request(s, fx, { ...base(s, 'MAIN_MODE', false, 0), seq: 1, sa: c.ikeProposals }, 'negotiate');
  }
  return s;
}

/** Both phases complete: up, with DPD, idle and (initiator) lifetime timers. */
function establish(s: IkeState, fx: IkeEffect[], reason: string): IkeState {
  const c = s.config;
  fx.push({ kind: 'stopTimer', name: IKE_TIMERS.halfOpen });
  if (c.dpd) {
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.dpd, after: c.dpd.interval });
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.dpdDead, after: c.dpd.timeout });
  }
  if (c.policyBased) fx.push({ kind: 'startTimer', name: IKE_TIMERS.idle, after: c.idleTimeout });
  if (s.role === 'initiator') {
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.ikeLifetime, after: c.ikeLifetime });
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.childLifetime, after: c.childLifetime });
  }
  fx.push({ kind: 'up', reason });
  return { ...s, phase: 'established', reason: null };
}

/** A negotiation failed at this end: report it (and, for a responder, the error was already sent). */
function fail(s: IkeState, fx: IkeEffect[], reason: string): IkeState {
  return goDown(s, fx, reason);
}

// ---------------------------------------------------------------- inputs

function onTraffic(s: IkeState, fx: IkeEffect[]): IkeTransition {
  const c = s.config;
  if (!c.policyBased) return same(s, 'trafficIgnoredRouteBased');
  if (s.phase === 'established') {
    // R14: idleness counts traffic in either direction; the session feeds both ends.
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.idle, after: c.idleTimeout });
    return done(s, fx, 'idleTimerRestarted');
  }
  if ((s.phase === 'idle' || s.phase === 'down') && s.reason !== 'admin') {
    // R14: "the first packet in either direction brings it up again at once". After a failed
    // negotiation too: each packet retries, as an on-demand IPsec device does.
    return done(initiate(s, fx, 'traffic'), fx, 'trafficTriggeredNegotiation');
  }
  return same(s, s.phase === 'down' ? 'trafficIgnoredClosedByAdmin' : 'trafficWhileNegotiating');
}

function onClose(s: IkeState, reason: string, fx: IkeEffect[]): IkeTransition {
  if (s.phase === 'idle' || s.phase === 'down') return same(s, 'alreadyDown');
  let n = s;
  if (s.phase === 'established' || s.spiR !== 0) n = sendDelete(s, fx, false);
  return done(goDown(n, fx, reason), fx, 'closed');
}

function onTimer(s: IkeState, name: string, fx: IkeEffect[]): IkeTransition {
  const c = s.config;
  switch (name) {
    case IKE_TIMERS.retransmit: {
      const o = s.outstanding;
      if (!o) return same(s, 'staleTimer');
      if (o.purpose !== 'dpd' && o.tries >= c.retransmit.tries) {
        // RFC 7296 §2.4: after repeated retransmissions the peer is given up.
        return done(fail(s, fx, 'peerUnreachable'), fx, 'retransmissionsExhausted');
      }
      send(fx, o.msg);
      fx.push({ kind: 'startTimer', name: IKE_TIMERS.retransmit, after: waitFor(s, o.purpose, o.tries + 1) });
      return done({ ...s, outstanding: { ...o, tries: o.tries + 1 } }, fx, 'retransmitted');
    }
    case IKE_TIMERS.halfOpen:
      if (!isNegotiating(s.phase) || s.role !== 'responder') return same(s, 'staleTimer');
      // The half-open state is deleted: a late retransmission finds nothing to answer from.
      return done(fail({ ...s, lastRequestKey: null, lastReply: null }, fx, 'peerUnreachable'), fx, 'halfOpenTimeout');
    case IKE_TIMERS.idle: {
      if (s.phase !== 'established') return same(s, 'staleTimer');
      // R14: idle for the whole timeout in both directions: tear down and tell the peer.
      const n = sendDelete(s, fx, false);
      return done(goDown(n, fx, 'idleTimeout'), fx, 'idleTimeout');
    }
    case IKE_TIMERS.dpd: {
      if (s.phase !== 'established' || !c.dpd) return same(s, 'staleTimer');
      if (s.outstanding) {
        // The request in flight already tests liveness (window of 1, RFC 7296 §2.3).
        fx.push({ kind: 'startTimer', name: IKE_TIMERS.dpd, after: c.dpd.interval });
        return done(s, fx, 'dpdDeferred');
      }
      // RFC 7296 §2.4: an empty INFORMATIONAL request is a liveness check; RFC 3706 §5 R-U-THERE for IKEv1.
      const probe: IkeMessage = c.version === 'IKEv2'
        ? base(s, 'INFORMATIONAL', false, s.nextMessageId)
        : { ...base(s, 'INFORMATIONAL', false, s.nextMessageId), notify: 'R_U_THERE' };
      return done(request({ ...s, nextMessageId: s.nextMessageId + 1 }, fx, probe, 'dpd'), fx, 'dpdProbeSent');
    }
    case IKE_TIMERS.dpdDead:
      if (s.phase !== 'established') return same(s, 'staleTimer');
      // Nothing from the peer for the whole DPD timeout, probes included: it is dead (RFC 3706 §5.5).
      return done(goDown(s, fx, 'dpdTimeout'), fx, 'dpdTimeout');
    case IKE_TIMERS.ikeLifetime:
    case IKE_TIMERS.childLifetime: {
      if (s.phase !== 'established') return same(s, 'staleTimer');
      const sa: IkeSaKind = name === IKE_TIMERS.ikeLifetime ? 'ike' : 'child';
      if (sa === 'ike' && c.version === 'IKEv1') {
        // IKEv1 has no in-place phase-1 rekey here: the tunnel drops and Main Mode runs again (SKUS.md).
        const n = goDown(sendDelete(s, fx, true), fx, 'rekey');
        return done(initiate(n, fx, 'rekey'), fx, 'phase1LifetimeExpired');
      }
      if (s.outstanding) return done({ ...s, queued: [...s.queued, sa] }, fx, 'rekeyQueued');
      return done(startRekey(s, fx, sa), fx, sa === 'ike' ? 'ikeLifetimeExpired' : 'childLifetimeExpired');
    }
    default:
      return same(s, 'unknownTimer');
  }
}

/** IKEv2 CREATE_CHILD_SA (RFC 7296 §1.3.2 IKE SA, §1.3.3 child SA) or an IKEv1 Quick Mode (RFC 2409 §5.5). */
function startRekey(s: IkeState, fx: IkeEffect[], sa: IkeSaKind): IkeState {
  const c = s.config;
  const counter = s.counter + 1;
  const mid = s.nextMessageId;
  const n: IkeState = { ...s, counter, nextMessageId: mid + 1 };
  const nonce = `${c.id}#${counter}`;
  const ts = c.trafficSelectors;
  if (c.version === 'IKEv1') {
    const qm: IkeMessage = { ...base(n, 'QUICK_MODE', false, mid), seq: 1, childSa: c.espProposals, nonce, tsi: ts.local, tsr: ts.remote };
    return request(n, fx, qm, 'childRekey');
  }
  if (sa === 'child') {
    return request(n, fx, { ...base(n, 'CREATE_CHILD_SA', false, mid), rekey: 'child', childSa: c.espProposals, nonce, tsi: ts.local, tsr: ts.remote }, 'childRekey');
  }
  return request(n, fx, { ...base(n, 'CREATE_CHILD_SA', false, mid), rekey: 'ike', sa: [s.ikeProposal!], ke: dhGroupOf(s.ikeProposal!), nonce, newSpi: newSpi(s, counter) }, 'ikeRekey');
}

/** After the window frees up, runs a queued rekey. */
function drain(s: IkeState, fx: IkeEffect[]): IkeState {
  if (s.queued.length === 0 || s.outstanding) return s;
  const [sa, ...rest] = s.queued;
  return startRekey({ ...s, queued: rest }, fx, sa!);
}

function isInitialRequest(msg: IkeMessage): boolean {
  return msg.version === 'IKEv2'
    ? msg.exchange === 'IKE_SA_INIT' && !msg.response
    : msg.exchange === 'MAIN_MODE' && msg.seq === 1;
}

function belongs(s: IkeState, msg: IkeMessage): boolean {
  if (msg.spiI !== s.spiI) return false;
  return s.spiR === 0 || msg.spiR === 0 || msg.spiR === s.spiR;
}

function onRecv(s: IkeState, msg: IkeMessage, fx: IkeEffect[]): IkeTransition {
  if (msg.version !== s.config.version) {
    if (isInitialRequest(msg)) return rejectVersion(s, msg, fx);
    return same(s, 'otherVersionIgnored');
  }
  // RFC 7296 §2.1: a retransmitted request gets the cached reply again, with no new processing.
  if (isRequest(msg) && s.lastRequestKey === messageKey(msg)) {
    if (s.lastReply) send(fx, s.lastReply);
    return done(s, fx, 'duplicateAnswered');
  }
  if (isInitialRequest(msg)) return onInitialRequest(s, msg, fx);
  if (!belongs(s, msg)) return same(s, 'unknownSpiIgnored');
  if (s.phase === 'established') return onEstablishedRecv(s, msg, fx);
  if (!isNegotiating(s.phase)) return same(s, 'notNegotiatingIgnored');
  return s.config.version === 'IKEv2' ? onNegotiateV2(s, msg, fx) : onNegotiateV1(s, msg, fx);
}

/**
 * A request of the other major version. RFC 7296 §2.5 (and RFC 2408 §3.14.1,
 * INVALID-MAJOR-VERSION): answer with an unauthenticated notify in the
 * sender's version; the sender then fails with `versionMismatch`. An end
 * that is not busy reports the failed attempt too.
 */
function rejectVersion(s: IkeState, msg: IkeMessage, fx: IkeEffect[]): IkeTransition {
  const notify: IkeMessage = msg.version === 'IKEv2'
    ? { version: 'IKEv2', exchange: 'IKE_SA_INIT', response: true, messageId: 0, spiI: msg.spiI, spiR: 0, notify: 'INVALID_MAJOR_VERSION' }
    : { version: 'IKEv1', exchange: 'INFORMATIONAL', response: true, messageId: 0, spiI: msg.spiI, spiR: 0, notify: 'INVALID_MAJOR_VERSION' };
  send(fx, notify);
  if (s.phase === 'idle' || s.phase === 'down') return done(goDown(s, fx, 'versionMismatch'), fx, 'versionMismatch');
  return done(s, fx, 'versionMismatchAnswered');
}

/** IKE_SA_INIT request (RFC 7296 §1.2) or Main Mode message 1 (RFC 2409 §5): this end becomes responder. */
function onInitialRequest(s0: IkeState, msg: IkeMessage, fx: IkeEffect[]): IkeTransition {
  let s = s0;
  if (msg.spiI === s.spiI && s.role === 'responder' && s.phase !== 'idle' && s.phase !== 'down') {
    // A late copy of the request that opened the current SA: the SPI is already in use.
    return same(s, 'staleInitialRequestIgnored');
  }
  if (s.phase === 'saInitSent' || s.phase === 'mm1Sent') {
    // Both ends initiated at once. Like the lowest-nonce rule of RFC 7296 §2.8.1,
    // the end whose initiator SPI is lower keeps its attempt; the other answers.
    if (s.spiI < msg.spiI) return same(s, 'simultaneousInitiationKept');
    s = clearOutstanding(s, fx);
  } else if (s.role === 'initiator' && isNegotiating(s.phase)) {
    s = clearOutstanding(s, fx);
  } else if (s.phase === 'established') {
    // The peer starts from scratch: it lost the SA (restart, or a lost IKEv1 rekey Delete).
    s = goDown(s, fx, 'peerDown');
  }
  const c = s.config;
  const chosen = choose(msg.sa, c.ikeProposals);
  if (chosen === null) {
    // RFC 7296 §2.7 / RFC 2408 §3.14.1: NO_PROPOSAL_CHOSEN.
    const err: IkeMessage = c.version === 'IKEv2'
      ? { version: 'IKEv2', exchange: 'IKE_SA_INIT', response: true, messageId: 0, spiI: msg.spiI, spiR: 0, notify: 'NO_PROPOSAL_CHOSEN' }
      : { version: 'IKEv1', exchange: 'INFORMATIONAL', response: true, messageId: 0, spiI: msg.spiI, spiR: 0, notify: 'NO_PROPOSAL_CHOSEN' };
    s = reply({ ...s, role: 'responder', spiI: msg.spiI, spiR: 0 }, fx, msg, err);
    return done(fail(s, fx, 'noProposalChosen'), fx, 'noProposalChosen');
  }
  if (c.version === 'IKEv2' && dhGroupOf(chosen) !== msg.ke) {
    // RFC 7296 §1.3.1 / §3.10.1: INVALID_KE_PAYLOAD names the group wanted; no state is kept.
    send(fx, { version: 'IKEv2', exchange: 'IKE_SA_INIT', response: true, messageId: 0, spiI: msg.spiI, spiR: 0, notify: 'INVALID_KE_PAYLOAD', notifyData: dhGroupOf(chosen) });
    return done(s, fx, 'invalidKePayload');
  }
  const counter = s.counter + 1;
  s = {
    ...s, role: 'responder', counter, spiI: msg.spiI, spiR: newSpi(s, counter), nonceI: msg.nonce ?? '', nonceR: `${c.id}#${counter}`,
    ikeProposal: chosen, childProposal: null, nextMessageId: c.version === 'IKEv2' ? 0 : 1, outstanding: null, queued: [], reason: null,
    phase: c.version === 'IKEv2' ? 'saInitReplied' : 'mm2Sent',
  };
  const resp: IkeMessage = c.version === 'IKEv2'
    ? { ...base(s, 'IKE_SA_INIT', true, 0), sa: [chosen], ke: msg.ke, nonce: s.nonceR }
    : { ...base(s, 'MAIN_MODE', true, 0), seq: 2, sa: [chosen] };
  s = reply(s, fx, msg, resp);
  fx.push({ kind: 'startTimer', name: IKE_TIMERS.halfOpen, after: c.halfOpenTimeout });
  return done(s, fx, c.version === 'IKEv2' ? 'ikeSaInitReceived' : 'mainMode1Received');
}

/** Maps an error notify received while negotiating to a failure reason. */
function notifyFailure(notify: IkeNotify, phase2: boolean): string | null {
  switch (notify) {
    case 'AUTHENTICATION_FAILED': return 'authenticationFailed';
    case 'NO_PROPOSAL_CHOSEN': return phase2 ? 'ipsecPhase2Failed' : 'noProposalChosen';
    case 'TS_UNACCEPTABLE':
    case 'INVALID_ID_INFORMATION': return 'trafficSelectorMismatch';
    case 'INVALID_MAJOR_VERSION': return 'versionMismatch';
    default: return null;
  }
}

/** Child SA checks shared by IKE_AUTH and Quick Mode: ESP proposal, then mirrored traffic selectors (R15). */
function checkChild(s: IkeState, msg: IkeMessage): { chosen: string } | { error: IkeNotify; reason: string } {
  const c = s.config;
  const chosen = choose(msg.childSa, c.espProposals);
  if (chosen === null) return { error: 'NO_PROPOSAL_CHOSEN', reason: 'ipsecPhase2Failed' };
  // The initiator's local selectors are our remote ones and vice versa (RFC 7296 §2.9; Azure wants exact mirrors).
  if (!sameSet(msg.tsi, c.trafficSelectors.remote) || !sameSet(msg.tsr, c.trafficSelectors.local)) {
    return { error: s.config.version === 'IKEv2' ? 'TS_UNACCEPTABLE' : 'INVALID_ID_INFORMATION', reason: 'trafficSelectorMismatch' };
  }
  return { chosen };
}

function onNegotiateV2(s0: IkeState, msg: IkeMessage, fx: IkeEffect[]): IkeTransition {
  let s = s0;
  const c = s.config;
  if (s.phase === 'saInitSent' && msg.exchange === 'IKE_SA_INIT' && msg.response) {
    if (msg.notify === 'INVALID_KE_PAYLOAD' && msg.notifyData !== undefined) {
      // RFC 7296 §1.3.1: retry IKE_SA_INIT with the group the responder asked for (one more round trip).
      s = clearOutstanding({ ...s, keGroup: msg.notifyData }, fx);
      s = request(s, fx, { ...base(s, 'IKE_SA_INIT', false, 0), sa: c.ikeProposals, ke: msg.notifyData, nonce: s.nonceI }, 'negotiate');
      return done(s, fx, 'invalidKePayload');
    }
    if (msg.notify) {
      const why = notifyFailure(msg.notify, false);
      if (why) return done(fail(clearOutstanding(s, fx), fx, why), fx, why);
      return same(s, 'unexpectedNotifyIgnored');
    }
    const chosen = msg.sa?.[0];
    if (!chosen || !c.ikeProposals.includes(chosen)) return done(fail(clearOutstanding(s, fx), fx, 'noProposalChosen'), fx, 'noProposalChosen');
    s = clearOutstanding({ ...s, spiR: msg.spiR, nonceR: msg.nonce ?? '', ikeProposal: chosen }, fx);
    // RFC 7296 §1.2: IKE_AUTH carries IDi, AUTH, SAi2 (the first child SA), TSi and TSr.
    const auth = pskDigest(c.sharedKey, 'I', authContext(s, c.id));
    const ts = c.trafficSelectors;
    s = request({ ...s, phase: 'authSent' }, fx, { ...base(s, 'IKE_AUTH', false, 1), id: c.id, auth, childSa: c.espProposals, tsi: ts.local, tsr: ts.remote }, 'negotiate');
    return done(s, fx, 'ikeSaInitResponseReceived');
  }
  if (s.phase === 'saInitReplied' && msg.exchange === 'IKE_AUTH' && !msg.response && msg.messageId === 1) {
    // RFC 7296 §2.15: verify the initiator's AUTH with our own key.
    const expected = pskDigest(c.sharedKey, 'I', authContext(s, msg.id ?? ''));
    if (msg.auth !== expected) {
      // §2.21.2: AUTHENTICATION_FAILED in the IKE_AUTH response.
      s = reply(s, fx, msg, { ...base(s, 'IKE_AUTH', true, 1), notify: 'AUTHENTICATION_FAILED' });
      return done(fail(s, fx, 'authenticationFailed'), fx, 'authenticationFailed');
    }
    const child = checkChild(s, msg);
    if ('error' in child) {
      // §2.21.3: the child SA failed; vpnsim fails the whole tunnel (it carries one child SA).
      s = reply(s, fx, msg, { ...base(s, 'IKE_AUTH', true, 1), notify: child.error });
      return done(fail(s, fx, child.reason), fx, child.reason);
    }
    const auth = pskDigest(c.sharedKey, 'R', authContext(s, c.id));
    s = reply({ ...s, childProposal: child.chosen, nextMessageId: 0 }, fx, msg, { ...base(s, 'IKE_AUTH', true, 1), id: c.id, auth, childSa: [child.chosen], tsi: msg.tsi!, tsr: msg.tsr! });
    return done(establish(s, fx, 'ikeAuthComplete'), fx, 'ikeAuthReceived');
  }
  if (s.phase === 'authSent' && msg.exchange === 'IKE_AUTH' && answers(s, msg)) {
    s = clearOutstanding(s, fx);
    if (msg.notify) {
      const why = notifyFailure(msg.notify, true) ?? 'ipsecPhase2Failed';
      return done(fail(s, fx, why), fx, why);
    }
    if (msg.auth !== pskDigest(c.sharedKey, 'R', authContext(s, msg.id ?? ''))) {
      // §2.21.2: the responder's AUTH does not verify: delete the half-made SA.
      s = sendDelete(s, fx, false);
      return done(fail(s, fx, 'authenticationFailed'), fx, 'authenticationFailed');
    }
    s = { ...s, childProposal: msg.childSa?.[0] ?? null };
    return done(establish(s, fx, 'ikeAuthComplete'), fx, 'ikeAuthResponseReceived');
  }
  if (msg.exchange === 'INFORMATIONAL' && !msg.response && msg.delete) {
    return done(goDown(s, fx, msg.deleteForRekey ? 'rekey' : 'peerDown'), fx, 'deleteReceived');
  }
  return same(s, 'unexpectedMessageIgnored');
}

function onNegotiateV1(s0: IkeState, msg: IkeMessage, fx: IkeEffect[]): IkeTransition {
  let s = s0;
  const c = s.config;
  if (msg.exchange === 'INFORMATIONAL') {
    // RFC 2408 §3.14: failures arrive as Informational notifies; a Delete ends the attempt.
    if (msg.delete) return done(goDown(s, fx, msg.deleteForRekey ? 'rekey' : 'peerDown'), fx, 'deleteReceived');
    const why = msg.notify ? notifyFailure(msg.notify, s.phase === 'qm1Sent' || s.phase === 'mm6Sent') : null;
    if (!why || s.role !== 'initiator') return same(s, 'unexpectedMessageIgnored');
    return done(fail(clearOutstanding(s, fx), fx, why), fx, why);
  }
  const ts = c.trafficSelectors;
  const restartHalfOpen = (): void => { fx.push({ kind: 'startTimer', name: IKE_TIMERS.halfOpen, after: c.halfOpenTimeout }); };
  if (msg.exchange === 'MAIN_MODE') {
    switch (`${s.phase}/${msg.seq}`) {
      case 'mm1Sent/2': {
        // RFC 2409 §5: MM2 returns the chosen SA; MM3 sends KE and Ni.
        const chosen = msg.sa?.[0];
        if (!chosen || !c.ikeProposals.includes(chosen)) return done(fail(clearOutstanding(s, fx), fx, 'noProposalChosen'), fx, 'noProposalChosen');
        s = clearOutstanding({ ...s, spiR: msg.spiR, ikeProposal: chosen }, fx);
        s = request({ ...s, phase: 'mm3Sent' }, fx, { ...base(s, 'MAIN_MODE', false, 0), seq: 3, ke: dhGroupOf(chosen), nonce: s.nonceI }, 'negotiate');
        return done(s, fx, 'mainMode2Received');
      }
      case 'mm2Sent/3': {
        restartHalfOpen();
        s = { ...s, nonceI: msg.nonce ?? '', phase: 'mm4Sent' };
        s = reply(s, fx, msg, { ...base(s, 'MAIN_MODE', true, 0), seq: 4, ke: msg.ke, nonce: s.nonceR });
        return done(s, fx, 'mainMode3Received');
      }
      case 'mm3Sent/4': {
        // MM5: IDii and HASH_I, encrypted with keys that depend on the PSK (RFC 2409 §5.4).
        s = clearOutstanding({ ...s, nonceR: msg.nonce ?? '' }, fx);
        const auth = pskDigest(c.sharedKey, 'I', authContext(s, c.id));
        s = request({ ...s, phase: 'mm5Sent' }, fx, { ...base(s, 'MAIN_MODE', false, 0), seq: 5, id: c.id, auth }, 'negotiate');
        return done(s, fx, 'mainMode4Received');
      }
      case 'mm4Sent/5': {
        restartHalfOpen();
        if (msg.auth !== pskDigest(c.sharedKey, 'I', authContext(s, msg.id ?? ''))) {
          // RFC 2408 §3.14.1 AUTHENTICATION-FAILED (24).
          s = reply(s, fx, msg, { ...base(s, 'INFORMATIONAL', true, 0), notify: 'AUTHENTICATION_FAILED' });
          return done(fail(s, fx, 'authenticationFailed'), fx, 'authenticationFailed');
        }
        const auth = pskDigest(c.sharedKey, 'R', authContext(s, c.id));
        s = reply({ ...s, phase: 'mm6Sent' }, fx, msg, { ...base(s, 'MAIN_MODE', true, 0), seq: 6, id: c.id, auth });
        return done(s, fx, 'mainMode5Received');
      }
      case 'mm5Sent/6': {
        s = clearOutstanding(s, fx);
        if (msg.auth !== pskDigest(c.sharedKey, 'R', authContext(s, msg.id ?? ''))) {
          s = sendDelete(s, fx, false);
          return done(fail(s, fx, 'authenticationFailed'), fx, 'authenticationFailed');
        }
        // Phase 1 done; Quick Mode (RFC 2409 §5.5) negotiates the IPsec SA and selectors.
        const counter = s.counter + 1;
        const mid = s.nextMessageId;
        s = { ...s, phase: 'qm1Sent', counter, nextMessageId: mid + 1 };
        s = request(s, fx, { ...base(s, 'QUICK_MODE', false, mid), seq: 1, childSa: c.espProposals, nonce: `${c.id}#${counter}`, tsi: ts.local, tsr: ts.remote }, 'negotiate');
        return done(s, fx, 'mainMode6Received');
      }
      default:
        return same(s, 'unexpectedMessageIgnored');
    }
  }
  if (msg.exchange === 'QUICK_MODE') {
    if (s.phase === 'mm6Sent' && msg.seq === 1) {
      restartHalfOpen();
      const child = checkChild(s, msg);
      if ('error' in child) {
        s = reply(s, fx, msg, { ...base(s, 'INFORMATIONAL', true, msg.messageId), notify: child.error });
        return done(fail(s, fx, child.reason), fx, child.reason);
      }
      // QM2 answers QM1 and waits for QM3: this end retransmits it (RFC 2409 §5.5).
      const qm2: IkeMessage = { ...base(s, 'QUICK_MODE', true, msg.messageId), seq: 2, childSa: [child.chosen], nonce: `${c.id}#${s.counter + 1}`, tsi: msg.tsi!, tsr: msg.tsr! };
      s = { ...s, phase: 'qm2Sent', childProposal: child.chosen, counter: s.counter + 1, lastRequestKey: messageKey(msg), lastReply: qm2 };
      s = request(s, fx, qm2, 'negotiate');
      return done(s, fx, 'quickMode1Received');
    }
    if (s.phase === 'qm1Sent' && msg.seq === 2 && answers(s, msg)) {
      s = clearOutstanding({ ...s, childProposal: msg.childSa?.[0] ?? null }, fx);
      s = reply(s, fx, msg, { ...base(s, 'QUICK_MODE', true, msg.messageId), seq: 3 });
      return done(establish(s, fx, 'quickModeComplete'), fx, 'quickMode2Received');
    }
    if (s.phase === 'qm2Sent' && msg.seq === 3 && answers(s, msg)) {
      s = clearOutstanding(s, fx);
      return done(establish(s, fx, 'quickModeComplete'), fx, 'quickMode3Received');
    }
  }
  return same(s, 'unexpectedMessageIgnored');
}

function onEstablishedRecv(s0: IkeState, msg: IkeMessage, fx: IkeEffect[]): IkeTransition {
  let s = s0;
  const c = s.config;
  // Anything from the peer proves it alive (RFC 3706 §5.3): restart the DPD interval and timeout.
  if (c.dpd) {
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.dpd, after: c.dpd.interval });
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.dpdDead, after: c.dpd.timeout });
  }
  if (msg.exchange === 'INFORMATIONAL') {
    if (msg.delete) {
      // RFC 7296 §1.4.1: answer a Delete with an empty INFORMATIONAL response (IKEv1 Deletes are one-way).
      if (c.version === 'IKEv2' && !msg.response) s = reply(s, fx, msg, base(s, 'INFORMATIONAL', true, msg.messageId));
      return done(goDown(s, fx, msg.deleteForRekey ? 'rekey' : 'peerDown'), fx, 'deleteReceived');
    }
    if (!msg.response && (c.version === 'IKEv2' || msg.notify === 'R_U_THERE')) {
      const ack: IkeMessage = c.version === 'IKEv2' ? base(s, 'INFORMATIONAL', true, msg.messageId) : { ...base(s, 'INFORMATIONAL', true, msg.messageId), notify: 'R_U_THERE_ACK' };
      return done(reply(s, fx, msg, ack), fx, 'livenessCheckAnswered');
    }
    if (s.outstanding?.purpose === 'dpd' && answers(s, msg)) {
      return done(drain(clearOutstanding(s, fx), fx), fx, 'livenessConfirmed');
    }
    return done(s, fx, 'unexpectedMessageIgnored');
  }
  if (c.version === 'IKEv2' && msg.exchange === 'CREATE_CHILD_SA') {
    if (!msg.response) return answerRekeyV2(s, msg, fx);
    if (!answers(s, msg)) return done(s, fx, 'unexpectedMessageIgnored');
    const purpose = s.outstanding!.purpose;
    s = clearOutstanding(s, fx);
    if (msg.notify) return done(drain(s, fx), fx, 'rekeyRejected');
    if (purpose === 'ikeRekey') {
      // RFC 7296 §2.18: the new IKE SA takes over; its Message IDs start again at 0.
      const sentSpi = (s0.outstanding!.msg.newSpi)!;
      s = { ...s, spiI: sentSpi, spiR: msg.newSpi ?? s.spiR, nonceI: s0.outstanding!.msg.nonce!, nonceR: msg.nonce ?? '', nextMessageId: 0, lastRequestKey: null, lastReply: null, role: 'initiator' };
      fx.push({ kind: 'startTimer', name: IKE_TIMERS.ikeLifetime, after: c.ikeLifetime });
      fx.push({ kind: 'rekeyed', sa: 'ike', reason: 'ikeSaRekeyed' });
      return done(drain(s, fx), fx, 'ikeSaRekeyed');
    }
    s = { ...s, childProposal: msg.childSa?.[0] ?? s.childProposal };
    fx.push({ kind: 'startTimer', name: IKE_TIMERS.childLifetime, after: c.childLifetime });
    fx.push({ kind: 'rekeyed', sa: 'child', reason: 'childSaRekeyed' });
    return done(drain(s, fx), fx, 'childSaRekeyed');
  }
  if (c.version === 'IKEv1' && msg.exchange === 'QUICK_MODE') {
    if (msg.seq === 1) {
      const child = checkChild(s, msg);
      if ('error' in child) {
        return done(reply(s, fx, msg, { ...base(s, 'INFORMATIONAL', true, msg.messageId), notify: child.error }), fx, 'rekeyRejected');
      }
      // A new Quick Mode under the same ISAKMP SA (RFC 2409 §5.5). In place; not retransmitted here.
      const counter = s.counter + 1;
      s = reply({ ...s, counter, childProposal: child.chosen }, fx, msg, { ...base(s, 'QUICK_MODE', true, msg.messageId), seq: 2, childSa: [child.chosen], nonce: `${c.id}#${counter}`, tsi: msg.tsi!, tsr: msg.tsr! });
      return done(s, fx, 'quickModeRekeyReceived');
    }
    if (msg.seq === 2 && answers(s, msg)) {
      s = clearOutstanding({ ...s, childProposal: msg.childSa?.[0] ?? s.childProposal }, fx);
      s = reply(s, fx, msg, { ...base(s, 'QUICK_MODE', true, msg.messageId), seq: 3 });
      fx.push({ kind: 'startTimer', name: IKE_TIMERS.childLifetime, after: c.childLifetime });
      fx.push({ kind: 'rekeyed', sa: 'child', reason: 'quickModeRekeyed' });
      return done(drain(s, fx), fx, 'quickModeRekeyed');
    }
    if (msg.seq === 3) {
      fx.push({ kind: 'rekeyed', sa: 'child', reason: 'quickModeRekeyed' });
      return done(s, fx, 'quickModeRekeyed');
    }
  }
  return done(s, fx, 'unexpectedMessageIgnored');
}

/** Responder side of CREATE_CHILD_SA (RFC 7296 §1.3.2, §1.3.3). */
function answerRekeyV2(s0: IkeState, msg: IkeMessage, fx: IkeEffect[]): IkeTransition {
  let s = s0;
  const c = s.config;
  const counter = s.counter + 1;
  const nonce = `${c.id}#${counter}`;
  if (msg.rekey === 'ike') {
    const chosen = choose(msg.sa, c.ikeProposals);
    if (!chosen) return done(reply(s, fx, msg, { ...base(s, 'CREATE_CHILD_SA', true, msg.messageId), notify: 'NO_PROPOSAL_CHOSEN' }), fx, 'rekeyRejected');
    const spi = newSpi(s, counter);
    const resp: IkeMessage = { ...base(s, 'CREATE_CHILD_SA', true, msg.messageId), sa: [chosen], ke: msg.ke, nonce, newSpi: spi };
    // The reply goes out on the old SA; the cache keeps answering its retransmissions.
    s = reply({ ...s, counter }, fx, msg, resp);
    s = { ...s, spiI: msg.newSpi!, spiR: spi, nonceI: msg.nonce ?? '', nonceR: nonce, ikeProposal: chosen, nextMessageId: 0 };
    fx.push({ kind: 'rekeyed', sa: 'ike', reason: 'ikeSaRekeyed' });
    return done(s, fx, 'ikeSaRekeyed');
  }
  const child = checkChild(s, msg);
  if ('error' in child) return done(reply(s, fx, msg, { ...base(s, 'CREATE_CHILD_SA', true, msg.messageId), notify: child.error }), fx, 'rekeyRejected');
  s = reply({ ...s, counter, childProposal: child.chosen }, fx, msg, { ...base(s, 'CREATE_CHILD_SA', true, msg.messageId), childSa: [child.chosen], nonce, tsi: msg.tsi!, tsr: msg.tsr! });
  fx.push({ kind: 'rekeyed', sa: 'child', reason: 'childSaRekeyed' });
  return done(s, fx, 'childSaRekeyed');
}
