import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { maxMinFair, MaxMinSolver, CAP_LIMITED } from '../../../src/sim/flow/max-min.js';
import { UsageError } from '../../../src/errors.js';
import { Rng } from '../../../src/sim/kernel/rng.js';

const close = (a: number, b: number, what = ''): void => assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

test('single bottleneck: three flows split one link equally', () => {
  // link 90 Mbit/s, 3 uncapped flows: level rises to 90 / 3 = 30 where the link saturates.
  const r = maxMinFair([{ id: 'L', capacityMbps: 90 }], ['a', 'b', 'c'].map((id) => ({ id, resources: ['L'] })));
  for (const id of ['a', 'b', 'c']) {
    close(r.get(id)!.rateMbps, 30, id);
    assert.equal(r.get(id)!.bottleneck, { kind: 'resource', id: 'L' });
  }
});

test('two bottlenecks: the tighter one freezes first, the other link gives the rest', () => {
  // r1 = 10 carries f1, f2; r2 = 20 carries f1, f3.
  // Levels: r1 saturates at 10/2 = 5, r2 at 20/2 = 10 -> r1 first: f1 = f2 = 5.
  // r2 then has 20 - 5 = 15 left for f3 alone -> f3 = 15.
  const r = maxMinFair(
    [{ id: 'r1', capacityMbps: 10 }, { id: 'r2', capacityMbps: 20 }],
    [{ id: 'f1', resources: ['r1', 'r2'] }, { id: 'f2', resources: ['r1'] }, { id: 'f3', resources: ['r2'] }],
  );
  close(r.get('f1')!.rateMbps, 5); close(r.get('f2')!.rateMbps, 5); close(r.get('f3')!.rateMbps, 15);
  assert.equal(r.get('f1')!.bottleneck, { kind: 'resource', id: 'r1' });
  assert.equal(r.get('f3')!.bottleneck, { kind: 'resource', id: 'r2' });
});

test('capped flows leave their share to the others', () => {
  // link 100; a capped at 10, b at 20, c and d uncapped.
  // Level 10: a freezes (cap). Level 20: b freezes (cap). Left: 100 - 30 = 70 for c, d -> 35 each.
  const r = maxMinFair([{ id: 'L', capacityMbps: 100 }], [
    { id: 'a', resources: ['L'], capMbps: 10 }, { id: 'b', resources: ['L'], capMbps: 20 },
    { id: 'c', resources: ['L'] }, { id: 'd', resources: ['L'] },
  ]);
  close(r.get('a')!.rateMbps, 10); close(r.get('b')!.rateMbps, 20);
  close(r.get('c')!.rateMbps, 35); close(r.get('d')!.rateMbps, 35);
  assert.equal(r.get('a')!.bottleneck, { kind: 'cap' });
  assert.equal(r.get('c')!.bottleneck, { kind: 'resource', id: 'L' });
});

test('a gateway aggregate is shared by S2S tunnels and P2S clients (R10)', () => {
  // Basic gateway 100; tunnel t1 behind a 10 Mbit/s site uplink, t2 behind 100; three P2S
  // clients with 100 Mbit/s downlinks. Five flows cross the gateway: level 100/5 = 20,
  // but uplink1 saturates at 10 first -> t1 = 10. Gateway left: 90 for 4 flows -> 22.5.
  const resources = [
    { id: 'gw', capacityMbps: 100 }, { id: 'up1', capacityMbps: 10 }, { id: 'up2', capacityMbps: 100 },
    { id: 'c1', capacityMbps: 100 }, { id: 'c2', capacityMbps: 100 }, { id: 'c3', capacityMbps: 100 },
  ];
  const r = maxMinFair(resources, [
    { id: 't1', resources: ['gw', 'up1'] }, { id: 't2', resources: ['gw', 'up2'] },
    { id: 'p1', resources: ['gw', 'c1'] }, { id: 'p2', resources: ['gw', 'c2'] }, { id: 'p3', resources: ['gw', 'c3'] },
  ]);
  close(r.get('t1')!.rateMbps, 10);
  assert.equal(r.get('t1')!.bottleneck, { kind: 'resource', id: 'up1' });
  for (const id of ['t2', 'p1', 'p2', 'p3']) {
    close(r.get(id)!.rateMbps, 22.5, id);
    assert.equal(r.get(id)!.bottleneck, { kind: 'resource', id: 'gw' });
  }
});

test('per-tunnel ceiling: a tunnel cannot take the whole gateway', () => {
  // VpnGw2 Gen1: gateway 1000, tunnel ceiling 650 (AES256_SHA256). Three flows in the tunnel,
  // one P2S flow. Levels: tunnel 650/3 = 216.67, gateway 1000/4 = 250 -> tunnel first:
  // each tunnel flow 650/3; the P2S flow gets 1000 - 650 = 350.
  const r = maxMinFair([{ id: 'gw', capacityMbps: 1000 }, { id: 'tun', capacityMbps: 650 }], [
    { id: 'a', resources: ['gw', 'tun'] }, { id: 'b', resources: ['gw', 'tun'] }, { id: 'c', resources: ['gw', 'tun'] },
    { id: 'p', resources: ['gw'] },
  ]);
  for (const id of ['a', 'b', 'c']) close(r.get(id)!.rateMbps, 650 / 3, id);
  close(r.get('p')!.rateMbps, 350);
  assert.equal(r.get('p')!.bottleneck, { kind: 'resource', id: 'gw' });
});

test('site uplink: two flows behind a slow uplink, the P2S flow takes the rest', () => {
  // gateway 100; uplink 50 carries s1, s2; p crosses the gateway only.
  // Levels: uplink 50/2 = 25, gateway 100/3 = 33.3 -> uplink first: s1 = s2 = 25; p = 100 - 50 = 50.
  const r = maxMinFair([{ id: 'gw', capacityMbps: 100 }, { id: 'up', capacityMbps: 50 }], [
    { id: 's1', resources: ['gw', 'up'] }, { id: 's2', resources: ['gw', 'up'] }, { id: 'p', resources: ['gw'] },
  ]);
  close(r.get('s1')!.rateMbps, 25); close(r.get('s2')!.rateMbps, 25); close(r.get('p')!.rateMbps, 50);
});

test('a resource at capacity 0 (down) holds its flows at 0', () => {
  const r = maxMinFair([{ id: 'gw', capacityMbps: 100 }, { id: 'down', capacityMbps: 0 }], [
    { id: 'a', resources: ['gw', 'down'] }, { id: 'b', resources: ['gw'] },
  ]);
  close(r.get('a')!.rateMbps, 0); close(r.get('b')!.rateMbps, 100);
});

test('a flow with a cap and no resource gets its cap; without either, Infinity', () => {
  const r = maxMinFair([], [{ id: 'u', resources: [], capMbps: 5 }, { id: 'x', resources: [] }]);
  close(r.get('u')!.rateMbps, 5);
  assert.is(r.get('x')!.rateMbps, Infinity);
  assert.equal(r.get('x')!.bottleneck, { kind: 'none' });
});

test('bad input throws UsageError with its rule', () => {
  try { maxMinFair([{ id: 'a', capacityMbps: 1 }], [{ id: 'f', resources: ['b'] }]); assert.unreachable(); }
  catch (e) { assert.instance(e, UsageError); assert.is((e as UsageError).rule, 'ref'); }
  try { maxMinFair([{ id: 'a', capacityMbps: -1 }], []); assert.unreachable(); }
  catch (e) { assert.instance(e, UsageError); assert.is((e as UsageError).rule, 'range'); }
  try { maxMinFair([{ id: 'a', capacityMbps: 1 }], [{ id: 'f', resources: ['a', 'a'] }]); assert.unreachable(); }
  catch (e) { assert.instance(e, UsageError); assert.is((e as UsageError).rule, 'duplicate'); }
});

test('random problems: feasible, and every flow has a bottleneck (the max-min characterisation)', () => {
  const s = new Rng(7).stream('test/max-min');
  const solver = new MaxMinSolver();
  for (let trial = 0; trial < 200; trial++) {
    const nR = s.int(1, 8);
    const nF = s.int(1, 20);
    const cap = Array.from({ length: nR }, () => (s.bernoulli(0.1) ? 0 : s.uniform(1, 100)));
    const start = [0];
    const links: number[] = [];
    const fcap: number[] = [];
    for (let f = 0; f < nF; f++) {
      for (let r = 0; r < nR; r++) if (s.bernoulli(0.4)) links.push(r);
      if (links.length === start[f]) links.push(s.int(0, nR - 1));
      start.push(links.length);
      fcap.push(s.bernoulli(0.3) ? s.uniform(0, 40) : Infinity);
    }
    const rate = new Float64Array(nF);
    const bn = new Int32Array(nF);
    solver.solve(nR, cap, nF, start, links, fcap, rate, bn);
    const load = new Float64Array(nR);
    const maxOn = new Float64Array(nR);
    for (let f = 0; f < nF; f++) {
      assert.ok(rate[f]! <= fcap[f]! + 1e-9, `trial ${trial}: flow ${f} above its cap`);
      for (let k = start[f]!; k < start[f + 1]!; k++) { load[links[k]!]! += rate[f]!; maxOn[links[k]!] = Math.max(maxOn[links[k]!]!, rate[f]!); }
    }
    for (let r = 0; r < nR; r++) assert.ok(load[r]! <= cap[r]! * (1 + 1e-9) + 1e-9, `trial ${trial}: resource ${r} overloaded`);
    for (let f = 0; f < nF; f++) {
      const b = bn[f]!;
      if (b === CAP_LIMITED) { assert.ok(Math.abs(rate[f]! - fcap[f]!) < 1e-9, `trial ${trial}: flow ${f} cap`); continue; }
      assert.ok(b >= 0, `trial ${trial}: flow ${f} has no bottleneck`);
      assert.ok(load[b]! >= cap[b]! * (1 - 1e-9) - 1e-9, `trial ${trial}: bottleneck ${b} of flow ${f} not saturated`);
      assert.ok(rate[f]! >= maxOn[b]! * (1 - 1e-9) - 1e-9, `trial ${trial}: flow ${f} not the largest on ${b}`);
    }
  }
});

test.run();
