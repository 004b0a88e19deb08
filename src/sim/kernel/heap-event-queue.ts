/**
 * A second pending-event set: a 4-ary min-heap on parallel typed arrays,
 * ordered by (time, sequence number). The sequence number is assigned at
 * push, so events at the same instant leave in the order they were scheduled
 * (FIFO ties). Kept as the reference the calendar queue is checked against,
 * and for workloads whose time distribution defeats a calendar's buckets.
 *
 * Complexity (n entries in the heap): `push` O(log4 n), `pop` O(4 log4 n),
 * `cancel` O(1) (lazy: the entry stays in the heap, is skipped when it
 * reaches the top, and the heap is compacted in O(n) when cancelled entries
 * outnumber live ones), `peekTime` O(1) amortised. Memory: 20 bytes per heap
 * entry plus one slot per live event.
 */
import { GENERATION_MASK, SLOT_LIMIT, type EventHandle, type EventHandler, type EventSet } from './event-set.js';

/** 4-ary heap of events at integer-microsecond times. See the file header for complexity. */
export class HeapEventQueue implements EventSet {
  /** Heap arrays: time (µs), sequence number, slot. */
  private times: Float64Array;
  private seqs: Float64Array;
  private heapSlots: Int32Array;
  private size = 0;
  /** Slot arrays: handler (null when free or cancelled), label, generation. */
  private readonly handlers: (EventHandler | null)[] = [];
  private readonly labels: (string | undefined)[] = [];
  private readonly args: unknown[] = [];
  private readonly gens: number[] = [];
  private readonly freeSlots: number[] = [];
  private nextSeq = 0;
  private cancelledInHeap = 0;

  /** Label of the event last returned by {@link pop}. */
  poppedLabel: string | undefined = undefined;
  /** Argument of the event last returned by {@link pop}. */
  poppedArg: unknown = undefined;

  /** @param initialCapacity heap entries allocated up front (grown by doubling). */
  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.heapSlots = new Int32Array(cap);
  }

  /** Live (not cancelled, not yet popped) events. */
  get length(): number {
    return this.size - this.cancelledInHeap;
  }

  /**
   * Schedules `handler` at `timeUs` (integer µs); returns its handle.
   * @throws RangeError when 2^24 events are already pending.
   */
  push(timeUs: number, handler: EventHandler, label: string | undefined, arg?: unknown): EventHandle {
    let slot: number;
    if (this.freeSlots.length > 0) {
      slot = this.freeSlots.pop()!;
      this.handlers[slot] = handler;
      this.labels[slot] = label;
      this.args[slot] = arg;
    } else {
      slot = this.handlers.length;
      if (slot >= SLOT_LIMIT) throw new RangeError(`event queue: more than ${SLOT_LIMIT} events pending. Cancel or run events before scheduling more`);
      this.handlers.push(handler);
      this.labels.push(label);
      this.args.push(arg);
      this.gens.push(0);
    }
    if (this.size === this.times.length) this.grow();
    this.siftUp(this.size++, timeUs, this.nextSeq++, slot);
    return this.gens[slot]! * SLOT_LIMIT + slot;
  }

  /** Cancels a pending event. Harmless (returns false) on a handle that already ran, was cancelled or is not a handle. */
  cancel(handle: EventHandle): boolean {
    if (!Number.isInteger(handle) || handle < 0) return false;
    const slot = handle % SLOT_LIMIT;
    const gen = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.handlers.length || this.gens[slot] !== gen || this.handlers[slot] === null) return false;
    this.handlers[slot] = null;
    this.labels[slot] = undefined;
    this.args[slot] = undefined;
    this.cancelledInHeap++;
    if (this.cancelledInHeap > 64 && this.cancelledInHeap * 2 > this.size) this.compact();
    return true;
  }

  /** Time (µs) of the earliest event, or Infinity when empty. */
  peekTime(): number {
    this.dropCancelledTop();
    return this.size > 0 ? this.times[0]! : Infinity;
  }

  /** Removes the earliest event and returns its handler; its label is then in {@link poppedLabel}, its argument in {@link poppedArg}. Only call when `length > 0`. */
  pop(): EventHandler {
    this.dropCancelledTop();
    const slot = this.heapSlots[0]!;
    this.removeTop();
    const h = this.handlers[slot]!;
    this.poppedLabel = this.labels[slot];
    this.poppedArg = this.args[slot];
    this.freeSlot(slot);
    return h;
  }

  private freeSlot(slot: number): void {
    this.handlers[slot] = null;
    this.labels[slot] = undefined;
    this.args[slot] = undefined;
    this.gens[slot] = (this.gens[slot]! + 1) & GENERATION_MASK;
    this.freeSlots.push(slot);
  }

  private dropCancelledTop(): void {
    while (this.size > 0 && this.handlers[this.heapSlots[0]!] === null) {
      const slot = this.heapSlots[0]!;
      this.removeTop();
      this.cancelledInHeap--;
      this.gens[slot] = (this.gens[slot]! + 1) & GENERATION_MASK;
      this.freeSlots.push(slot);
    }
  }

  private removeTop(): void {
    const n = --this.size;
    if (n > 0) this.siftDown(0, this.times[n]!, this.seqs[n]!, this.heapSlots[n]!, n);
  }

  private siftUp(i: number, t: number, s: number, slot: number): void {
    const T = this.times, S = this.seqs, H = this.heapSlots;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = T[p]!;
      if (pt < t || (pt === t && S[p]! < s)) break;
      T[i] = pt; S[i] = S[p]!; H[i] = H[p]!;
      i = p;
    }
    T[i] = t; S[i] = s; H[i] = slot;
  }

  private siftDown(i: number, t: number, s: number, slot: number, n: number): void {
    const T = this.times, S = this.seqs, H = this.heapSlots;
    for (;;) {
      const c0 = 4 * i + 1;
      if (c0 >= n) break;
      let m = c0;
      let mt = T[c0]!;
      const end = c0 + 4 < n ? c0 + 4 : n;
      for (let c = c0 + 1; c < end; c++) {
        const ct = T[c]!;
        if (ct < mt || (ct === mt && S[c]! < S[m]!)) { m = c; mt = ct; }
      }
      if (t < mt || (t === mt && s < S[m]!)) break;
      T[i] = mt; S[i] = S[m]!; H[i] = H[m]!;
      i = m;
    }
    T[i] = t; S[i] = s; H[i] = slot;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const T = new Float64Array(cap); T.set(this.times); this.times = T;
    const S = new Float64Array(cap); S.set(this.seqs); this.seqs = S;
    const H = new Int32Array(cap); H.set(this.heapSlots); this.heapSlots = H;
  }

  /** Drops every cancelled entry and rebuilds the heap: O(n). */
  private compact(): void {
    const T = this.times, S = this.seqs, H = this.heapSlots;
    let w = 0;
    for (let r = 0; r < this.size; r++) {
      const slot = H[r]!;
      if (this.handlers[slot] === null) {
        this.gens[slot] = (this.gens[slot]! + 1) & GENERATION_MASK;
        this.freeSlots.push(slot);
        continue;
      }
      T[w] = T[r]!; S[w] = S[r]!; H[w] = slot; w++;
    }
    this.size = w;
    this.cancelledInHeap = 0;
    for (let i = (w - 2) >> 2; i >= 0; i--) this.siftDown(i, T[i]!, S[i]!, H[i]!, w);
  }
}
