import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ESP_TRANSFORMS, espFields, espTunnelBytes, type TunnelCipher } from '../../../src/protocols/esp/packet.js';
import { espPacket } from '../../../src/sim/flow/overhead.js';
import { UsageError } from '../../../src/errors.js';

const esp = suite('ESP tunnel-mode arithmetic: one computation for packets and bandwidth');

esp('hand-derived sizes (RFC 4303 §2): outer IP 20 + [UDP 8] + ESP 8 + IV + inner + padding + trailer 2 + ICV', () => {
  // GCMAES256, inner 84 (a 56 B ping): 84 + 2 = 86, padded to 88: 20 + 8 + 8 + 84 + 2 + 2 + 16 = 140.
  assert.is(espTunnelBytes(84), 140);
  // AES256_SHA256, inner 84: 86 padded to 96 (10): 20 + 8 + 16 + 84 + 10 + 2 + 16 = 156.
  assert.is(espTunnelBytes(84, { cipher: 'AES256_SHA256' }), 156);
  // DES3_SHA256 with NAT-T, inner 84: 86 padded to 88 (2): 20 + 8 + 8 + 8 + 84 + 2 + 2 + 16 = 148.
  assert.is(espTunnelBytes(84, { cipher: 'DES3_SHA256', natTraversal: true }), 148);
});

esp('the bandwidth model counts the same bytes as packet delivery, for every cipher, MSS and NAT-T', () => {
  for (const cipher of Object.keys(ESP_TRANSFORMS) as TunnelCipher[]) {
    for (const natTraversal of [false, true]) {
      for (const mss of [1, 536, 1349, 1350, 1351, 1460]) {
        const inner = 20 + 20 + mss;
        assert.is(espPacket({ cipher, natTraversal, mss }).wire, espTunnelBytes(inner, { cipher, natTraversal }), `${cipher} ${natTraversal} ${mss}`);
      }
    }
  }
});

esp('padding is the smallest that aligns inner + trailer to the block', () => {
  for (let inner = 1; inner < 64; inner++) {
    const f = espFields(inner, 'AES256_SHA256');
    assert.ok(f.padding >= 0 && f.padding < 16);
    assert.is((inner + f.padding + f.espTrailer) % 16, 0);
  }
});

esp('bad sizes and ciphers are UsageErrors (rule range)', () => {
  const bad = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof UsageError && e.rule === 'range');
  bad(() => espTunnelBytes(0));
  bad(() => espTunnelBytes(1.5));
  bad(() => espTunnelBytes(100, { cipher: 'ROT13' as TunnelCipher }));
  bad(() => espFields(100, { ivBytes: 8, blockBytes: 0, icvBytes: 16 }));
});

esp.run();
