/**
 * Every program in examples/ runs as a user would run it (`npx tsx
 * examples/<name>.ts`) and its printed output says what the example claims.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const run = (name: string) => execFileSync(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { encoding: 'utf8' });

test('every example has a check here', () => {
  const programs = readdirSync('examples').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  assert.equal(programs, ['failure-replay', 'reachability', 'throughput-skus']);
});

test('reachability: the documented multis2sbgp cells (Windows needs manual routes to the BGP-learned VNets)', () => {
  const out = run('reachability');
  assert.match(out, /^windows-client \(Windows\): VNet1 yes, VNet2 manual, VNet3 manual$/m);
  assert.match(out, /^mac-client \(macOS\): VNet1 yes, VNet2 yes, VNet3 yes$/m);
  assert.match(out, /^VNet2 -> 192\.168\.0\.7: VirtualNetworkGateway$/m);
  assert.match(out, /^host vm-vnet1: VNet1 yes, VNet2 yes, VNet3 yes/m);
});

test('failure replay: the tunnel is down from its fail at 125 s until after the restore at 305 s; pings lost meanwhile', () => {
  const out = run('failure-replay');
  const m = /^tunnel VNet1toSite1: down at 125 s \(admin\), up at ([\d.]+) s/m.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m![1]) > 305 && Number(m![1]) < 310, m![1]);
  const outages = [...out.matchAll(/^outage (\S+) -> (\S+): ([\d.]+) s \.\. ([\d.]+) s, (\d+) pings lost \(tunnelDown\)$/gm)];
  assert.is(outages.length, 2, out);
  for (const o of outages) {
    assert.ok(Number(o[3]) >= 125 && Number(o[4]) > 305, o[0]);
    assert.ok(Number(o[5]) > 0);
  }
});

test('throughput across SKUs: two equal flows split each SKU fairly and the total grows with the SKU', () => {
  const out = run('throughput-skus');
  const rows = [...out.matchAll(/^(VpnGw\d): capacity (\d+) Mbit\/s, flows pull1 ([\d.]+), pull2 ([\d.]+) Mbit\/s, Jain ([\d.]+)$/gm)];
  assert.equal(rows.map((r) => r[1]), ['VpnGw1', 'VpnGw2', 'VpnGw3'], out);
  let last = 0;
  for (const r of rows) {
    const [cap, a, b] = [Number(r[2]), Number(r[3]), Number(r[4])];
    assert.is(a, b, 'equal shares');
    assert.ok(a + b <= cap && a + b > 0.8 * cap, `${r[1]}: ${a + b} of ${cap}`);
    assert.ok(a + b > last);
    last = a + b;
    assert.is(r[5], '1.000');
  }
});

test.run();
