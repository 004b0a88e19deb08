// Simulator semantics, run once per pending-event set kind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulator } from '../../../src/sim/kernel/simulator.js';
import type { EventSetKind } from '../../../src/sim/kernel/event-set.js';
import { Rng } from '../../../src/sim/kernel/rng.js';
import { SimulationError, UsageError } from '../../../src/errors.js';

function throwsUsage(fn: () => unknown, rule = 'time'): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UsageError);
    assert.is((err as UsageError).rule, rule);
    return;
  }
  assert.unreachable('expected a UsageError');
}

for (const kind of ['calendar', 'heap'] as EventSetKind[]) {
  const t = suite(`simulator (${kind})`);
  const make = () => new Simulator({ queue: kind });

  t('an event hands its argument to the handler (schedule, scheduleAt, scheduleAtUs, step)', () => {
    const sim = make();
    const seen: string[] = [];
    const shared = (x: { tag: string } | undefined) => seen.push(x === undefined ? 'none' : x.tag);
    sim.schedule(0.002, shared, 'p', { tag: 'b' });
    sim.scheduleAt(0.001, shared, 'p', { tag: 'a' });
    sim.scheduleAtUs(3000, shared, 'p', { tag: 'c' });
    sim.schedule(0.004, shared, 'none');
    assert.ok(sim.step());
    sim.run();
    assert.equal(seen, ['a', 'b', 'c', 'none']);
  });

  t('runs events in time order; ties in scheduling order', () => {
    const sim = make();
    const seen: string[] = [];
    sim.schedule(1, () => seen.push('b'));
    sim.schedule(0.5, () => seen.push('a'));
    sim.schedule(1, () => seen.push('c'));
    sim.scheduleAt(1, () => seen.push('d'));
    const r = sim.run();
    assert.equal(seen, ['a', 'b', 'c', 'd']);
    assert.is(sim.now, 1);
    assert.equal(r, { executed: 4, now: 1, reason: 'empty' });
  });

  t('events scheduled from a handler at the same instant run after those already pending', () => {
    const sim = make();
    const seen: string[] = [];
    sim.schedule(1, () => {
      seen.push('a');
      sim.schedule(0, () => seen.push('a2'));
    });
    sim.schedule(1, () => seen.push('b'));
    sim.run();
    assert.equal(seen, ['a', 'b', 'a2']);
  });

  t('time is kept in integer microseconds', () => {
    const sim = make();
    let at = -1;
    sim.schedule(0.1 + 0.2, () => (at = sim.nowUs));
    sim.run();
    assert.is(at, 300_000);
    assert.is(sim.now, 0.3);
  });

  t('cancel: never runs; twice, after run and stale handles are harmless', () => {
    const sim = make();
    const seen: string[] = [];
    const a = sim.schedule(1, () => seen.push('a'));
    const b = sim.schedule(2, () => seen.push('b'));
    assert.is(sim.pending, 2);
    assert.is(sim.cancel(a), true);
    assert.is(sim.cancel(a), false);
    assert.is(sim.pending, 1);
    sim.run();
    assert.equal(seen, ['b']);
    assert.is(sim.cancel(b), false); // after it ran
    // b's slot is reused by c: the stale handle b must not cancel c.
    sim.schedule(1, () => seen.push('c'));
    assert.is(sim.cancel(b), false);
    assert.is(sim.cancel(a), false);
    sim.run();
    assert.equal(seen, ['b', 'c']);
    assert.is(sim.cancelled, 1);
    assert.is(sim.executed, 2);
  });

  t('a handler can cancel a later event at the same instant', () => {
    const sim = make();
    const seen: string[] = [];
    let h = 0;
    sim.schedule(1, () => {
      seen.push('a');
      sim.cancel(h);
    });
    h = sim.schedule(1, () => seen.push('b'));
    sim.run();
    assert.equal(seen, ['a']);
  });

  t('until: an event exactly at until runs; the clock then reads until', () => {
    const sim = make();
    const seen: number[] = [];
    for (const s of [1, 2, 3]) sim.schedule(s, () => seen.push(s));
    const r = sim.run({ until: 2 });
    assert.equal(seen, [1, 2]);
    assert.equal(r, { executed: 2, now: 2, reason: 'until' });
    assert.is(sim.pending, 1);
    const r2 = sim.run({ until: 2.5 });
    assert.equal(r2, { executed: 0, now: 2.5, reason: 'until' });
    // Scheduling after an until-stop, before the next pending event.
    sim.schedule(0.1, () => seen.push(2.6));
    sim.run();
    assert.equal(seen, [1, 2, 2.6, 3]);
    assert.is(sim.now, 3);
  });

  t('until beyond the last event: empty, clock advanced to until', () => {
    const sim = make();
    sim.schedule(1, () => {});
    const r = sim.run({ until: 10 });
    assert.equal(r, { executed: 1, now: 10, reason: 'empty' });
  });

  t('until earlier than now is a typed error', () => {
    const sim = make();
    sim.run({ until: 5 });
    throwsUsage(() => sim.run({ until: 4 }));
  });

  t('maxEvents stops after that many events', () => {
    const sim = make();
    const seen: number[] = [];
    for (let i = 1; i <= 5; i++) sim.schedule(i, () => seen.push(i));
    assert.equal(sim.run({ maxEvents: 2 }), { executed: 2, now: 2, reason: 'maxEvents' });
    assert.equal(sim.run({ maxEvents: 0 }), { executed: 0, now: 2, reason: 'maxEvents' });
    assert.equal(sim.run({ maxEvents: 10 }).executed, 3);
    assert.equal(seen, [1, 2, 3, 4, 5]);
    throwsUsage(() => sim.run({ maxEvents: -1 }), 'usage');
  });

  t('step runs one event at a time', () => {
    const sim = make();
    const seen: string[] = [];
    sim.schedule(2, () => seen.push('b'));
    sim.schedule(1, () => seen.push('a'));
    assert.is(sim.step(), true);
    assert.equal(seen, ['a']);
    assert.is(sim.now, 1);
    assert.is(sim.step(), true);
    assert.is(sim.step(), false);
    assert.equal(seen, ['a', 'b']);
    assert.is(sim.executed, 2);
  });

  t('stop() from a handler returns after the current event', () => {
    const sim = make();
    const seen: number[] = [];
    sim.schedule(1, () => { seen.push(1); sim.stop(); });
    sim.schedule(2, () => seen.push(2));
    assert.equal(sim.run(), { executed: 1, now: 1, reason: 'stopped' });
    sim.run();
    assert.equal(seen, [1, 2]);
  });

  t('re-entrant run or step from a handler is a usage error', () => {
    const sim = make();
    let caught: unknown;
    sim.schedule(1, () => {
      try { sim.run(); } catch (e) { caught = e; }
    });
    sim.run();
    assert.instance(caught, UsageError);
    sim.schedule(1, () => sim.step());
    try {
      sim.run();
      assert.unreachable('expected a SimulationError');
    } catch (e) {
      assert.instance((e as SimulationError).cause, UsageError);
    }
  });

  t('a throwing handler stops the run with a SimulationError (time, label, cause)', () => {
    const sim = make();
    const seen: string[] = [];
    const boom = new Error('boom');
    sim.schedule(1, () => seen.push('a'));
    sim.schedule(1.5, () => {
      sim.schedule(0, () => {}, 'reuses a slot');
      throw boom;
    }, 'ike/VNet1toSite1');
    sim.schedule(2, () => seen.push('c'));
    try {
      sim.run();
      assert.unreachable('expected a SimulationError');
    } catch (err) {
      assert.instance(err, SimulationError);
      const e = err as SimulationError;
      assert.is(e.time, 1.5);
      assert.is(e.label, 'ike/VNet1toSite1');
      assert.is(e.cause, boom);
      assert.match(e.message, 'ike/VNet1toSite1');
      assert.match(e.message, '1.5');
    }
    assert.is(sim.now, 1.5);
    assert.is(sim.executed, 2);
    sim.run(); // the rest can still run
    assert.equal(seen, ['a', 'c']);
  });

  t('step surfaces a throwing handler the same way', () => {
    const sim = make();
    sim.schedule(0.25, () => { throw new RangeError('bad'); });
    try {
      sim.step();
      assert.unreachable('expected a SimulationError');
    } catch (err) {
      assert.instance(err, SimulationError);
      assert.is((err as SimulationError).time, 0.25);
      assert.is((err as SimulationError).label, undefined);
      assert.instance((err as SimulationError).cause, RangeError);
    }
  });

  t('negative, NaN, infinite and past times are typed errors', () => {
    const sim = make();
    throwsUsage(() => sim.schedule(-1, () => {}));
    throwsUsage(() => sim.schedule(NaN, () => {}));
    throwsUsage(() => sim.schedule(Infinity, () => {}));
    throwsUsage(() => sim.schedule('1' as unknown as number, () => {}));
    throwsUsage(() => sim.schedule(1e300, () => {}));
    throwsUsage(() => sim.scheduleAt(2 ** 60, () => {}));
    throwsUsage(() => sim.scheduleAtUs(2 ** 60, () => {}));
    throwsUsage(() => sim.scheduleAt(NaN, () => {}));
    throwsUsage(() => sim.scheduleAt(-0.5, () => {}));
    sim.schedule(2, () => {});
    sim.run();
    throwsUsage(() => sim.scheduleAt(1, () => {}, 'late'));
    throwsUsage(() => sim.scheduleAtUs(1_000_000, () => {}));
    throwsUsage(() => sim.scheduleAtUs(2_000_000.5, () => {}));
    throwsUsage(() => sim.run({ until: NaN }));
    throwsUsage(() => sim.schedule(1, 'x' as unknown as () => void), 'usage');
    assert.is(sim.pending, 0);
  });

  t('late events run after every normal event of their instant, FIFO within the class', () => {
    const sim = make();
    const seen: string[] = [];
    sim.scheduleLate(1, () => seen.push('L1'));
    sim.schedule(1, () => {
      seen.push('a');
      // scheduled during the instant: still a normal event of t=1, so before L1
      sim.schedule(0, () => seen.push('a2'));
    });
    sim.scheduleLate(1, () => {
      seen.push('L2');
      // a normal event a late one schedules for now runs before the remaining late ones
      sim.schedule(0, () => seen.push('n-from-L2'));
      sim.scheduleLate(0, () => seen.push('L4'));
    });
    sim.scheduleLate(1, () => seen.push('L3'));
    sim.schedule(1, () => seen.push('b'));
    sim.schedule(0.5, () => seen.push('early'));
    sim.schedule(2, () => seen.push('later'));
    assert.is(sim.pending, 7);
    sim.run();
    assert.equal(seen, ['early', 'a', 'b', 'a2', 'L1', 'L2', 'n-from-L2', 'L3', 'L4', 'later']);
    assert.is(sim.pending, 0);
  });

  t('a late event can be cancelled; step and until honour the class', () => {
    const sim = make();
    const seen: string[] = [];
    const h = sim.scheduleLate(1, () => seen.push('gone'));
    sim.scheduleLate(1, () => seen.push('L'));
    sim.schedule(1, () => seen.push('n'));
    assert.ok(h < 0);
    assert.ok(sim.cancel(h));
    assert.not.ok(sim.cancel(h));
    assert.is(sim.pending, 2);
    assert.ok(sim.step());
    assert.equal(seen, ['n']);
    const r = sim.run({ until: 1 });
    assert.equal(seen, ['n', 'L']);
    assert.is(r.reason, 'empty');
    throwsUsage(() => sim.scheduleLate(-1, () => {}));
  });

  t('unknown queue kind is a usage error', () => {
    throwsUsage(() => new Simulator({ queue: 'list' as EventSetKind }), 'usage');
  });

  t.run();
}

const cross = suite('simulator: calendar and heap agree');

cross('a random workload with cancels gives the same trace on both queues', () => {
  const trace = (kind: EventSetKind): string[] => {
    const sim = new Simulator({ queue: kind });
    const rng = new Rng(2024).stream('cross');
    const out: string[] = [];
    const handles: number[] = [];
    let n = 0;
    const fire = (id: number) => () => {
      out.push(`${sim.nowUs}:${id}`);
      if (n >= 5000) return;
      const k = rng.int(0, 3);
      for (let i = 0; i < k; i++) {
        const delay = rng.bernoulli(0.2) ? 0 : rng.bernoulli(0.5) ? rng.exponential(0.001) : rng.int(0, 5);
        handles.push(sim.schedule(delay, fire(n++), `e${n}`));
      }
      if (rng.bernoulli(0.3) && handles.length > 0) sim.cancel(handles[rng.int(0, handles.length - 1)]!);
    };
    for (let i = 0; i < 50; i++) handles.push(sim.schedule(rng.int(0, 3), fire(n++)));
    sim.run({ until: 1e6 });
    out.push(`executed=${sim.executed} cancelled=${sim.cancelled}`);
    return out;
  };
  const a = trace('calendar');
  assert.ok(a.length > 1000, `trace too short: ${a.length}`);
  assert.equal(a, trace('heap'));
});

cross.run();
