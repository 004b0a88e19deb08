/**
 * The reliable, ordered byte stream BGP runs on (TCP, RFC 9293), reduced to
 * what shapes timing: segments go out in order over one {@link Link}; a lost
 * segment is sent again after the retransmission timeout, and the segments
 * behind it wait (head-of-line blocking). RTO starts at 1 s and doubles on
 * each consecutive loss up to 60 s (RFC 6298 §2.1, §2.5, §5.5); a delivered
 * segment resets it.
 *
 * A SYN opens a new connection: segments still queued for the old one are
 * abandoned, except a NOTIFICATION, which TCP still delivers before its FIN.
 */
import type { EventHandle, Simulator } from '../../sim/kernel/simulator.js';
import type { Link } from '../link.js';
import { segmentBytes, type BgpSegment } from './messages.js';

/** Retransmission timeouts, seconds. */
export const TCP_RTO = { initial: 1, max: 60 } as const;

/** One direction of a BGP transport connection. */
export class SegmentStream {
  private queue: BgpSegment[] = [];
  private retry: EventHandle | null = null;
  private rto: number = TCP_RTO.initial;
  /** Segments handed to the link, first transmissions and retransmissions. */
  transmissions = 0;
  /** Retransmissions after a loss. */
  retransmissions = 0;

  /**
   * @param deliver runs at the far end when a segment arrives.
   * @param label names the delivery events.
   */
  constructor(
    private readonly sim: Simulator,
    private readonly link: Link,
    private readonly deliver: (seg: BgpSegment) => void,
    private readonly label: string,
  ) {}

  /** Segments waiting for a retransmission (0 when nothing was lost). */
  get backlog(): number {
    return this.queue.length;
  }

  /** Queues a segment and sends what can be sent. */
  send(seg: BgpSegment): void {
    if (seg.msg.type === 'TCP_SYN' && this.queue.length > 0) {
      this.queue = this.queue.filter((q) => q.msg.type === 'NOTIFICATION');
    }
    this.queue.push(seg);
    this.pump();
  }

  /** Drops everything queued and any pending retransmission (the transport under the session is gone). */
  clear(): void {
    this.queue = [];
    if (this.retry !== null) this.sim.cancel(this.retry);
    this.retry = null;
    this.rto = TCP_RTO.initial;
  }

  private pump(): void {
    while (this.retry === null && this.queue.length > 0) {
      const seg = this.queue[0]!;
      this.transmissions++;
      const ok = this.link.transmit(segmentBytes(seg), () => this.deliver(seg), `${this.label} ${seg.msg.type}`);
      if (ok) {
        this.queue.shift();
        this.rto = TCP_RTO.initial;
        continue;
      }
      this.retry = this.sim.schedule(this.rto, this.onRto, `${this.label} rto`);
      this.rto = Math.min(this.rto * 2, TCP_RTO.max);
    }
  }

  private readonly onRto = (): void => {
    this.retry = null;
    this.retransmissions++;
    this.pump();
  };
}
