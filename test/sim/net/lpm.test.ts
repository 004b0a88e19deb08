import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LpmTable } from '../../../src/sim/net/lpm.js';
import { parseAddress, parsePrefix, type Prefix } from '../../../src/sim/net/prefix.js';

const r = (cidr: string, tag: string) => ({ prefix: parsePrefix(cidr) as Prefix, tag });

test('longest prefix wins whatever the insertion order', () => {
  const t = new LpmTable<{ prefix: Prefix; tag: string }>();
  t.add(r('0.0.0.0/0', 'default'));
  t.add(r('10.0.0.0/8', 'private'));
  t.add(r('10.2.0.0/16', 'vnet2'));
  t.add(r('10.2.3.0/24', 'subnet'));
  assert.is(t.lookup(parseAddress('10.2.3.9'))!.tag, 'subnet');
  assert.is(t.lookup(parseAddress('10.2.4.9'))!.tag, 'vnet2');
  assert.is(t.lookup(parseAddress('10.9.0.1'))!.tag, 'private');
  assert.is(t.lookup(parseAddress('8.8.8.8'))!.tag, 'default');
});

test('no match without a default; /32 host routes; routes listed in numeric order', () => {
  const t = new LpmTable<{ prefix: Prefix; tag: string }>();
  t.add(r('192.168.0.5/32', 'host'));
  t.add(r('10.101.0.0/16', 'site'));
  t.add(r('10.2.0.0/16', 'vnet2'));
  assert.is(t.lookup(parseAddress('192.168.0.6')), undefined);
  assert.is(t.lookup(parseAddress('192.168.0.5'))!.tag, 'host');
  assert.equal(t.routes().map((x) => x.prefix.cidr), ['10.2.0.0/16', '10.101.0.0/16', '192.168.0.5/32']);
});

test('routes of one prefix keep their order; the first is used', () => {
  const t = new LpmTable<{ prefix: Prefix; tag: string }>();
  t.add(r('10.101.0.0/16', 'expressroute'));
  t.add(r('10.101.0.0/16', 's2s'));
  assert.equal(t.lookupAll(parseAddress('10.101.1.1'))!.map((x) => x.tag), ['expressroute', 's2s']);
  assert.is(t.size, 2);
});

test('addresses above 2^31 match; a route added after a lookup is seen by the next lookup of that address', () => {
  const t = new LpmTable<{ prefix: Prefix; tag: string }>();
  t.add(r('0.0.0.0/0', 'default'));
  t.add(r('172.16.0.0/18', 'pool'));
  const a = parseAddress('172.16.0.9');
  assert.is(t.lookup(a)!.tag, 'pool');
  assert.is(t.lookup(a)!.tag, 'pool'); // the remembered answer
  t.add(r('172.16.0.8/30', 'narrower'));
  assert.is(t.lookup(a)!.tag, 'narrower');
  assert.is(t.lookup(parseAddress('255.255.255.255'))!.tag, 'default');
  t.add(r('255.255.255.255/32', 'broadcast'));
  assert.is(t.lookup(parseAddress('255.255.255.255'))!.tag, 'broadcast');
  assert.is(t.lookup(parseAddress('192.168.1.1'))!.tag, 'default');
});

test.run();
