import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_MESSAGE_BYTES, messageBytes, notificationReason, packUpdates, segmentBytes, type PathAttributes } from '../../../src/protocols/bgp/messages.js';

const attrs: PathAttributes = { origin: 'igp', asPath: [65010], nextHop: '192.168.1.1' };

test('message sizes follow RFC 4271 §4', () => {
  assert.is(messageBytes({ type: 'KEEPALIVE' }), 19);
  assert.is(messageBytes({ type: 'OPEN', version: 4, myAs: 65515, holdTime: 180, bgpIdentifier: '10.1.255.30' }), 29);
  assert.is(messageBytes({ type: 'NOTIFICATION', code: 4, subcode: 0 }), 21);
  // 23 + ORIGIN 4 + AS_PATH 3+2+4 + NEXT_HOP 7 + one /16 (3 octets)
  assert.is(messageBytes({ type: 'UPDATE', withdrawn: [], attributes: attrs, nlri: ['10.1.0.0/16'] }), 23 + 20 + 3);
  assert.is(segmentBytes({ conn: 'x#1', msg: { type: 'TCP_SYN', routerId: '10.0.0.1' } }), 40);
  assert.is(segmentBytes({ conn: 'x#1', msg: { type: 'KEEPALIVE' } }), 59);
});

test('packUpdates keeps each UPDATE within 4,096 octets and groups by attributes', () => {
  const many = Array.from({ length: 4001 }, (_, i) => ({ prefix: `10.${i >> 8}.${i & 255}.0/24`, attributes: attrs }));
  const ups = packUpdates([], many);
  // (4096 - 23 - 20) / 4 = 1013 /24 prefixes per message: 1013 * 3 + 962
  assert.equal(ups.map((u) => u.nlri.length), [1013, 1013, 1013, 962]);
  for (const u of ups) assert.ok(messageBytes(u) <= MAX_MESSAGE_BYTES);
  const mixed = packUpdates(['10.9.0.0/16'], [
    { prefix: '10.1.0.0/16', attributes: attrs },
    { prefix: '10.2.0.0/16', attributes: { ...attrs, asPath: [65010, 65020] } },
    { prefix: '10.3.0.0/16', attributes: attrs },
  ]);
  assert.equal(mixed.map((u) => [u.withdrawn, u.nlri]), [[['10.9.0.0/16'], []], [[], ['10.1.0.0/16', '10.3.0.0/16']], [[], ['10.2.0.0/16']]]);
});

test('NOTIFICATION codes map to down reasons', () => {
  assert.is(notificationReason(4, 0), 'holdTimerExpired');
  assert.is(notificationReason(2, 2), 'peerAsMismatch');
  assert.is(notificationReason(6, 1), 'maxPrefixExceeded');
  assert.is(notificationReason(6, 4), 'cease');
  assert.is(notificationReason(5, 0), 'fsmError');
});

test.run();
