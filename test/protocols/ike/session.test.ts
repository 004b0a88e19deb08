import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulator } from '../../../src/sim/kernel/simulator.js';
import { Rng } from '../../../src/sim/kernel/rng.js';
import { PathDirection, type Link, type PathFigures } from '../../../src/sim/net/underlay.js';
import { giveUpAfter, ikeConfig, retransmitSchedule, STRONGSWAN_RETRANSMIT, type IkeOptions } from '../../../src/protocols/ike/config.js';
import { messageBytes, type IkeMessage } from '../../../src/protocols/ike/messages.js';
import { DATA_WHILE_NEGOTIATING, IkeSession, type IkeEnd } from '../../../src/protocols/ike/session.js';

/** 10 ms one way; bandwidth so high that serialisation rounds to 0 µs. */
const IDEAL: PathFigures = { latencyMs: 10, lossPercent: 0, bandwidthMbps: 1e6 };

interface Rig {
  sim: Simulator;
  s: IkeSession;
  wire: { t: number; from: IkeEnd; msg: IkeMessage; carried: boolean }[];
  alive: { value: boolean };
}

/** Two ends over two PathDirections of the same figures; `alive.value = false` makes both directions carry nothing. */
function rig(a: Partial<IkeOptions>, b: Partial<IkeOptions>, figures: PathFigures = IDEAL, seed = 1): Rig {
  const sim = new Simulator();
  const rng = new Rng(seed);
  const alive = { value: true };
  const aToB = new PathDirection(sim, rng.stream('loss/a-b'), figures, () => alive.value);
  const bToA = new PathDirection(sim, rng.stream('loss/b-a'), figures, () => alive.value);
  return wire(sim, a, b, aToB, bToA, alive);
}

function wire(sim: Simulator, a: Partial<IkeOptions>, b: Partial<IkeOptions>, aToB: Link, bToA: Link, alive = { value: true }): Rig {
  const log: Rig['wire'] = [];
  const s = new IkeSession({
    sim, aToB, bToA, name: 'ike/test',
    a: ikeConfig({ id: 'gw-a', sharedKey: 'abc123', ...a }),
    b: ikeConfig({ id: 'gw-b', sharedKey: 'abc123', ...b }),
    onMessage: (t, from, msg, carried) => log.push({ t, from, msg, carried }),
  });
  return { sim, s, wire: log, alive };
}

/** A link with a fixed delay that loses the messages `drop` picks (by send index). */
class StubLink implements Link {
  sent = 0;
  constructor(private readonly sim: Simulator, private readonly delay: number, private readonly drop: (n: number) => boolean) {}
  transmit<A>(_bytes: number, deliver: (arg: A) => void, label?: string, arg?: A): boolean {
    const n = this.sent++;
    if (this.drop(n)) return false;
    this.sim.schedule(this.delay, deliver, label, arg);
    return true;
  }
}

const ev = (s: IkeSession, kind?: string) => s.events.filter((e) => kind === undefined || e.kind === kind).map((e) => `${e.t} ${e.end} ${e.kind} ${e.reason}`);

test('IKEv2 setup = 2 RTT exactly with zero loss (IKE_SA_INIT + IKE_AUTH)', () => {
  const r = rig({}, {});
  r.s.start();
  assert.equal(r.s.state, { state: 'connecting' });
  r.sim.run({ until: 1 });
  // IKE_SA_INIT --> 0.01, <-- 0.02, IKE_AUTH --> 0.03 (b up), <-- 0.04 (a up)
  assert.equal(ev(r.s, 'up'), ['0.03 b up ikeAuthComplete', '0.04 a up ikeAuthComplete']);
  assert.is(r.s.setupTime, 0.04);
  assert.equal(r.s.state, { state: 'up' });
});

test('IKEv1 setup = 4.5 RTT exactly: 9 messages, the responder is up last', () => {
  const r = rig({ version: 'IKEv1' }, { version: 'IKEv1' });
  r.s.start();
  r.sim.run({ until: 1 });
  assert.is(r.wire.length, 9);
  assert.equal(ev(r.s, 'up'), ['0.08 a up quickModeComplete', '0.09 b up quickModeComplete']);
  assert.is(r.s.setupTime, 0.09);
});

test('setup scales with latency and adds the processing delay once per message', () => {
  const slow: PathFigures = { ...IDEAL, latencyMs: 37 };
  const v2 = rig({}, {}, slow);
  v2.s.start();
  v2.sim.run({ until: 1 });
  assert.is(v2.s.setupTime, 0.148); // 2 RTT of 74 ms
  // 4 messages, each processed for 2.5 ms before the answer: 2 RTT + 4p = 0.04 + 0.01
  const p2 = rig({ processingDelay: 0.0025 }, { processingDelay: 0.0025 });
  p2.s.start();
  p2.sim.run({ until: 1 });
  assert.is(p2.s.setupTime, 0.05);
  // 9 messages: 4.5 RTT + 9p = 0.09 + 0.0225
  const p1 = rig({ version: 'IKEv1', processingDelay: 0.0025 }, { version: 'IKEv1', processingDelay: 0.0025 });
  p1.s.start();
  p1.sim.run({ until: 1 });
  assert.is(p1.s.setupTime, 0.1125);
});

test('serialisation at 1 Gbit/s: setup = 2 RTT + the sum of each message\'s bytes*8/1000 µs', () => {
  const r = rig({}, {}, { latencyMs: 10, lossPercent: 0, bandwidthMbps: 1000 });
  r.s.start();
  r.sim.run({ until: 1 });
  // Each message waits for the previous one, so nothing queues: the serialisation times add up.
  // IKE_SA_INIT req: 28 IP/UDP + 28 header + 4+6*40 SA + 8+128 KE + 36 nonce + 56 NAT-D = 528 B -> 4.224 µs -> 4 µs.
  assert.is(messageBytes(r.wire[0]!.msg), 528);
  const serialUs = r.wire.reduce((sum, w) => sum + Math.round((messageBytes(w.msg) * 8) / 1000), 0);
  assert.ok(serialUs > 0);
  assert.is(r.s.setupTime, (40_000 + serialUs) / 1e6);
});

test('a lost first IKE_SA_INIT is retransmitted after 4 s: setup = 4 s + 2 RTT', () => {
  const sim = new Simulator();
  const r = wire(sim, {}, {}, new StubLink(sim, 0.01, (n) => n === 0), new StubLink(sim, 0.01, () => false));
  r.s.start();
  sim.run({ until: 10 });
  assert.equal(r.wire.map((w) => `${w.t} ${w.from} ${w.msg.exchange} ${w.carried}`), [
    '0 a IKE_SA_INIT false',
    '4 a IKE_SA_INIT true',
    '4.01 b IKE_SA_INIT true',
    '4.02 a IKE_AUTH true',
    '4.03 b IKE_AUTH true',
  ]);
  assert.is(r.s.setupTime, 4.04);
});

test('an unreachable peer is given up after the backoff schedule: 4 + 7.2 + ... = 165.06112 s', () => {
  const sim = new Simulator();
  const toB = new StubLink(sim, 0.01, () => true);
  const r = wire(sim, {}, {}, toB, new StubLink(sim, 0.01, () => true));
  r.s.start();
  sim.run({ until: 1000 });
  assert.equal(retransmitSchedule(STRONGSWAN_RETRANSMIT), [4, 7.2, 12.96, 23.328, 41.9904, 75.58272]);
  assert.is(giveUpAfter(STRONGSWAN_RETRANSMIT), 165.06112);
  assert.equal(r.wire.map((w) => w.t), [0, 4, 11.2, 24.16, 47.488, 89.4784]);
  assert.equal(ev(r.s, 'down'), ['165.06112 a down peerUnreachable']);
  assert.equal(r.s.state, { state: 'failed', reason: 'peerUnreachable', status: 'missingEndpoint' });
  assert.is(r.s.setupTime, undefined);
});

test('a configurable schedule: timeout 1 s, base 2, 2 tries gives up after 1 + 2 + 4 = 7 s', () => {
  const sim = new Simulator();
  const r = wire(sim, { retransmit: { timeout: 1, base: 2, tries: 2 } }, {}, new StubLink(sim, 0.01, () => true), new StubLink(sim, 0.01, () => true));
  r.s.start();
  sim.run({ until: 1000 });
  assert.equal(ev(r.s, 'down'), ['7 a down peerUnreachable']);
});

test('answers lost on the way back: the responder drops its half-open SA after 30 s, the initiator gives up later', () => {
  const sim = new Simulator();
  const r = wire(sim, {}, {}, new StubLink(sim, 0.01, () => false), new StubLink(sim, 0.01, () => true));
  r.s.start();
  sim.run({ until: 1000 });
  // Requests are sent at 0, 4, 11.2, 24.16, 47.488 and 89.4784 s (strongSwan's schedule). Retransmissions
  // while the responder's half-open SA lives (until 30.01) are answered from its cache, which is no progress;
  // once it is deleted, a retransmitted IKE_SA_INIT is a new one: a new half-open SA, deleted 30 s later
  // (47.498 + 30 = 77.498, 89.4884 + 30 = 119.4884). The initiator gives up at 165.06112.
  assert.equal(ev(r.s, 'down'), ['30.01 b down peerUnreachable', '77.498 b down peerUnreachable', '119.4884 b down peerUnreachable', '165.06112 a down peerUnreachable']);
});

test('failures through the session: statuses in the Batfish vocabulary', () => {
  const cases: [Partial<IkeOptions>, Partial<IkeOptions>, string, string, string][] = [
    [{}, { sharedKey: 'abc124' }, 'authenticationFailed', 'ikePhase1KeyMismatch', '0.04'],
    [{ version: 'IKEv1' }, { version: 'IKEv1', sharedKey: 'abc124' }, 'authenticationFailed', 'ikePhase1KeyMismatch', '0.06'],
    [{}, { ikeProposals: ['AES128-SHA384-DH24'] }, 'noProposalChosen', 'ikePhase1Failed', '0.02'],
    [{}, { version: 'IKEv1' }, 'versionMismatch', 'notCompatible', '0.02'],
    [{}, { espProposals: ['AES128-MD5'] }, 'ipsecPhase2Failed', 'ipsecPhase2Failed', '0.04'],
    [{ trafficSelectors: { local: ['10.1.0.0/16'], remote: ['10.2.0.0/16'] } }, {}, 'trafficSelectorMismatch', 'ipsecPhase2Failed', '0.04'],
  ];
  for (const [a, b, reason, status, at] of cases) {
    const r = rig(a, b);
    r.s.start();
    r.sim.run({ until: 300 });
    assert.equal(r.s.state, { state: 'failed', reason, status }, reason);
    assert.equal(ev(r.s, 'down').filter((e) => e.includes(' a ')), [`${at} a down ${reason}`], reason);
    assert.is(ev(r.s, 'down').length, 2, `${reason}: both ends report it`);
    assert.is(ev(r.s, 'up').length, 0);
  }
});

test('DPD: the peer vanishes, detected exactly 45 s after it was last heard', () => {
  const r = rig({}, {});
  r.s.start();
  r.sim.run({ until: 1 });
  assert.equal(r.s.state, { state: 'up' });
  r.alive.value = false; // the peer's device fails: nothing crosses either way
  r.sim.run({ until: 100 });
  // a last heard b at 0.04 (IKE_AUTH response); probes at 15.04 and 30.04 go unanswered.
  const probes = r.wire.filter((w) => w.from === 'a' && w.msg.exchange === 'INFORMATIONAL');
  assert.equal(probes.map((w) => `${w.t} ${w.carried}`), ['15.04 false', '30.04 false']);
  assert.equal(ev(r.s, 'down'), ['45.03 b down dpdTimeout', '45.04 a down dpdTimeout']);
  assert.equal(r.s.state, { state: 'down', reason: 'dpdTimeout' });
});

test('DPD: a live peer is never declared dead; one probe per interval of silence', () => {
  const r = rig({}, {});
  r.s.start();
  r.sim.run({ until: 3600 });
  assert.equal(ev(r.s, 'down'), []);
  const probes = r.wire.filter((w) => w.msg.exchange === 'INFORMATIONAL' && !w.msg.response);
  assert.ok(probes.length >= 3600 / 15 - 2 && probes.length <= 2 * (3600 / 15), `${probes.length} probes`);
});

test('policy-based: no DPD, and the idle timeout is 300 s exactly (R14)', () => {
  const r = rig({ vpnType: 'PolicyBased' }, { vpnType: 'PolicyBased' });
  r.s.start();
  r.sim.run({ until: 1 });
  assert.is(r.s.setupTime, 0.09, 'IKEv1 by default');
  r.sim.scheduleAt(10, () => assert.ok(r.s.traffic('a')));
  // Traffic 299.999 s after the last packet keeps it up ...
  r.sim.scheduleAt(309.999, () => assert.ok(r.s.traffic('b')));
  r.sim.run({ until: 609.998 });
  assert.equal(r.s.state, { state: 'up' });
  assert.equal(ev(r.s, 'down'), []);
  // ... and 300 s with nothing tears it down, at the boundary.
  r.sim.run({ until: 609.999 });
  assert.equal(r.s.state, { state: 'down', reason: 'idleTimeout' });
  assert.equal(ev(r.s, 'down'), ['609.999 a down idleTimeout', '609.999 b down idleTimeout']);
  assert.is(r.wire.filter((w) => w.msg.exchange === 'INFORMATIONAL' && !w.msg.notify).length, 2, 'each end sent its Delete; no probes');
});

test('policy-based: the next packet brings the tunnel back at once; it is dropped, not queued', () => {
  const r = rig({ vpnType: 'PolicyBased' }, { vpnType: 'PolicyBased' });
  r.s.start();
  r.sim.run({ until: 400 });
  assert.equal(ev(r.s, 'down'), ['300.08 a down idleTimeout', '300.09 b down idleTimeout']);
  assert.is(DATA_WHILE_NEGOTIATING, 'dropped');
  r.sim.scheduleAt(700, () => {
    assert.is(r.s.traffic('b'), false, 'the triggering packet is dropped');
    assert.equal(r.s.state, { state: 'connecting' });
  });
  r.sim.scheduleAt(700.05, () => assert.is(r.s.traffic('b'), false, 'still negotiating: dropped'));
  r.sim.run({ until: 701 });
  assert.equal(ev(r.s, 'negotiating').slice(-1), ['700 b negotiating traffic']);
  assert.equal(ev(r.s, 'up').slice(-2), ['700.08 b up quickModeComplete', '700.09 a up quickModeComplete']);
  assert.is(r.s.setupTime, 0.09);
  assert.is(r.s.traffic('a'), true);
});

test('route-based: traffic neither starts a down tunnel nor idles it out', () => {
  const r = rig({}, {});
  assert.is(r.s.traffic('a'), false);
  r.sim.run({ until: 1 });
  assert.equal(r.s.state, { state: 'idle' });
  r.s.start();
  r.sim.run({ until: 1000 });
  assert.equal(r.s.state, { state: 'up' });
});

test('IKEv2 CREATE_CHILD_SA rekeys in place at the child lifetime, with no down', () => {
  // 2016 route-based: IKE SA 10,800 s, child SA 3,600 s. DPD off so the wire holds only the rekeys.
  const r = rig({ era: 'legacy', dpd: false }, { era: 'legacy', dpd: false });
  r.s.start();
  r.sim.run({ until: 11_000 });
  // a came up at 0.04, so its child lifetime runs out at 3600.04: CREATE_CHILD_SA --> 3600.05, <-- 3600.06.
  assert.equal(ev(r.s, 'rekeyed'), [
    '3600.05 b rekeyed childSaRekeyed', '3600.06 a rekeyed childSaRekeyed',
    '7200.07 b rekeyed childSaRekeyed', '7200.08 a rekeyed childSaRekeyed',
    // IKE SA lifetime at 10800.04, rekeyed in place too (RFC 7296 §1.3.2); the third child rekey follows at 10800.08.
    '10800.05 b rekeyed ikeSaRekeyed', '10800.06 a rekeyed ikeSaRekeyed',
    '10800.09 b rekeyed childSaRekeyed', '10800.1 a rekeyed childSaRekeyed',
  ]);
  assert.equal(ev(r.s, 'down'), []);
  assert.equal(r.s.state, { state: 'up' });
  assert.is(r.wire.length, 4 + 8);
});

test('IKEv2 rekeys with DPD on still never take the tunnel down', () => {
  const r = rig({ era: 'legacy' }, { era: 'legacy' });
  r.s.start();
  r.sim.run({ until: 11_000 });
  assert.is(ev(r.s, 'rekeyed').filter((e) => e.includes(' a ')).length, 4, 'child x3, IKE SA x1');
  assert.equal(ev(r.s, 'down'), []);
  assert.equal(r.s.state, { state: 'up' });
});

test('IKEv1 phase-1 lifetime: the tunnel drops with reason rekey and comes back by itself', () => {
  const r = rig({ version: 'IKEv1', dpd: false }, { version: 'IKEv1', dpd: false });
  r.s.start();
  r.sim.run({ until: 29_000 });
  // Phase 2 (27,000 s) is a Quick Mode in place; phase 1 (28,800 s) drops the tunnel.
  assert.equal(ev(r.s, 'rekeyed'), ['27000.1 a rekeyed quickModeRekeyed', '27000.11 b rekeyed quickModeRekeyed']);
  assert.equal(ev(r.s, 'down'), ['28800.08 a down rekey', '28800.09 b down rekey']);
  assert.equal(ev(r.s, 'up').slice(-2), ['28800.16 a up quickModeComplete', '28800.17 b up quickModeComplete']);
  assert.equal(r.s.setupTimes, [0.09, 0.09]);
  assert.equal(r.s.state, { state: 'up' });
});

test('onEvent reports ups and downs with their time, end and reason', () => {
  const sim = new Simulator();
  const rng = new Rng(7);
  const seen: string[] = [];
  const s = new IkeSession({
    sim,
    a: ikeConfig({ id: 'a', sharedKey: 'abc123' }),
    b: ikeConfig({ id: 'b', sharedKey: 'abc123' }),
    aToB: new PathDirection(sim, rng.stream('x'), IDEAL),
    bToA: new PathDirection(sim, rng.stream('y'), IDEAL),
    onEvent: (t, end, kind, reason) => seen.push(`${t} ${end} ${kind} ${reason}`),
  });
  s.start();
  sim.run({ until: 5 });
  s.close();
  sim.run({ until: 10 });
  assert.equal(seen, ['0.03 b up ikeAuthComplete', '0.04 a up ikeAuthComplete', '5 a down admin', '5.01 b down peerDown']);
  assert.equal(s.state, { state: 'down', reason: 'peerDown' });
  s.dispose();
});

test('lossy path: same seed, same trace; the tunnel still comes up through retransmissions', () => {
  const lossy: PathFigures = { latencyMs: 20, lossPercent: 30, bandwidthMbps: 100 };
  const trace = (seed: number) => {
    const r = rig({}, {}, lossy, seed);
    r.s.start();
    r.sim.run({ until: 200 });
    return { setup: r.s.setupTime, wire: r.wire.map((w) => `${w.t}/${w.carried}`).join(',') };
  };
  const one = trace(42);
  assert.equal(trace(42), one);
  assert.type(one.setup, 'number');
  assert.ok(one.setup! >= 0.08);
});

test.run();
