import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { azureExportFilter } from '../../../src/protocols/bgp/export-filter.js';
import type { BgpNeighborInfo, BgpRoute } from '../../../src/protocols/bgp/speaker.js';
import { ValidationError } from '../../../src/errors.js';
import { Net, us } from './fixtures.js';

function chain(latAB = 10, latBC = 20, cAsn = 65003) {
  const net = new Net();
  const a = net.speaker({ name: 'A', asn: 65001, routerId: '1.1.1.1', originated: ['10.1.0.0/16'] });
  const b = net.speaker({ name: 'B', asn: 65002, routerId: '2.2.2.2' });
  const c = net.speaker({ name: 'C', asn: cAsn, routerId: '3.3.3.3' });
  const ab = net.connect('AB', { speaker: a }, { speaker: b }, latAB);
  const bc = net.connect('BC', { speaker: b }, { speaker: c }, latBC);
  return { net, a, b, c, ab, bc };
}

test('three speakers A-B-C converge: C learns A\'s prefix with AS_PATH [B, A]; times follow latency', () => {
  const { net, c, ab, bc } = chain();
  ab.transportUp();
  bc.transportUp();
  net.sim.run({ until: 5 });
  // A-B (L = 10 ms): A is Established at 5L = 50 ms and sends its UPDATE; B learns it at 60 ms.
  // B-C (L = 20 ms): B is Established at 5L = 100 ms and sends its table; C learns it at 120 ms.
  assert.equal(net.ribLog('B', '10.1.0.0/16'), ['60000 [65001]']);
  assert.equal(net.ribLog('C', '10.1.0.0/16'), ['120000 [65002 65001]']);
  const r = c.best('10.1.0.0/16')!;
  assert.equal(r.route.asPath, [65002, 65001]);
  assert.is(r.route.nextHop, '2.2.2.2'); // next hop self toward external peers
  assert.is(r.rule, 'onlyPath');
  // A-B drops at t = 10 s: B withdraws at once and C one B-C latency later.
  net.sim.schedule(5, () => ab.transportDown());
  net.sim.run({ until: 20 });
  assert.equal(net.ribLog('B', '10.1.0.0/16'), ['60000 [65001]', '10000000 -']);
  assert.equal(net.ribLog('C', '10.1.0.0/16'), ['120000 [65002 65001]', '10020000 -']);
  assert.equal(c.locRib(), []);
  assert.is(bc.established, true);
});

test('AS_PATH loop prevention: A rejects its own ASN coming back through B (RFC 4271 §9.1.2)', () => {
  // Two sites with the same private ASN 65001 on either side of B.
  const { net, a, b, c, ab, bc } = chain(10, 10, 65001);
  c.setOriginated(['10.3.0.0/16']);
  ab.transportUp();
  bc.transportUp();
  net.sim.run({ until: 5 });
  assert.equal(b.learnedPrefixes(), ['10.1.0.0/16', '10.3.0.0/16']);
  assert.equal(a.learnedPrefixes(), []); // B sent 10.3.0.0/16 with [65002, 65001]: dropped
  assert.is(ab.a.loopsRejected, 1);
  assert.equal(c.learnedPrefixes(), []); // and the same for 10.1.0.0/16 at C
  assert.is(bc.b.loopsRejected, 1);
});

test('best path across two routes: shortest AS_PATH wins; the other takes over when the session drops', () => {
  const { net, a, b, c, ab, bc } = chain();
  const ac = net.connect('AC', { speaker: a }, { speaker: c }, 30);
  for (const s of [ab, bc, ac]) s.transportUp();
  net.sim.run({ until: 5 });
  assert.equal(c.best('10.1.0.0/16')!.route.asPath, [65001]);
  assert.is(c.best('10.1.0.0/16')!.rule, 'asPathLength');
  ac.transportDown();
  assert.equal(c.best('10.1.0.0/16')!.route.asPath, [65002, 65001]);
  assert.is(c.best('10.1.0.0/16')!.rule, 'onlyPath');
  // B's best stays its direct route; A never takes its own prefix back (C offered it via B early on: loop).
  assert.equal(b.best('10.1.0.0/16')!.route.asPath, [65001]);
  assert.equal(a.learnedPrefixes(), []);
});

test('originated prefixes change at runtime: re-advertised and withdrawn over the session', () => {
  const { net, a, b, ab } = chain();
  ab.transportUp();
  net.sim.run({ until: 1 });
  net.sim.schedule(1, () => a.originate('10.2.0.0/16'));
  net.sim.schedule(2, () => a.withdrawOriginated('10.1.0.0/16'));
  net.sim.run({ until: 5 });
  assert.equal(net.ribLog('B', '10.2.0.0/16'), ['2010000 [65001]']);
  assert.equal(net.ribLog('B', '10.1.0.0/16'), ['60000 [65001]', '3010000 -']);
  assert.equal(b.learnedPrefixes(), ['10.2.0.0/16']);
  assert.throws(() => a.originate('10.2.0.1/16'), (e: unknown) => e instanceof ValidationError);
});

const prefixes = (n: number): string[] => Array.from({ length: n }, (_, i) => `172.${16 + (i >> 8)}.${i & 255}.0/24`);

function maxPrefixPair(count: number) {
  const net = new Net();
  const gw = net.speaker({ name: 'gw', asn: 65515, routerId: '10.1.255.30' });
  const dev = net.speaker({ name: 'dev', asn: 65010, routerId: '192.168.1.1', originated: prefixes(count) });
  const s = net.connect('s1', { speaker: gw }, { speaker: dev }, 10);
  s.transportUp();
  return { net, gw, dev, s };
}

test('4,000 prefixes from one peer are accepted (Azure limit)', () => {
  const { net, gw, s } = maxPrefixPair(4000);
  net.sim.run({ until: 10 });
  assert.ok(s.established);
  assert.is(gw.learnedPrefixes().length, 4000);
});

test('the 4,001st prefix drops the session: Cease / maxPrefixExceeded, routes withdrawn, stays down until reset', () => {
  const { net, gw, dev, s } = maxPrefixPair(4001);
  net.sim.run({ until: 300 });
  const gwDown = net.states.find((e) => e.speaker === 'gw' && e.from === 'Established')!;
  const devDown = net.states.find((e) => e.speaker === 'dev' && e.from === 'Established')!;
  assert.is(gwDown.reason, 'maxPrefixExceeded');
  assert.is(devDown.reason, 'maxPrefixExceeded');
  // The UPDATEs (1,013 /24s each) arrive at 5L = 50 ms: the first three (3,039 prefixes) are
  // installed, the fourth passes the limit; the session drops and all of them leave at once.
  const gwRib = net.rib.filter((r) => r.speaker === 'gw');
  assert.is(gwRib.filter((r) => r.best).length, 3039);
  assert.is(gwRib.filter((r) => !r.best).length, 3039);
  assert.ok(gwRib.every((r) => us(r.t) === 50_000));
  assert.is(us(gwDown.t), 50_000);
  assert.equal(gw.learnedPrefixes(), []);
  assert.is(s.a.state, 'Idle');
  // The device keeps trying and is refused.
  assert.ok(net.states.some((e) => e.speaker === 'dev' && e.reason === 'connectionRefused'));
  dev.setOriginated(prefixes(4000));
  s.reset('a');
  net.sim.run({ until: 310 });
  assert.ok(s.established);
  assert.is(gw.learnedPrefixes().length, 4000);
});

test('azureExportFilter: no default route, no learned prefix overlapping the VNet', () => {
  const f = azureExportFilter(['10.1.0.0/16']);
  const nb: BgpNeighborInfo = { name: 'site2', peerAs: 65020, peerAddress: '192.168.2.1', ibgp: false };
  const route = (prefix: string, local = false): BgpRoute => ({
    prefix, asPath: local ? [] : [65010], origin: 'igp', nextHop: '192.168.1.1', local, ibgp: false,
    peerRouterId: '192.168.1.1', peerAddress: '192.168.1.1', neighbor: local ? undefined : 'site1',
  });
  assert.is(f(route('10.1.0.0/16', true), nb), true); // the VNet itself
  assert.is(f(route('0.0.0.0/0'), nb), false);
  assert.is(f(route('0.0.0.0/0', true), nb), false);
  assert.is(f(route('10.1.128.0/17'), nb), false); // inside the VNet
  assert.is(f(route('10.0.0.0/8'), nb), false); // covers the VNet
  assert.is(f(route('10.2.0.0/16'), nb), true);
  assert.throws(() => azureExportFilter(['10.1.0.1/16']), (e: unknown) => e instanceof ValidationError);
});

test('azureExportFilter on a gateway: transit routes pass, the default and VNet overlaps do not', () => {
  const net = new Net();
  const gw = net.speaker({ name: 'gw', asn: 65515, routerId: '10.1.255.30', originated: ['10.1.0.0/16'], exportFilter: azureExportFilter(['10.1.0.0/16']) });
  const site1 = net.speaker({ name: 'site1', asn: 65010, routerId: '192.168.1.1', originated: ['0.0.0.0/0', '10.1.128.0/17', '192.168.0.0/16'] });
  const site2 = net.speaker({ name: 'site2', asn: 65020, routerId: '192.168.2.1' });
  const s1 = net.connect('s1', { speaker: gw }, { speaker: site1 }, 10);
  const s2 = net.connect('s2', { speaker: gw }, { speaker: site2 }, 10);
  s1.transportUp();
  s2.transportUp();
  net.sim.run({ until: 5 });
  assert.equal(gw.learnedPrefixes(), ['0.0.0.0/0', '10.1.128.0/17', '192.168.0.0/16']);
  assert.equal(site2.locRib().map((r) => `${r.prefix} [${r.asPath.join(' ')}]`), ['10.1.0.0/16 [65515]', '192.168.0.0/16 [65515 65010]']);
  // Lifting the filter re-advertises what it held back.
  gw.setExportFilter(undefined);
  net.sim.run({ until: 6 });
  assert.equal(site2.locRib().map((r) => r.prefix), ['0.0.0.0/0', '10.1.0.0/16', '10.1.128.0/17', '192.168.0.0/16']);
  assert.is(us(net.rib.filter((r) => r.speaker === 'site2' && r.prefix === '0.0.0.0/0')[0]!.t), 5_010_000);
});

test.run();
