/**
 * The kernel's default pending-event set: a calendar queue (R. Brown, CACM
 * 31(10), 1988) keyed by integer microseconds, on typed arrays.
 *
 * Layout: each event lives in a slot (parallel typed arrays for time and
 * links, plain arrays for handler and label), so scheduling allocates nothing
 * once the arrays have grown. Bucket `b` holds the events whose virtual
 * bucket `floor(time / width)` is congruent to `b` modulo the bucket count,
 * in a doubly linked list sorted by time; an event is inserted after every
 * event of equal or earlier time, so equal times leave in scheduling order
 * (FIFO ties, as in ns-3 and SimPy) without a sequence number.
 *
 * Complexity (n pending): `push` O(1) expected (the list is walked from its
 * tail; usually the new event goes last), `pop`/`peekTime` O(1) expected
 * (buckets are scanned forward from the current one; a full empty year falls
 * back to an O(buckets) search for the minimum), `cancel` O(1) (the entry is
 * unlinked at once). The bucket count doubles when n exceeds twice it and
 * halves when n falls below half of it, re-estimating the bucket width from
 * the gaps between the earliest pending events (O(n log n), amortised O(log n)
 * per event); the width is also re-estimated when scanning costs drift above
 * a few steps per event (the time scale of the workload changed).
 * Worst case (adversarial time distributions): O(n) per operation.
 * Memory: 24 bytes of typed arrays per slot plus 8 per bucket.
 */
import { GENERATION_MASK, SLOT_LIMIT, type EventHandle, type EventHandler, type EventSet } from './event-set.js';

export type { EventHandle, EventHandler } from './event-set.js';

const NIL = -1;
const MIN_BUCKETS = 16;
/** Bucket width as a multiple of the mean gap between the earliest events. */
const WIDTH_FACTOR = 3;
/** Events at the front of the queue whose gaps set the bucket width. */
const WIDTH_SAMPLE = 33;
/** Re-estimate the width when scanning averages more than this many steps per pop. */
const MAX_STEPS_PER_POP = 6;

/** Calendar queue of events at integer-microsecond times. See the file header for complexity. */
export class EventQueue implements EventSet {
  // ---- slots
  private time: Float64Array;
  private next: Int32Array;
  private prev: Int32Array;
  private gen: Int32Array;
  private free: Int32Array;
  private freeTop = 0;
  private slotsUsed = 0;
  private readonly handlers: (EventHandler | null)[] = [];
  private readonly labels: (string | undefined)[] = [];
  private readonly args: unknown[] = [];
  // ---- buckets
  private head: Int32Array;
  private tail: Int32Array;
  private buckets = MIN_BUCKETS;
  private mask = MIN_BUCKETS - 1;
  /** Bucket width in µs, an integer of 1 or more. */
  private width = 1000;
  /** Virtual bucket (`floor(time / width)`) where the search for the minimum starts. */
  private cur = 0;
  private size = 0;
  /** True when `cur` points at the bucket whose head is the earliest event. */
  private positioned = false;
  // ---- cost accounting for width re-estimation
  private steps = 0;
  private pops = 0;

  /** Label of the event last returned by {@link pop}. */
  poppedLabel: string | undefined = undefined;
  /** Argument of the event last returned by {@link pop}. */
  poppedArg: unknown = undefined;

  /** @param initialSlots slots allocated up front (grown by doubling). */
  constructor(initialSlots = 1024) {
    const cap = Math.max(16, initialSlots | 0);
    this.time = new Float64Array(cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.free = new Int32Array(cap);
    this.head = new Int32Array(MIN_BUCKETS).fill(NIL);
    this.tail = new Int32Array(MIN_BUCKETS).fill(NIL);
  }

  /** Live (not cancelled, not yet popped) events. */
  get length(): number {
    return this.size;
  }

  /** Current bucket width in µs (diagnostics and tests). */
  get bucketWidth(): number {
    return this.width;
  }

  /** Current number of buckets (diagnostics and tests). */
  get bucketCount(): number {
    return this.buckets;
  }

  /**
   * Schedules `handler` at `timeUs` (integer µs); returns its handle.
   * @throws RangeError when 2^24 events are already pending.
   */
  push(timeUs: number, handler: EventHandler, label: string | undefined, arg?: unknown): EventHandle {
    let s: number;
    if (this.freeTop > 0) {
      s = this.free[--this.freeTop]!;
    } else {
      if (this.slotsUsed === this.time.length) this.growSlots();
      s = this.slotsUsed++;
    }
    this.time[s] = timeUs;
    this.handlers[s] = handler;
    this.labels[s] = label;
    this.args[s] = arg;
    // Positioning survives a push: when `cur` points at the earliest event, a
    // later event leaves it there, and an earlier one (even from a virtual
    // bucket before `cur`, which link moves `cur` back to) becomes the head of
    // its bucket, since every pending event is later than it.
    this.link(s, timeUs);
    if (++this.size > this.buckets << 1) this.resize(this.buckets << 1);
    return this.gen[s]! * SLOT_LIMIT + s;
  }

  /** Cancels a pending event. Harmless (returns false) on a handle that already ran, was cancelled or is not a handle. */
  cancel(handle: EventHandle): boolean {
    if (!Number.isInteger(handle) || handle < 0) return false;
    const s = handle % SLOT_LIMIT;
    if (s >= this.slotsUsed || this.gen[s] !== (handle - s) / SLOT_LIMIT || this.handlers[s] === null) return false;
    this.unlink(s);
    this.release(s);
    this.positioned = false;
    if (--this.size < this.buckets >> 1 && this.buckets > MIN_BUCKETS) this.resize(this.buckets >> 1);
    return true;
  }

  /** Time (µs) of the earliest event, or Infinity when empty. */
  peekTime(): number {
    if (this.size === 0) return Infinity;
    if (!this.positioned) this.position();
    return this.time[this.head[this.cur & this.mask]!]!;
  }

  /** Removes the earliest event and returns its handler; its label is then in {@link poppedLabel}. Only call when `length > 0`. */
  pop(): EventHandler {
    if (!this.positioned) this.position();
    const b = this.cur & this.mask;
    const s = this.head[b]!;
    const n = this.next[s]!;
    this.head[b] = n;
    if (n === NIL) this.tail[b] = NIL;
    else this.prev[n] = NIL;
    const h = this.handlers[s]!;
    this.poppedLabel = this.labels[s];
    this.poppedArg = this.args[s];
    // Free the slot; its label stays until the slot is reused (a string, harmless); its argument is dropped.
    this.handlers[s] = null;
    this.args[s] = undefined;
    this.gen[s] = (this.gen[s]! + 1) & GENERATION_MASK;
    this.free[this.freeTop++] = s;
    // The bucket's new head (if any) may belong to a later year: re-check on next peek.
    this.positioned = n !== NIL && this.time[n]! < (this.cur + 1) * this.width;
    if (--this.size < this.buckets >> 1 && this.buckets > MIN_BUCKETS) this.resize(this.buckets >> 1);
    else if (++this.pops >= this.buckets) this.checkCost();
    return h;
  }

  // ------------------------------------------------------------------ internals

  /** Inserts slot `s` (time `t`) into its bucket after every event of time <= t. */
  private link(s: number, t: number): void {
    const vb = Math.floor(t / this.width);
    if (vb < this.cur) this.cur = vb;
    const b = vb & this.mask;
    const T = this.time, next = this.next, prev = this.prev;
    let p = this.tail[b]!;
    if (p === NIL || T[p]! <= t) {
      // Append: the common case.
      prev[s] = p;
      next[s] = NIL;
      if (p === NIL) this.head[b] = s;
      else next[p] = s;
      this.tail[b] = s;
      return;
    }
    let walked = 0;
    do {
      p = prev[p]!;
      walked++;
    } while (p !== NIL && T[p]! > t);
    this.steps += walked;
    // Insert after p (at the head when p is NIL).
    const n = p === NIL ? this.head[b]! : next[p]!;
    prev[s] = p;
    next[s] = n;
    prev[n] = s;
    if (p === NIL) this.head[b] = s;
    else next[p] = s;
  }

  /** Unlinks slot `s` from its bucket list. */
  private unlink(s: number): void {
    const b = Math.floor(this.time[s]! / this.width) & this.mask;
    const p = this.prev[s]!, n = this.next[s]!;
    if (p === NIL) this.head[b] = n;
    else this.next[p] = n;
    if (n === NIL) this.tail[b] = p;
    else this.prev[n] = p;
  }

  /** Frees slot `s`: drops its handler, moves its generation on, returns it to the free stack. */
  private release(s: number): void {
    this.handlers[s] = null;
    this.labels[s] = undefined;
    this.args[s] = undefined;
    this.gen[s] = (this.gen[s]! + 1) & GENERATION_MASK;
    this.free[this.freeTop++] = s;
  }

  /** Moves `cur` to the virtual bucket holding the earliest event (size > 0). */
  private position(): void {
    const T = this.time, head = this.head, mask = this.mask, width = this.width;
    let vb = this.cur;
    let h = head[vb & mask]!;
    let scanned = 0;
    while (h === NIL || T[h]! >= (vb + 1) * width) {
      vb++;
      h = head[vb & mask]!;
      if (++scanned > this.buckets) {
        vb = this.directSearch();
        break;
      }
    }
    this.steps += scanned;
    this.cur = vb;
    this.positioned = true;
  }

  /** The virtual bucket of the earliest event, by looking at every bucket head: O(buckets). */
  private directSearch(): number {
    let best = Infinity;
    for (let b = 0; b < this.buckets; b++) {
      const h = this.head[b]!;
      if (h !== NIL && this.time[h]! < best) best = this.time[h]!;
    }
    return Math.floor(best / this.width);
  }

  /** Every `buckets` pops: rebuild with a fresh width when scanning got expensive. */
  private checkCost(): void {
    if (this.steps > MAX_STEPS_PER_POP * this.pops && this.size > 1) this.resize(this.buckets);
    this.steps = 0;
    this.pops = 0;
  }

  /**
   * Rebuilds with `nb` buckets and a width estimated from the earliest
   * pending events. Re-links in old list order so equal times keep their
   * FIFO order.
   */
  private resize(nb: number): void {
    const n = this.size;
    const order = new Int32Array(n);
    const times = new Float64Array(n);
    let k = 0;
    for (let b = 0; b < this.buckets; b++) {
      for (let s = this.head[b]!; s !== NIL; s = this.next[s]!) {
        order[k] = s;
        times[k++] = this.time[s]!;
      }
    }
    times.sort();
    this.width = estimateWidth(times, this.width);
    if (nb !== this.buckets) {
      this.buckets = nb;
      this.mask = nb - 1;
      this.head = new Int32Array(nb);
      this.tail = new Int32Array(nb);
    }
    this.head.fill(NIL);
    this.tail.fill(NIL);
    this.cur = n > 0 ? Math.floor(times[0]! / this.width) : 0;
    for (let i = 0; i < n; i++) {
      const s = order[i]!;
      this.link(s, this.time[s]!);
    }
    this.positioned = false;
    this.steps = 0;
    this.pops = 0;
  }

  private growSlots(): void {
    const cap = this.time.length * 2;
    if (this.time.length >= SLOT_LIMIT) throw new RangeError(`event queue: more than ${SLOT_LIMIT} events pending. Cancel or run events before scheduling more`);
    const grow = <A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.time = grow(this.time, (c) => new Float64Array(c));
    this.next = grow(this.next, (c) => new Int32Array(c));
    this.prev = grow(this.prev, (c) => new Int32Array(c));
    this.gen = grow(this.gen, (c) => new Int32Array(c));
    this.free = grow(this.free, (c) => new Int32Array(c));
  }
}

/**
 * Bucket width (µs) from the gaps between the earliest pending events
 * (Brown's estimate: mean gap, then mean again without gaps over twice that,
 * times {@link WIDTH_FACTOR}). The front sets it because that is where
 * events are dequeued; a sample of equal times is widened until it shows a
 * gap. Keeps `previous` when every pending time is equal.
 */
function estimateWidth(sorted: Float64Array, previous: number): number {
  const n = sorted.length;
  if (n < 2) return previous;
  let m = Math.min(n, WIDTH_SAMPLE);
  while (sorted[m - 1] === sorted[0] && m < n) m = Math.min(n, m * 4);
  const mean = (sorted[m - 1]! - sorted[0]!) / (m - 1);
  if (mean === 0) return previous;
  let sum = 0;
  let count = 0;
  for (let i = 1; i < m; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap <= 2 * mean) {
      sum += gap;
      count++;
    }
  }
  const gap = count > 0 && sum > 0 ? sum / count : mean;
  return Math.max(1, Math.ceil(WIDTH_FACTOR * gap));
}
