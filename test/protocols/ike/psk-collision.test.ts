import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { ikeConfig } from '../../../src/protocols/ike/config.js';
import { pskDigest } from '../../../src/protocols/ike/messages.js';
import { Simulation } from '../../../src/sim/engine/simulation.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';
import { gateway, v2v, vnet } from '../../helpers/build.js';
import { records } from '../../helpers/run.js';
import { Ladder } from './ladder.js';

const psk = suite('pre-shared key check: a colliding pair of keys does not authenticate (issue 14)');

const { keys } = JSON.parse(readFileSync(new URL('../../fixtures/regressions/psk-fnv1a-collision.json', import.meta.url), 'utf8')) as { keys: [string, string] };
const [k1, k2] = keys;

/** The digest the keys were built against: two seeded 32-bit FNV-1a rounds. */
function oldDigest(key: string, role: string, context: string): string {
  const fnv = (text: string, seed: number) => {
    let h = (0x811c9dc5 ^ seed) >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  const text = `${key}\u0000${role}\u0000${context}`;
  return fnv(text, 0x9e3779b9) + fnv(text, 0x85ebca6b);
}

psk('the regression pair is real: two valid, different keys with one old digest', () => {
  assert.is.not(k1, k2);
  for (const k of keys) assert.ok(/^[A-Za-z0-9]{1,128}$/.test(k), 'a valid R4 key');
  for (const context of ['1:2:aa:bb:VNet1toVNet2', '77:9:x:y:gw-b']) assert.is(oldDigest(k1, 'I', context), oldDigest(k2, 'I', context));
});

psk('pskDigest tells the two keys apart, in both roles', () => {
  assert.is.not(pskDigest(k1, 'I', '1:2:aa:bb:id'), pskDigest(k2, 'I', '1:2:aa:bb:id'));
  assert.is.not(pskDigest(k1, 'R', '1:2:aa:bb:id'), pskDigest(k2, 'R', '1:2:aa:bb:id'));
  assert.is(pskDigest(k1, 'I', 'c'), pskDigest(k1, 'I', 'c'), 'deterministic');
});

for (const version of ['IKEv2', 'IKEv1'] as const) {
  psk(`${version} ladder: the responder refuses the colliding key with authenticationFailed`, () => {
    const l = new Ladder(ikeConfig({ id: 'gw-a', sharedKey: k1, version }), ikeConfig({ id: 'gw-b', sharedKey: k2, version }));
    l.input('a', { kind: 'start' });
    for (let i = 0; i < 12 && l.a.phase !== 'down' && l.a.phase !== 'established'; i++) l.deliver();
    assert.is.not(l.a.phase, 'established');
    assert.is.not(l.b.phase, 'established');
    assert.is(l.b.reason, 'authenticationFailed');
  });

  psk(`${version} VNet-to-VNet: the tunnel never comes up and carries nothing`, () => {
    const sc: Scenario = {
      name: 'psk', vnets: [vnet('VNet1', 1), vnet('VNet2', 2)],
      gateways: [gateway('VNet1GW', 'VNet1'), gateway('VNet2GW', 'VNet2')],
      connections: v2v('VNet1', 'VNet2', { connectionProtocol: version }),
    };
    sc.connections![0]!.sharedKey = k1;
    sc.connections![1]!.sharedKey = k2;
    const s = new Simulation(sc);
    s.runUntil(300);
    assert.is(records(s, 'tunnel.up').length, 0);
    assert.is(records(s, 'tunnel.down')[0]!.reason, 'authenticationFailed');
  });
}

psk('the instant tunnel layer refuses the pair too', () => {
  const sc: Scenario = {
    name: 'psk', vnets: [vnet('VNet1', 1), vnet('VNet2', 2)],
    gateways: [gateway('VNet1GW', 'VNet1'), gateway('VNet2GW', 'VNet2')],
    connections: v2v('VNet1', 'VNet2'),
  };
  sc.connections![0]!.sharedKey = k1;
  sc.connections![1]!.sharedKey = k2;
  const s = new Simulation(sc, { protocols: false });
  s.runUntil(10);
  assert.is(records(s, 'tunnel.up').length, 0);
});

psk.run();
