import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { Rng } from '../../../src/sim/kernel/rng.js';
import { UsageError } from '../../../src/errors.js';

const draw = (n: number, f: () => number) => Array.from({ length: n }, f);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('a stream is exactly seedrandom alea seeded "<seed>/<name>"', () => {
  const s = new Rng(42).stream('ike/VNet1toSite1');
  const ref = seedrandom.alea('42/ike/VNet1toSite1');
  assert.equal(draw(1000, () => s.random()), draw(1000, () => ref()));
});

test('stream independence: other streams created and drawn first change nothing', () => {
  const alone = new Rng(7).stream('ike/VNet1toSite1');
  const expected = draw(100, () => alone.random());
  const busy = new Rng(7);
  for (const name of ['bgp/a', 'sstp/b', 'ike/VNet1toSite2']) {
    const other = busy.stream(name);
    draw(500, () => other.exponential(2));
  }
  const s = busy.stream('ike/VNet1toSite1');
  const first = draw(50, () => s.random());
  draw(300, () => busy.stream('bgp/a').normal()); // drawing from another stream in between
  assert.equal([...first, ...draw(50, () => s.random())], expected);
});

test('stream(name) returns the same stream object', () => {
  const rng = new Rng('seed');
  assert.is(rng.stream('x'), rng.stream('x'));
  assert.is.not(rng.stream('x'), rng.stream('y'));
  assert.is(rng.stream('x').name, 'x');
});

test('determinism: same seed same draws; different seed different draws', () => {
  const a = draw(20, ((s) => () => s.uniform(0, 10))(new Rng(1).stream('s')));
  const b = draw(20, ((s) => () => s.uniform(0, 10))(new Rng(1).stream('s')));
  const c = draw(20, ((s) => () => s.uniform(0, 10))(new Rng(2).stream('s')));
  const d = draw(20, ((s) => () => s.uniform(0, 10))(new Rng('1').stream('t')));
  assert.equal(a, b);
  assert.not.equal(a, c);
  assert.not.equal(a, d);
});

test('uniform, int and bernoulli stay in range', () => {
  const s = new Rng(3).stream('ranges');
  for (let i = 0; i < 10000; i++) {
    const u = s.uniform(2, 5);
    assert.ok(u >= 2 && u < 5);
    const k = s.int(-2, 2);
    assert.ok(Number.isInteger(k) && k >= -2 && k <= 2);
    const r = s.random();
    assert.ok(r >= 0 && r < 1);
  }
  const ks = new Set(draw(1000, () => s.int(1, 3)));
  assert.equal([...ks].sort(), [1, 2, 3]);
  assert.is(s.bernoulli(0), false);
  assert.is(s.bernoulli(1), true);
  const hits = draw(20000, () => (s.bernoulli(0.3) ? 1 : 0));
  assert.ok(Math.abs(mean(hits) - 0.3) < 0.02, `bernoulli(0.3) mean ${mean(hits)}`);
});

test('exponential: positive, sample mean within 2 % of the mean (seed 5, n = 100000)', () => {
  const s = new Rng(5).stream('exp');
  const xs = draw(100_000, () => s.exponential(2.5));
  assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
  // sd of the sample mean = 2.5 / sqrt(1e5) ≈ 0.0079, so 2 % (0.05) is > 6 sd.
  assert.ok(Math.abs(mean(xs) - 2.5) < 0.05, `mean ${mean(xs)}`);
});

test('normal: sample mean and sd within tolerance (seed 9, n = 100000)', () => {
  const s = new Rng(9).stream('normal');
  const xs = draw(100_000, () => s.normal(10, 3));
  const m = mean(xs);
  const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
  // sd of the sample mean = 3 / sqrt(1e5) ≈ 0.0095.
  assert.ok(Math.abs(m - 10) < 0.06, `mean ${m}`);
  assert.ok(Math.abs(sd - 3) < 0.05, `sd ${sd}`);
  const std = draw(10, () => s.normal());
  assert.ok(std.every(Number.isFinite));
});

test('a bad master seed is a typed error', () => {
  for (const bad of [NaN, Infinity, '', undefined, {}]) {
    assert.throws(() => new Rng(bad as unknown as number), (e: unknown) => e instanceof UsageError && e.rule === 'seed');
  }
});

test.run();
