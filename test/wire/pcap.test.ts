/**
 * Captures read back by tshark (Debian's, .ci/packages.d/tshark.txt): the
 * protocol machines run over the kernel, every message they send goes
 * through PcapCapture, and the dissected fields must equal the messages the
 * model sent. No frame may be malformed or carry an expert error (checksums
 * validated). A missing tshark fails these tests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Simulator } from '../../src/sim/kernel/simulator.js';
import { Rng } from '../../src/sim/kernel/rng.js';
import { PathDirection } from '../../src/sim/net/underlay.js';
import { ikeConfig, type IkeOptions } from '../../src/protocols/ike/config.js';
import { IkeSession } from '../../src/protocols/ike/session.js';
import type { IkeMessage } from '../../src/protocols/ike/messages.js';
import type { Ikev2P2sMessage } from '../../src/protocols/p2s/ikev2-client.js';
import { packUpdates, type BgpMessage, type TcpControl } from '../../src/protocols/bgp/messages.js';
import { espTunnelBytes, type TunnelCipher } from '../../src/protocols/esp/packet.js';
import { PcapCapture, type CaptureEnd } from '../../src/wire/capture.js';
import { IKEV1_EXCHANGE, IKEV2_EXCHANGE, NOTIFY_TYPE } from '../../src/wire/ike.js';
import { fields, problems, writeCapture } from './tshark.js';

const GW: CaptureEnd = { ip: 0x14000001, points: ['VNet1GW:public'] }; // 20.0.0.1
const DEV: CaptureEnd = { ip: 0xcb00710a, points: ['Site1:device'] }; // 203.0.113.10
const FIG = { latencyMs: 5, lossPercent: 0, bandwidthMbps: 1e6 };

interface Sent { t: number; from: 'a' | 'b'; msg: IkeMessage }

/** An IKE session between the gateway and the device, captured; returns the messages sent and the capture file. */
function ikeRun(a: Partial<IkeOptions>, b: Partial<IkeOptions>, drive: (sim: Simulator, s: IkeSession) => void, name: string) {
  const sim = new Simulator();
  const rng = new Rng(1);
  const chunks: Uint8Array[] = [];
  const cap = new PcapCapture({ sink: (c) => chunks.push(c), seed: 1 });
  const sent: Sent[] = [];
  const s = new IkeSession({
    sim, name: 'ike/test', aToB: new PathDirection(sim, rng.stream('a'), FIG), bToA: new PathDirection(sim, rng.stream('b'), FIG),
    a: ikeConfig({ id: 'VNet1toSite1', sharedKey: 'abc123', ...a }), b: ikeConfig({ id: 'Site1', sharedKey: 'abc123', ...b }),
    onMessage: (t, from, msg, carried) => {
      if (!carried) return;
      sent.push({ t, from, msg });
      cap.ike(t, from === 'a' ? GW : DEV, from === 'a' ? DEV : GW, msg, { comment: `${from} ${msg.exchange} ${msg.messageId}` });
    },
  });
  drive(sim, s);
  cap.flush();
  return { sent, file: writeCapture(name, chunks), cap };
}

const hex16 = (n: number) => n.toString(16).padStart(16, '0');

/** Compares tshark's IKE header fields, frame by frame, with the messages sent (the gateway's point only, so each once). */
function assertIkeHeaders(file: string, sent: readonly Sent[], exchange: Readonly<Record<string, number>>): void {
  const rows = fields(file, ['isakmp.exchangetype', 'isakmp.messageid', 'isakmp.ispi', 'isakmp.rspi'], 'frame.interface_name == "VNet1GW:public" && isakmp');
  assert.is(rows.length, sent.length);
  rows.forEach(([ex, mid, ispi, rspi], i) => {
    const m = sent[i]!.msg;
    assert.is(Number(ex), exchange[m.exchange], `frame ${i + 1} exchange`);
    assert.is(Number(mid), m.messageId, `frame ${i + 1} message id`);
    assert.is(ispi, hex16(m.spiI), `frame ${i + 1} initiator SPI`);
    assert.is(rspi, hex16(m.spiR), `frame ${i + 1} responder SPI`);
  });
}

test('IKEv2 S2S: IKE_SA_INIT, IKE_AUTH and empty INFORMATIONAL liveness checks dissect as sent, on both capture points', () => {
  const { sent, file } = ikeRun({}, {}, (sim, s) => { s.start('a'); sim.run({ until: 60 }); }, 'ikev2');
  assert.equal(problems(file), []);
  assert.equal(sent.slice(0, 4).map((x) => x.msg.exchange), ['IKE_SA_INIT', 'IKE_SA_INIT', 'IKE_AUTH', 'IKE_AUTH']);
  assert.ok(sent.some((x) => x.msg.exchange === 'INFORMATIONAL'));
  assertIkeHeaders(file, sent, IKEV2_EXCHANGE);
  // Flags: Initiator bit on the gateway's messages (it initiated), Response bit as the model says (RFC 7296 §3.1).
  const flags = fields(file, ['isakmp.flag_i', 'isakmp.flag_r'], 'frame.interface_name == "VNet1GW:public"');
  flags.forEach(([i, r], k) => {
    assert.is(i === '1' || i === 'True', sent[k]!.from === 'a', `frame ${k + 1} I flag`);
    assert.is(r === '1' || r === 'True', sent[k]!.msg.response, `frame ${k + 1} R flag`);
  });
  // Every packet also appears once on the device's capture point.
  assert.is(fields(file, ['frame.number'], 'frame.interface_name == "Site1:device"').length, sent.length);
});

test('IKEv2 NO_PROPOSAL_CHOSEN: the refusing IKE_SA_INIT response carries Notify type 14 in the clear', () => {
  const { sent, file } = ikeRun({ ikeProposals: ['AES256-SHA256-DH14'] }, { ikeProposals: ['3DES-SHA1-DH2'] }, (sim, s) => { s.start('a'); sim.run({ until: 5 }); }, 'ikev2-noprop');
  assert.equal(problems(file), []);
  assertIkeHeaders(file, sent, IKEV2_EXCHANGE);
  const notes = fields(file, ['isakmp.notify.msgtype'], 'frame.interface_name == "VNet1GW:public" && isakmp.notify.msgtype < 16384').map((r) => Number(r[0]));
  assert.equal(notes, sent.filter((x) => x.msg.notify).map((x) => NOTIFY_TYPE[x.msg.notify!]));
  assert.equal(notes, [14]);
});

test('IKEv2 wrong PSK: IKE_AUTH response with AUTHENTICATION_FAILED inside the SK payload, as long as the sealed notify', () => {
  const { sent, file } = ikeRun({}, { sharedKey: 'wrong1' }, (sim, s) => { s.start('a'); sim.run({ until: 5 }); }, 'ikev2-psk');
  assert.equal(problems(file), []);
  assertIkeHeaders(file, sent, IKEV2_EXCHANGE);
  const last = sent.at(-1)!.msg;
  assert.is(last.exchange, 'IKE_AUTH');
  assert.is(last.notify, 'AUTHENTICATION_FAILED');
  // SK payload (46): 4 header + 16 IV + 16 (Notify 8 + pad) + 12 ICV.
  const sk = fields(file, ['isakmp.nextpayload', 'isakmp.length'], 'frame.interface_name == "VNet1GW:public" && isakmp.exchangetype == 35 && isakmp.flag_r == 1');
  assert.equal(sk.map((r) => r.map((v) => v.split(',')[0])), [['46', String(28 + 4 + 16 + 16 + 12)]]);
});

const TS = { local: ['10.1.0.0/16'], remote: ['10.101.0.0/16'] };
const PB_A: Partial<IkeOptions> = { version: 'IKEv1', vpnType: 'PolicyBased', trafficSelectors: TS };
const PB_B: Partial<IkeOptions> = { version: 'IKEv1', vpnType: 'PolicyBased', trafficSelectors: { local: TS.remote, remote: TS.local } };

test('IKEv1 policy-based: Main Mode, Quick Mode, idle Delete after 300 s, and Main Mode again on the next packet', () => {
  const { sent, file } = ikeRun(PB_A, PB_B, (sim, s) => {
    sim.schedule(10, () => s.traffic('a'));
    sim.schedule(500, () => s.traffic('a'));
    sim.run({ until: 520 });
  }, 'ikev1-idle');
  assert.equal(problems(file), []);
  assertIkeHeaders(file, sent, IKEV1_EXCHANGE);
  const ladder = sent.map((x) => x.msg.exchange);
  const first = ladder.indexOf('INFORMATIONAL');
  assert.ok(first > 0, 'a Delete went out');
  assert.ok(sent.slice(0, first).every((x) => x.t < 11) && sent[first]!.t >= 300, 'idle teardown after five minutes');
  assert.ok(sent[first]!.msg.delete !== undefined);
  assert.is(ladder.slice(first + 1).filter((e) => e === 'MAIN_MODE').length, 6, 'Main Mode 1-6 again after t=500');
  assert.ok(ladder.slice(first + 1).includes('QUICK_MODE'));
  // Main Mode 5-6 and Quick Mode are encrypted (E flag), Main Mode 1-4 are not.
  const enc = fields(file, ['isakmp.flag_e'], 'frame.interface_name == "VNet1GW:public"').map((r) => r[0] === '1' || r[0] === 'True');
  enc.forEach((e, i) => {
    const m = sent[i]!.msg;
    assert.is(e, !(m.exchange === 'MAIN_MODE' && (m.seq ?? 0) <= 4), `frame ${i + 1} E flag`);
  });
});

test('IKEv1 wrong PSK: Main Mode stops at MM5 and the responder\'s Informational carries AUTHENTICATION-FAILED (24)', () => {
  const { sent, file } = ikeRun(PB_A, { ...PB_B, sharedKey: 'wrong1' }, (sim, s) => { sim.schedule(1, () => s.traffic('a')); sim.run({ until: 10 }); }, 'ikev1-psk');
  assert.equal(problems(file), []);
  assertIkeHeaders(file, sent, IKEV1_EXCHANGE);
  const notes = fields(file, ['isakmp.notify.msgtype'], 'frame.interface_name == "VNet1GW:public" && isakmp.notify.msgtype').map((r) => Number(r[0]));
  assert.equal(notes, [24]);
  assert.equal(sent.filter((x) => x.msg.notify).map((x) => x.msg.notify), ['AUTHENTICATION_FAILED']);
});

test('BGP inside the tunnel: TCP handshake, OPEN with hold time, ASN and 4-octet-AS capability, UPDATE AS_PATHs, KEEPALIVE, NOTIFICATION; consistent seq/ack', () => {
  const chunks: Uint8Array[] = [];
  const cap = new PcapCapture({ sink: (c) => chunks.push(c), seed: 7 });
  const gw: CaptureEnd = { ip: 0x0a01ff1e, points: ['VNet1toSite1:inner'] };
  const dev: CaptureEnd = { ip: 0x0a65fffe, points: [] };
  const ladder: [CaptureEnd, CaptureEnd, BgpMessage | TcpControl][] = [
    [gw, dev, { type: 'TCP_SYN', routerId: '10.1.255.30' }], [dev, gw, { type: 'TCP_SYN_ACK' }], [gw, dev, { type: 'TCP_ACK' }],
    [gw, dev, { type: 'OPEN', version: 4, myAs: 65515, holdTime: 180, bgpIdentifier: '10.1.255.30' }],
    [dev, gw, { type: 'OPEN', version: 4, myAs: 4200000001, holdTime: 90, bgpIdentifier: '10.101.255.254' }],
    [gw, dev, { type: 'KEEPALIVE' }], [dev, gw, { type: 'KEEPALIVE' }],
    ...packUpdates(['10.9.0.0/16'], [
      { prefix: '10.1.0.0/16', attributes: { origin: 'igp', asPath: [65515], nextHop: '10.1.255.30' } },
      { prefix: '10.2.0.0/16', attributes: { origin: 'igp', asPath: [65515, 65010], nextHop: '10.1.255.30', med: 5 } },
    ]).map((u): [CaptureEnd, CaptureEnd, BgpMessage] => [gw, dev, u]),
    [dev, gw, { type: 'NOTIFICATION', code: 4, subcode: 0 }],
  ];
  ladder.forEach(([f, t, msg], i) => cap.bgp(1 + i / 100, f, t, { conn: '10.1.255.30#1', msg }));
  cap.flush();
  const file = writeCapture('bgp', chunks);
  assert.equal(problems(file), []);
  const rows = fields(file, ['bgp.type', 'bgp.open.myas', 'bgp.open.holdtime', 'bgp.cap.4as', 'bgp.update.path_attribute.as_path_segment.as4', 'bgp.notify.major_error'], 'bgp');
  assert.equal(rows.map((r) => r[0]), ['1', '1', '4', '4', '2', '2', '2', '3']);
  assert.equal(rows.slice(0, 2).map((r) => r.slice(1, 4)), [['65515', '180', '65515'], ['23456', '90', '4200000001']]);
  assert.equal(rows.slice(5, 7).map((r) => r[4]), ['65515', '65515,65010']);
  assert.is(rows[7]![5], '4');
  // TCP: no analysis flag (retransmission, out of order, ACKed unseen segment) anywhere.
  assert.equal(fields(file, ['frame.number'], 'tcp.analysis.flags && !tcp.analysis.window_update'), []);
  const acks = fields(file, ['tcp.seq', 'tcp.ack', 'tcp.len', 'ip.src'], 'tcp');
  // Relative numbers: each side's seq equals the other's last ack.
  const next = new Map<string, number>();
  for (const [seq, , len, src] of acks) {
    if (next.has(src!)) assert.is(Number(seq), next.get(src!));
    next.set(src!, Number(seq) + Math.max(Number(len), 0) + (Number(seq) === 0 ? 1 : 0));
  }
});

test('ESP: frame length equals espTunnelBytes for every cipher and a sweep of inner sizes; sequence numbers increase per SPI; NAT-T on UDP 4500', () => {
  const chunks: Uint8Array[] = [];
  const cap = new PcapCapture({ sink: (c) => chunks.push(c), seed: 3 });
  const expected: number[] = [];
  const ciphers: TunnelCipher[] = ['GCMAES256', 'AES256_SHA256', 'DES3_SHA256'];
  let t = 0;
  for (const cipher of ciphers) {
    for (const nat of [false, true]) {
      const from: CaptureEnd = { ip: 0x14000001 + ciphers.indexOf(cipher) * 2 + (nat ? 1 : 0), points: ['gw:public'] };
      for (let inner = 28; inner <= 1400; inner += 97) {
        cap.esp((t += 0.001), from, DEV, inner, { cipher, natTraversal: nat });
        expected.push(espTunnelBytes(inner, { cipher, natTraversal: nat }));
      }
    }
  }
  cap.flush();
  const file = writeCapture('esp', chunks);
  assert.equal(problems(file), []);
  const rows = fields(file, ['frame.len', 'esp.spi', 'esp.sequence', 'udp.dstport'], 'frame.interface_name == "gw:public"');
  assert.equal(rows.map((r) => Number(r[0])), expected);
  const last = new Map<string, number>();
  for (const [, spi, seq] of rows) {
    assert.ok(spi, 'tshark dissected ESP (also inside UDP 4500)');
    assert.is(Number(seq), (last.get(spi!) ?? 0) + 1);
    last.set(spi!, Number(seq));
  }
  assert.is(last.size, 6);
  assert.is(rows.filter((r) => r[3] === '4500').length, expected.length / 2);
});

test('IKEv2 P2S client: IKE_SA_INIT on UDP 500, IKE_AUTH on 4500 behind the non-ESP marker, then ESP-in-UDP with the SA\'s sequence', () => {
  const chunks: Uint8Array[] = [];
  const cap = new PcapCapture({ sink: (c) => chunks.push(c), seed: 9 });
  const client: CaptureEnd = { ip: 0xc6336407, points: ['laptop1'] }; // 198.51.100.7
  const ladder: [CaptureEnd, CaptureEnd, Ikev2P2sMessage][] = [
    [client, GW, { kind: 'ikeSaInit', response: false, msgId: 0 }], [GW, client, { kind: 'ikeSaInit', response: true, msgId: 0 }],
    [client, GW, { kind: 'ikeAuth', response: false, msgId: 1, certificate: { subject: 'laptop1', root: 'P2SRootCert' } }],
    [GW, client, { kind: 'ikeAuth', response: true, msgId: 1, done: true }],
  ];
  const sent = ladder.map(([f, t, m], i) => cap.ikeP2s(i * 0.02, 'laptop1', f, t, m));
  for (let i = 0; i < 3; i++) { cap.esp(1 + i, client, GW, 84, { natTraversal: true }); cap.esp(1.01 + i, GW, client, 84, { natTraversal: true }); }
  cap.flush();
  const file = writeCapture('p2s', chunks);
  assert.equal(problems(file), []);
  const rows = fields(file, ['udp.dstport', 'isakmp.exchangetype', 'isakmp.messageid', 'isakmp.ispi', 'esp.spi', 'esp.sequence'], 'frame.interface_name == "laptop1"');
  assert.equal(rows.slice(0, 4).map((r) => [r[0], r[1], Number(r[2]), r[3]]), sent.map((m, i) => [i < 2 ? '500' : '4500', String(IKEV2_EXCHANGE[m.exchange]), m.messageId, hex16(m.spiI)]));
  const esp = rows.slice(4);
  assert.is(esp.length, 6);
  assert.ok(esp.every((r) => r[0] === '4500' && r[4]));
  assert.equal(esp.map((r) => Number(r[5])), [1, 1, 2, 2, 3, 3]);
  assert.is(new Set(esp.map((r) => r[4])).size, 2, 'one SPI per direction');
});

test('pcapng: one interface per capture point with its name, nanosecond timestamps, comments; one seed gives the same bytes', () => {
  const run = () => {
    const chunks: Uint8Array[] = [];
    const cap = new PcapCapture({ sink: (c) => chunks.push(c), seed: 5 });
    cap.icmp(30.000000123, { ip: 0x0a010004, points: ['VNet1toSite1:inner'] }, { ip: 0x0a65000a, points: [] }, { reply: false, id: 1, seq: 1 }, 'trace 12');
    cap.esp(30.000000123, GW, DEV, 84);
    cap.flush();
    return writeCapture('det', chunks);
  };
  const a = run();
  const b = run();
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  const rows = fields(a, ['frame.interface_name', 'frame.time_epoch', 'frame.comment', 'frame.len']);
  assert.equal(rows, [
    ['VNet1toSite1:inner', '30.000000123', 'trace 12', '84'],
    ['VNet1GW:public', '30.000000123', '', String(espTunnelBytes(84))],
    ['Site1:device', '30.000000123', '', String(espTunnelBytes(84))],
  ]);
});

test.run();
