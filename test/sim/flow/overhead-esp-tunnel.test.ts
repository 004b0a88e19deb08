import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { espTunnelBytes } from '../../../src/sim/flow/overhead.js';

test('ESP tunnel mode around an 84-byte packet: GCM, CBC and NAT-T (RFC 4303, RFC 3948)', () => {
  // GCM: 20 outer + 8 ESP + 8 IV + 84 + pad to 4 with trailer (84 + 2 + 2 = 88) + 16 ICV = 140.
  assert.is(espTunnelBytes(84), 140);
  // AES256-SHA256 (CBC): 20 + 8 + 16 IV + pad to 16 (84 + 10 + 2 = 96) + 16 ICV = 156.
  assert.is(espTunnelBytes(84, { cipher: 'AES256_SHA256' }), 156);
  // NAT-T adds a UDP header.
  assert.is(espTunnelBytes(84, { natTraversal: true }), 148);
});

test('bad sizes are typed errors', () => {
  assert.throws(() => espTunnelBytes(0), (e: Error) => e.name === 'UsageError');
});

test.run();
