/**
 * TCP reliability for the SSTP machines, as pure helpers: the three-way
 * handshake (RFC 9293 §3.5), cumulative acknowledgement, in-order delivery
 * with an out-of-order buffer, and the retransmission timer of RFC 6298.
 *
 * Segments are numbered per segment, not per byte; a segment carries one
 * flight of records. There is no RTT estimation: every RTO restarts from the
 * initial 1 s (RFC 6298 §2.1). For paths with RTT below 1/3 s the estimate of
 * §2.2-§2.3 (SRTT + 4·RTTVAR = 3·RTT) would be raised to the 1 s floor of
 * §2.4 anyway, so the figure is the one a real stack uses there. ACKs are
 * sent at once (no delayed ACK), so acknowledgements never add delay.
 *
 * One timer per connection (RFC 6298 §5): started when a segment is sent and
 * none is running (§5.1), restarted when new data is acknowledged and some
 * is still outstanding (§5.3), stopped when all is acknowledged (§5.2). On
 * expiry the earliest unacknowledged segment is retransmitted (§5.4), the RTO
 * doubles up to `maxRto` (§5.5) and the timer restarts (§5.6). After
 * `maxRetries` retransmissions of the same segment the next expiry gives up.
 * If the SYN or SYN-ACK had to be retransmitted, data starts with an RTO of
 * 3 s (§5.7).
 */
import type { CommonEffect } from '../machine.js';
import type { SstpRecord, TcpSegment } from './messages.js';

/** Tunables of the TCP model. */
export interface TcpOptions {
  /** Initial retransmission timeout, seconds. Default 1 (RFC 6298 §2.1). */
  readonly initialRto: number;
  /** Upper bound of the backed-off RTO, seconds. Default 60 (RFC 6298 §2.5). */
  readonly maxRto: number;
  /**
   * Retransmissions of one segment before the connection gives up. Default 5
   * (Windows `TcpMaxDataRetransmissions`): with a 1 s initial RTO the
   * connection gives up 1+2+4+8+16+32 = 63 s after the first transmission.
   */
  readonly maxRetries: number;
}

/** Defaults of {@link TcpOptions}. */
export const DEFAULT_TCP_OPTIONS: Readonly<TcpOptions> = { initialRto: 1, maxRto: 60, maxRetries: 5 };

/** Name of the retransmission timer in machine effects. */
export const RTO_TIMER = 'rto';

/** A data segment. */
export type DataSegment = Extract<TcpSegment, { kind: 'data' }>;

/** Connection phase (RFC 9293 §3.3.2, reduced). */
export type TcpPhase = 'closed' | 'listen' | 'synSent' | 'synReceived' | 'established';

/** State of one TCP endpoint. Immutable. */
export interface TcpState {
  readonly phase: TcpPhase;
  /** Number of the next data segment to send. */
  readonly sndNext: number;
  /** Data segments sent and not yet acknowledged, in order. */
  readonly unacked: readonly DataSegment[];
  /** Number of the next data segment expected from the peer. */
  readonly rcvNext: number;
  /** Segments received ahead of `rcvNext`. */
  readonly outOfOrder: readonly DataSegment[];
  /** Current RTO, seconds. */
  readonly rto: number;
  /** Retransmissions of the earliest outstanding segment so far. */
  readonly retries: number;
  /** True once the SYN or SYN-ACK was retransmitted (RFC 6298 §5.7). */
  readonly synRetransmitted: boolean;
  /** Retransmissions over the connection's life (statistics). */
  readonly retransmissions: number;
}

/** Effects the TCP helpers produce. */
export type TcpEffect = CommonEffect<TcpSegment>;

/** A fresh endpoint: `closed` for a client, `listen` for a server. */
export function tcpInitial(opts: TcpOptions, phase: 'closed' | 'listen'): TcpState {
  return { phase, sndNext: 0, unacked: [], rcvNext: 0, outOfOrder: [], rto: opts.initialRto, retries: 0, synRetransmitted: false, retransmissions: 0 };
}

function baseRto(tcp: TcpState, opts: TcpOptions): number {
  // RFC 6298 §5.7: after a retransmitted SYN, data starts at 3 s.
  return tcp.synRetransmitted ? Math.max(3, opts.initialRto) : opts.initialRto;
}

/** Active open: sends the SYN and starts the retransmission timer (RFC 9293 §3.5). */
export function tcpConnect(tcp: TcpState, opts: TcpOptions, fx: TcpEffect[]): TcpState {
  fx.push({ kind: 'send', msg: { kind: 'syn' } });
  fx.push({ kind: 'startTimer', name: RTO_TIMER, after: opts.initialRto });
  return { ...tcp, phase: 'synSent', rto: opts.initialRto, retries: 0 };
}

/**
 * Sends one flight of records as a data segment, piggybacking the ACK; or a
 * pure ACK when there is nothing to send but `ackNeeded`.
 */
export function tcpSend(tcp: TcpState, records: readonly SstpRecord[], ackNeeded: boolean, fx: TcpEffect[]): TcpState {
  if (records.length === 0) {
    if (ackNeeded) fx.push({ kind: 'send', msg: { kind: 'ack', ack: tcp.rcvNext } });
    return tcp;
  }
  const seg: DataSegment = { kind: 'data', seq: tcp.sndNext, ack: tcp.rcvNext, records };
  fx.push({ kind: 'send', msg: seg });
  // RFC 6298 §5.1: start the timer if it is not running (nothing outstanding).
  if (tcp.unacked.length === 0) fx.push({ kind: 'startTimer', name: RTO_TIMER, after: tcp.rto });
  return { ...tcp, sndNext: tcp.sndNext + 1, unacked: [...tcp.unacked, seg] };
}

/**
 * Sends a flight once, without keeping it for retransmission (a last word
 * before closing, such as a Call Abort; as unreliable as the RST it stands for).
 */
export function tcpSendOnce(tcp: TcpState, records: readonly SstpRecord[], fx: TcpEffect[]): void {
  if (tcp.phase !== 'established') return;
  fx.push({ kind: 'send', msg: { kind: 'data', seq: tcp.sndNext, ack: tcp.rcvNext, records } });
}

/** What {@link tcpReceive} found. */
export interface TcpReceived {
  readonly tcp: TcpState;
  /** Records now deliverable in order. */
  readonly delivered: readonly SstpRecord[];
  /** The handshake completed with this segment. */
  readonly established: boolean;
  /** The peer sent data or a handshake segment that must be acknowledged. */
  readonly ackNeeded: boolean;
}

/** Processes one incoming segment. */
export function tcpReceive(tcp0: TcpState, seg: TcpSegment, opts: TcpOptions, fx: TcpEffect[]): TcpReceived {
  let tcp = tcp0;
  let established = false;
  let ackNeeded = false;
  const delivered: SstpRecord[] = [];
  switch (seg.kind) {
    case 'syn':
      // RFC 9293 §3.5: a listener answers SYN with SYN-ACK; a duplicate SYN
      // (our SYN-ACK was lost) is answered again without touching the timer.
      if (tcp.phase === 'listen') {
        fx.push({ kind: 'send', msg: { kind: 'synAck' } });
        fx.push({ kind: 'startTimer', name: RTO_TIMER, after: opts.initialRto });
        tcp = { ...tcp, phase: 'synReceived', rto: opts.initialRto, retries: 0 };
      } else if (tcp.phase === 'synReceived') {
        fx.push({ kind: 'send', msg: { kind: 'synAck' } });
      }
      return { tcp, delivered, established, ackNeeded };
    case 'synAck':
      if (tcp.phase === 'synSent') {
        fx.push({ kind: 'stopTimer', name: RTO_TIMER });
        tcp = { ...tcp, phase: 'established', retries: 0 };
        tcp = { ...tcp, rto: baseRto(tcp, opts) };
        established = true;
        ackNeeded = true;
      } else if (tcp.phase === 'established') {
        ackNeeded = true; // our handshake ACK was lost; say it again
      }
      return { tcp, delivered, established, ackNeeded };
    case 'ack':
    case 'data': {
      if (tcp.phase === 'synReceived') {
        // The handshake ACK, or data carrying it (RFC 9293 §3.5).
        fx.push({ kind: 'stopTimer', name: RTO_TIMER });
        tcp = { ...tcp, phase: 'established', retries: 0 };
        tcp = { ...tcp, rto: baseRto(tcp, opts) };
        established = true;
      }
      if (tcp.phase !== 'established') return { tcp, delivered, established, ackNeeded };
      tcp = processAck(tcp, seg.ack, opts, fx);
      if (seg.kind === 'ack') return { tcp, delivered, established, ackNeeded };
      ackNeeded = true;
      if (seg.seq < tcp.rcvNext) return { tcp, delivered, established, ackNeeded }; // duplicate
      if (seg.seq > tcp.rcvNext) {
        if (!tcp.outOfOrder.some((s) => s.seq === seg.seq)) tcp = { ...tcp, outOfOrder: [...tcp.outOfOrder, seg] };
        return { tcp, delivered, established, ackNeeded };
      }
      delivered.push(...seg.records);
      let rcvNext = tcp.rcvNext + 1;
      let ooo = tcp.outOfOrder;
      for (;;) {
        const nextSeg = ooo.find((s) => s.seq === rcvNext);
        if (!nextSeg) break;
        delivered.push(...nextSeg.records);
        ooo = ooo.filter((s) => s !== nextSeg);
        rcvNext++;
      }
      tcp = { ...tcp, rcvNext, outOfOrder: ooo };
      return { tcp, delivered, established, ackNeeded };
    }
  }
}

function processAck(tcp: TcpState, ack: number, opts: TcpOptions, fx: TcpEffect[]): TcpState {
  const remaining = tcp.unacked.filter((s) => s.seq >= ack);
  if (remaining.length === tcp.unacked.length) return tcp; // no new data acknowledged
  const rto = baseRto(tcp, opts);
  if (remaining.length === 0) fx.push({ kind: 'stopTimer', name: RTO_TIMER }); // RFC 6298 §5.2
  else fx.push({ kind: 'startTimer', name: RTO_TIMER, after: rto }); // §5.3
  return { ...tcp, unacked: remaining, retries: 0, rto };
}

/**
 * The retransmission timer expired: retransmit the earliest outstanding
 * segment with a doubled RTO (RFC 6298 §5.4-§5.6), or give up.
 * @returns the new state, and `gaveUp` when `maxRetries` were exhausted.
 */
export function tcpTimeout(tcp: TcpState, opts: TcpOptions, fx: TcpEffect[]): { tcp: TcpState; gaveUp: boolean } {
  let resend: TcpSegment | undefined;
  if (tcp.phase === 'synSent') resend = { kind: 'syn' };
  else if (tcp.phase === 'synReceived') resend = { kind: 'synAck' };
  else if (tcp.phase === 'established' && tcp.unacked.length > 0) {
    const first = tcp.unacked[0]!;
    resend = { ...first, ack: tcp.rcvNext };
  }
  if (!resend) return { tcp, gaveUp: false }; // stale expiry: nothing outstanding
  if (tcp.retries >= opts.maxRetries) return { tcp, gaveUp: true };
  const rto = Math.min(tcp.rto * 2, opts.maxRto);
  fx.push({ kind: 'send', msg: resend });
  fx.push({ kind: 'startTimer', name: RTO_TIMER, after: rto });
  return {
    tcp: {
      ...tcp,
      rto,
      retries: tcp.retries + 1,
      retransmissions: tcp.retransmissions + 1,
      synRetransmitted: tcp.synRetransmitted || resend.kind !== 'data',
    },
    gaveUp: false,
  };
}
