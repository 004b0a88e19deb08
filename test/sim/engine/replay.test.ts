import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  runScenario, runJson, outagesOf, PingRecorder, defaultUntil, tunnelDowntimesOf, bgpDowntimesOf,
  tunnelDetectionDelay, tunnelRecoveryDelay, bgpDetectionDelay, DEFAULT_MARGIN_SECONDS, type PingSample, type RunReport,
} from '../../../src/sim/engine/replay.js';
import type { Scenario } from '../../../src/sim/net/scenario.js';
import { gateway, shipped, site, vnet } from '../../helpers/build.js';

const LAYERS = [{ protocols: true, name: 'protocol layer' }, { protocols: false, name: 'instant tunnels' }] as const;

/** VNet1 with a route-based gateway and one S2S tunnel to Site1; a VM on each side. */
function s2s(timeline: Scenario['timeline']): Scenario {
  return {
    name: 's2s', vnets: [vnet('VNet1', 1)], gateways: [gateway('VNet1GW', 'VNet1')],
    localNetworkGateways: [site('Site1', 101)],
    connections: [{ name: 'VNet1toSite1', connectionType: 'IPsec', gateway: 'VNet1GW', localNetworkGateway: 'Site1', sharedKey: 'abc123' }],
    hosts: [{ name: 'vm', vnet: 'VNet1', address: '10.1.0.4' }, { name: 'srv', localNetworkGateway: 'Site1', address: '10.101.0.10' }],
    timeline,
  };
}

const times = (r: RunReport, from: string, to: string): number[] => r.pings.find((p) => p.from === from && p.to === to)!.samples.map((x) => x.t);

// ---------------------------------------------------------------- ping

const ping = suite('ping action');

ping('one ping without every or until', () => {
  assert.equal(PingRecorder.times({ at: 10 }), [10]);
});

ping('every/until: until is inclusive, compared in microseconds', () => {
  assert.equal(PingRecorder.times({ at: 10, every: 5, until: 30 }), [10, 15, 20, 25, 30]);
  assert.equal(PingRecorder.times({ at: 10, every: 5, until: 29.999999 }), [10, 15, 20, 25]);
  // 3 * 0.1 = 0.30000000000000004 in binary; in microseconds it is 300000 = until, so it is sent.
  assert.equal(PingRecorder.times({ at: 0, every: 0.1, until: 0.3 }).length, 4);
  assert.equal(PingRecorder.times({ at: 7, every: 5, until: 7 }), [7]);
});

ping('until without every pings every second; every without until runs to the end', () => {
  assert.equal(PingRecorder.times({ at: 10, until: 13 }), [10, 11, 12, 13]);
  assert.equal(PingRecorder.times({ at: 10, every: 5 }, 22), [10, 15, 20]);
});

ping('in a run: one sample per ping, at its send time, none after the run ends', () => {
  const r = runScenario(s2s([
    { at: 5, action: 'ping', from: 'vm', to: 'srv' },
    { at: 10, action: 'ping', from: 'srv', to: 'vm', every: 20, until: 70 },
    { at: 20, action: 'ping', from: 'vm', to: 'srv', every: 25 },
  ]), { until: 100 });
  assert.equal(times(r, 'vm', 'srv'), [5, 20, 45, 70, 95]);
  assert.equal(times(r, 'srv', 'vm'), [10, 30, 50, 70]);
  assert.ok(r.pings.every((p) => p.answered === p.sent && p.unfinished === 0));
  assert.is(r.outages.length, 0);
});

ping('a ping due at the instant of a failure runs after it (it is scheduled later)', () => {
  const r = runScenario(s2s([
    { at: 10, action: 'ping', from: 'vm', to: 'srv', every: 10, until: 30 },
    { at: 20, action: 'fail', target: 'VNet1toSite1' },
  ]), { until: 40 });
  const samples = r.pings[0]!.samples;
  assert.equal(samples.map((x) => x.ok), [true, false, false]);
  assert.is(samples[1]!.ok === false && samples[1]!.reason, 'tunnelDown');
});

ping('a ping from a client that is not connected is lost as clientNotConnected', () => {
  const r = runScenario(shipped('replays/gateway-reboot.json'));
  const laptop = r.pings.find((p) => p.from === 'laptop')!;
  assert.ok((laptop.lost.clientNotConnected ?? 0) > 0);
});

ping('pings show in the trace with their send time', () => {
  const records: { type: string; sentAt?: unknown }[] = [];
  runScenario(s2s([{ at: 3, action: 'ping', from: 'vm', to: 'srv' }]), { until: 10, trace: (x) => records.push(x as never) });
  assert.equal(records.filter((x) => x.type === 'ping').map((x) => x.sentAt), [3]);
});

// ---------------------------------------------------------------- outages

const outages = suite('outage intervals');

const ok = (t: number): PingSample => ({ t, ok: true, rtt: 0.01 });
const lost = (t: number, reason = 'tunnelDown'): PingSample => ({ t, ok: false, reason, failed: 'request', at: 'gw:X' });

outages('a run of failures from the first failure to the next success', () => {
  // ok 0, lost 10 20 30, ok 40, lost 50, ok 60 -> [10, 40] with 3 lost, [50, 60] with 1 lost.
  const o = outagesOf('a', 'b', [ok(0), lost(10), lost(20, 'noRoute'), lost(30), ok(40), lost(50), ok(60)]);
  assert.equal(o.map((x) => [x.start, x.end, x.duration, x.lost]), [[10, 40, 30, 3], [50, 60, 10, 1]]);
  assert.equal(o[0]!.reasons, { noRoute: 1, tunnelDown: 2 });
});

outages('a failure at the start opens an outage; one still open at the end has end null', () => {
  const o = outagesOf('a', 'b', [lost(0), ok(5), lost(9)]);
  assert.equal(o.map((x) => [x.start, x.end, x.duration]), [[0, 5, 5], [9, null, null]]);
  assert.equal(outagesOf('a', 'b', []), []);
  assert.equal(outagesOf('a', 'b', [ok(1), ok(2)]), []);
});

for (const layer of LAYERS) {
  outages(`tunnel-drop-restore by hand (${layer.name})`, () => {
    // vm pings srv at 30, 40, ..., 600; srv pings vm at 33, 43, ..., 603.
    // VNet1toSite1 fails at 125: down at once (admin), so every ping from 130 (vm) and 133 (srv) is dropped
    // at the gateway that finds the tunnel down. It is restored at 305: IKEv2 needs two round trips of
    // about 8 ms (4 ms one way), so it is up by 305.02 (at once without protocols), before the next pings.
    // vm: lost 130..300 = 18 pings, first success 310 -> [130, 310]; srv: lost 133..303, success 313 -> [133, 313].
    const r = runScenario(shipped('replays/tunnel-drop-restore.json'), { protocols: layer.protocols });
    assert.equal(runJson(r).outages, [
      { from: 'vm', to: 'srv', start: 130, end: 310 },
      { from: 'srv', to: 'vm', start: 133, end: 313 },
    ]);
    assert.equal(r.outages.map((o) => o.lost), [18, 18]);
    assert.equal(r.drops, { tunnelDown: 36 });
    assert.equal(r.tunnelDowntimes.map((d) => [d.connection, d.downAt]), [['VNet1toSite1', 125]]);
    assert.equal(r.convergence.map((c) => [c.at, c.action, c.target]), [[125, 'fail', 'VNet1toSite1'], [305, 'restore', 'VNet1toSite1']]);
  });

  outages(`bgp-transit-heal by hand (${layer.name})`, () => {
    // vm1 pings vm3 every 10 s from 30 to 800; VNet1 reaches VNet3 only through VNet2 by BGP (AS_PATH 65020 65030).
    // VNet2toVNet3 fails at 205: VNet2 loses 10.3.0.0/16 at once and withdraws it toward VNet1 (one UPDATE,
    // 9 ms), so the pings from 210 find no route. Restored at 405: IKEv2, then BGP OPEN, KEEPALIVE and UPDATE
    // on VNet2-VNet3, then an UPDATE to VNet1 (routes back by 405.4; at once without protocols).
    // Lost 210..400 = 20 pings; first success 410 -> [210, 410].
    const r = runScenario(shipped('replays/bgp-transit-heal.json'), { protocols: layer.protocols });
    assert.equal(runJson(r).outages, [{ from: 'vm1', to: 'vm3', start: 210, end: 410 }]);
    assert.is(r.outages[0]!.lost, 20);
    assert.equal(Object.keys(r.outages[0]!.reasons), ['noRoute']);
  });

  outages(`expressroute-failover: S2S carries the pings while the circuit is down (${layer.name})`, () => {
    const r = runScenario(shipped('replays/expressroute-failover.json'), { protocols: layer.protocols });
    assert.equal(r.outages, []);
    assert.is(r.pings[0]!.answered, r.pings[0]!.sent);
    assert.ok(r.tunnelEvents.some((e) => e.connection === 'VNet1ERtoSite1' && e.state === 'down'));
  });
}

outages('policy-based idle teardown: the first ping after silence is lost while IKEv1 negotiates (R14)', () => {
  // Pings 30..100, then silence; idle for more than 300 s -> torn down. The ping at 500 is dropped
  // (tunnelNegotiating) and starts IKEv1; the pings from 510 get through -> one outage [500, 510].
  const r = runScenario(shipped('replays/policy-based-idle.json'));
  assert.equal(runJson(r).outages, [{ from: 'vm', to: 'srv', start: 500, end: 510 }]);
  assert.equal(r.drops, { tunnelNegotiating: 1 });
  assert.ok(r.tunnelEvents.some((e) => e.state === 'down' && e.t > 400 && e.t < 500));
});

outages('gateway reboot: the laptop is not reconnected until connectClient (R19)', () => {
  const r = runScenario(shipped('replays/gateway-reboot.json'));
  const laptop = r.outages.find((o) => o.from === 'laptop')!;
  // Dropped at 205; connectClient at 395; the ping at 400 is the first answered.
  assert.equal([laptop.start, laptop.end], [210, 400]);
  assert.ok(r.clientEvents.some((e) => e.name === 'laptop' && e.state === 'disconnected' && e.t === 205));
});

// ---------------------------------------------------------------- trace analysis

const analysis = suite('trace analysis');

analysis('tunnel downtime pairs each down with the next up of the same connection', () => {
  const d = tunnelDowntimesOf([
    { t: 1, connection: 'A', state: 'down', reason: 'admin' },
    { t: 2, connection: 'B', state: 'down', reason: 'dpdTimeout' },
    { t: 3, connection: 'A', state: 'down', reason: 'peerDown' },
    { t: 4.5, connection: 'A', state: 'up', reason: 'configured' },
  ]);
  assert.equal(d.map((x) => [x.connection, x.downAt, x.upAt, x.duration, x.downReason]), [['A', 1, 4.5, 3.5, 'admin'], ['B', 2, null, null, 'dpdTimeout']]);
});

analysis('BGP downtime: first establishment from t=0, then each time out of Established', () => {
  const d = bgpDowntimesOf([
    { t: 0.1, session: 's', speaker: 'x', from: 'Idle', to: 'Connect', reason: 'start' },
    { t: 0.3, session: 's', speaker: 'x', from: 'OpenConfirm', to: 'Established', reason: 'keepalive' },
    { t: 200, session: 's', speaker: 'x', from: 'Established', to: 'Idle', reason: 'holdTimerExpired' },
    { t: 260, session: 's', speaker: 'x', from: 'OpenConfirm', to: 'Established', reason: 'keepalive' },
  ]);
  assert.equal(d.map((x) => [x.downAt, x.establishedAt, x.duration, x.reason]), [[null, 0.3, 0.3, 'start'], [200, 260, 60, 'holdTimerExpired']]);
});

analysis('detection hooks read delays off a report', () => {
  const r = runScenario(shipped('replays/tunnel-drop-restore.json'));
  assert.is(tunnelDetectionDelay(r, 125, 'VNet1toSite1'), 0); // an admin failure is seen at once
  const back = tunnelRecoveryDelay(r, 305, 'VNet1toSite1')!;
  assert.ok(back > 0 && back < 1, `recovered after ${back} s`);
  assert.is(tunnelDetectionDelay(r, 700), undefined);
  const b = runScenario(shipped('replays/bgp-transit-heal.json'));
  assert.ok(bgpDetectionDelay(b, 205) !== undefined);
});

analysis('default until: the last timeline time (a ping series counts its until) plus the margin', () => {
  assert.is(defaultUntil(shipped('replays/tunnel-drop-restore.json')), 603 + DEFAULT_MARGIN_SECONDS);
  assert.is(defaultUntil(s2s(undefined)), DEFAULT_MARGIN_SECONDS);
  assert.is(runScenario(s2s([{ at: 50, action: 'fail', target: 'Site1' }])).until, 350);
});

// ---------------------------------------------------------------- contract

const contract = suite('run --json contract');

contract('runJson has exactly the contract keys', () => {
  const j = runJson(runScenario(shipped('replays/tunnel-drop-restore.json')));
  assert.equal(Object.keys(j), ['scenario', 'until', 'fingerprint', 'outages', 'tunnelEvents', 'drops']);
  assert.ok(j.outages.length > 0 && j.tunnelEvents.length > 0);
  for (const o of j.outages) assert.equal(Object.keys(o), ['from', 'to', 'start', 'end']);
  for (const e of j.tunnelEvents) {
    assert.equal(Object.keys(e), ['t', 'connection', 'state', 'reason']);
    assert.ok(e.state === 'up' || e.state === 'down');
  }
  assert.ok(Object.values(j.drops).every((n) => Number.isInteger(n)));
  assert.match(j.fingerprint, /^[0-9a-f]{16}$/);
});

contract('the CLI prints one JSON object, and --trace writes the JSON lines the fingerprint hashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpnsim-run-'));
  try {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const tracePath = join(dir, 'trace.jsonl');
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'scenarios/replays/tunnel-drop-restore.json', '--json', '--until', '400', '--trace', tracePath], { cwd: root, encoding: 'utf8' });
    assert.is(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split('\n');
    assert.is(lines.length, 1);
    const j = JSON.parse(lines[0]!);
    assert.equal(Object.keys(j), ['scenario', 'until', 'fingerprint', 'outages', 'tunnelEvents', 'drops']);
    assert.is(j.until, 400);
    assert.equal(j, runJson(runScenario(shipped('replays/tunnel-drop-restore.json'), { until: 400 })));
    const text = readFileSync(tracePath, 'utf8');
    assert.is(createHash('sha256').update(text).digest('hex').slice(0, 16), j.fingerprint);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

contract('runScenario rejects a negative until', () => {
  assert.throws(() => runScenario(s2s(undefined), { until: -1 }), (e: Error) => e.name === 'UsageError');
});

ping.run();
outages.run();
analysis.run();
contract.run();
