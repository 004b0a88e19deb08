/**
 * The kernel's pending-event set: a 4-ary min-heap on parallel typed arrays,
 * ordered by (time, sequence number). The sequence number is assigned at
 * scheduling, so events at the same instant leave in the order they were
 * scheduled (FIFO ties, as in ns-3 and SimPy).
 *
 * Complexity: `push` O(log4 n), `pop` O(4 log4 n), `cancel` O(1) (lazy: the
 * entry stays in the heap, is skipped when it reaches the top, and the heap is
 * compacted in O(n) when cancelled entries outnumber live ones), `peekTime`
 * O(1) amortised. Memory: 20 bytes per heap entry plus one slot per live event.
 *
 * Handles are numbers: `generation * 2^24 + slot`. A slot is reused after its
 * event runs or is cancelled, with its generation bumped, so a stale handle
 * never cancels a newer event.
 */

/** An event callback. Runs once, at its scheduled time. */
export type EventHandler = () => void;

/** Opaque handle of a scheduled event, for {@link EventQueue.cancel}. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 24;

export class EventQueue {
  /** Heap arrays: time (µs), sequence number, slot. */
  private times: Float64Array;
  private seqs: Float64Array;
  private heapSlots: Int32Array;
  private size = 0;
  /** Slot arrays: handler (null when cancelled), label, generation. */
  private handlers: (EventHandler | null)[] = [];
  private labels: (string | undefined)[] = [];
  private gens: number[] = [];
  private freeSlots: number[] = [];
  private nextSeq = 0;
  private cancelledInHeap = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.heapSlots = new Int32Array(initialCapacity);
  }

  /** Live (not cancelled) events waiting to run. */
  get length(): number {
    return this.size - this.cancelledInHeap;
  }

  /** Schedules `handler` at `time` µs; returns its handle. */
  push(time: number, handler: EventHandler, label?: string): EventHandle {
    let slot: number;
    if (this.freeSlots.length > 0) {
      slot = this.freeSlots.pop()!;
      this.handlers[slot] = handler;
      this.labels[slot] = label;
    } else {
      slot = this.handlers.length;
      if (slot >= SLOT_BITS) throw new RangeError('more than 2^24 pending events');
      this.handlers.push(handler);
      this.labels.push(label);
      this.gens.push(0);
    }
    if (this.size === this.times.length) this.grow();
    this.siftUp(this.size++, time, this.nextSeq++, slot);
    return this.gens[slot]! * SLOT_BITS + slot;
  }

  /** Cancels a pending event. Harmless on a handle that already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_BITS;
    const gen = (handle - slot) / SLOT_BITS;
    if (slot >= this.handlers.length || this.gens[slot] !== gen || this.handlers[slot] === null) return false;
    this.handlers[slot] = null;
    this.labels[slot] = undefined;
    this.cancelledInHeap++;
    if (this.cancelledInHeap > 64 && this.cancelledInHeap * 2 > this.size) this.compact();
    return true;
  }

  /** Time (µs) of the earliest live event, or Infinity when there is none. */
  peekTime(): number {
    this.dropCancelledTop();
    return this.size > 0 ? this.times[0]! : Infinity;
  }

  /**
   * Removes the earliest live event. Returns its slot, whose handler and label
   * stay readable through {@link handlerOf}/{@link labelOf} until the next
   * push; -1 when empty.
   */
  popSlot(): number {
    this.dropCancelledTop();
    if (this.size === 0) return -1;
    const slot = this.heapSlots[0]!;
    this.removeTop();
    this.gens[slot]!++;
    this.freeSlots.push(slot);
    return slot;
  }

  /** Time (µs) of the event last returned by {@link popSlot}: call before popping. */
  topTime(): number {
    return this.times[0]!;
  }

  handlerOf(slot: number): EventHandler {
    const h = this.handlers[slot]!;
    this.handlers[slot] = null;
    return h;
  }

  labelOf(slot: number): string | undefined {
    const l = this.labels[slot];
    this.labels[slot] = undefined;
    return l;
  }

  private dropCancelledTop(): void {
    while (this.size > 0 && this.handlers[this.heapSlots[0]!] === null) {
      const slot = this.heapSlots[0]!;
      this.removeTop();
      this.cancelledInHeap--;
      this.gens[slot]!++;
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
        this.gens[slot]!++;
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
