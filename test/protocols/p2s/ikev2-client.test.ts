import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulator, Rng } from '../../../src/sim/kernel/index.js';
import { PathDirection, type Link } from '../../../src/sim/net/underlay.js';
import { skuSpec } from '../../../src/sim/net/skus.js';
import {
  ikev2P2sClientMachine, ikev2P2sGatewayMachine, ikev2P2sClientConfig, ikev2P2sGatewayConfig, ikev2SetupRoundTrips,
  Ikev2ClientPool, Ikev2P2sSession, type Ikev2P2sMessage, type Ikev2P2sSessionOptions,
} from '../../../src/protocols/p2s/index.js';

const CERT = { subject: 'alice', root: 'P2SRootCert' };
const sends = (fx: readonly { kind: string }[]): Ikev2P2sMessage[] =>
  fx.filter((e): e is { kind: 'send'; msg: Ikev2P2sMessage } => e.kind === 'send').map((e) => e.msg);

test('ladder with certificates: IKE_SA_INIT, IKE_AUTH = 2 round trips', () => {
  const c = ikev2P2sClientMachine(ikev2P2sClientConfig({ os: 'linux', certificate: CERT }));
  const g = ikev2P2sGatewayMachine(ikev2P2sGatewayConfig({ trustedRoots: ['P2SRootCert'] }));
  // IKE_SA_INIT -->
  let tc = c.step(c.initial, { kind: 'connect' });
  assert.equal(sends(tc.effects).map((m) => m.kind), ['ikeSaInit']);
  // <-- IKE_SA_INIT
  let tg = g.step(g.initial, { kind: 'recv', msg: sends(tc.effects)[0]! });
  assert.is(tg.next.phase, 'saInitDone');
  // IKE_AUTH (IDi, CERT, AUTH, SA, TS) -->
  tc = c.step(tc.next, { kind: 'recv', msg: sends(tg.effects)[0]! });
  const auth = sends(tc.effects)[0]!;
  assert.is(auth.kind === 'ikeAuth' && auth.certificate?.root, 'P2SRootCert');
  tg = g.step(tg.next, { kind: 'recv', msg: auth });
  assert.ok(tg.effects.some((e) => e.kind === 'admit'));
  tg = g.step(tg.next, { kind: 'admission', granted: true });
  // <-- IKE_AUTH (IDr, AUTH, SA, TS, CP)
  tc = c.step(tc.next, { kind: 'recv', msg: sends(tg.effects)[0]! });
  assert.is(tc.next.phase, 'connected');
  assert.ok(tc.effects.some((e) => e.kind === 'up'));
  assert.is(ikev2SetupRoundTrips('certificate'), 2);
  assert.is(ikev2SetupRoundTrips('eapMsChapV2'), 5);
});

function world(latencyMs: number, maxClients: number) {
  const sim = new Simulator();
  const rng = new Rng(7);
  const f = { latencyMs, lossPercent: 0, bandwidthMbps: 1e9 };
  return { sim, up: new PathDirection(sim, rng.stream('up'), f), down: new PathDirection(sim, rng.stream('down'), f), pool: new Ikev2ClientPool(maxClients) };
}
function session(w: ReturnType<typeof world>, extra: Partial<Ikev2P2sSessionOptions> = {}): Ikev2P2sSession {
  return new Ikev2P2sSession({ sim: w.sim, toGateway: w.up, toClient: w.down, pool: w.pool, client: { os: 'macos', certificate: CERT }, gateway: { trustedRoots: ['P2SRootCert'] }, ...extra });
}

test('session: setup = 2 RTT (certificate), 5 RTT (EAP-MSCHAPv2), any OS', () => {
  for (const latencyMs of [5, 40, 120]) {
    const w = world(latencyMs, 250);
    const s = session(w);
    s.connect();
    w.sim.run({ until: 100 });
    assert.is(s.status.state === 'connected' && Math.round(s.status.setupTime * 1e6), 2 * 2 * latencyMs * 1000);
    const w2 = world(latencyMs, 250);
    const s2 = session(w2, { client: { os: 'android', auth: 'eapMsChapV2', credentials: { user: 'bob', password: 'pw' } }, gateway: { auth: 'eapMsChapV2', users: { bob: 'pw' } } });
    s2.connect();
    w2.sim.run({ until: 100 });
    assert.is(s2.status.state === 'connected' && Math.round(s2.status.setupTime * 1e6), 5 * 2 * latencyMs * 1000);
  }
});

test('session: a lost IKE_SA_INIT request adds the 4 s retransmission timeout', () => {
  const w = world(10, 250);
  let first = true;
  const lossy: Link = { transmit: (b, d, l, a) => { if (first) { first = false; return false; } return w.up.transmit(b, d, l, a); } };
  const s = session(w, { toGateway: lossy });
  s.connect();
  w.sim.run({ until: 100 });
  assert.is(s.status.state === 'connected' && Math.round(s.status.setupTime * 1e6), 4_000_000 + 40_000);
});

test('client limit: VpnGw1 holds 250 IKEv2 clients; the 251st is refused; Basic refuses all', () => {
  const w = world(10, Ikev2ClientPool.forSku(skuSpec('VpnGw1', 'Generation1')).maxClients);
  assert.is(w.pool.maxClients, 250);
  const all = Array.from({ length: 251 }, () => session(w));
  for (const s of all) s.connect();
  w.sim.run({ until: 100 });
  assert.is(all.filter((s) => s.status.state === 'connected').length, 250);
  const last = all[250]!.status;
  assert.is(last.state === 'failed' && last.reason, 'clientLimitReached');
  const basic = world(10, Ikev2ClientPool.forSku(skuSpec('Basic', 'Generation1')).maxClients);
  const b = session(basic);
  b.connect();
  basic.sim.run({ until: 100 });
  assert.is(b.status.state === 'failed' && b.status.reason, 'clientLimitReached');
});

test('untrusted certificate: authenticationFailed; no path: ikeTimeout after 4 s x 1.8^0..5 = 165 s', () => {
  const w = world(10, 250);
  const s = session(w, { client: { certificate: { subject: 'x', root: 'Other' } } });
  s.connect();
  w.sim.run({ until: 100 });
  assert.is(s.status.state === 'failed' && s.status.reason, 'authenticationFailed');
  const w2 = world(10, 250);
  w2.up.isUp = () => false;
  const s2 = session(w2);
  s2.connect();
  w2.sim.run({ until: 1000 });
  const st = s2.status;
  assert.is(st.state === 'failed' && st.reason, 'ikeTimeout');
  const expected = [0, 1, 2, 3, 4, 5].reduce((a, i) => a + 4 * 1.8 ** i, 0);
  assert.is(st.state === 'failed' && Math.round(st.at * 1e3), Math.round(expected * 1e3));
  assert.throws(() => ikev2P2sGatewayConfig({ trustedRoots: Array.from({ length: 21 }, (_, i) => `R${i}`) }), (e: unknown) => (e as { rule?: string }).rule === 'p2sRootCertificates');
});

test.run();
