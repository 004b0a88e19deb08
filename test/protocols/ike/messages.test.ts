import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describe, dhGroupOf, isRequest, messageBytes, pskDigest, type IkeMessage } from '../../../src/protocols/ike/messages.js';

test('pskDigest is deterministic, depends on key, role and context, and hides the key', () => {
  const d = pskDigest('abc123', 'I', 'ctx');
  assert.is(d, pskDigest('abc123', 'I', 'ctx'));
  assert.match(d, /^[0-9a-f]{64}$/); // HMAC-SHA-256, hex
  assert.is.not(d, pskDigest('abc124', 'I', 'ctx'));
  assert.is.not(d, pskDigest('abc123', 'R', 'ctx'));
  assert.is.not(d, pskDigest('abc123', 'I', 'ctx2'));
  assert.not.ok(d.includes('abc123'));
});

test('dhGroupOf reads the trailing DH token, default group 2', () => {
  assert.is(dhGroupOf('AES256-SHA1-DH2'), 2);
  assert.is(dhGroupOf('AES256-SHA256-DH14'), 14);
  assert.is(dhGroupOf('GCMAES256'), 2);
});

test('message sizes grow with payloads; IKE_SA_INIT with Azure\'s six proposals is about 500 bytes', () => {
  const init: IkeMessage = { version: 'IKEv2', exchange: 'IKE_SA_INIT', response: false, messageId: 0, spiI: 1, spiR: 0, sa: ['a', 'b', 'c', 'd', 'e', 'f'], ke: 2, nonce: 'n' };
  assert.is(messageBytes(init), 528);
  assert.ok(messageBytes({ ...init, ke: 14 }) > messageBytes(init));
  const probe: IkeMessage = { version: 'IKEv2', exchange: 'INFORMATIONAL', response: false, messageId: 3, spiI: 1, spiR: 2 };
  assert.is(messageBytes(probe), 28 + 28 + 36);
});

test('isRequest and describe: IKEv1 QM2 both answers and asks', () => {
  const qm2: IkeMessage = { version: 'IKEv1', exchange: 'QUICK_MODE', response: true, messageId: 1, seq: 2, spiI: 1, spiR: 2 };
  assert.ok(isRequest(qm2));
  assert.not.ok(isRequest({ ...qm2, seq: 3 }));
  assert.is(describe(qm2), 'QM2');
  assert.is(describe({ ...qm2, exchange: 'INFORMATIONAL', notify: 'R_U_THERE_ACK' }), 'INFORMATIONAL resp [R_U_THERE_ACK]');
});

test.run();
