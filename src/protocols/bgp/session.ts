/**
 * A BGP session between two speakers: one neighbor machine on each, joined
 * by two {@link Link}s (one per direction) through a reliable
 * {@link SegmentStream} each.
 *
 * A session over a VPN runs inside its tunnel and cannot come up before it:
 * both machines are started at once but wait for {@link BgpSession.transportUp},
 * which the owner calls when the tunnel is up. {@link BgpSession.transportDown}
 * (tunnel down, SA deleted) closes the session on both ends at once with
 * reason `transportDown`; a silent failure of the path (a link that drops
 * everything) is found by the hold timer instead (`holdTimerExpired`).
 *
 * {@link BgpSession.reset} models the `resetBgp` action: the chosen end sends
 * NOTIFICATION Cease (administrative reset) and both ends reconnect at once,
 * so the session is back within a few round trips (see machine.ts, restart).
 *
 * Both ends initiate by default; crossing SYNs are settled by BGP Identifier
 * (machine.ts). Setting one end `passive` makes the other the initiator
 * (Azure initiates toward on-premises peers).
 */
import type { Simulator } from '../../sim/kernel/simulator.js';
import type { Link } from '../link.js';
import type { BgpFsmState } from './machine.js';
import type { BgpNeighbor, BgpSpeaker } from './speaker.js';
import { SegmentStream } from './transport.js';
import type { TimerJitter } from '../jitter.js';

/** One end of a session. Times in seconds; defaults as in machine.ts. */
export interface BgpSessionEnd {
  speaker: BgpSpeaker;
  /** This end's address on the session (its BGP peer address); default the speaker's address. */
  address?: string;
  /** ASN this end expects in the other's OPEN; default the other speaker's ASN. */
  expectPeerAs?: number;
  /** Only accept connections; default false. */
  passive?: boolean;
  /** Proposed hold time; default 180. */
  holdTime?: number;
  /** Keepalive interval; default a third of the negotiated hold time. */
  keepaliveTime?: number;
  /** ConnectRetry; default 120. */
  connectRetryTime?: number;
  /** Limit of routes learned from the other end; default the speaker's (4,000). */
  maxPrefixes?: number;
  /** Timer jitter of this end (RFC 4271 §10, `bgpJitter`); default none. */
  jitter?: TimerJitter;
}

/** A change of one end's FSM state, for traces (kind `bgp.state`). */
export interface BgpStateEvent {
  readonly kind: 'bgp.state';
  /** Simulated time, seconds. */
  readonly t: number;
  readonly session: string;
  readonly side: 'a' | 'b';
  /** Name of the speaker at that end. */
  readonly speaker: string;
  readonly from: BgpFsmState;
  readonly to: BgpFsmState;
  readonly reason: string;
}

/** Options of a {@link BgpSession}. */
export interface BgpSessionOptions {
  /** Unique per speaker: each end's neighbor is named after the session. */
  name: string;
  a: BgpSessionEnd;
  b: BgpSessionEnd;
  /** Carries segments from a to b. */
  aToB: Link;
  /** Carries segments from b to a. */
  bToA: Link;
  /** Called on every FSM state change of either end, in simulated-time order. */
  onStateChange?: (e: BgpStateEvent) => void;
}

/** A BGP session between two speakers. One instance per connection; it lives in one simulation. */
export class BgpSession {
  readonly name: string;
  /** The neighbor on speaker a (its peer is b). */
  readonly a: BgpNeighbor;
  /** The neighbor on speaker b (its peer is a). */
  readonly b: BgpNeighbor;
  /** The stream from a to b. */
  readonly aStream: SegmentStream;
  /** The stream from b to a. */
  readonly bStream: SegmentStream;
  private transport = false;
  private readonly aSpeaker: BgpSpeaker;
  private readonly bSpeaker: BgpSpeaker;

  /**
   * Creates both neighbors and starts them (they wait for the transport).
   * @throws UsageError on bad options or a neighbor name already used on either speaker.
   */
  constructor(sim: Simulator, o: BgpSessionOptions) {
    this.name = o.name;
    this.aSpeaker = o.a.speaker;
    this.bSpeaker = o.b.speaker;
    const aAddr = o.a.address ?? o.a.speaker.address;
    const bAddr = o.b.address ?? o.b.speaker.address;
    let a!: BgpNeighbor;
    let b!: BgpNeighbor;
    this.aStream = new SegmentStream(sim, o.aToB, (seg) => b.receive(seg), `bgp/${o.name} a->b`);
    this.bStream = new SegmentStream(sim, o.bToA, (seg) => a.receive(seg), `bgp/${o.name} b->a`);
    const end = (e: BgpSessionEnd, other: BgpSessionEnd, local: string, peer: string, stream: SegmentStream) => ({
      name: o.name,
      peerAs: e.expectPeerAs ?? other.speaker.asn,
      peerAddress: peer,
      localAddress: local,
      passive: e.passive,
      holdTime: e.holdTime,
      keepaliveTime: e.keepaliveTime,
      connectRetryTime: e.connectRetryTime,
      maxPrefixes: e.maxPrefixes,
      ...(e.jitter ? { jitter: e.jitter } : {}),
      send: (seg: Parameters<SegmentStream['send']>[0]) => stream.send(seg),
    });
    a = o.a.speaker.addNeighbor(end(o.a, o.b, aAddr, bAddr, this.aStream));
    b = o.b.speaker.addNeighbor(end(o.b, o.a, bAddr, aAddr, this.bStream));
    this.a = a;
    this.b = b;
    const listen = (side: 'a' | 'b', n: BgpNeighbor, speaker: string) =>
      n.onStateChange((from, to, reason) => o.onStateChange?.({ kind: 'bgp.state', t: sim.now, session: o.name, side, speaker, from, to, reason }));
    listen('a', a, o.a.speaker.name);
    listen('b', b, o.b.speaker.name);
    a.start();
    b.start();
  }

  /** True when the transport is up (as last told). */
  get transportIsUp(): boolean {
    return this.transport;
  }

  /** True when both ends are Established. */
  get established(): boolean {
    return this.a.state === 'Established' && this.b.state === 'Established';
  }

  /** Both ends' FSM states. */
  get states(): { a: BgpFsmState; b: BgpFsmState } {
    return { a: this.a.state, b: this.b.state };
  }

  /** The transport (tunnel) is up: the ends connect. Harmless when already up. */
  transportUp(): void {
    if (this.transport) return;
    this.transport = true;
    this.a.transportUp();
    this.b.transportUp();
  }

  /** The transport went down: segments in flight are dropped and both ends close (`transportDown`). */
  transportDown(): void {
    if (!this.transport) return;
    this.transport = false;
    this.aStream.clear();
    this.bStream.clear();
    this.a.transportDown();
    this.b.transportDown();
  }

  /** `resetBgp`: the `side` end sends Cease and both reconnect at once. Re-enables a max-prefix stop. */
  reset(side: 'a' | 'b' = 'a'): void {
    (side === 'a' ? this.a : this.b).reset();
  }

  /** Stops both ends (Cease, administrative shutdown); they stay Idle until {@link start}. */
  stop(): void {
    this.a.stop();
    this.b.stop();
  }

  /** Starts both ends again after {@link stop}. */
  start(): void {
    this.a.start();
    this.b.start();
  }

  /** Removes the session: pending retransmissions stop and each speaker drops the other's routes. */
  dispose(): void {
    this.aStream.clear();
    this.bStream.clear();
    this.aSpeaker.removeNeighbor(this.a.name);
    this.bSpeaker.removeNeighbor(this.b.name);
  }
}
