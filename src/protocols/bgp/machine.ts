/**
 * The BGP finite-state machine of one neighbor (RFC 4271 §8), as a pure
 * transition `stepBgp(state, input) -> { next, effects, reason }`.
 *
 * ```
 *                 manualStart / transportUp / idleHold expiry
 *        +--------+  (active: SYN)      +---------+  SYN-ACK: ACK, OPEN
 *        |        |-------------------->| Connect |---------------------+
 *        |  Idle  |                     +---------+                     |
 *        |        |   (passive)         | ^  SYN from peer (collision   |
 *        |        |-------------------->| |  lost): SYN-ACK; ACK: OPEN  |
 *        +--------+                     v |                             |
 *          ^   ^ ^   connectRetry  +--------+   ACK: OPEN               v
 *          |   | |  <------------- | Active |---------------------> +----------+
 *          |   | |                 +--------+                       | OpenSent |
 *          |   | |  error / NOTIFICATION / hold expiry              +----------+
 *          |   | +------------------------------------------------ OPEN ok: KEEPALIVE
 *          |   |                                                         v
 *          |   |  error, NOTIFICATION, hold expiry               +-------------+
 *          |   +-------------------------------------------------| OpenConfirm |
 *          |                                                     +-------------+
 *          |  hold expiry, NOTIFICATION, cease,                          | KEEPALIVE
 *          |  transportDown, maxPrefixExceeded   +-------------+         |
 *          +-------------------------------------| Established |<--------+
 *                                                +-------------+
 *                                         KEEPALIVE / UPDATE restart hold
 * ```
 *
 * TCP to port 179 is three segments (SYN, SYN-ACK, ACK): the initiator sends
 * OPEN one round trip after its SYN, the acceptor sends OPEN when the ACK
 * arrives, so setup takes about 2.5 round trips and follows latency.
 *
 * Choices (documented defaults):
 * - Timers: hold 180 s and keepalive 60 s (Azure's); ConnectRetry 120 s and
 *   a 240 s hold timer while waiting for OPEN (RFC 4271 §10 suggestions).
 *   The smaller proposed hold time wins; keepalive is the configured value
 *   capped at a third of the negotiated hold time, or that third when none is
 *   configured. Hold time 0 disables both timers (§4.2). No jitter (§10 allows
 *   it; without it keepalive times are exact and traces reproducible).
 * - Restart (RFC 4271 §8.1.1 AutomaticStart with an IdleHoldTimer): after a
 *   session that was Established goes down (hold expiry, NOTIFICATION, reset),
 *   the machine starts again at once, so `resetBgp` re-establishes within a
 *   few round trips. After a failed attempt (refused connection, OPEN error,
 *   error before Established) it waits ConnectRetry (120 s) in Idle, so a
 *   misconfigured pair retries every 120 s rather than in a tight loop.
 *   After a max-prefix drop it stays Idle until `manualStart` or `reset`
 *   (the usual router default); transport down waits for `transportUp`.
 * - In Idle with a restart pending (enabled, transport up) an incoming SYN is
 *   accepted, as AutomaticStart with PassiveTcpEstablishment followed by an
 *   incoming connection (§8.1.1 Event 5, §8.2.2 Event 17). Otherwise Idle
 *   refuses it with a RST (Event 18 for the initiator).
 * - Connection collisions (§6.8) are settled when the SYNs cross rather than
 *   after both OPENs: the connection opened by the speaker with the higher
 *   BGP Identifier is kept, which is the outcome §6.8 prescribes. A SYN that
 *   reaches OpenSent, OpenConfirm or Established is dropped (§6.8: an
 *   Established connection wins).
 * - UPDATE contents are not validated here; the speaker applies them.
 */
import { UsageError } from '../../errors.js';
import { isCanonicalAddress, parseAddress } from '../../sim/net/prefix.js';
import type { CommonEffect, CommonInput, Transition } from '../machine.js';
import {
  CeaseSubcode,
  ErrorCode,
  OpenErrorSubcode,
  notificationReason,
  type BgpSegment,
  type OpenMessage,
  type UpdateMessage,
} from './messages.js';

/** The six states of RFC 4271 §8.2.2. */
export type BgpFsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Timer names used in `startTimer` / `stopTimer` effects. */
export const BgpTimer = {
  /** ConnectRetryTimer (RFC 4271 §8). */
  connectRetry: 'connectRetry',
  /** HoldTimer (§4.2, §6.5). */
  hold: 'hold',
  /** KeepaliveTimer (§4.4). */
  keepalive: 'keepalive',
  /** IdleHoldTimer: delay before an automatic restart (§8.1.1). */
  idleHold: 'idleHold',
} as const;

/** Defaults, seconds. Hold and keepalive are Azure's; the others RFC 4271 §10's. */
export const BGP_DEFAULTS = {
  /** Proposed hold time (Azure: 180 s; RFC 4271 §10 suggests 90 s). */
  holdTime: 180,
  /** ConnectRetry (RFC 4271 §10: 120 s). */
  connectRetryTime: 120,
  /** Hold timer while OpenSent waits for the peer's OPEN (RFC 4271 §8.2.2: "4 minutes"). */
  openHoldTime: 240,
  /** Azure's keepalive, equal to the default hold time / 3. */
  keepaliveTime: 60,
} as const;

/** Options of one neighbor's machine. Times in seconds. */
export interface BgpNeighborOptions {
  /** Local ASN (1..4294967295). */
  localAs: number;
  /** Local BGP Identifier, a dotted quad (Azure uses its BGP peer address). */
  routerId: string;
  /** The ASN the peer must announce in its OPEN (else Bad Peer AS, §6.2). */
  peerAs: number;
  /** Proposed hold time: 0 or 3..65535. Default 180 (Azure). */
  holdTime?: number;
  /** Keepalive interval; default a third of the negotiated hold time (60 s with Azure's 180 s). */
  keepaliveTime?: number;
  /** ConnectRetry time; default 120. */
  connectRetryTime?: number;
  /** Hold time while waiting for the peer's OPEN; default 240. */
  openHoldTime?: number;
  /** Never initiate TCP, only accept (PassiveTcpEstablishment, §8.1.1). Default false. */
  passive?: boolean;
}

/** Validated options with defaults filled in. */
export interface BgpNeighborConfig {
  readonly localAs: number;
  readonly routerId: string;
  readonly peerAs: number;
  readonly holdTime: number;
  readonly keepaliveTime: number | undefined;
  readonly connectRetryTime: number;
  readonly openHoldTime: number;
  readonly passive: boolean;
}

/** What the peer told us in its OPEN. */
export interface BgpPeerInfo {
  readonly asn: number;
  readonly routerId: string;
  readonly holdTime: number;
}

/** State of one neighbor's machine. Immutable: every step returns a new object. */
export interface BgpMachineState {
  readonly fsm: BgpFsmState;
  readonly config: BgpNeighborConfig;
  /** Started (ManualStart) and not stopped or disabled by a max-prefix drop. */
  readonly enabled: boolean;
  /** The transport under the session (the tunnel) is up. */
  readonly transportUp: boolean;
  /** Simplified TCP connection state. */
  readonly tcp: 'closed' | 'synSent' | 'synReceived' | 'open';
  /** Current connection id, or '' when none. */
  readonly conn: string;
  /** Connections this side has initiated (numbers its connection ids). */
  readonly attempts: number;
  /** ConnectRetryCounter (§8): failed attempts since the last Established. */
  readonly connectRetryCounter: number;
  /** Negotiated hold time, s (0 before OpenConfirm or when disabled). */
  readonly holdTime: number;
  /** Negotiated keepalive interval, s. */
  readonly keepaliveTime: number;
  /** From the peer's OPEN, once received. */
  readonly peer: BgpPeerInfo | undefined;
}

/** Inputs: a segment arrived, a timer expired, and the RFC 4271 §8.1 administrative and transport events. */
export type BgpInput =
  | CommonInput<BgpSegment>
  /** Event 1 ManualStart. */
  | { kind: 'manualStart' }
  /** Event 2 ManualStop: NOTIFICATION Cease (administrative shutdown); stays Idle. */
  | { kind: 'manualStop' }
  /** Administrative reset: NOTIFICATION Cease (administrative reset, RFC 4486), then restart at once. */
  | { kind: 'reset' }
  /** The transport under the session came up (the owner's tunnel is up). */
  | { kind: 'transportUp' }
  /** The transport went down: Event 18 TcpConnectionFails, and no new connection until `transportUp`. */
  | { kind: 'transportDown' }
  /** The speaker asks to send an UPDATE (ignored unless Established). */
  | { kind: 'sendUpdate'; update: UpdateMessage }
  /** The speaker's Adj-RIB-In from this neighbor passed its limit: Cease, subcode 1 (RFC 4486). */
  | { kind: 'maxPrefixExceeded'; count: number; limit: number };

/** Effects: the common ones plus a received UPDATE handed to the speaker. */
export type BgpEffect = CommonEffect<BgpSegment> | { kind: 'updateReceived'; update: UpdateMessage };

/** A transition of the BGP machine. */
export type BgpTransition = Transition<BgpMachineState, BgpEffect>;

/**
 * Validates options and fills defaults.
 * @throws UsageError (rule `bgp`) on an ASN outside 1..4294967295, a router id
 * that is not a dotted quad or is 0.0.0.0, a hold time of 1-2 s or above
 * 65535 s (§4.2), or a non-positive keepalive or ConnectRetry time.
 */
export function bgpNeighborConfig(o: BgpNeighborOptions): BgpNeighborConfig {
  checkAsn(o.localAs, 'localAs');
  checkAsn(o.peerAs, 'peerAs');
  if (!isCanonicalAddress(o.routerId) || o.routerId === '0.0.0.0') {
    throw new UsageError(`bgp: routerId "${o.routerId}" is not a usable BGP Identifier. Use a dotted quad other than 0.0.0.0`, 'bgp');
  }
  const holdTime = o.holdTime ?? BGP_DEFAULTS.holdTime;
  if (!isAcceptableHoldTime(holdTime)) {
    throw new UsageError(`bgp: holdTime ${holdTime} s is not 0 or within 3-65535 s (RFC 4271 §4.2). Use 0 or at least 3`, 'bgp');
  }
  const positive = (v: number | undefined, what: string): void => {
    if (v !== undefined && !(v > 0 && Number.isFinite(v))) throw new UsageError(`bgp: ${what} ${v} s must be more than 0`, 'bgp');
  };
  positive(o.keepaliveTime, 'keepaliveTime');
  positive(o.connectRetryTime, 'connectRetryTime');
  positive(o.openHoldTime, 'openHoldTime');
  return {
    localAs: o.localAs,
    routerId: o.routerId,
    peerAs: o.peerAs,
    holdTime,
    keepaliveTime: o.keepaliveTime,
    connectRetryTime: o.connectRetryTime ?? BGP_DEFAULTS.connectRetryTime,
    openHoldTime: o.openHoldTime ?? BGP_DEFAULTS.openHoldTime,
    passive: o.passive ?? false,
  };
}

function checkAsn(asn: number, what: string): void {
  if (!Number.isInteger(asn) || asn < 1 || asn > 4294967295) {
    throw new UsageError(`bgp: ${what} ${asn} is not an ASN. Use an integer within 1-4294967295`, 'bgp');
  }
}

/** True for a hold time RFC 4271 §4.2 accepts: 0, or an integer 3..65535. */
export function isAcceptableHoldTime(h: number): boolean {
  return Number.isInteger(h) && (h === 0 || (h >= 3 && h <= 65535));
}

/**
 * Negotiated timers (RFC 4271 §4.2, §10): the smaller hold time of the two
 * OPENs; keepalive the configured value capped at hold/3, else hold/3; both 0
 * when the hold time is 0.
 */
export function negotiateTimers(localHold: number, peerHold: number, keepalive?: number): { holdTime: number; keepaliveTime: number } {
  const holdTime = Math.min(localHold, peerHold);
  if (holdTime === 0) return { holdTime: 0, keepaliveTime: 0 };
  const third = holdTime / 3;
  return { holdTime, keepaliveTime: keepalive === undefined ? third : Math.min(keepalive, third) };
}

/** The Idle state a neighbor's machine starts in: not started, transport down. */
export function initialBgpState(config: BgpNeighborConfig): BgpMachineState {
  return {
    fsm: 'Idle',
    config,
    enabled: false,
    transportUp: false,
    tcp: 'closed',
    conn: '',
    attempts: 0,
    connectRetryCounter: 0,
    holdTime: 0,
    keepaliveTime: 0,
    peer: undefined,
  };
}

/** Input fed when a timer expires (for {@link MachineDriver}). */
export function bgpTimerInput(name: string): BgpInput {
  return { kind: 'timer', name };
}

type Fx = BgpEffect[];

function done(next: BgpMachineState, reason: string, effects: Fx = []): BgpTransition {
  return { next, effects, reason };
}

const send = (s: BgpMachineState, msg: BgpSegment['msg']): BgpEffect => ({ kind: 'send', msg: { conn: s.conn, msg } });
const startTimer = (name: string, after: number): BgpEffect => ({ kind: 'startTimer', name, after });
const stopTimer = (name: string): BgpEffect => ({ kind: 'stopTimer', name });

/** Leaves Idle when enabled and the transport is up: Connect (SYN) or, passive, Active (§8.2.2 Idle, Events 1/3/4/5). */
function start(s: BgpMachineState, reason: string, fx: Fx = []): BgpTransition {
  if (!s.enabled || !s.transportUp) return done(s, reason === 'automaticStart' ? 'awaitingStart' : `${reason}AwaitingTransport`, fx);
  fx.push(stopTimer(BgpTimer.idleHold), startTimer(BgpTimer.connectRetry, s.config.connectRetryTime));
  if (s.config.passive) {
    return done({ ...s, fsm: 'Active', tcp: 'closed', conn: '' }, reason, fx);
  }
  return connect({ ...s, fsm: 'Connect' }, reason, fx);
}

/** Opens a new TCP connection: a fresh id and a SYN. */
function connect(s: BgpMachineState, reason: string, fx: Fx): BgpTransition {
  const attempts = s.attempts + 1;
  const next: BgpMachineState = { ...s, fsm: 'Connect', tcp: 'synSent', attempts, conn: `${s.config.routerId}#${attempts}` };
  fx.push(send(next, { type: 'TCP_SYN', routerId: s.config.routerId }));
  return done(next, reason, fx);
}

/** Accepts an incoming SYN: SYN-ACK, wait for the ACK. */
function accept(s: BgpMachineState, seg: BgpSegment, fsm: BgpFsmState, reason: string, fx: Fx = []): BgpTransition {
  const next: BgpMachineState = { ...s, fsm, tcp: 'synReceived', conn: seg.conn };
  fx.push(send(next, { type: 'TCP_SYN_ACK' }));
  return done(next, reason, fx);
}

/** TCP is up (Events 16/17): send OPEN, hold timer to the large value, OpenSent (§8.2.2 Connect/Active). */
function openSent(s: BgpMachineState, reason: string, fx: Fx = []): BgpTransition {
  const next: BgpMachineState = { ...s, fsm: 'OpenSent', tcp: 'open' };
  const open: OpenMessage = { type: 'OPEN', version: 4, myAs: s.config.localAs, holdTime: s.config.holdTime, bgpIdentifier: s.config.routerId };
  fx.push(stopTimer(BgpTimer.connectRetry), send(next, open), startTimer(BgpTimer.hold, s.config.openHoldTime));
  return done(next, reason, fx);
}

interface IdleOptions {
  /** NOTIFICATION to send first, when a connection is open. */
  notify?: { code: number; subcode: number; data?: string };
  /** Seconds before an automatic restart; undefined: none. */
  restartAfter?: number;
  /** New value of `enabled`. */
  enabled?: boolean;
  /** Count a failed attempt (§8: ConnectRetryCounter). */
  failed?: boolean;
}

/** Drops the connection and goes Idle (the common tail of every error in §8.2.2). */
function toIdle(s: BgpMachineState, reason: string, o: IdleOptions = {}): BgpTransition {
  const fx: Fx = [];
  if (o.notify && s.tcp === 'open') fx.push(send(s, { type: 'NOTIFICATION', ...o.notify }));
  fx.push(stopTimer(BgpTimer.connectRetry), stopTimer(BgpTimer.hold), stopTimer(BgpTimer.keepalive), stopTimer(BgpTimer.idleHold));
  const next: BgpMachineState = {
    ...s,
    fsm: 'Idle',
    tcp: 'closed',
    conn: '',
    enabled: o.enabled ?? s.enabled,
    connectRetryCounter: s.connectRetryCounter + (o.failed ? 1 : 0),
    holdTime: 0,
    keepaliveTime: 0,
  };
  if (s.fsm !== 'Idle') fx.push({ kind: 'down', reason });
  if (o.restartAfter !== undefined && next.enabled && next.transportUp) fx.push(startTimer(BgpTimer.idleHold, o.restartAfter));
  return done(next, reason, fx);
}

/** Restart delay after leaving `fsm` on an error: at once after Established, ConnectRetry after a failed attempt. */
function restartDelay(s: BgpMachineState): number {
  return s.fsm === 'Established' ? 0 : s.config.connectRetryTime;
}

/** Checks an OPEN (RFC 4271 §6.2); returns the error subcode and reason, or undefined when acceptable. */
export function checkOpen(config: BgpNeighborConfig, open: OpenMessage): { subcode: number; reason: string } | undefined {
  if (open.version !== 4) return { subcode: OpenErrorSubcode.unsupportedVersion, reason: 'unsupportedVersion' };
  if (open.myAs !== config.peerAs) return { subcode: OpenErrorSubcode.badPeerAs, reason: 'peerAsMismatch' };
  if (!isAcceptableHoldTime(open.holdTime)) return { subcode: OpenErrorSubcode.unacceptableHoldTime, reason: 'unacceptableHoldTime' };
  // Syntactically invalid, or (internal peers, RFC 6286 §2.2) equal to ours.
  if (!isCanonicalAddress(open.bgpIdentifier) || open.bgpIdentifier === '0.0.0.0' || (open.myAs === config.localAs && open.bgpIdentifier === config.routerId)) {
    return { subcode: OpenErrorSubcode.badBgpIdentifier, reason: 'badBgpIdentifier' };
  }
  return undefined;
}

/** FSM error (§6.6): NOTIFICATION code 5, Idle. */
function fsmError(s: BgpMachineState): BgpTransition {
  return toIdle(s, 'fsmError', { notify: { code: ErrorCode.finiteStateMachine, subcode: 0 }, restartAfter: restartDelay(s), failed: true });
}

/**
 * One transition of a neighbor's machine (RFC 4271 §8.2.2). Pure: the same
 * state and input give the same result.
 */
export function stepBgp(s: BgpMachineState, input: BgpInput): BgpTransition {
  switch (input.kind) {
    case 'manualStart':
      if (s.fsm !== 'Idle') return done({ ...s, enabled: true }, 'alreadyStarted');
      return start({ ...s, enabled: true }, 'manualStart');
    case 'manualStop':
      if (s.fsm === 'Idle') return done({ ...s, enabled: false }, 'manualStop', [stopTimer(BgpTimer.idleHold)]);
      return toIdle(s, 'cease', { notify: { code: ErrorCode.cease, subcode: CeaseSubcode.administrativeShutdown }, enabled: false });
    case 'reset':
      if (s.fsm === 'Idle') return start({ ...s, enabled: true }, 'reset', [stopTimer(BgpTimer.idleHold)]);
      return toIdle(s, 'cease', { notify: { code: ErrorCode.cease, subcode: CeaseSubcode.administrativeReset }, enabled: true, restartAfter: 0 });
    case 'transportUp':
      if (s.transportUp) return done(s, 'transportAlreadyUp');
      if (s.fsm !== 'Idle') return done({ ...s, transportUp: true }, 'transportUp');
      return start({ ...s, transportUp: true }, 'transportUp');
    case 'transportDown': {
      const down = { ...s, transportUp: false };
      if (s.fsm === 'Idle') return done(down, 'transportDown', [stopTimer(BgpTimer.idleHold)]);
      return toIdle(down, 'transportDown', { failed: s.fsm !== 'Established' });
    }
    case 'maxPrefixExceeded':
      if (s.fsm !== 'Established') return done(s, 'notEstablished');
      return toIdle(s, 'maxPrefixExceeded', {
        notify: { code: ErrorCode.cease, subcode: CeaseSubcode.maxPrefixesReached, data: `${input.count} > ${input.limit}` },
        enabled: false,
      });
    case 'sendUpdate': {
      if (s.fsm !== 'Established') return done(s, 'notEstablished');
      const fx: Fx = [send(s, input.update)];
      // §8.2.2 Established: sending an UPDATE restarts the KeepaliveTimer.
      if (s.keepaliveTime > 0) fx.push(startTimer(BgpTimer.keepalive, s.keepaliveTime));
      return done(s, 'updateSent', fx);
    }
    case 'timer':
      return onTimer(s, input.name);
    case 'recv':
      return onSegment(s, input.msg);
  }
}

function onTimer(s: BgpMachineState, name: string): BgpTransition {
  switch (name) {
    case BgpTimer.idleHold:
      // §8.1.1 AutomaticStart after the IdleHoldTimer.
      if (s.fsm !== 'Idle') return done(s, 'ignored');
      return start(s, 'automaticStart');
    case BgpTimer.connectRetry:
      // §8.2.2 Connect/Active, Event 9: drop the attempt and try again.
      if (s.fsm === 'Connect') return connect(s, 'connectRetryTimerExpired', [startTimer(BgpTimer.connectRetry, s.config.connectRetryTime)]);
      if (s.fsm === 'Active') {
        const fx: Fx = [startTimer(BgpTimer.connectRetry, s.config.connectRetryTime)];
        if (s.config.passive) return done({ ...s, tcp: 'closed', conn: '' }, 'connectRetryTimerExpired', fx);
        return connect(s, 'connectRetryTimerExpired', fx);
      }
      return done(s, 'ignored');
    case BgpTimer.hold:
      // §6.5, §8.2.2 Event 10: NOTIFICATION Hold Timer Expired.
      if (s.fsm === 'OpenSent' || s.fsm === 'OpenConfirm' || s.fsm === 'Established') {
        return toIdle(s, 'holdTimerExpired', { notify: { code: ErrorCode.holdTimerExpired, subcode: 0 }, restartAfter: restartDelay(s), failed: true });
      }
      return done(s, 'ignored');
    case BgpTimer.keepalive:
      // §8.2.2 OpenConfirm/Established, Event 11: send KEEPALIVE, restart.
      if ((s.fsm === 'OpenConfirm' || s.fsm === 'Established') && s.keepaliveTime > 0) {
        return done(s, 'keepaliveTimerExpired', [send(s, { type: 'KEEPALIVE' }), startTimer(BgpTimer.keepalive, s.keepaliveTime)]);
      }
      return done(s, 'ignored');
    default:
      return done(s, 'ignored');
  }
}

function routerIdValue(id: string): number {
  return isCanonicalAddress(id) ? parseAddress(id) : 0;
}

function onSegment(s: BgpMachineState, seg: BgpSegment): BgpTransition {
  const m = seg.msg;
  if (m.type === 'TCP_SYN') return onSyn(s, seg, m.routerId);
  // A segment of another connection never reaches BGP (TCP answers it with a RST).
  if (seg.conn !== s.conn || s.fsm === 'Idle') return done(s, 'staleSegment');

  switch (m.type) {
    case 'TCP_SYN_ACK':
      // Event 16 Tcp_CR_Acked: complete the handshake and send OPEN at once.
      if (s.fsm === 'Connect' && s.tcp === 'synSent') return openSent(s, 'tcpConnectionAcked', [send(s, { type: 'TCP_ACK' })]);
      return done(s, 'ignored');
    case 'TCP_ACK':
      // Event 17 TcpConnectionConfirmed.
      if ((s.fsm === 'Connect' || s.fsm === 'Active') && s.tcp === 'synReceived') return openSent(s, 'tcpConnectionConfirmed');
      return done(s, 'ignored');
    case 'TCP_RST':
      // Event 18 TcpConnectionFails.
      if (s.fsm === 'Connect') return toIdle(s, 'connectionRefused', { restartAfter: s.config.connectRetryTime, failed: true });
      if (s.fsm === 'Active') return done({ ...s, tcp: 'closed', conn: '' }, 'connectionRefused');
      return toIdle(s, 'connectionReset', { restartAfter: restartDelay(s), failed: true });
    case 'NOTIFICATION':
      // Event 24/25: the peer closes; no NOTIFICATION in reply.
      return toIdle(s, notificationReason(m.code, m.subcode), { restartAfter: restartDelay(s), failed: s.fsm !== 'Established' });
    case 'OPEN':
      if (s.fsm !== 'OpenSent') return fsmError(s);
      return onOpen(s, m);
    case 'KEEPALIVE':
      if (s.fsm === 'OpenConfirm') {
        // Event 26 in OpenConfirm: the session is up.
        const fx: Fx = [];
        if (s.holdTime > 0) fx.push(startTimer(BgpTimer.hold, s.holdTime));
        fx.push({ kind: 'up', reason: 'established' });
        return done({ ...s, fsm: 'Established', connectRetryCounter: 0 }, 'keepaliveReceived', fx);
      }
      if (s.fsm === 'Established') {
        return done(s, 'keepaliveReceived', s.holdTime > 0 ? [startTimer(BgpTimer.hold, s.holdTime)] : []);
      }
      return fsmError(s);
    case 'UPDATE':
      if (s.fsm === 'Established') {
        const fx: Fx = [];
        if (s.holdTime > 0) fx.push(startTimer(BgpTimer.hold, s.holdTime));
        fx.push({ kind: 'updateReceived', update: m });
        return done(s, 'updateReceived', fx);
      }
      return fsmError(s);
  }
}

function onSyn(s: BgpMachineState, seg: BgpSegment, peerRouterId: string): BgpTransition {
  switch (s.fsm) {
    case 'Idle':
      if (s.enabled && s.transportUp) {
        // AutomaticStart with passive establishment, then the incoming connection.
        return accept(s, seg, 'Active', 'tcpConnectionRequestAccepted', [
          stopTimer(BgpTimer.idleHold),
          startTimer(BgpTimer.connectRetry, s.config.connectRetryTime),
        ]);
      }
      return done(s, 'connectionRefused', [{ kind: 'send', msg: { conn: seg.conn, msg: { type: 'TCP_RST' } } }]);
    case 'Active':
      return accept(s, seg, 'Active', 'tcpConnectionRequestAccepted');
    case 'Connect':
      if (s.tcp === 'synSent' && routerIdValue(s.config.routerId) > routerIdValue(peerRouterId)) {
        // §6.8: the connection of the higher BGP Identifier survives.
        return done(s, 'collisionKeptOwnConnection');
      }
      return accept(s, seg, 'Connect', s.tcp === 'synSent' ? 'collisionYieldedToPeer' : 'tcpConnectionRequestAccepted');
    default:
      // §6.8: an existing connection past Connect/Active wins; the new one is closed.
      return done(s, 'collisionExistingConnection');
  }
}

function onOpen(s: BgpMachineState, open: OpenMessage): BgpTransition {
  const bad = checkOpen(s.config, open);
  if (bad) {
    return toIdle(s, bad.reason, { notify: { code: ErrorCode.openMessage, subcode: bad.subcode }, restartAfter: s.config.connectRetryTime, failed: true });
  }
  const { holdTime, keepaliveTime } = negotiateTimers(s.config.holdTime, open.holdTime, s.config.keepaliveTime);
  const next: BgpMachineState = {
    ...s,
    fsm: 'OpenConfirm',
    holdTime,
    keepaliveTime,
    peer: { asn: open.myAs, routerId: open.bgpIdentifier, holdTime: open.holdTime },
  };
  // §8.2.2 OpenSent, Event 19: KEEPALIVE, negotiated hold timer, KeepaliveTimer.
  const fx: Fx = [send(next, { type: 'KEEPALIVE' })];
  if (holdTime > 0) fx.push(startTimer(BgpTimer.hold, holdTime), startTimer(BgpTimer.keepalive, keepaliveTime));
  else fx.push(stopTimer(BgpTimer.hold));
  return done(next, 'openReceived', fx);
}
