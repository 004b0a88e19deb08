// One spec run against every pending-event set (as ns-3 runs one test over
// each scheduler): the calendar queue (EventQueue) and the 4-ary heap.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventQueue } from '../../../src/sim/kernel/event-queue.js';
import { HeapEventQueue } from '../../../src/sim/kernel/heap-event-queue.js';
import type { EventSet } from '../../../src/sim/kernel/event-set.js';
import { Rng } from '../../../src/sim/kernel/rng.js';

const impls: [string, () => EventSet][] = [
  ['calendar', () => new EventQueue(16)],
  ['heap', () => new HeapEventQueue(16)],
];

/** Pops everything, returning the labels in order. */
function drain(q: EventSet): string[] {
  const out: string[] = [];
  while (q.length > 0) {
    q.pop();
    out.push(q.poppedLabel!);
  }
  return out;
}

/** Expected order: by time, ties by push order. */
function expected(events: { t: number; label: string; i: number }[]): string[] {
  return [...events].sort((a, b) => a.t - b.t || a.i - b.i).map((e) => e.label);
}

for (const [name, make] of impls) {
  const t = suite(`event set: ${name}`);

  t('empty set: length 0, peekTime Infinity', () => {
    const q = make();
    assert.is(q.length, 0);
    assert.is(q.peekTime(), Infinity);
  });

  t('pops in time order, ties in push order', () => {
    const q = make();
    q.push(5, () => {}, 'c');
    q.push(1, () => {}, 'a');
    q.push(5, () => {}, 'd');
    q.push(3, () => {}, 'b');
    q.push(5, () => {}, 'e');
    assert.is(q.peekTime(), 1);
    assert.equal(drain(q), ['a', 'b', 'c', 'd', 'e']);
  });

  t('pop returns the handler of the earliest event', () => {
    const q = make();
    const seen: number[] = [];
    q.push(20, () => seen.push(20), undefined);
    q.push(10, () => seen.push(10), undefined);
    q.pop()(q.poppedArg);
    q.pop()(q.poppedArg);
    assert.equal(seen, [10, 20]);
  });

  t('an event carries its argument; a freed slot forgets it', () => {
    const q = make();
    const a = { id: 'a' }, b = { id: 'b' };
    q.push(20, () => {}, 'b', b);
    q.push(10, () => {}, 'a', a);
    q.push(15, () => {}, 'none');
    q.pop();
    assert.is(q.poppedArg, a);
    q.pop();
    assert.is(q.poppedArg, undefined);
    q.pop();
    assert.is(q.poppedArg, b);
    q.push(30, () => {}, 'c');
    q.pop();
    assert.is(q.poppedArg, undefined, 'a reused slot does not hand on the previous argument');
  });

  t('random times with many ties match a stable sort (grows and shrinks)', () => {
    const rng = new Rng(7).stream('spec/random');
    const q = make();
    const events: { t: number; label: string; i: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      const time = rng.int(0, 400) * 250; // few distinct times: many ties
      events.push({ t: time, label: `e${i}`, i });
      q.push(time, () => {}, `e${i}`);
    }
    assert.is(q.length, 5000);
    assert.equal(drain(q), expected(events));
    assert.is(q.length, 0);
  });

  t('interleaved push/pop (hold model) keeps global order', () => {
    const rng = new Rng(11).stream('spec/hold');
    const q = make();
    let seq = 0;
    for (let i = 0; i < 300; i++) q.push(Math.round(rng.exponential(1e6)), () => {}, `${seq++}`);
    let last = -1;
    const lastSeqAt = new Map<number, number>();
    for (let k = 0; k < 20000; k++) {
      const now = q.peekTime();
      assert.ok(now >= last, `time went back: ${now} < ${last}`);
      q.pop();
      const s = Number(q.poppedLabel);
      // FIFO among equal times: sequence numbers increase at one instant.
      if (lastSeqAt.has(now)) assert.ok(s > lastSeqAt.get(now)!);
      lastSeqAt.set(now, s);
      last = now;
      const delay = k % 7 === 0 ? 0 : Math.round(rng.exponential(1e6));
      q.push(now + delay, () => {}, `${seq++}`);
    }
  });

  t('random pushes at any time (earlier than the head too), peeks, pops and cancels match a reference list', () => {
    const rng = new Rng(5).stream('spec/any');
    const q = make();
    // Reference: pending events sorted by (time, sequence).
    const ref: { t: number; seq: number; h: number }[] = [];
    let seq = 0;
    for (let k = 0; k < 20000; k++) {
      const op = rng.int(0, 9);
      if (op < 5 || ref.length === 0) {
        // Mostly near the head, sometimes far before or after it.
        const head = ref.length > 0 ? ref[0]!.t : 0;
        const t = Math.max(0, op === 0 ? rng.int(0, 2_000_000) : head + rng.int(-2_000, 50_000));
        const e = { t, seq: seq++, h: 0 };
        e.h = q.push(t, () => {}, `${e.seq}`);
        let at = ref.length;
        while (at > 0 && ref[at - 1]!.t > t) at--;
        ref.splice(at, 0, e);
      } else if (op < 8) {
        assert.is(q.peekTime(), ref[0]!.t);
        q.pop();
        assert.is(q.poppedLabel, `${ref.shift()!.seq}`);
      } else {
        const i = rng.int(0, ref.length - 1);
        assert.is(q.cancel(ref[i]!.h), true);
        ref.splice(i, 1);
      }
      assert.is(q.length, ref.length);
    }
    assert.equal(drain(q), ref.map((e) => `${e.seq}`));
  });

  t('time scale change (µs then hours) still pops in order', () => {
    const q = make();
    const events: { t: number; label: string; i: number }[] = [];
    let i = 0;
    for (; i < 200; i++) events.push({ t: i * 3, label: `s${i}`, i });
    for (; i < 400; i++) events.push({ t: 3_600_000_000 * (i - 199), label: `h${i}`, i });
    for (; i < 410; i++) events.push({ t: 2 ** 50 + i, label: `far${i}`, i });
    for (const e of events) q.push(e.t, () => {}, e.label);
    assert.equal(drain(q), expected(events));
  });

  t('an event earlier than the last peeked one is found', () => {
    const q = make();
    q.push(1_000_000, () => {}, 'late');
    assert.is(q.peekTime(), 1_000_000);
    q.push(10, () => {}, 'early');
    assert.is(q.peekTime(), 10);
    assert.equal(drain(q), ['early', 'late']);
  });

  t('cancel removes a pending event; twice or after pop is harmless', () => {
    const q = make();
    const a = q.push(1, () => {}, 'a');
    const b = q.push(2, () => {}, 'b');
    const c = q.push(3, () => {}, 'c');
    assert.is(q.cancel(b), true);
    assert.is(q.cancel(b), false);
    assert.is(q.length, 2);
    q.pop();
    assert.is(q.poppedLabel, 'a');
    assert.is(q.cancel(a), false); // already popped
    assert.equal(drain(q), ['c']);
    assert.is(q.cancel(c), false);
  });

  t('cancel of the earliest event after peek moves to the next', () => {
    const q = make();
    const a = q.push(5, () => {}, 'a');
    q.push(9, () => {}, 'b');
    assert.is(q.peekTime(), 5);
    q.cancel(a);
    assert.is(q.peekTime(), 9);
    assert.equal(drain(q), ['b']);
  });

  t('stale handle after slot reuse does not cancel the new event', () => {
    const q = make();
    const old = q.push(1, () => {}, 'old');
    q.pop(); // slot freed
    q.push(2, () => {}, 'new'); // reuses the slot
    assert.is(q.cancel(old), false);
    assert.is(q.length, 1);
    assert.equal(drain(q), ['new']);
  });

  t('cancel ignores values that are not handles', () => {
    const q = make();
    q.push(1, () => {}, 'a');
    for (const h of [-1, 0.5, NaN, Infinity, 2 ** 40]) assert.is(q.cancel(h), false);
    assert.is(q.length, 1);
  });

  t('cancelling most of many events keeps order and length', () => {
    const rng = new Rng(3).stream('spec/cancel');
    const q = make();
    const events: { t: number; label: string; i: number; h: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const time = rng.int(0, 1_000_000);
      events.push({ t: time, label: `e${i}`, i, h: q.push(time, () => {}, `e${i}`) });
    }
    const kept = events.filter((e, i) => (i % 5 === 0 ? true : (q.cancel(e.h), false)));
    assert.is(q.length, kept.length);
    assert.equal(drain(q), expected(kept));
  });

  t.run();
}
