import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Net, us } from './fixtures.js';

// Azure gateway (AS 65515, 10.1.255.30) and an on-premises device (AS 65010, 192.168.1.1).
// One-way latency L = 10 ms. Both ends initiate; the SYNs cross and the device's
// connection (higher BGP Identifier) is kept (RFC 4271 §6.8).
//   t=0   both: Connect, TCP_SYN -->  <-- TCP_SYN
//   t=L   gw yields (SYN_ACK); device keeps its own
//   t=2L  device: SYN_ACK received -> ACK + OPEN, OpenSent
//   t=3L  gw: ACK -> OpenSent (OPEN); OPEN -> OpenConfirm (KEEPALIVE)
//   t=4L  device: OPEN -> OpenConfirm; KEEPALIVE -> Established
//   t=5L  gw: KEEPALIVE -> Established
function pair(opts: { gwHold?: number; devHold?: number; up?: { ab: boolean; ba: boolean }; gwPrefixes?: string[]; devPrefixes?: string[] } = {}) {
  const net = new Net();
  const gw = net.speaker({ name: 'gw', asn: 65515, routerId: '10.1.255.30', originated: opts.gwPrefixes ?? [] });
  const dev = net.speaker({ name: 'dev', asn: 65010, routerId: '192.168.1.1', originated: opts.devPrefixes ?? [] });
  const up = opts.up ?? { ab: true, ba: true };
  const s = net.connect('s1', { speaker: gw, holdTime: opts.gwHold }, { speaker: dev, holdTime: opts.devHold }, 10, up);
  return { net, gw, dev, s, up };
}

test('the session waits for its transport, then reaches Established after 4-5 one-way latencies', () => {
  const { net, s } = pair();
  net.sim.run({ until: 1 });
  assert.equal(s.states, { a: 'Idle', b: 'Idle' });
  s.transportUp();
  net.sim.run({ until: 2 });
  assert.ok(s.established);
  assert.equal(net.ladder('s1', 'gw'), [
    '1000000 Idle->Connect transportUp',
    '1030000 Connect->OpenSent tcpConnectionConfirmed',
    '1030000 OpenSent->OpenConfirm openReceived',
    '1050000 OpenConfirm->Established keepaliveReceived',
  ]);
  assert.equal(net.ladder('s1', 'dev'), [
    '1000000 Idle->Connect transportUp',
    '1020000 Connect->OpenSent tcpConnectionAcked',
    '1040000 OpenSent->OpenConfirm openReceived',
    '1040000 OpenConfirm->Established keepaliveReceived',
  ]);
});

test('a passive on-premises peer: the gateway initiates; Established at 4L (gateway) and 5L (device)', () => {
  const net = new Net();
  const gw = net.speaker({ name: 'gw', asn: 65515, routerId: '10.1.255.30' });
  const dev = net.speaker({ name: 'dev', asn: 65010, routerId: '192.168.1.1' });
  const s = net.connect('s1', { speaker: gw }, { speaker: dev, passive: true }, 10);
  s.transportUp();
  net.sim.run({ until: 1 });
  // TCP_SYN --> (L) <-- TCP_SYN_ACK (2L) TCP_ACK, OPEN --> (3L) <-- OPEN, KEEPALIVE (4L) KEEPALIVE --> (5L)
  assert.equal(net.ladder('s1', 'dev'), [
    '0 Idle->Active transportUp',
    '30000 Active->OpenSent tcpConnectionConfirmed',
    '30000 OpenSent->OpenConfirm openReceived',
    '50000 OpenConfirm->Established keepaliveReceived',
  ]);
  assert.is(us(net.states.find((e) => e.speaker === 'gw' && e.to === 'Established')!.t), 40_000);
});

test('negotiated hold time: the smaller one wins on both ends', () => {
  const { net, s } = pair({ devHold: 90 });
  s.transportUp();
  net.sim.run({ until: 1 });
  assert.is(s.a.machine.holdTime, 90);
  assert.is(s.b.machine.holdTime, 90);
  assert.is(s.a.machine.keepaliveTime, 30);
});

test('keepalives every 60 s (Azure: hold 180 s / 3)', () => {
  const { net, s } = pair();
  s.transportUp();
  net.sim.run({ until: 300 });
  // gw entered OpenConfirm at 3L = 30 ms: first KEEPALIVE then, then every 60 s.
  const sent = net.wire.filter((w) => w.dir === 'ab' && w.type === 'KEEPALIVE').map((w) => us(w.t));
  assert.equal(sent, [30_000, 60_030_000, 120_030_000, 180_030_000, 240_030_000]);
  assert.ok(s.established);
});

test('keepalives stop: hold timer expires exactly 180 s after the last message; routes withdrawn', () => {
  const { net, gw, s, up } = pair({ devPrefixes: ['192.168.0.0/16'] });
  s.transportUp();
  net.sim.run({ until: 100 });
  assert.equal(gw.learnedPrefixes(), ['192.168.0.0/16']);
  // The device's keepalives at 60.04 s reached the gateway at 60.05 s; from t=100 the path device->gw drops everything.
  up.ba = false;
  net.sim.run({ until: 400 });
  const down = net.states.find((e) => e.speaker === 'gw' && e.from === 'Established')!;
  assert.is(us(down.t), 240_050_000);
  assert.is(down.reason, 'holdTimerExpired');
  // The NOTIFICATION (code 4) reaches the device one latency later.
  const devDown = net.states.find((e) => e.speaker === 'dev' && e.from === 'Established')!;
  assert.is(us(devDown.t), 240_060_000);
  assert.is(devDown.reason, 'holdTimerExpired');
  assert.equal(net.ribLog('gw', '192.168.0.0/16'), ['50000 [65010]', '240050000 -']);
  assert.equal(gw.learnedPrefixes(), []);
});

test('transport down closes both ends at once (transportDown); transport up re-establishes', () => {
  const { net, gw, s } = pair({ devPrefixes: ['192.168.0.0/16'] });
  s.transportUp();
  net.sim.run({ until: 10 });
  s.transportDown();
  assert.equal(s.states, { a: 'Idle', b: 'Idle' });
  assert.equal(net.states.filter((e) => e.to === 'Idle').map((e) => e.reason), ['transportDown', 'transportDown']);
  assert.equal(gw.learnedPrefixes(), []);
  net.sim.run({ until: 500 });
  assert.equal(s.states, { a: 'Idle', b: 'Idle' }); // no attempts without a transport
  s.transportUp();
  net.sim.run({ until: 501 });
  assert.ok(s.established);
  assert.equal(gw.learnedPrefixes(), ['192.168.0.0/16']);
});

test('resetBgp: Cease, then both ends reconnect at once (no ConnectRetry wait)', () => {
  const { net, s } = pair();
  s.transportUp();
  net.sim.run({ until: 10 });
  s.reset('a');
  net.sim.run({ until: 11 });
  assert.ok(s.established);
  assert.equal(net.ladder('s1', 'gw').slice(4), [
    '10000000 Established->Idle cease',
    '10000000 Idle->Connect automaticStart',
    '10020000 Connect->OpenSent tcpConnectionAcked',
    '10040000 OpenSent->OpenConfirm openReceived',
    '10040000 OpenConfirm->Established keepaliveReceived',
  ]);
  assert.equal(net.ladder('s1', 'dev').slice(4), [
    '10010000 Established->Idle cease',
    '10010000 Idle->Active tcpConnectionRequestAccepted',
    '10030000 Active->OpenSent tcpConnectionConfirmed',
    '10030000 OpenSent->OpenConfirm openReceived',
    '10050000 OpenConfirm->Established keepaliveReceived',
  ]);
});

test('wrong peer AS: NOTIFICATION Bad Peer AS; attempts repeat every ConnectRetry (120 s)', () => {
  const net = new Net();
  const gw = net.speaker({ name: 'gw', asn: 65515, routerId: '10.1.255.30' });
  const dev = net.speaker({ name: 'dev', asn: 65010, routerId: '192.168.1.1' });
  const s = net.connect('s1', { speaker: gw, expectPeerAs: 65011 }, { speaker: dev }, 10);
  s.transportUp();
  net.sim.run({ until: 250 });
  // The gateway reads the OPEN at 3L. Both ends wait 120 s in Idle; the second time the
  // device's idle hold timer fires first, so the SYNs cross and the OPEN arrives at 120.03 + 4L.
  const failures = net.states.filter((e) => e.speaker === 'gw' && e.to === 'Idle');
  assert.equal(failures.map((e) => e.reason), ['peerAsMismatch', 'peerAsMismatch', 'peerAsMismatch']);
  assert.equal(failures.map((e) => us(e.t)), [30_000, 120_070_000, 240_110_000]);
  assert.is(net.states.find((e) => e.speaker === 'dev' && e.to === 'Idle')!.reason, 'peerAsMismatch');
  assert.not.ok(s.established);
});

test('a lost segment is retransmitted after 1 s (TCP RTO) and setup is delayed by it', () => {
  const { net, s, up } = pair({});
  up.ab = false; // the gateway's first SYN and everything it sends for 0.5 s is lost
  s.transportUp();
  net.sim.schedule(0.5, () => {
    up.ab = true;
  });
  net.sim.run({ until: 5 });
  assert.ok(s.established);
  // The device's SYN reaches the gateway at L; the gateway yields, but its SYN_ACK waits behind
  // its lost SYN, which TCP sends again at RTO = 1 s. Both arrive at 1 s + L: the device drops the
  // stale SYN, takes the SYN_ACK (OpenSent) and is Established two latencies later.
  assert.is(s.aStream.retransmissions, 1);
  const devUp = net.states.find((e) => e.speaker === 'dev' && e.to === 'Established')!;
  assert.is(us(devUp.t), 1_030_000);
});

test.run();
