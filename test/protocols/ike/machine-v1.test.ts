import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ikeConfig } from '../../../src/protocols/ike/config.js';
import { IKE_TIMERS } from '../../../src/protocols/ike/machine.js';
import { Ladder, notices, sent, timers } from './ladder.js';

// Policy-based (2016): IKEv1, phase 1 28,800 s, phase 2 3,600 s, no DPD, idle 300 s (R14), selectors (R15).
const A = ikeConfig({ id: 'azure-gw', sharedKey: 'abc123', vpnType: 'PolicyBased', trafficSelectors: { local: ['10.1.0.0/16'], remote: ['192.168.1.0/24'] } });
const B = ikeConfig({ id: 'onprem', sharedKey: 'abc123', vpnType: 'PolicyBased', trafficSelectors: { local: ['192.168.1.0/24'], remote: ['10.1.0.0/16'] } });

test('IKEv1 happy path: Main Mode 6 messages, Quick Mode 3 messages', () => {
  const l = new Ladder(A, B);
  // MM1 --> SA proposals
  let t = l.input('a', { kind: 'start' });
  assert.is(l.a.phase, 'mm1Sent');
  assert.is(l.peek().version, 'IKEv1');
  assert.equal(l.peek().sa, A.ikeProposals);
  // <-- MM2 chosen SA
  t = l.deliver();
  assert.is(l.b.phase, 'mm2Sent');
  assert.equal(l.peek().sa, ['AES256-SHA1-DH2']);
  // MM3 --> KE, Ni
  l.deliver();
  assert.is(l.peek().ke, 2);
  assert.type(l.peek().nonce, 'string');
  // <-- MM4 KE, Nr
  l.deliver();
  assert.is(l.b.phase, 'mm4Sent');
  // MM5 --> IDii, HASH_I
  l.deliver();
  assert.is(l.peek().id, 'azure-gw');
  assert.not.ok(JSON.stringify(l.peek()).includes('abc123'));
  // <-- MM6 IDir, HASH_R
  l.deliver();
  assert.is(l.b.phase, 'mm6Sent');
  // QM1 --> IPsec SA proposals, selectors
  l.deliver();
  assert.is(l.peek().exchange, 'QUICK_MODE');
  assert.equal(l.peek().tsi, ['10.1.0.0/16']);
  assert.equal(l.peek().tsr, ['192.168.1.0/24']);
  // <-- QM2: the responder waits for QM3 and retransmits QM2 if need be
  t = l.deliver();
  assert.is(l.b.phase, 'qm2Sent');
  assert.ok(timers(t).includes('retransmit=4'));
  // QM3 -->: the initiator is up as it sends it
  t = l.deliver();
  assert.equal(notices(t), ['up quickModeComplete']);
  // Policy-based: idle timer, lifetimes, no DPD.
  assert.equal(timers(t).sort(), ['childLifetime=3600', 'idle=300', 'ikeLifetime=28800']);
  t = l.deliver();
  assert.equal(notices(t), ['up quickModeComplete']);
  assert.ok(t.effects.some((e) => e.kind === 'stopTimer' && e.name === IKE_TIMERS.retransmit));
  assert.equal(l.log, ['a->b MM1', 'b->a MM2', 'a->b MM3', 'b->a MM4', 'a->b MM5', 'b->a MM6', 'a->b QM1', 'b->a QM2', 'a->b QM3']);
});

test('IKEv1 wrong key: AUTHENTICATION-FAILED notify after MM5', () => {
  const l = new Ladder(A, ikeConfig({ ...B, sharedKey: 'xyz789' }));
  l.input('a', { kind: 'start' });
  l.pump();
  assert.equal(l.log.slice(-2), ['a->b MM5', 'b->a INFORMATIONAL resp [AUTHENTICATION_FAILED]']);
  assert.is(l.a.reason, 'authenticationFailed');
  assert.is(l.b.reason, 'authenticationFailed');
});

test('IKEv1 no common phase-1 proposal: NO-PROPOSAL-CHOSEN after MM1', () => {
  const l = new Ladder(A, ikeConfig({ id: 'onprem', sharedKey: 'abc123', vpnType: 'PolicyBased', ikeProposals: ['DES-MD5-DH1'] }));
  l.input('a', { kind: 'start' });
  l.pump();
  assert.equal(l.log, ['a->b MM1', 'b->a INFORMATIONAL resp [NO_PROPOSAL_CHOSEN]']);
  assert.is(l.a.reason, 'noProposalChosen');
});

test('IKEv1 phase 2: ESP proposal mismatch -> ipsecPhase2Failed; selector mismatch -> trafficSelectorMismatch', () => {
  const ts = { local: ['192.168.1.0/24'], remote: ['10.1.0.0/16'] };
  const l = new Ladder(A, ikeConfig({ id: 'onprem', sharedKey: 'abc123', vpnType: 'PolicyBased', espProposals: ['DES-MD5'], trafficSelectors: ts }));
  l.input('a', { kind: 'start' });
  l.pump();
  assert.equal(l.log.slice(-2), ['a->b QM1', 'b->a INFORMATIONAL resp [NO_PROPOSAL_CHOSEN]']);
  assert.is(l.a.reason, 'ipsecPhase2Failed');
  assert.is(l.b.reason, 'ipsecPhase2Failed');

  const m = new Ladder(A, ikeConfig({ id: 'onprem', sharedKey: 'abc123', vpnType: 'PolicyBased', trafficSelectors: { local: ['192.168.2.0/24'], remote: ['10.1.0.0/16'] } }));
  m.input('a', { kind: 'start' });
  m.pump();
  assert.equal(m.log.slice(-1), ['b->a INFORMATIONAL resp [INVALID_ID_INFORMATION]']);
  assert.is(m.a.reason, 'trafficSelectorMismatch');
  assert.is(m.b.reason, 'trafficSelectorMismatch');
});

test('IKEv1 lost QM3: the responder retransmits QM2 and the initiator answers with QM3 again', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  for (let i = 0; i < 8; i++) l.deliver();
  assert.is(l.a.phase, 'established');
  l.drop(); // QM3 lost
  // <-- QM2 (retransmitted)
  const t = l.input('b', { kind: 'timer', name: IKE_TIMERS.retransmit });
  assert.equal(sent(t).map((m) => m.seq), [2]);
  // QM3 --> from the cache
  assert.is(l.deliver().reason, 'duplicateAnswered');
  assert.equal(notices(l.deliver()), ['up quickModeComplete']);
});

test('IKEv1 idle timer: Delete on expiry, the peer goes down with peerDown; traffic brings it back', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  l.pump();
  assert.is(l.input('a', { kind: 'traffic' }).reason, 'idleTimerRestarted');
  let t = l.input('a', { kind: 'timer', name: IKE_TIMERS.idle });
  assert.equal(notices(t), ['down idleTimeout']);
  assert.is(l.peek().delete, 'ike');
  assert.equal(notices(l.deliver()), ['down peerDown']);
  // R14: the first packet in either direction brings it up again at once.
  t = l.input('b', { kind: 'traffic' });
  assert.equal(notices(t), ['negotiating traffic']);
  l.pump();
  assert.is(l.a.phase, 'established');
  assert.is(l.b.role, 'initiator');
});

test('IKEv1 phase-2 lifetime: a new Quick Mode in place; phase-1 lifetime: down(rekey) and Main Mode again', () => {
  const l = new Ladder(A, B);
  l.input('a', { kind: 'start' });
  l.pump();
  l.log.length = 0;
  l.input('a', { kind: 'timer', name: IKE_TIMERS.childLifetime });
  l.pump();
  assert.equal(l.log, ['a->b QM1', 'b->a QM2', 'a->b QM3']);
  assert.equal(l.notices.slice(-2), ['a rekeyed quickModeRekeyed', 'b rekeyed quickModeRekeyed']);
  l.log.length = 0;
  const oldSpi = l.a.spiI;
  const t = l.input('a', { kind: 'timer', name: IKE_TIMERS.ikeLifetime });
  assert.equal(notices(t), ['down rekey', 'negotiating rekey']);
  l.pump();
  assert.equal(l.log.slice(0, 2), ['a->b INFORMATIONAL req [DELETE ike]', 'a->b MM1']);
  assert.is(l.log.length, 10, 'Delete + 6 Main Mode + 3 Quick Mode');
  assert.ok(l.notices.includes('b down rekey'));
  assert.is(l.a.phase, 'established');
  assert.is(l.b.phase, 'established');
  assert.is.not(l.a.spiI, oldSpi);
});

test('IKEv1 route-based with DPD: R-U-THERE / R-U-THERE-ACK (RFC 3706)', () => {
  const a = ikeConfig({ id: 'a', sharedKey: 'abc123', version: 'IKEv1' });
  const b = ikeConfig({ id: 'b', sharedKey: 'abc123', version: 'IKEv1' });
  const l = new Ladder(a, b);
  l.input('a', { kind: 'start' });
  l.pump();
  l.log.length = 0;
  l.input('b', { kind: 'timer', name: IKE_TIMERS.dpd });
  l.pump();
  assert.equal(l.log, ['b->a INFORMATIONAL req [R_U_THERE]', 'a->b INFORMATIONAL resp [R_U_THERE_ACK]']);
  assert.is(l.b.outstanding, null);
});

test.run();
