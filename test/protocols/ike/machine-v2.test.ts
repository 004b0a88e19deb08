import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ikeConfig } from '../../../src/protocols/ike/config.js';
import { IKE_TIMERS, ikeStep } from '../../../src/protocols/ike/machine.js';
import { Ladder, notices, sent, timers } from './ladder.js';

const A = ikeConfig({ id: 'gw-a', sharedKey: 'abc123' });
const B = ikeConfig({ id: 'gw-b', sharedKey: 'abc123' });

test('IKEv2 happy path: IKE_SA_INIT + IKE_AUTH bring up the IKE SA and the first child SA', () => {
  const l = new Ladder(A, B);
  // IKE_SA_INIT -->
  let t = l.input('a', { kind: 'start' });
  assert.is(l.a.phase, 'saInitSent');
  const init = l.peek();
  assert.is(init.exchange, 'IKE_SA_INIT');
  assert.is(init.response, false);
  assert.is(init.messageId, 0);
  assert.is(init.spiR, 0);
  assert.is(init.ke, 2);
  assert.equal(init.sa, A.ikeProposals);
  assert.ok(timers(t).includes('retransmit=4'));
  assert.equal(notices(t), ['negotiating start']);
  // <-- IKE_SA_INIT
  t = l.deliver();
  assert.is(l.b.phase, 'saInitReplied');
  assert.equal(l.peek().sa, ['AES256-SHA1-DH2']);
  assert.ok(l.peek().response);
  assert.ok(timers(t).includes('halfOpen=30'));
  // IKE_AUTH -->
  t = l.deliver();
  assert.is(l.a.phase, 'authSent');
  const auth = l.peek();
  assert.is(auth.exchange, 'IKE_AUTH');
  assert.is(auth.messageId, 1);
  assert.is(auth.id, 'gw-a');
  assert.type(auth.auth, 'string');
  assert.not.ok(JSON.stringify(auth).includes('abc123'), 'the key itself never travels');
  assert.equal(auth.tsi, ['0.0.0.0/0']);
  // <-- IKE_AUTH
  t = l.deliver();
  assert.is(l.b.phase, 'established');
  assert.equal(notices(t), ['up ikeAuthComplete']);
  assert.not.ok(timers(t).some((x) => x.startsWith('ikeLifetime')), 'the responder runs no lifetime timers');
  t = l.deliver();
  assert.is(l.a.phase, 'established');
  assert.equal(notices(t), ['up ikeAuthComplete']);
  // Route-based current: IKE SA 28,800 s, child SA 27,000 s, DPD every 15 s, dead after 45 s.
  assert.equal(timers(t).sort(), ['childLifetime=27000', 'dpd=15', 'dpdDead=45', 'ikeLifetime=28800']);
  assert.is(l.a.childProposal, 'GCMAES256');
  assert.is(l.b.childProposal, 'GCMAES256');
  assert.equal(l.log, ['a->b IKE_SA_INIT req', 'b->a IKE_SA_INIT resp', 'a->b IKE_AUTH req', 'b->a IKE_AUTH resp']);
});

test('different keys: AUTHENTICATION_FAILED, both ends fail with authenticationFailed', () => {
  const l = new Ladder(A, ikeConfig({ id: 'gw-b', sharedKey: 'abc124' }));
  l.input('a', { kind: 'start' });
  l.deliver(); // IKE_SA_INIT -->
  l.deliver(); // <-- IKE_SA_INIT
  // IKE_AUTH -->
  const t = l.deliver();
  assert.equal(notices(t), ['down authenticationFailed']);
  assert.is(l.peek().notify, 'AUTHENTICATION_FAILED');
  // <-- IKE_AUTH [AUTHENTICATION_FAILED]
  const t2 = l.deliver();
  assert.equal(notices(t2), ['down authenticationFailed']);
  assert.is(l.a.phase, 'down');
  assert.is(l.a.reason, 'authenticationFailed');
  assert.ok(t2.effects.some((e) => e.kind === 'stopTimer' && e.name === IKE_TIMERS.retransmit));
});

test('no common IKE proposal: NO_PROPOSAL_CHOSEN in the IKE_SA_INIT response', () => {
  const l = new Ladder(A, ikeConfig({ id: 'gw-b', sharedKey: 'abc123', ikeProposals: ['AES128-SHA384-DH24'] }));
  l.input('a', { kind: 'start' });
  assert.equal(notices(l.deliver()), ['down noProposalChosen']);
  assert.is(l.peek().notify, 'NO_PROPOSAL_CHOSEN');
  assert.equal(notices(l.deliver()), ['down noProposalChosen']);
  assert.is(l.a.reason, 'noProposalChosen');
});

test('INVALID_KE_PAYLOAD costs one more round trip, then succeeds with the group asked for', () => {
  const a = ikeConfig({ id: 'gw-a', sharedKey: 'abc123', ikeProposals: ['AES256-SHA256-DH14', 'AES256-SHA1-DH2'] });
  const l = new Ladder(a, B);
  l.input('a', { kind: 'start' });
  assert.is(l.peek().ke, 14);
  l.deliver(); // IKE_SA_INIT --> (KE group 14)
  assert.is(l.peek().notify, 'INVALID_KE_PAYLOAD');
  assert.is(l.peek().notifyData, 2);
  assert.is(l.b.phase, 'idle', 'the responder keeps no state');
  const t = l.deliver(); // <-- IKE_SA_INIT [INVALID_KE_PAYLOAD]
  assert.is(t.reason, 'invalidKePayload');
  assert.is(l.peek().ke, 2);
  l.pump();
  assert.is(l.a.phase, 'established');
  assert.is(l.b.phase, 'established');
  assert.is(l.log.length, 6);
});

test('child SA proposal mismatch: ipsecPhase2Failed; traffic selector mismatch: trafficSelectorMismatch', () => {
  const l = new Ladder(A, ikeConfig({ id: 'gw-b', sharedKey: 'abc123', espProposals: ['AES128-MD5'] }));
  l.input('a', { kind: 'start' });
  l.pump();
  assert.is(l.a.reason, 'ipsecPhase2Failed');
  assert.is(l.b.reason, 'ipsecPhase2Failed');
  assert.equal(l.log[3], 'b->a IKE_AUTH resp [NO_PROPOSAL_CHOSEN]');

  const ts = (local: string[], remote: string[]) => ({ local, remote });
  const a2 = ikeConfig({ id: 'gw-a', sharedKey: 'abc123', trafficSelectors: ts(['10.1.0.0/16'], ['192.168.0.0/24']) });
  const b2 = ikeConfig({ id: 'gw-b', sharedKey: 'abc123', trafficSelectors: ts(['192.168.0.0/24'], ['10.2.0.0/16']) });
  const m = new Ladder(a2, b2);
  m.input('a', { kind: 'start' });
  m.pump();
  assert.is(m.a.reason, 'trafficSelectorMismatch');
  assert.is(m.b.reason, 'trafficSelectorMismatch');
  assert.equal(m.log[3], 'b->a IKE_AUTH resp [TS_UNACCEPTABLE]');

  const b3 = ikeConfig({ id: 'gw-b', sharedKey: 'abc123', trafficSelectors: ts(['192.168.0.0/24'], ['10.1.0.0/16']) });
  const n = new Ladder(a2, b3);
  n.input('a', { kind: 'start' });
  n.pump();
  assert.is(n.a.phase, 'established', 'mirrored selectors agree');
});

test('IKE version mismatch: an IKEv1 responder answers INVALID_MAJOR_VERSION', () => {
  const l = new Ladder(A, ikeConfig({ id: 'gw-b', sharedKey: 'abc123', version: 'IKEv1' }));
  l.input('a', { kind: 'start' });
  assert.equal(notices(l.deliver()), ['down versionMismatch']);
  assert.is(l.peek().version, 'IKEv2', 'answered in the sender\'s version');
  assert.is(l.peek().notify, 'INVALID_MAJOR_VERSION');
  assert.equal(notices(l.deliver()), ['down versionMismatch']);

  const m = new Ladder(ikeConfig({ id: 'gw-a', sharedKey: 'abc123', version: 'IKEv1' }), B);
  m.input('a', { kind: 'start' });
  m.pump();
  assert.is(m.a.reason, 'versionMismatch');
  assert.is(m.b.reason, 'versionMismatch');
});

test('a lost response: the retransmitted request is answered from the cache', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  l.deliver(); // IKE_SA_INIT -->
  l.drop(); // <-- IKE_SA_INIT lost
  // retransmit timer: IKE_SA_INIT --> again, the next wait is 4 * 1.8 s
  const t = l.input('a', { kind: 'timer', name: IKE_TIMERS.retransmit });
  assert.is(t.reason, 'retransmitted');
  assert.ok(timers(t).includes('retransmit=7.2'));
  const spiR = l.b.spiR;
  const t2 = l.deliver();
  assert.is(t2.reason, 'duplicateAnswered');
  assert.is(l.b.spiR, spiR, 'no new SA on a duplicate');
  l.pump();
  assert.is(l.a.phase, 'established');
});

test('retransmissions exhausted: peerUnreachable after 5 retransmissions', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  const waits: string[] = [];
  for (let i = 0; i < 5; i++) {
    const t = l.input('a', { kind: 'timer', name: IKE_TIMERS.retransmit });
    assert.is(sent(t).length, 1);
    waits.push(...timers(t));
  }
  assert.equal(waits, ['retransmit=7.2', 'retransmit=12.96', 'retransmit=23.328', 'retransmit=41.9904', 'retransmit=75.58272']);
  const t = l.input('a', { kind: 'timer', name: IKE_TIMERS.retransmit });
  assert.equal(notices(t), ['down peerUnreachable']);
  assert.is(sent(t).length, 0);
});

test('CREATE_CHILD_SA rekeys the child SA and the IKE SA in place', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  l.pump();
  const oldSpi = l.a.spiI;
  // child lifetime expires at the initiator: CREATE_CHILD_SA -->
  l.input('a', { kind: 'timer', name: IKE_TIMERS.childLifetime });
  assert.is(l.peek().exchange, 'CREATE_CHILD_SA');
  assert.is(l.peek().rekey, 'child');
  assert.is(l.peek().messageId, 2);
  assert.equal(notices(l.deliver()), ['rekeyed childSaRekeyed']);
  // <-- CREATE_CHILD_SA
  const t = l.deliver();
  assert.equal(notices(t), ['rekeyed childSaRekeyed']);
  assert.ok(timers(t).includes('childLifetime=27000'));
  assert.is(l.a.phase, 'established');
  // IKE SA lifetime: CREATE_CHILD_SA with a new SPI -->, <--
  l.input('a', { kind: 'timer', name: IKE_TIMERS.ikeLifetime });
  assert.is(l.peek().rekey, 'ike');
  l.pump();
  assert.is(l.a.phase, 'established');
  assert.is.not(l.a.spiI, oldSpi);
  assert.is(l.a.spiI, l.b.spiI);
  assert.is(l.a.spiR, l.b.spiR);
  assert.is(l.a.nextMessageId, 0, 'Message IDs start again on the new IKE SA (RFC 7296 §2.18)');
  assert.not.ok(l.notices.some((n) => n.includes('down')));
  // The new SA works: a liveness check from the responder crosses it.
  l.input('b', { kind: 'timer', name: IKE_TIMERS.dpd });
  l.pump();
  assert.equal(l.log.slice(-2), ['b->a INFORMATIONAL req', 'a->b INFORMATIONAL resp']);
  assert.is(l.b.outstanding, null);
});

test('DPD: an empty INFORMATIONAL probe, answered; the dead timer ends the tunnel with dpdTimeout', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  l.pump();
  // INFORMATIONAL --> (liveness check, RFC 7296 §2.4)
  let t = l.input('a', { kind: 'timer', name: IKE_TIMERS.dpd });
  assert.is(t.reason, 'dpdProbeSent');
  assert.ok(timers(t).includes('retransmit=15'), 'probes repeat at the DPD interval');
  t = l.deliver();
  assert.ok(timers(t).includes('dpdDead=45'), 'hearing from the peer restarts its dead timer');
  // <-- INFORMATIONAL
  t = l.deliver();
  assert.is(t.reason, 'livenessConfirmed');
  assert.is(l.a.outstanding, null);
  t = l.input('a', { kind: 'timer', name: IKE_TIMERS.dpdDead });
  assert.equal(notices(t), ['down dpdTimeout']);
});

test('INFORMATIONAL Delete: the peer goes down with peerDown; admin close reports admin', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  l.pump();
  const t = l.input('a', { kind: 'close' });
  assert.equal(notices(t), ['down admin']);
  assert.is(l.peek().delete, 'ike');
  assert.equal(notices(l.deliver()), ['down peerDown']);
  assert.is(l.peek().response, true, 'the Delete is answered (RFC 7296 §1.4.1)');
  assert.is(l.deliver().reason, 'notNegotiatingIgnored');
});

test('simultaneous initiation: the lower initiator SPI keeps its attempt, one IKE SA results', () => {
  const l = new Ladder(A, B);
  // IKE_SA_INIT --> and <-- IKE_SA_INIT requests cross on the wire
  l.input('a', { kind: 'start' });
  const spiA = l.a.spiI;
  l.input('b', { kind: 'start' });
  const spiB = l.b.spiI;
  assert.is.not(spiA, spiB);
  l.pump();
  assert.is(l.a.phase, 'established');
  assert.is(l.b.phase, 'established');
  assert.is(l.a.spiI, Math.min(spiA, spiB));
  assert.is(l.b.spiI, Math.min(spiA, spiB));
  assert.equal([l.a.role, l.b.role].sort(), ['initiator', 'responder']);
});

test('pure: stepping does not mutate the input state', () => {
  const l = new Ladder(A, B);
  const before = JSON.stringify(l.a);
  ikeStep(l.a, { kind: 'start' });
  assert.is(JSON.stringify(l.a), before);
});

test.run();
