import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulator, Rng } from '../../../src/sim/kernel/index.js';
import { PathDirection, type Link } from '../../../src/sim/net/underlay.js';
import { SstpSession, SstpServerPool, setupRoundTrips, segmentLabel, type SstpSessionOptions, type TcpSegment } from '../../../src/protocols/sstp/index.js';
import { skuSpec } from '../../../src/sim/net/skus.js';

const CERT = { subject: 'alice', root: 'P2SRootCert' };
/** Bandwidth so high that serialisation rounds to 0 µs: setup time is pure latency. */
const FAST = 1e9;

/** A link that loses the transmissions whose label `drop` selects, and carries the rest over `inner`. */
class LossyLink implements Link {
  seen: string[] = [];
  constructor(private readonly inner: Link, private readonly drop: (label: string, n: number) => boolean) {}
  transmit<A>(bytes: number, deliver: (arg: A) => void, label = '', arg?: A): boolean {
    const n = this.seen.push(label) - 1;
    if (this.drop(label, n)) return false;
    return this.inner.transmit(bytes, deliver, label, arg);
  }
}

/** Drops the first `times` transmissions whose label contains `what`. */
function dropFirst(what: string, times = 1): (label: string) => boolean {
  let left = times;
  return (label) => {
    if (left > 0 && label.includes(what)) { left--; return true; }
    return false;
  };
}

interface World {
  sim: Simulator;
  up: PathDirection;
  down: PathDirection;
  pool: SstpServerPool;
}

function world(latencyMs: number, seed = 1, lossPercent = 0, maxClients = 128): World {
  const sim = new Simulator();
  const rng = new Rng(seed);
  const f = { latencyMs, lossPercent, bandwidthMbps: FAST };
  return { sim, up: new PathDirection(sim, rng.stream('up'), { ...f }), down: new PathDirection(sim, rng.stream('down'), { ...f }), pool: new SstpServerPool(maxClients) };
}

function session(w: World, extra: Partial<SstpSessionOptions> = {}): SstpSession {
  return new SstpSession({
    sim: w.sim, toServer: w.up, toClient: w.down, pool: w.pool,
    client: { certificate: CERT }, server: { trustedRoots: ['P2SRootCert'] },
    ...extra,
  });
}

const us = (s: number | undefined): number => Math.round((s ?? NaN) * 1e6);

test('happy path: connected with the IPCP address, callbacks in order', () => {
  const w = world(10);
  const s = session(w);
  const seen: string[] = [];
  s.onStateChange((t, state, reason) => seen.push(`${us(t)} ${state} ${reason ?? ''}`.trim()));
  s.connect();
  w.sim.run({ until: 10 });
  assert.is(s.state, 'connected');
  assert.equal(seen, ['0 connecting', '240000 connected ipcpOpened']);
  assert.is(s.status.state === 'connected' && s.status.address, '172.16.201.2');
  assert.is(w.pool.active, 1);
  assert.is(s.serverState?.phase, 'connected');
});

test('setup time is exactly k RTT with no loss, at several RTTs (k = 12 EAP-TLS, 9 MS-CHAPv2)', () => {
  // k = TCP 1 + TLS 2 + HTTP 1 + CALL_CONNECT 1 + LCP 1 + auth (EAP-TLS 4 | MS-CHAPv2 1) + CALL_CONNECTED/IPCP 2.
  for (const latencyMs of [0.5, 10, 37.5, 150, 300]) {
    const rttUs = 2 * latencyMs * 1000;
    const w = world(latencyMs);
    const s = session(w);
    s.connect();
    w.sim.run({ until: 100 });
    assert.is(us(s.setupTime), 12 * rttUs, `EAP-TLS at ${latencyMs} ms`);
    assert.is(setupRoundTrips('eapTls'), 12);

    const w2 = world(latencyMs);
    const s2 = session(w2, {
      client: { authMethod: 'msChapV2', credentials: { user: 'bob', password: 'pw' } },
      server: { authMethod: 'msChapV2', users: { bob: 'pw' } },
    });
    s2.connect();
    w2.sim.run({ until: 100 });
    assert.is(us(s2.setupTime), 9 * rttUs, `MS-CHAPv2 at ${latencyMs} ms`);
  }
});

test('processing delay d per message: setup = k (RTT + 2d)', () => {
  const w = world(20);
  const s = session(w, { processingDelay: 0.003 });
  s.connect();
  w.sim.run({ until: 100 });
  assert.is(us(s.setupTime), 12 * (40_000 + 2 * 3_000));
});

test('serialisation adds to setup time at a finite bandwidth', () => {
  const sim = new Simulator();
  const rng = new Rng(1);
  const f = { latencyMs: 10, lossPercent: 0, bandwidthMbps: 1 };
  const s = new SstpSession({ sim, toServer: new PathDirection(sim, rng.stream('u'), f), toClient: new PathDirection(sim, rng.stream('d'), f), pool: new SstpServerPool(), client: { certificate: CERT }, server: { trustedRoots: ['P2SRootCert'] } });
  s.connect();
  sim.run({ until: 100 });
  assert.ok(us(s.setupTime) > 12 * 20_000);
});

test('losing one segment adds exactly one RTO (1 s); losing a pure ACK adds nothing', () => {
  const base = 12 * 20_000;
  const cases: [string, 'up' | 'down', string, number][] = [
    ['SYN', 'up', ' syn', 1_000_000],
    ['SYN-ACK', 'down', 'synAck', 1_000_000],
    ['ClientHello', 'up', 'tlsClientHello', 1_000_000],
    ['ServerHello flight', 'down', 'tlsServerHello', 1_000_000],
    ['SSTP_DUPLEX_POST', 'up', 'httpDuplexPost', 1_000_000],
    ['CALL_CONNECT_REQUEST', 'up', 'callConnectRequest', 1_000_000],
    ['CALL_CONNECT_ACK', 'down', 'callConnectAck', 1_000_000],
    ['EAP certificate flight', 'up', 'Certificate..Finished', 1_000_000],
    ['CALL_CONNECTED', 'up', 'callConnected', 1_000_000],
    ['pure ACK while admitting', 'down', 'ack 4', 0],
  ];
  for (const [what, dir, label, extraUs] of cases) {
    const w = world(10);
    const lossy = new LossyLink(dir === 'up' ? w.up : w.down, dropFirst(label));
    const s = session(w, dir === 'up' ? { toServer: lossy } : { toClient: lossy });
    s.connect();
    w.sim.run({ until: 100 });
    assert.is(s.state, 'connected', what);
    assert.is(us(s.setupTime), base + extraUs, what);
  }
});

test('losing the SYN twice adds 1 + 2 s; data after a retransmitted SYN starts at RTO 3 s (RFC 6298 §5.7)', () => {
  const w = world(10);
  const s = session(w, { toServer: new LossyLink(w.up, dropFirst(' syn', 2)) });
  s.connect();
  w.sim.run({ until: 100 });
  assert.is(us(s.setupTime), 12 * 20_000 + 3_000_000);

  const w2 = world(10);
  const drops = [dropFirst(' syn'), dropFirst('tlsClientHello')];
  const s2 = session(w2, { toServer: new LossyLink(w2.up, (l) => drops.some((d) => d(l))) });
  s2.connect();
  w2.sim.run({ until: 100 });
  assert.is(us(s2.setupTime), 12 * 20_000 + 1_000_000 + 3_000_000);
});

test('setup time grows with random loss (TCP over TCP)', () => {
  const mean = (loss: number): number => {
    let sum = 0;
    let n = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const w = world(10, seed, loss);
      const s = session(w);
      s.connect();
      w.sim.run({ until: 1000 });
      if (s.setupTime !== undefined) { sum += s.setupTime; n++; }
    }
    return sum / n;
  };
  const m0 = mean(0);
  const m5 = mean(5);
  const m15 = mean(15);
  assert.is(us(m0), 240_000);
  assert.ok(m5 > m0, `5 %: ${m5}`);
  assert.ok(m15 > m5, `15 %: ${m15} vs ${m5}`);
});

test('non-Windows client fails with notCompatible and holds no slot (R17)', () => {
  const w = world(10);
  const s = session(w, { client: { os: 'macos', certificate: CERT } });
  s.connect();
  w.sim.run({ until: 100 });
  assert.equal(s.status, { state: 'failed', at: 0.08, reason: 'notCompatible' });
  assert.is(w.pool.active, 0);
});

test('untrusted client certificate fails with authenticationFailed and frees the slot', () => {
  const w = world(10);
  const s = session(w, { client: { certificate: { subject: 'mallory', root: 'NotTrusted' } } });
  s.connect();
  w.sim.run({ until: 100 });
  assert.is(s.status.state === 'failed' && s.status.reason, 'authenticationFailed');
  assert.is(w.pool.active, 0);
  assert.is(s.serverState?.phase, 'closed');
});

test('21 root certificates: the session is rejected at configuration', () => {
  const w = world(10);
  const roots = Array.from({ length: 21 }, (_, i) => `Root${i}`);
  assert.throws(() => session(w, { server: { trustedRoots: roots } }), (e: unknown) => (e as { rule?: string }).rule === 'p2sRootCertificates');
});

test('client limit: 128 connect, the 129th is refused with clientLimitReached (R18); a freed slot admits again', () => {
  const w = world(10);
  assert.is(SstpServerPool.forSku(skuSpec('VpnGw1', 'Generation1')).maxClients, 128);
  const sessions = Array.from({ length: 129 }, (_, i) => session(w, { name: `c${i}` }));
  for (const s of sessions.slice(0, 128)) s.connect();
  w.sim.run({ until: 5 });
  const last = sessions[128]!;
  last.connect();
  w.sim.run({ until: 10 });
  assert.is(sessions.filter((s) => s.state === 'connected').length, 128);
  assert.is(last.status.state === 'failed' && last.status.reason, 'clientLimitReached');
  assert.is(w.pool.active, 128);
  assert.is(w.pool.refused, 1);
  // one user disconnects; the refused user tries again by hand (R19) and gets in
  sessions[0]!.disconnect();
  w.sim.run({ until: 15 });
  assert.is(sessions[0]!.state, 'disconnected');
  assert.is(w.pool.active, 127);
  last.connect();
  w.sim.run({ until: 20 });
  assert.is(last.state, 'connected');
  assert.is(w.pool.active, 128);
});

test('negotiation timeout: the path dies as CALL_CONNECT_REQUEST leaves; 60 s later the client gives up', () => {
  const w = world(10);
  const s = session(w);
  s.onSegment((t, dir, seg) => {
    // The request itself is carried (the listener runs after transmit); everything after is lost.
    if (seg.kind === 'data' && seg.records.some((r) => r.kind === 'callConnectRequest')) {
      w.up.isUp = () => false;
      w.down.isUp = () => false;
    }
  });
  s.connect();
  w.sim.run({ until: 200 });
  assert.equal(s.status, { state: 'failed', at: 60.08, reason: 'negotiationTimeout' });
  assert.is(s.serverState?.reason, 'negotiationTimeout');
  assert.is(w.pool.active, 0);
});

test('tcpTimeout: no path at all; the SYN is tried 6 times over 63 s', () => {
  const w = world(10);
  w.up.isUp = () => false;
  const s = session(w);
  const syns: number[] = [];
  s.onSegment((t, dir, seg) => { if (seg.kind === 'syn') syns.push(t); });
  s.connect();
  w.sim.run({ until: 500 });
  assert.equal(syns, [0, 1, 3, 7, 15, 31]);
  assert.equal(s.status, { state: 'failed', at: 63, reason: 'tcpTimeout' });
});

test('no auto-reconnect (R19): a dropped session stays down after the path comes back', () => {
  const w = world(10);
  const s = session(w);
  const states: string[] = [];
  s.onStateChange((t, state, reason) => states.push(`${state}${reason ? ` ${reason}` : ''}`));
  const sent: [number, string][] = [];
  s.onSegment((t, dir, seg: TcpSegment) => sent.push([t, `${dir} ${segmentLabel(seg)}`]));
  s.connect();
  w.sim.run({ until: 10 });
  assert.is(s.state, 'connected');
  // the path fails in both directions at t = 10 s
  w.up.isUp = () => false;
  w.down.isUp = () => false;
  w.sim.run({ until: 300 });
  assert.is(s.state, 'failed');
  const failedAt = s.status.state === 'failed' ? s.status.at : NaN;
  // hello at 60 s of silence, then no echo for another 60 s
  assert.is(s.status.state === 'failed' && s.status.reason, 'helloTimeout');
  assert.is(us(failedAt), us(0.24 + 120));
  assert.is(w.pool.active, 0); // the gateway side detected it too
  // the path comes back; nothing reconnects
  w.up.isUp = () => true;
  w.down.isUp = () => true;
  const before = sent.length;
  w.sim.run({ until: 5000 });
  assert.is(s.state, 'failed');
  assert.is(sent.length, before);
  assert.is(s.attempts, 1);
  assert.equal(states, ['connecting', 'connected ipcpOpened', 'failed helloTimeout']);
  assert.is(w.sim.pending, 0);
});

test('disconnect(): Call Disconnect, both sides down, slot released', () => {
  const w = world(10);
  const s = session(w);
  s.connect();
  w.sim.run({ until: 1 });
  s.disconnect('userDisconnect');
  assert.equal(s.status, { state: 'disconnected', at: 1, reason: 'userDisconnect' });
  w.sim.run({ until: 10 });
  assert.is(s.serverState?.reason, 'peerDisconnected');
  assert.is(s.clientState?.phase, 'closed');
  assert.is(w.pool.active, 0);
  assert.throws(() => { s.connect(); s.connect(); }, (e: unknown) => (e as { rule?: string }).rule === 'usage');
});

test('gatewayDisconnect(): the client sees peerDisconnected and stays down (R19)', () => {
  const w = world(10);
  const s = session(w);
  s.connect();
  w.sim.run({ until: 1 });
  s.gatewayDisconnect('failover');
  w.sim.run({ until: 1000 });
  assert.equal(s.status, { state: 'disconnected', at: 1.01, reason: 'peerDisconnected' });
  assert.is(s.serverState?.reason, 'failover');
  assert.is(w.pool.active, 0);
  assert.is(s.attempts, 1);
});

test.run();
