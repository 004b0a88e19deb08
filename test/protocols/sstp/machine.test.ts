import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../../src/errors.js';
import {
  sstpClientMachine, sstpServerMachine, sstpClientConfig, sstpServerConfig, setupRoundTrips, MAX_TRUSTED_ROOTS,
  type SstpClientEffect, type SstpServerEffect, type SstpClientState, type SstpServerState, type TcpSegment, type SstpRecord,
} from '../../../src/protocols/sstp/index.js';

const CERT = { subject: 'alice', root: 'P2SRootCert' };

/** Steps a client and a server by hand, no clock: each call delivers one segment. */
function pair(clientOpts: Parameters<typeof sstpClientConfig>[0] = {}, serverOpts: Parameters<typeof sstpServerConfig>[0] = {}, grant = true) {
  const c = sstpClientMachine(sstpClientConfig({ certificate: CERT, ...clientOpts }));
  const s = sstpServerMachine(sstpServerConfig({ trustedRoots: ['P2SRootCert'], ...serverOpts }));
  const st = { c: c.initial as SstpClientState, s: s.initial as SstpServerState, cfx: [] as SstpClientEffect[], sfx: [] as SstpServerEffect[], reasons: [] as string[] };
  return {
    st,
    client(input: Parameters<typeof c.step>[1]): TcpSegment[] {
      const t = c.step(st.c, input);
      st.c = t.next; st.cfx = [...t.effects]; st.reasons.push(t.reason);
      return sends(t.effects);
    },
    server(input: Parameters<typeof s.step>[1]): TcpSegment[] {
      let t = s.step(st.s, input);
      st.s = t.next; st.sfx = [...t.effects]; st.reasons.push(t.reason);
      const out = sends(t.effects);
      if (t.effects.some((e) => e.kind === 'admit')) {
        t = s.step(st.s, { kind: 'admission', granted: grant });
        st.s = t.next; st.sfx.push(...t.effects);
        out.push(...sends(t.effects));
      }
      return out;
    },
  };
}
function sends(fx: readonly { kind: string }[]): TcpSegment[] {
  return fx.filter((e): e is { kind: 'send'; msg: TcpSegment } => e.kind === 'send').map((e) => e.msg);
}
function records(segs: TcpSegment[]): string[] {
  return segs.flatMap((g) => (g.kind === 'data' ? g.records.map((r: SstpRecord) => (r.kind === 'auth' ? r.label : r.kind)) : [g.kind]));
}
/** Delivers every segment in `segs` to `to` and returns everything it sent back. */
function deliver(segs: TcpSegment[], to: (i: { kind: 'recv'; msg: TcpSegment }) => TcpSegment[]): TcpSegment[] {
  return segs.flatMap((msg) => to({ kind: 'recv', msg }));
}
function downReason(fx: readonly { kind: string }[]): string | undefined {
  const d = fx.find((e) => e.kind === 'down') as { reason: string } | undefined;
  return d?.reason;
}

test('happy path ladder (EAP-TLS): TCP, TLS, HTTPS, Call Connect, PPP, Call Connected, IPCP', () => {
  const p = pair();
  // SYN -->
  let up = p.client({ kind: 'connect' });
  assert.equal(records(up), ['syn']);
  assert.is(p.st.c.phase, 'tcpConnecting');
  // <-- SYN-ACK
  let down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['synAck']);
  assert.is(p.st.s.phase, 'tcpHandshake');
  // ACK + ClientHello -->  (the handshake ACK rides on the first data segment)
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['tlsClientHello']);
  assert.is(up[0]!.kind === 'data' && up[0]!.ack, 0);
  // <-- ServerHello..ServerHelloDone
  down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['tlsServerHello']);
  assert.is(p.st.s.phase, 'tlsHandshake');
  // ClientKeyExchange, ChangeCipherSpec, Finished -->
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['tlsClientFinished']);
  // <-- ChangeCipherSpec, Finished
  down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['tlsServerFinished']);
  // SSTP_DUPLEX_POST -->  (client starts its 60 s HTTP wait)
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['httpDuplexPost']);
  assert.ok(p.st.cfx.some((e) => e.kind === 'startTimer' && e.name === 'http' && e.after === 60));
  // <-- HTTP/1.1 200 OK  (server: Server_Connect_Request_Pending, negotiation 60 s)
  down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['httpResponse']);
  assert.is(p.st.s.phase, 'connectRequestPending');
  assert.ok(p.st.sfx.some((e) => e.kind === 'startTimer' && e.name === 'negotiation' && e.after === 60));
  // SSTP_MSG_CALL_CONNECT_REQUEST -->
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['callConnectRequest']);
  assert.is(p.st.c.phase, 'connectRequestSent');
  // <-- CALL_CONNECT_ACK + LCP Configure-Request (after a pure ACK while admitting)
  down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['ack', 'callConnectAck', 'lcpConfigureRequest']);
  assert.is(p.st.s.phase, 'callConnectedPending');
  assert.ok(p.st.s.admitted);
  // LCP Configure-Request + Configure-Ack -->
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['lcpConfigureRequest', 'lcpConfigureAck']);
  // <-- LCP Configure-Ack + EAP-Request/Identity
  down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['lcpConfigureAck', 'EAP-Request/Identity']);
  // EAP-TLS exchange (RFC 5216 §2.1.1)
  const ladder: [string, string][] = [
    ['EAP-Response/Identity', 'EAP-Request/EAP-TLS Start'],
    ['EAP-Response/EAP-TLS ClientHello', 'EAP-Request/EAP-TLS ServerHello..ServerHelloDone'],
    ['EAP-Response/EAP-TLS Certificate..Finished', 'EAP-Request/EAP-TLS ChangeCipherSpec,Finished'],
    ['EAP-Response/EAP-TLS (empty)', 'EAP-Success'],
  ];
  for (const [fromClient, fromServer] of ladder) {
    up = deliver(down, (i) => p.client(i));
    assert.equal(records(up), [fromClient]);
    down = deliver(up, (i) => p.server(i));
    assert.equal(records(down), [fromServer]);
  }
  // SSTP_MSG_CALL_CONNECTED + IPCP Configure-Request -->
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['callConnected', 'ipcpConfigureRequest']);
  assert.ok(p.st.cfx.some((e) => e.kind === 'stopTimer' && e.name === 'negotiation'));
  // <-- IPCP Configure-Request + Configure-Nak (address)
  down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['ipcpConfigureRequest', 'ipcpConfigureNak']);
  assert.is(p.st.s.phase, 'callConnected');
  // IPCP Configure-Ack + Configure-Request (address) -->
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['ipcpConfigureAck', 'ipcpConfigureRequest']);
  // <-- IPCP Configure-Ack: gateway up
  down = deliver(up, (i) => p.server(i));
  assert.equal(records(down), ['ipcpConfigureAck']);
  assert.is(p.st.s.phase, 'connected');
  assert.ok(p.st.sfx.some((e) => e.kind === 'up'));
  // client up; a pure ACK closes the ladder
  up = deliver(down, (i) => p.client(i));
  assert.equal(records(up), ['ack']);
  assert.is(p.st.c.phase, 'connected');
  assert.is(p.st.c.address, '172.16.201.2');
  assert.ok(p.st.cfx.some((e) => e.kind === 'up' && e.reason === 'ipcpOpened'));
  assert.is(p.st.reasons.at(-1), 'ipcpOpened');
});

test('setupRoundTrips: 12 with EAP-TLS, 9 with MS-CHAPv2', () => {
  assert.is(setupRoundTrips('eapTls'), 12);
  assert.is(setupRoundTrips('msChapV2'), 9);
});

/** Runs a ladder to the end, ping-pong, returning how many client->server flights it took. */
function runLadder(p: ReturnType<typeof pair>): number {
  let up = p.client({ kind: 'connect' });
  let flights = 0;
  while (up.some((g) => g.kind !== 'ack')) {
    flights++;
    const down = deliver(up, (i) => p.server(i));
    up = deliver(down, (i) => p.client(i));
  }
  deliver(up, (i) => p.server(i)); // the last pure ACKs
  return flights;
}

test('client flights equal setupRoundTrips for both methods', () => {
  assert.is(runLadder(pair()), 12);
  assert.is(pair().st.c.phase, 'idle');
  const chap = pair({ authMethod: 'msChapV2', credentials: { user: 'bob', password: 'pw' } }, { authMethod: 'msChapV2', users: { bob: 'pw' } });
  assert.is(runLadder(chap), 9);
  assert.is(chap.st.c.phase, 'connected');
});

test('non-Windows client: 403 to SSTP_DUPLEX_POST, notCompatible (R17)', () => {
  const p = pair({ os: 'linux' });
  runLadder(p);
  assert.is(p.st.c.phase, 'closed');
  assert.is(p.st.c.reason, 'notCompatible');
  assert.is(p.st.s.reason, 'notCompatible');
  assert.is(p.st.s.phase, 'closed'); // the 403 was acknowledged, the server closed
  assert.not.ok(p.st.s.admitted);
});

test('untrusted client certificate: EAP-Failure, authenticationFailed, slot released', () => {
  const p = pair({ certificate: { subject: 'mallory', root: 'SomeOtherRoot' } });
  let sawRelease = false;
  let up = p.client({ kind: 'connect' });
  while (up.length > 0 && p.st.c.phase !== 'closed') {
    const down = deliver(up, (i) => p.server(i));
    if (p.st.sfx.some((e) => e.kind === 'release')) sawRelease = true;
    up = deliver(down, (i) => p.client(i)).filter((g) => g.kind !== 'ack');
  }
  assert.is(p.st.c.reason, 'authenticationFailed');
  assert.is(p.st.s.reason, 'authenticationFailed');
  assert.ok(sawRelease);
  assert.not.ok(p.st.s.admitted);
});

test('MS-CHAPv2 with a wrong password: authenticationFailed', () => {
  const p = pair({ authMethod: 'msChapV2', credentials: { user: 'bob', password: 'nope' } }, { authMethod: 'msChapV2', users: { bob: 'pw' } });
  runLadder(p);
  assert.is(p.st.c.reason, 'authenticationFailed');
});

test('no pool slot: CALL_CONNECT_NAK, clientLimitReached (R18)', () => {
  const p = pair({}, {}, false);
  runLadder(p);
  assert.is(p.st.c.reason, 'clientLimitReached');
  assert.is(p.st.s.reason, 'clientLimitReached');
  assert.not.ok(p.st.sfx.some((e) => e.kind === 'release')); // never held one
});

test('21 trusted root certificates are rejected at configuration; 20 are accepted', () => {
  const roots = Array.from({ length: MAX_TRUSTED_ROOTS + 1 }, (_, i) => `Root${i + 1}`);
  try {
    sstpServerConfig({ trustedRoots: roots });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.is((e as ValidationError).rule, 'p2sRootCertificates');
  }
  assert.is(sstpServerConfig({ trustedRoots: roots.slice(0, 20) }).trustedRoots.length, 20);
});

test('negotiation timer expiry after CALL_CONNECT_REQUEST: negotiationTimeout, Call Abort sent', () => {
  const p = pair();
  let up = p.client({ kind: 'connect' });
  while (p.st.c.phase !== 'connectRequestSent') up = deliver(deliver(up, (i) => p.server(i)), (i) => p.client(i));
  const out = p.client({ kind: 'timer', name: 'negotiation' });
  assert.is(p.st.c.phase, 'closed');
  assert.is(downReason(p.st.cfx), 'negotiationTimeout');
  assert.equal(records(out), ['callAbort']);
  // the server's own negotiation timer ends its side the same way
  p.server({ kind: 'timer', name: 'negotiation' });
  assert.is(p.st.s.reason, 'negotiationTimeout');
});

test('HTTP wait expiry: negotiationTimeout', () => {
  const p = pair();
  let up = p.client({ kind: 'connect' });
  while (p.st.c.phase !== 'httpPostSent') up = deliver(deliver(up, (i) => p.server(i)), (i) => p.client(i));
  p.client({ kind: 'timer', name: 'http' });
  assert.is(p.st.c.reason, 'negotiationTimeout');
});

test('SYN retransmitted with RTO 1, 2, 4, 8, 16, 32 s, then tcpTimeout (RFC 6298 §5.5)', () => {
  const p = pair();
  p.client({ kind: 'connect' });
  const rtos: number[] = [];
  const first = p.st.cfx.find((e) => e.kind === 'startTimer' && e.name === 'rto') as { after: number };
  rtos.push(first.after);
  for (;;) {
    const out = p.client({ kind: 'timer', name: 'rto' });
    if (p.st.c.phase === 'closed') break;
    assert.equal(records(out), ['syn']);
    const t = p.st.cfx.find((e) => e.kind === 'startTimer' && e.name === 'rto') as { after: number };
    rtos.push(t.after);
  }
  assert.equal(rtos, [1, 2, 4, 8, 16, 32]);
  assert.is(rtos.reduce((a, b) => a + b, 0), 63);
  assert.is(downReason(p.st.cfx), 'tcpTimeout');
});

test('a duplicate data segment is re-acknowledged and not delivered twice', () => {
  const p = pair();
  let up = p.client({ kind: 'connect' });
  let down = deliver(up, (i) => p.server(i));
  up = deliver(down, (i) => p.client(i)); // ClientHello
  down = deliver(up, (i) => p.server(i)); // ServerHello
  const again = deliver(up, (i) => p.server(i)); // ClientHello retransmitted
  assert.equal(records(again), ['ack']);
  assert.equal(records(down), ['tlsServerHello']);
});

test.run();
