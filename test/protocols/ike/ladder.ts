/**
 * Test helper: two IKE machines stepped by hand, no clock. `input` feeds one
 * end and queues what it sends; `deliver` hands the oldest queued message to
 * its receiver. The ladder (`log`) reads `a->b IKE_SA_INIT req`.
 */
import { ikeStep, initialIkeState, type IkeEffect, type IkeInput, type IkeState, type IkeTransition } from '../../../src/protocols/ike/machine.js';
import type { IkeConfig } from '../../../src/protocols/ike/config.js';
import { describe, type IkeMessage } from '../../../src/protocols/ike/messages.js';

export type End = 'a' | 'b';

export class Ladder {
  a: IkeState;
  b: IkeState;
  readonly log: string[] = [];
  readonly queue: { to: End; msg: IkeMessage }[] = [];
  /** Effects other than sends and timers, tagged with their end. */
  readonly notices: string[] = [];

  constructor(a: IkeConfig, b: IkeConfig) {
    this.a = initialIkeState(a);
    this.b = initialIkeState(b);
  }

  input(end: End, input: IkeInput): IkeTransition {
    const t = ikeStep(this[end], input);
    this[end] = t.next;
    for (const e of t.effects) this.record(end, e);
    return t;
  }

  /** Delivers the oldest queued message; returns the receiver's transition. */
  deliver(): IkeTransition {
    const next = this.queue.shift();
    if (!next) throw new Error('nothing to deliver');
    return this.input(next.to, { kind: 'recv', msg: next.msg });
  }

  /** Drops the oldest queued message (lost on the wire); returns it. */
  drop(): IkeMessage {
    const next = this.queue.shift();
    if (!next) throw new Error('nothing to drop');
    this.log.push(`lost ${describe(next.msg)}`);
    return next.msg;
  }

  /** Delivers until nothing is queued (at most `max` messages). */
  pump(max = 50): void {
    for (let i = 0; i < max && this.queue.length > 0; i++) this.deliver();
  }

  /** The message waiting at the head of the queue. */
  peek(): IkeMessage {
    const next = this.queue[0];
    if (!next) throw new Error('nothing queued');
    return next.msg;
  }

  private record(end: End, e: IkeEffect): void {
    const to: End = end === 'a' ? 'b' : 'a';
    if (e.kind === 'send') {
      this.queue.push({ to, msg: e.msg });
      this.log.push(`${end}->${to} ${describe(e.msg)}`);
    } else if (e.kind === 'up' || e.kind === 'down' || e.kind === 'rekeyed' || e.kind === 'negotiating') {
      this.notices.push(`${end} ${e.kind} ${e.reason}`);
    }
  }
}

/** Messages sent by one transition. */
export function sent(t: IkeTransition): IkeMessage[] {
  return t.effects.flatMap((e) => (e.kind === 'send' ? [e.msg] : []));
}

/** Timer starts of one transition as `name=after`. */
export function timers(t: IkeTransition): string[] {
  return t.effects.flatMap((e) => (e.kind === 'startTimer' ? [`${e.name}=${e.after}`] : []));
}

/** up/down/rekeyed/negotiating effects of one transition as `kind reason`. */
export function notices(t: IkeTransition): string[] {
  return t.effects.flatMap((e) => (e.kind === 'up' || e.kind === 'down' || e.kind === 'rekeyed' || e.kind === 'negotiating' ? [`${e.kind} ${e.reason}`] : []));
}
