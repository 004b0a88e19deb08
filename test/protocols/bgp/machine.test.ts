import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  bgpNeighborConfig,
  initialBgpState,
  negotiateTimers,
  stepBgp,
  type BgpEffect,
  type BgpInput,
  type BgpMachineState,
  type BgpTransition,
} from '../../../src/protocols/bgp/machine.js';
import type { BgpSegment } from '../../../src/protocols/bgp/messages.js';
import { UsageError } from '../../../src/errors.js';

// Azure gateway (AS 65515) and an on-premises device (AS 65010), stepped by hand: no clock.
const AZURE = { localAs: 65515, routerId: '10.1.255.30', peerAs: 65010 };
const ONPREM = { localAs: 65010, routerId: '192.168.1.1', peerAs: 65515 };

function started(o: Parameters<typeof bgpNeighborConfig>[0]): BgpMachineState {
  let s = initialBgpState(bgpNeighborConfig(o));
  s = stepBgp(s, { kind: 'manualStart' }).next;
  return s;
}

const sent = (t: BgpTransition): BgpSegment[] => t.effects.flatMap((e) => (e.kind === 'send' ? [e.msg] : []));
const types = (t: BgpTransition): string[] => sent(t).map((s) => s.msg.type);
const timers = (t: BgpTransition): Record<string, number> =>
  Object.fromEntries(t.effects.flatMap((e) => (e.kind === 'startTimer' ? [[e.name, e.after]] : [])));
const kinds = (t: BgpTransition, kind: BgpEffect['kind']): BgpEffect[] => t.effects.filter((e) => e.kind === kind);
const recv = (seg: BgpSegment): BgpInput => ({ kind: 'recv', msg: seg });

/** Delivers every segment of `t` to `s` in order; returns the transitions. */
function deliver(s: BgpMachineState, t: BgpTransition): { s: BgpMachineState; steps: BgpTransition[] } {
  const steps: BgpTransition[] = [];
  for (const seg of sent(t)) {
    const r = stepBgp(s, recv(seg));
    steps.push(r);
    s = r.next;
  }
  return { s, steps };
}

/** Runs the handshake: a active, b passive. Returns every transition in ladder order. */
function handshake(aOpts = AZURE, bOpts: Parameters<typeof bgpNeighborConfig>[0] = { ...ONPREM, passive: true }) {
  let a = started(aOpts);
  let b = started(bOpts);
  const aUp = stepBgp(a, { kind: 'transportUp' });
  a = aUp.next;
  const bUp = stepBgp(b, { kind: 'transportUp' });
  b = bUp.next;
  // TCP_SYN -->
  const bSyn = stepBgp(b, recv(sent(aUp)[0]!));
  b = bSyn.next;
  // <-- TCP_SYN_ACK
  const aSynAck = stepBgp(a, recv(sent(bSyn)[0]!));
  a = aSynAck.next;
  // TCP_ACK, OPEN -->
  const r1 = deliver(b, aSynAck);
  b = r1.s;
  // <-- OPEN, KEEPALIVE
  const bOut = { next: b, reason: '', effects: r1.steps.flatMap((x) => x.effects) } as BgpTransition;
  const r2 = deliver(a, bOut);
  a = r2.s;
  // KEEPALIVE -->
  const aOut = { next: a, reason: '', effects: r2.steps.flatMap((x) => x.effects) } as BgpTransition;
  const r3 = deliver(b, aOut);
  b = r3.s;
  return { a, b, aUp, bUp, bSyn, aSynAck, bSteps: r1.steps, aSteps: r2.steps, bLast: r3.steps };
}

test('manual start waits for the transport, then Connect sends a SYN and arms ConnectRetry (120 s)', () => {
  const s0 = initialBgpState(bgpNeighborConfig(AZURE));
  const t1 = stepBgp(s0, { kind: 'manualStart' });
  assert.is(t1.next.fsm, 'Idle');
  assert.is(t1.reason, 'manualStartAwaitingTransport');
  assert.equal(types(t1), []);
  const t2 = stepBgp(t1.next, { kind: 'transportUp' });
  assert.is(t2.next.fsm, 'Connect');
  assert.equal(types(t2), ['TCP_SYN']);
  assert.is(timers(t2).connectRetry, 120);
});

test('happy path: Idle -> Connect -> OpenSent -> OpenConfirm -> Established as a message ladder', () => {
  const h = handshake();
  // a: transportUp -> Connect (SYN)
  assert.is(h.aUp.next.fsm, 'Connect');
  // b (passive): transportUp -> Active, listening
  assert.is(h.bUp.next.fsm, 'Active');
  assert.equal(types(h.bUp), []);
  // TCP_SYN --> b answers SYN_ACK, still Active
  assert.is(h.bSyn.next.fsm, 'Active');
  assert.equal(types(h.bSyn), ['TCP_SYN_ACK']);
  // <-- TCP_SYN_ACK: a sends ACK and OPEN at once (one RTT after its SYN), OpenSent, hold timer 240 s
  assert.is(h.aSynAck.next.fsm, 'OpenSent');
  assert.is(h.aSynAck.reason, 'tcpConnectionAcked');
  assert.equal(types(h.aSynAck), ['TCP_ACK', 'OPEN']);
  assert.is(timers(h.aSynAck).hold, 240);
  const open = sent(h.aSynAck)[1]!.msg;
  assert.equal(open, { type: 'OPEN', version: 4, myAs: 65515, holdTime: 180, bgpIdentifier: '10.1.255.30' });
  // TCP_ACK --> b: OpenSent, sends its OPEN
  assert.is(h.bSteps[0]!.next.fsm, 'OpenSent');
  assert.equal(types(h.bSteps[0]!), ['OPEN']);
  // OPEN --> b: OpenConfirm, KEEPALIVE, hold 180, keepalive 60
  assert.is(h.bSteps[1]!.next.fsm, 'OpenConfirm');
  assert.equal(types(h.bSteps[1]!), ['KEEPALIVE']);
  assert.equal(timers(h.bSteps[1]!), { hold: 180, keepalive: 60 });
  // <-- OPEN: a OpenConfirm; <-- KEEPALIVE: a Established, up
  assert.is(h.aSteps[0]!.next.fsm, 'OpenConfirm');
  assert.is(h.aSteps[1]!.next.fsm, 'Established');
  assert.equal(kinds(h.aSteps[1]!, 'up'), [{ kind: 'up', reason: 'established' }]);
  // KEEPALIVE --> b Established
  assert.is(h.b.fsm, 'Established');
  assert.is(h.a.fsm, 'Established');
  assert.equal(h.a.peer, { asn: 65010, routerId: '192.168.1.1', holdTime: 180 });
  assert.is(h.a.holdTime, 180);
  assert.is(h.a.keepaliveTime, 60);
});

test('hold time negotiation: the smaller hold time of the two OPENs wins; keepalive a third', () => {
  // RFC 4271 suggested timers (hold 90) against Azure's 180.
  const h = handshake(AZURE, { ...ONPREM, passive: true, holdTime: 90 });
  assert.is(h.a.holdTime, 90);
  assert.is(h.b.holdTime, 90);
  assert.is(h.a.keepaliveTime, 30);
  assert.equal(negotiateTimers(180, 90), { holdTime: 90, keepaliveTime: 30 });
  // A configured keepalive is kept, capped at a third of the negotiated hold time.
  assert.equal(negotiateTimers(180, 180, 20), { holdTime: 180, keepaliveTime: 20 });
  assert.equal(negotiateTimers(180, 90, 60), { holdTime: 90, keepaliveTime: 30 });
  // Hold 0 on either side disables both timers.
  assert.equal(negotiateTimers(180, 0), { holdTime: 0, keepaliveTime: 0 });
  const z = handshake(AZURE, { ...ONPREM, passive: true, holdTime: 0 });
  assert.is(z.a.fsm, 'Established');
  assert.is(z.a.holdTime, 0);
  assert.equal(timers(z.aSteps[0]!), {});
});

test('hold time must be 0 or at least 3 s: config and OPEN are checked', () => {
  assert.throws(() => bgpNeighborConfig({ ...AZURE, holdTime: 2 }), (e: unknown) => e instanceof UsageError && e.rule === 'bgp');
  assert.throws(() => bgpNeighborConfig({ ...AZURE, routerId: '0.0.0.0' }), (e: unknown) => e instanceof UsageError);
  // OPEN with hold 2 --> OpenSent answers NOTIFICATION OPEN error / Unacceptable Hold Time (6)
  const h = handshake();
  let a = started(AZURE);
  a = stepBgp(a, { kind: 'transportUp' }).next;
  const conn = a.conn;
  a = stepBgp(a, recv({ conn, msg: { type: 'TCP_SYN_ACK' } })).next;
  assert.is(a.fsm, 'OpenSent');
  const t = stepBgp(a, recv({ conn, msg: { type: 'OPEN', version: 4, myAs: 65010, holdTime: 2, bgpIdentifier: '192.168.1.1' } }));
  assert.is(t.next.fsm, 'Idle');
  assert.is(t.reason, 'unacceptableHoldTime');
  assert.equal(sent(t)[0]!.msg, { type: 'NOTIFICATION', code: 2, subcode: 6 });
  assert.ok(h.a.fsm === 'Established');
});

test('OPEN with the wrong AS: NOTIFICATION Bad Peer AS, down peerAsMismatch, retry after ConnectRetry', () => {
  let a = started(AZURE);
  a = stepBgp(a, { kind: 'transportUp' }).next;
  const conn = a.conn;
  a = stepBgp(a, recv({ conn, msg: { type: 'TCP_SYN_ACK' } })).next;
  // <-- OPEN from AS 65011 while 65010 is expected
  const t = stepBgp(a, recv({ conn, msg: { type: 'OPEN', version: 4, myAs: 65011, holdTime: 180, bgpIdentifier: '192.168.1.1' } }));
  assert.is(t.next.fsm, 'Idle');
  assert.is(t.reason, 'peerAsMismatch');
  assert.equal(sent(t)[0]!.msg, { type: 'NOTIFICATION', code: 2, subcode: 2 });
  assert.equal(kinds(t, 'down'), [{ kind: 'down', reason: 'peerAsMismatch' }]);
  assert.is(timers(t).idleHold, 120);
  assert.is(t.next.connectRetryCounter, 1);
  // the idle hold timer expires: a tries again with a new connection id
  const r = stepBgp(t.next, { kind: 'timer', name: 'idleHold' });
  assert.is(r.next.fsm, 'Connect');
  assert.is(r.reason, 'automaticStart');
  assert.is.not(r.next.conn, conn);
});

test('Established: keepalive timer sends KEEPALIVE and restarts; UPDATE and KEEPALIVE restart the hold timer', () => {
  const { a } = handshake();
  const k = stepBgp(a, { kind: 'timer', name: 'keepalive' });
  assert.equal(types(k), ['KEEPALIVE']);
  assert.equal(timers(k), { keepalive: 60 });
  const upd = { type: 'UPDATE' as const, withdrawn: [], nlri: ['192.168.0.0/16'], attributes: { origin: 'igp' as const, asPath: [65010], nextHop: '192.168.1.1' } };
  const u = stepBgp(a, recv({ conn: a.conn, msg: upd }));
  assert.equal(timers(u), { hold: 180 });
  assert.equal(kinds(u, 'updateReceived'), [{ kind: 'updateReceived', update: upd }]);
  const ka = stepBgp(a, recv({ conn: a.conn, msg: { type: 'KEEPALIVE' } }));
  assert.equal(timers(ka), { hold: 180 });
  // sending an UPDATE restarts our keepalive timer (RFC 4271 §8.2.2)
  const s = stepBgp(a, { kind: 'sendUpdate', update: upd });
  assert.equal(types(s), ['UPDATE']);
  assert.equal(timers(s), { keepalive: 60 });
});

test('hold timer expiry in Established: NOTIFICATION code 4, down holdTimerExpired, restart at once', () => {
  const { a } = handshake();
  const t = stepBgp(a, { kind: 'timer', name: 'hold' });
  assert.is(t.next.fsm, 'Idle');
  assert.is(t.reason, 'holdTimerExpired');
  assert.equal(sent(t)[0]!.msg, { type: 'NOTIFICATION', code: 4, subcode: 0 });
  assert.equal(kinds(t, 'down'), [{ kind: 'down', reason: 'holdTimerExpired' }]);
  assert.is(timers(t).idleHold, 0);
  // the receiving side reads the same reason from the NOTIFICATION
  const { b } = handshake();
  const r = stepBgp(b, recv({ conn: b.conn, msg: { type: 'NOTIFICATION', code: 4, subcode: 0 } }));
  assert.is(r.reason, 'holdTimerExpired');
  assert.equal(types(r), []);
});

test('reset sends Cease (administrative reset) and restarts at once; manual stop stays Idle', () => {
  const { a } = handshake();
  const r = stepBgp(a, { kind: 'reset' });
  assert.is(r.next.fsm, 'Idle');
  assert.is(r.reason, 'cease');
  assert.equal(sent(r)[0]!.msg, { type: 'NOTIFICATION', code: 6, subcode: 4 });
  assert.is(timers(r).idleHold, 0);
  const s = stepBgp(a, { kind: 'manualStop' });
  assert.equal(sent(s)[0]!.msg, { type: 'NOTIFICATION', code: 6, subcode: 2 });
  assert.is(s.next.enabled, false);
  assert.equal(timers(s), {});
  // Idle and stopped: an incoming SYN is refused
  const syn = stepBgp(s.next, recv({ conn: 'x#1', msg: { type: 'TCP_SYN', routerId: '192.168.1.1' } }));
  assert.equal(types(syn), ['TCP_RST']);
});

test('transport down: Idle without NOTIFICATION, reason transportDown; transport up starts again', () => {
  const { a } = handshake();
  const d = stepBgp(a, { kind: 'transportDown' });
  assert.is(d.next.fsm, 'Idle');
  assert.is(d.reason, 'transportDown');
  assert.equal(types(d), []);
  assert.equal(timers(d), {});
  const u = stepBgp(d.next, { kind: 'transportUp' });
  assert.is(u.next.fsm, 'Connect');
  assert.equal(types(u), ['TCP_SYN']);
});

test('max prefix: Cease subcode 1 and the neighbor stays disabled until reset', () => {
  const { a } = handshake();
  const t = stepBgp(a, { kind: 'maxPrefixExceeded', count: 4001, limit: 4000 });
  assert.is(t.reason, 'maxPrefixExceeded');
  assert.equal(sent(t)[0]!.msg, { type: 'NOTIFICATION', code: 6, subcode: 1, data: '4001 > 4000' });
  assert.is(t.next.enabled, false);
  assert.equal(timers(t), {});
  const r = stepBgp(t.next, { kind: 'reset' });
  assert.is(r.next.fsm, 'Connect');
});

test('crossing SYNs: the connection of the higher BGP Identifier is kept (RFC 4271 §6.8)', () => {
  let a = started(AZURE); // 10.1.255.30 (lower)
  let b = started(ONPREM); // 192.168.1.1 (higher)
  const aSyn = stepBgp(a, { kind: 'transportUp' });
  const bSyn = stepBgp(b, { kind: 'transportUp' });
  a = aSyn.next;
  b = bSyn.next;
  // TCP_SYN --> and <-- TCP_SYN cross
  const aGets = stepBgp(a, recv(sent(bSyn)[0]!));
  const bGets = stepBgp(b, recv(sent(aSyn)[0]!));
  assert.is(aGets.reason, 'collisionYieldedToPeer');
  assert.equal(types(aGets), ['TCP_SYN_ACK']);
  assert.is(aGets.next.conn, b.conn);
  assert.is(bGets.reason, 'collisionKeptOwnConnection');
  assert.equal(types(bGets), []);
});

test('segments of an old connection are ignored; a SYN in Established is dropped', () => {
  const { a } = handshake();
  const stale = stepBgp(a, recv({ conn: 'old#1', msg: { type: 'KEEPALIVE' } }));
  assert.is(stale.reason, 'staleSegment');
  assert.equal(stale.effects, []);
  const syn = stepBgp(a, recv({ conn: '192.168.1.1#9', msg: { type: 'TCP_SYN', routerId: '192.168.1.1' } }));
  assert.is(syn.reason, 'collisionExistingConnection');
  assert.is(syn.next.fsm, 'Established');
});

test('an UPDATE before Established is an FSM error (NOTIFICATION code 5)', () => {
  let a = started(AZURE);
  a = stepBgp(a, { kind: 'transportUp' }).next;
  a = stepBgp(a, recv({ conn: a.conn, msg: { type: 'TCP_SYN_ACK' } })).next;
  const t = stepBgp(a, recv({ conn: a.conn, msg: { type: 'UPDATE', withdrawn: [], nlri: [] } }));
  assert.is(t.reason, 'fsmError');
  assert.equal(sent(t)[0]!.msg, { type: 'NOTIFICATION', code: 5, subcode: 0 });
});

test.run();
