import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FlowEngine, type FlowEndEvent, type FlowSpec } from '../../../src/sim/flow/flow-engine.js';
import { maxMinFair } from '../../../src/sim/flow/max-min.js';
import { Simulator } from '../../../src/sim/kernel/simulator.js';
import { Rng } from '../../../src/sim/kernel/rng.js';
import { NotFoundError, UsageError } from '../../../src/errors.js';

const MB = 1e6;
const close = (a: number, b: number, what = ''): void => assert.ok(Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

function setup(options = {}): { sim: Simulator; eng: FlowEngine; ends: FlowEndEvent[] } {
  const sim = new Simulator();
  const eng = new FlowEngine(sim, options);
  const ends: FlowEndEvent[] = [];
  eng.on('flow.end', (e) => ends.push(e));
  return { sim, eng, ends };
}

test('two 50 MB flows through a 100 Mbit/s gateway, starting at 0 s and 2 s', () => {
  // 50 MB = 400 Mbit. A alone for 0-2 s at 100: 200 Mbit done, 200 left.
  // From 2 s both at 50: A needs 200 / 50 = 4 s -> ends at 6 s; B has 200 Mbit by then.
  // From 6 s B alone at 100: 200 / 100 = 2 s -> ends at 8 s. Each: 400 Mbit in 6 s = 66.67 Mbit/s.
  const { sim, eng, ends } = setup();
  eng.addResource('gw', 100);
  eng.addFlow({ id: 'A', resources: ['gw'], bytes: 50 * MB });
  eng.addFlow({ id: 'B', resources: ['gw'], bytes: 50 * MB, start: 2 });
  sim.run();
  assert.equal(ends.map((e) => [e.id, e.end, e.outcome]), [['A', 6, 'completed'], ['B', 8, 'completed']]);
  close(ends[0]!.goodputMbps, 400 / 6); close(ends[1]!.goodputMbps, 400 / 6);
  assert.is(ends[1]!.start, 2);
  const gw = eng.resourceStats('gw');
  close(gw.wireBytes, 100 * MB);
  assert.is(gw.activeFlows, 0);
});

test('three flows: a capped one leaves its share to the others', () => {
  // gateway 100; C is window-limited: 125,000 B / 0.1 s = 10 Mbit/s. A, B get (100 - 10) / 2 = 45.
  // A: 45 MB = 360 Mbit at 45 -> 8 s. When A ends, B is alone with C: B 90 -> B has 360 Mbit
  // done at 8 s of its 720 (90 MB): 360 / 90 = 4 s more -> 12 s.
  const { sim, eng, ends } = setup();
  eng.addResource('gw', 100);
  eng.addFlow({ id: 'A', resources: ['gw'], bytes: 45 * MB });
  eng.addFlow({ id: 'B', resources: ['gw'], bytes: 90 * MB });
  eng.addFlow({ id: 'C', resources: ['gw'], duration: 20, windowBytes: 125_000, rttSeconds: 0.1 });
  sim.run({ until: 1 });
  close(eng.rateOf(2)!, 10); close(eng.rateOf(0)!, 45);
  sim.run();
  assert.equal(ends.map((e) => [e.id, e.end, e.outcome]), [['A', 8, 'completed'], ['B', 12, 'completed'], ['C', 20, 'expired']]);
  close(ends[2]!.bytes, 10 * 20 * MB / 8);
});

test('capacity change mid-flow', () => {
  // 100 MB = 800 Mbit on 100 Mbit/s; at 4 s: 400 Mbit done; capacity drops to 50:
  // 400 / 50 = 8 s more -> ends at 12 s.
  const { sim, eng, ends } = setup();
  eng.addResource('gw', 100);
  eng.addFlow({ id: 'A', resources: ['gw'], bytes: 100 * MB });
  sim.schedule(4, () => eng.setCapacity('gw', 50));
  sim.run();
  assert.is(ends[0]!.end, 12);
});

test('a down resource pauses a flow until it is restored', () => {
  // 50 MB = 400 Mbit through gw (100) and tunnel t. 0-1 s: 100 Mbit. t down 1-3 s: rate 0.
  // From 3 s: 300 Mbit at 100 -> ends at 6 s. A P2S flow on the gateway alone takes all 100 meanwhile.
  const { sim, eng, ends } = setup();
  eng.addResource('gw', 100);
  eng.addResource('t', 1000);
  const a = eng.addFlow({ id: 'A', resources: ['gw', 't'], bytes: 50 * MB });
  const p = eng.addFlow({ id: 'P', resources: ['gw'], duration: 2, start: 1 });
  sim.schedule(1, () => eng.setDown('t', true));
  sim.schedule(3, () => eng.setDown('t', false));
  sim.run({ until: 2 });
  assert.is(eng.rateOf(a), 0);
  assert.is(eng.rateOf(p), 100);
  assert.ok(eng.isDown('t'));
  sim.run();
  assert.equal(ends.map((e) => [e.id, e.end]), [['P', 3], ['A', 6]]);
});

test('with stallTimeout, a flow at rate 0 ends as stalled', () => {
  // 100 Mbit delivered by 1 s (12.5 MB), then down; stallTimeout 1 s -> stalled at 2 s.
  const { sim, eng, ends } = setup({ stallTimeout: 1 });
  eng.addResource('t', 100);
  eng.addFlow({ id: 'A', resources: ['t'], bytes: 50 * MB });
  sim.schedule(1, () => eng.setDown('t', true));
  sim.run();
  assert.is(ends[0]!.outcome, 'stalled');
  assert.is(ends[0]!.end, 2);
  close(ends[0]!.bytes, 12.5 * MB);
});

test('goodput factor: resources carry wire rate, sizes are goodput', () => {
  // factor 0.5 on 100 Mbit/s wire -> 50 Mbit/s goodput; 50 MB = 400 Mbit -> 8 s.
  const { sim, eng, ends } = setup();
  eng.addResource('gw', 100);
  eng.addFlow({ resources: ['gw'], bytes: 50 * MB, goodputFactor: 0.5, group: 's2s' });
  sim.run();
  assert.is(ends[0]!.end, 8);
  const gw = eng.resourceStats('gw');
  close(gw.wireBytes, 100 * MB); close(gw.goodputBytes, 50 * MB);
  const g = eng.flowGroupStats('s2s');
  close(g.bytes, 50 * MB); assert.is(g.finishedFlows, 1);
});

test('a UDP flow takes its rate, TCP the rest; group totals follow', () => {
  // gateway 100: UDP 30 for 10 s; TCP bulk for 10 s gets 70. Bytes: 30e6 * 10 / 8, 70e6 * 10 / 8.
  const { sim, eng, ends } = setup();
  eng.addResource('gw', 100, { group: 'gateway' });
  eng.addFlow({ resources: ['gw'], kind: 'udp', rateMbps: 30, duration: 10, group: 'udp' });
  eng.addFlow({ resources: ['gw'], duration: 10, group: 'tcp' });
  sim.run({ until: 5 });
  close(eng.flowGroupStats('tcp').bytes, 70e6 * 5 / 8);
  sim.run();
  close(ends.find((e) => e.group === 'udp')!.bytes, 30e6 * 10 / 8);
  close(eng.flowGroupStats('tcp').bytes, 70e6 * 10 / 8);
  close(eng.resourceGroupStats('gateway').wireBytes, 100e6 * 10 / 8);
});

test('incremental re-allocation equals a full max-min solve at every checkpoint', () => {
  // Random flows over a gateway, tunnels with ceilings and uplinks, and clients; capacities
  // change and a tunnel fails and returns. Every 0.5 s the engine's rates must equal
  // maxMinFair() over all active flows.
  const sim = new Simulator();
  const eng = new FlowEngine(sim);
  const s = new Rng(11).stream('test/engine');
  const caps = new Map<string, number>([['gw', 300]]);
  for (let t = 0; t < 4; t++) { caps.set(`tun${t}`, 120); caps.set(`up${t}`, s.uniform(20, 150)); }
  for (let c = 0; c < 6; c++) caps.set(`cl${c}`, s.uniform(5, 60));
  for (const [id, c] of caps) eng.addResource(id, c);
  const specs = new Map<number, FlowSpec>();
  const active = new Set<number>();
  eng.on('flow.start', (e) => active.add(e.handle));
  eng.on('flow.end', (e) => active.delete(e.handle));
  for (let i = 0; i < 120; i++) {
    const t = s.int(0, 3);
    const c = s.int(0, 5);
    const spec: FlowSpec = {
      resources: s.bernoulli(0.5) ? ['gw', `tun${t}`, `up${t}`] : ['gw', `cl${c}`],
      start: s.uniform(0, 20), bytes: s.exponential(3 * MB),
      ...(s.bernoulli(0.3) ? { windowBytes: 65_536, rttSeconds: s.uniform(0.01, 0.2) } : {}),
      goodputFactor: s.bernoulli(0.5) ? 0.93 : 1,
    };
    specs.set(eng.addFlow(spec), spec);
  }
  sim.schedule(7, () => { eng.setCapacity('gw', 150); caps.set('gw', 150); });
  sim.schedule(9, () => { eng.setDown('tun1', true); caps.set('tun1', 0); });
  sim.schedule(12, () => { eng.setDown('tun1', false); caps.set('tun1', 120); });
  sim.schedule(14, () => { eng.setCapacity('gw', 1000); caps.set('gw', 1000); });
  let checks = 0;
  for (let t = 0.25; t < 30; t += 0.5) {
    sim.run({ until: t });
    const flows = [...active].map((h) => {
      const sp = specs.get(h)!;
      const f = sp.goodputFactor ?? 1;
      const cap = sp.windowBytes ? (sp.windowBytes * 8) / sp.rttSeconds! / 1e6 / f : undefined;
      return { id: String(h), resources: sp.resources, ...(cap ? { capMbps: cap } : {}) };
    });
    const ref = maxMinFair([...caps].map(([id, c]) => ({ id, capacityMbps: c })), flows);
    for (const h of active) {
      const want = ref.get(String(h))!.rateMbps * (specs.get(h)!.goodputFactor ?? 1);
      const got = eng.rateOf(h)!;
      assert.ok(Math.abs(got - want) < 1e-6 * Math.max(1, want), `t=${t} flow ${h}: ${got} != ${want}`);
      checks++;
    }
  }
  assert.ok(checks > 100, `only ${checks} checks`);
});

test('hub water level: rates, loads and bytes equal a full max-min solve over random mixes', () => {
  // Random gateways with tunnels, uplinks and small client downlinks (so secondary resources
  // saturate too), capped, uncapped and UDP flows, sized and timed flows, capacity changes,
  // failures and cancellations. Every 0.1 s (between events, rates being constant there) each
  // flow's rate must equal maxMinFair() over the active flows and each resource's load the sum
  // of its flows' wire rates; at the end each resource's wire bytes must equal what its flows
  // delivered (goodput / factor), up to the microsecond rounding of ends, so completions are
  // neither early nor late.
  let checks = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const sim = new Simulator();
    const eng = new FlowEngine(sim);
    const s = new Rng(seed).stream('test/hub');
    const caps = new Map<string, number>([['gw', s.uniform(200, 600)]]);
    const T = s.int(1, 4);
    const C = s.int(2, 10);
    for (let t = 0; t < T; t++) { caps.set(`tun${t}`, s.uniform(40, 200)); caps.set(`up${t}`, s.uniform(30, 300)); }
    for (let c = 0; c < C; c++) caps.set(`cl${c}`, s.uniform(5, 100));
    for (const [id, c] of caps) eng.addResource(id, c);
    const specs = new Map<number, FlowSpec>();
    const active = new Set<number>();
    const wire = new Map<string, number>();
    const ended = new Map<string, number>();
    const peakCap = new Map(caps);
    eng.on('flow.start', (e) => active.add(e.handle));
    eng.on('flow.end', (e) => {
      active.delete(e.handle);
      const sp = specs.get(e.handle)!;
      for (const r of sp.resources) {
        wire.set(r, (wire.get(r) ?? 0) + e.bytes / (sp.goodputFactor ?? 1));
        ended.set(r, (ended.get(r) ?? 0) + 1);
      }
      if (e.outcome === 'completed') close(e.bytes, sp.bytes!, `seed ${seed} flow ${e.handle} bytes`);
    });
    const n = s.int(150, 400);
    for (let i = 0; i < n; i++) {
      const t = s.int(0, T - 1);
      const kind = s.random();
      const spec: FlowSpec = {
        resources: s.bernoulli(0.4) ? ['gw', `tun${t}`, `up${t}`] : s.bernoulli(0.75) ? ['gw', `cl${s.int(0, C - 1)}`] : [`cl${s.int(0, C - 1)}`],
        start: s.uniform(0, 20),
        ...(s.bernoulli(0.9) ? { bytes: s.exponential(1.5 * MB) } : { duration: s.uniform(0.5, 5) }),
        ...(kind < 0.6 ? { windowBytes: 65_536, rttSeconds: s.uniform(0.005, 0.2) } : kind < 0.7 ? { kind: 'udp' as const, rateMbps: s.uniform(1, 40) } : {}),
        goodputFactor: s.bernoulli(0.5) ? 0.9 : 1,
      };
      specs.set(eng.addFlow(spec), spec);
    }
    const saved = new Map<string, number>();
    const change = (at: number, id: string, c: number | 'down' | 'up'): void => {
      sim.schedule(at, () => {
        if (c === 'down') { eng.setDown(id, true); saved.set(id, caps.get(id)!); caps.set(id, 0); return; }
        if (c === 'up') { eng.setDown(id, false); caps.set(id, saved.get(id)!); return; }
        eng.setCapacity(id, c); caps.set(id, c); peakCap.set(id, Math.max(c, peakCap.get(id)!));
      });
    };
    change(s.uniform(2, 8), 'gw', s.uniform(100, 400));
    change(s.uniform(8, 10), 'tun0', 'down');
    change(s.uniform(10, 12), 'tun0', 'up');
    change(s.uniform(5, 15), 'cl0', s.uniform(5, 50));
    change(s.uniform(12, 14), 'gw', 'down');
    change(s.uniform(14, 15), 'gw', 'up');
    for (let k = 0; k < 10; k++) sim.schedule(s.uniform(0, 20), () => { const h = [...active][0]; if (h !== undefined) eng.cancelFlow(h); });
    for (let t = 0.05; t < 40; t += 0.1) {
      sim.run({ until: t });
      const flows = [...active].map((h) => {
        const sp = specs.get(h)!;
        const f = sp.goodputFactor ?? 1;
        let cap = sp.kind === 'udp' ? sp.rateMbps! : Infinity;
        if (sp.windowBytes) cap = Math.min(cap, (sp.windowBytes * 8) / sp.rttSeconds! / 1e6);
        return { id: String(h), resources: sp.resources, ...(cap < Infinity ? { capMbps: cap / f } : {}) };
      });
      const ref = maxMinFair([...caps].map(([id, c]) => ({ id, capacityMbps: c })), flows);
      const loads = new Map<string, number>();
      const goods = new Map<string, number>();
      for (const h of active) {
        const sp = specs.get(h)!;
        const w = ref.get(String(h))!.rateMbps;
        const want = w * (sp.goodputFactor ?? 1);
        const got = eng.rateOf(h)!;
        assert.ok(Math.abs(got - want) < 1e-6 * Math.max(1, want), `seed ${seed} t=${t.toFixed(2)} flow ${h}: ${got} != ${want}`);
        for (const r of sp.resources) { loads.set(r, (loads.get(r) ?? 0) + w); goods.set(r, (goods.get(r) ?? 0) + want); }
        checks++;
      }
      for (const id of caps.keys()) {
        const st = eng.resourceStats(id);
        close(st.loadMbps, loads.get(id) ?? 0, `seed ${seed} t=${t.toFixed(2)} load ${id}`);
        close(st.goodputMbps, goods.get(id) ?? 0, `seed ${seed} t=${t.toFixed(2)} goodput ${id}`);
      }
    }
    sim.run();
    assert.is(active.size, 0);
    assert.ok(eng.solveStats.incremental > 50 && eng.solveStats.solves > 10, `seed ${seed}: both paths exercised (${JSON.stringify(eng.solveStats)})`);
    for (const id of caps.keys()) {
      // Ends fall on the next whole microsecond: each may add up to 1 µs at the resource's capacity.
      const got = eng.resourceStats(id).wireBytes;
      const want = wire.get(id) ?? 0;
      const slack = ((ended.get(id) ?? 0) * peakCap.get(id)!) / 8 + 1e-9 * want;
      assert.ok(Math.abs(got - want) <= slack, `seed ${seed} wire bytes ${id}: ${got} != ${want} (slack ${slack})`);
    }
  }
  assert.ok(checks > 5000, `only ${checks} checks`);
});

test('a flow leaving the bottleneck group for its cap can overload its other resource', () => {
  // gw 100 shared by X1..X3 (uncapped) and A (window cap 30, also crossing cl, 40): level 25,
  // A at 25. U (UDP 14, cl only) starts at 1 s: cl carries 39 of 40. X1 is cancelled at 2 s:
  // the level would be 35 and A would run at its cap 30, so cl (44 > 40) saturates instead:
  // A = 40 - 14 = 26, X2 = X3 = (100 - 26) / 2 = 37.
  const { sim, eng } = setup();
  eng.addResource('gw', 100);
  eng.addResource('cl', 40);
  const x1 = eng.addFlow({ resources: ['gw'], duration: 10 });
  const x2 = eng.addFlow({ resources: ['gw'], duration: 10 });
  eng.addFlow({ resources: ['gw'], duration: 10 });
  const a = eng.addFlow({ resources: ['gw', 'cl'], duration: 10, windowBytes: 375_000, rttSeconds: 0.1 });
  const u = eng.addFlow({ resources: ['cl'], kind: 'udp', rateMbps: 14, duration: 10, start: 1 });
  sim.run({ until: 0.5 });
  close(eng.rateOf(a)!, 25, 'A before');
  sim.run({ until: 1.5 });
  close(eng.rateOf(u)!, 14, 'U');
  sim.schedule(0.5, () => eng.cancelFlow(x1));
  sim.run({ until: 3 });
  close(eng.rateOf(a)!, 26, 'A after'); close(eng.rateOf(x2)!, 37, 'X2 after');
  close(eng.resourceStats('cl').loadMbps, 40, 'cl load');
});

test('determinism: one seed, one trace', () => {
  const trace = (seed: number): string => {
    const { sim, eng, ends } = setup();
    eng.addResource('gw', 200);
    for (let c = 0; c < 5; c++) eng.addResource(`c${c}`, 50);
    const s = new Rng(seed).stream('flows');
    for (let i = 0; i < 200; i++) eng.addFlow({ resources: ['gw', `c${s.int(0, 4)}`], start: s.uniform(0, 10), bytes: s.exponential(MB) });
    sim.run();
    return ends.map((e) => `${e.handle}:${e.end}`).join(',');
  };
  assert.is(trace(3), trace(3));
  assert.is.not(trace(3), trace(4));
});

test('bad input throws typed errors', () => {
  const { eng } = setup();
  eng.addResource('gw', 100);
  assert.throws(() => eng.addResource('gw', 10), (e: unknown) => e instanceof UsageError && e.rule === 'duplicate');
  assert.throws(() => eng.addFlow({ resources: ['nope'], bytes: 1 }), (e: unknown) => e instanceof NotFoundError);
  assert.throws(() => eng.addFlow({ resources: ['gw'] }), (e: unknown) => e instanceof UsageError && e.rule === 'range');
  assert.throws(() => eng.addFlow({ resources: ['gw'], bytes: 1, kind: 'udp' }), (e: unknown) => e instanceof UsageError);
  assert.throws(() => eng.addFlow({ resources: [], bytes: 1 }), (e: unknown) => e instanceof UsageError);
  assert.throws(() => eng.setCapacity('gw', -1), (e: unknown) => e instanceof UsageError && e.rule === 'range');
});

test.run();
