import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { espPacket, espGoodputFactor, sstpPacket, sstpGoodputFactor } from '../../../src/sim/flow/overhead.js';
import { UsageError } from '../../../src/errors.js';

test('ESP GCMAES256, MSS 1350: 1444 B on the wire', () => {
  // inner 20 + 20 + 1350 = 1390; 1390 + 2 trailer = 1392 = 348 * 4 -> no padding.
  // outer IP 20 + ESP 8 + IV 8 + 1390 + 0 + 2 + ICV 16 = 1444.
  const p = espPacket();
  assert.is(p.wire, 1444);
  assert.is(p.fields.padding, 0);
  assert.is(p.payload, 1350);
  assert.is(espGoodputFactor(), 1350 / 1444);
});

test('ESP with NAT traversal adds the 8 B UDP header', () => {
  assert.is(espPacket({ natTraversal: true }).wire, 1452);
  assert.is(espPacket({ natTraversal: true }).fields.udp, 8);
});

test('ESP AES256_SHA256 (CBC): 16 B IV, 16 B block, 16 B ICV', () => {
  // 1392 = 87 * 16 -> no padding; 20 + 8 + 16 + 1390 + 2 + 16 = 1452.
  assert.is(espPacket({ cipher: 'AES256_SHA256' }).wire, 1452);
  // MSS 1351: inner 1391, 1393 -> next multiple of 16 is 1408 -> 15 B padding;
  // 20 + 8 + 16 + 1391 + 15 + 2 + 16 = 1468.
  const p = espPacket({ cipher: 'AES256_SHA256', mss: 1351 });
  assert.is(p.fields.padding, 15);
  assert.is(p.wire, 1468);
});

test('ESP GCM pads to 4 B; 3DES to 8 B', () => {
  // MSS 1349: inner 1389, 1391 -> 1392: 1 B padding; 20 + 8 + 8 + 1389 + 1 + 2 + 16 = 1444.
  assert.is(espPacket({ mss: 1349 }).fields.padding, 1);
  assert.is(espPacket({ mss: 1349 }).wire, 1444);
  // 3DES: 1392 = 174 * 8 -> no padding; IV 8: 1444.
  assert.is(espPacket({ cipher: 'DES3_SHA256' }).wire, 1444);
  // MSS 1345: inner 1385, 1387 -> 1392: 5 B padding.
  assert.is(espPacket({ cipher: 'DES3_SHA256', mss: 1345 }).fields.padding, 5);
});

test('link framing is added when asked', () => {
  assert.is(espPacket({ linkBytes: 38 }).wire, 1444 + 38);
});

test('SSTP over TLS 1.2 AES-GCM: 1467 B', () => {
  // 20 IP + 20 TCP + 5 TLS header + 8 nonce + 4 SSTP + 4 PPP + 1390 inner + 16 tag = 1467.
  const p = sstpPacket();
  assert.is(p.wire, 1467);
  assert.is(sstpGoodputFactor(), 1350 / 1467);
});

test('SSTP over TLS 1.3 and TLS 1.2 CBC', () => {
  // TLS 1.3: 20 + 20 + 5 + 4 + 4 + 1390 + 1 content type + 16 tag = 1460.
  assert.is(sstpPacket({ tls: 'tls13-aes-gcm' }).wire, 1460);
  // CBC: plaintext 4 + 4 + 1390 = 1398; + MAC 32 + pad-length 1 = 1431 -> 1440: 9 + 1 = 10;
  // 20 + 20 + 5 + 16 IV + 1398 + 32 + 10 = 1501.
  const p = sstpPacket({ tls: 'tls12-aes-cbc-sha256' });
  assert.is(p.fields.tlsPadding, 10);
  assert.is(p.wire, 1501);
  // TCP timestamps: +12.
  assert.is(sstpPacket({ tcpOptionsBytes: 12 }).wire, 1479);
});

test('bad byte counts throw UsageError', () => {
  assert.throws(() => espPacket({ mss: 0 }), (e: unknown) => e instanceof UsageError && e.rule === 'range');
  assert.throws(() => sstpPacket({ pppBytes: 1.5 }), (e: unknown) => e instanceof UsageError);
});

test.run();
