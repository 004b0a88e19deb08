import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LpmTable } from '../../../src/sim/net/lpm.js';
import { contains, parseAddress, parsePrefix, type Prefix } from '../../../src/sim/net/prefix.js';
import { Rng } from '../../../src/sim/kernel/rng.js';

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

test('alternating lookups are answered from the two remembered answers, and a new route clears both', () => {
  const t = new LpmTable<{ prefix: Prefix; tag: string }>();
  t.add(r('10.0.0.0/16', 'vnet'));
  t.add(r('172.16.0.0/18', 'pool'));
  const server = parseAddress('10.0.0.4'), client = parseAddress('172.16.0.9'), other = parseAddress('172.16.0.10');
  for (let i = 0; i < 3; i++) {
    assert.is(t.lookup(server)!.tag, 'vnet');
    assert.is(t.lookup(client)!.tag, 'pool');
    assert.is(t.lookup(other)!.tag, 'pool');
  }
  t.add(r('10.0.0.0/24', 'subnet'));
  assert.is(t.lookup(client)!.tag, 'pool');
  assert.is(t.lookup(server)!.tag, 'subnet', 'the older remembered answer is not reused after an add');
});

test('neighbouring /32 and /31 routes stay apart (host routes share a key, picked by the lowest bit)', () => {
  const t = new LpmTable<{ prefix: Prefix; tag: string }>();
  t.add(r('172.16.0.4/32', 'even'));
  t.add(r('172.16.0.5/32', 'odd'));
  t.add(r('172.16.0.6/31', 'pair'));
  t.add(r('172.16.0.0/24', 'net'));
  assert.is(t.lookup(parseAddress('172.16.0.4'))!.tag, 'even');
  assert.is(t.lookup(parseAddress('172.16.0.5'))!.tag, 'odd');
  assert.is(t.lookup(parseAddress('172.16.0.6'))!.tag, 'pair');
  assert.is(t.lookup(parseAddress('172.16.0.7'))!.tag, 'pair');
  assert.is(t.lookup(parseAddress('172.16.0.8'))!.tag, 'net');
  assert.equal(t.routes().map((x) => x.tag), ['net', 'even', 'odd', 'pair']);
});

test('a length held by one prefix answers by comparison; a second prefix of that length is found after it is added', () => {
  const t = new LpmTable<ReturnType<typeof r>>();
  t.add(r('0.0.0.0/0', 'default'));
  t.add(r('10.1.0.0/16', 'vnet'));
  assert.is(t.lookup(parseAddress('10.1.2.3'))!.tag, 'vnet');
  assert.is(t.lookup(parseAddress('10.2.2.3'))!.tag, 'default');
  t.add(r('10.2.0.0/16', 'peer'));
  assert.is(t.lookup(parseAddress('10.2.2.3'))!.tag, 'peer');
  assert.is(t.lookup(parseAddress('10.1.2.3'))!.tag, 'vnet');
  t.add(r('10.2.0.0/16', 'second'));
  assert.equal(t.lookupAll(parseAddress('10.2.9.9'))!.map((x) => x.tag), ['peer', 'second']);
  t.add(r('172.16.0.0/18', 'pool'));
  assert.is(t.lookup(parseAddress('172.16.63.255'))!.tag, 'pool');
  assert.is(t.lookup(parseAddress('172.16.64.0'))!.tag, 'default');
  assert.is(t.size, 5);
});

test('random tables and addresses over the whole space agree with a linear scan', () => {
  const rng = new Rng(7).stream('lpm');
  const u32 = () => Math.floor(rng.random() * 2 ** 32);
  for (let round = 0; round < 20; round++) {
    const t = new LpmTable<{ prefix: Prefix; tag: string }>();
    const all: { prefix: Prefix; tag: string }[] = [];
    for (let i = 0; i < 60; i++) {
      const len = i % 7 === 0 ? 32 - (i % 3) : Math.floor(rng.random() * 33);
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      const base = (u32() & mask) >>> 0;
      const route = r(`${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${len}`, `r${i}`);
      all.push(route);
      t.add(route);
    }
    const probes = [...all.map((x) => x.prefix.base), ...all.map((x) => (x.prefix.base + 1) >>> 0), ...Array.from({ length: 200 }, u32)];
    for (const a of probes) {
      let best: { prefix: Prefix; tag: string } | undefined;
      for (const x of all) if (contains(x.prefix, a) && (best === undefined || x.prefix.length > best.prefix.length)) best = x;
      assert.is(t.lookup(a)?.tag, best?.tag, `address ${a} in round ${round}`);
    }
  }
});

test('an answer under a leaf prefix serves every address in it; a longer route added inside ends that', () => {
  const t = new LpmTable<ReturnType<typeof r>>();
  t.add(r('0.0.0.0/0', 'default'));
  t.add(r('172.16.0.0/18', 'pool'));
  t.add(r('10.0.0.0/16', 'vnet'));
  t.add(r('10.0.0.0/24', 'subnet'));
  for (let i = 0; i < 300; i++) assert.is(t.lookup((parseAddress('172.16.0.0') + i * 53) >>> 0)!.tag, 'pool');
  // 10.0.0.0/16 is not a leaf (10.0.0.0/24 lies inside): an answer for 10.0.5.1 must not serve 10.0.0.9.
  assert.is(t.lookup(parseAddress('10.0.5.1'))!.tag, 'vnet');
  assert.is(t.lookup(parseAddress('10.0.0.9'))!.tag, 'subnet');
  assert.is(t.lookup(parseAddress('10.0.5.2'))!.tag, 'vnet');
  t.add(r('172.16.1.0/24', 'inner'));
  assert.is(t.lookup(parseAddress('172.16.1.7'))!.tag, 'inner');
  assert.is(t.lookup(parseAddress('172.16.2.7'))!.tag, 'pool');
  t.add(r('172.16.2.7/32', 'host'));
  assert.is(t.lookup(parseAddress('172.16.2.7'))!.tag, 'host');
  assert.is(t.lookup(parseAddress('172.16.2.8'))!.tag, 'pool');
  assert.is(t.lookup(parseAddress('172.16.2.7'))!.tag, 'host');
});

test('random nested tables, addresses clustered inside their prefixes and routes added between lookups, agree with a linear scan', () => {
  const rng = new Rng(9).stream('lpm/nested');
  for (let round = 0; round < 20; round++) {
    const t = new LpmTable<{ prefix: Prefix; tag: string }>();
    const all: { prefix: Prefix; tag: string }[] = [];
    const add = (i: number) => {
      // Nested: most routes lie inside an earlier one.
      const parent = all.length > 0 && rng.random() < 0.8 ? all[Math.floor(rng.random() * all.length)]!.prefix : undefined;
      const from = parent ? parent.length : 0;
      const len = Math.min(32, from + Math.floor(rng.random() * 9));
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      const span = parent ? 2 ** (32 - parent.length) : 2 ** 32;
      const base = ((((parent ? parent.base : 0) + Math.floor(rng.random() * span)) >>> 0) & mask) >>> 0;
      const route = r(`${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${len}`, `r${i}`);
      all.push(route);
      t.add(route);
    };
    for (let i = 0; i < 40; i++) {
      add(i);
      if (i % 10 !== 9) continue;
      for (let n = 0; n < 300; n++) {
        const p = all[Math.floor(rng.random() * all.length)]!.prefix;
        const a = (p.base + Math.floor(rng.random() * 2 ** (32 - p.length))) >>> 0;
        let best: { prefix: Prefix; tag: string } | undefined;
        for (const x of all) if (contains(x.prefix, a) && (best === undefined || x.prefix.length > best.prefix.length)) best = x;
        assert.is(t.lookup(a)?.tag, best?.tag, `address ${a} in round ${round}`);
      }
    }
  }
});

test.run();
