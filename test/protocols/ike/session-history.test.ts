import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Simulator } from '../../../src/sim/kernel/simulator.js';
import { Rng } from '../../../src/sim/kernel/rng.js';
import { PathDirection } from '../../../src/sim/net/underlay.js';
import { ikeConfig } from '../../../src/protocols/ike/config.js';
import { IKE_HISTORY_LIMIT, IkeSession, type IkeSessionOptions } from '../../../src/protocols/ike/session.js';
import { UsageError } from '../../../src/errors.js';

const history = suite('IKE session history stays bounded (issue 14: flat memory)');

/** A policy-based IKEv1 tunnel over 10 ms paths, and the simulator that runs it. */
function policyBased(extra: Partial<IkeSessionOptions> = {}) {
  const sim = new Simulator();
  const rng = new Rng(7);
  const figures = { latencyMs: 10, lossPercent: 0, bandwidthMbps: 1e6 };
  const s = new IkeSession({
    sim, name: 'ike/soak',
    aToB: new PathDirection(sim, rng.stream('loss/a-b'), figures, () => true),
    bToA: new PathDirection(sim, rng.stream('loss/b-a'), figures, () => true),
    a: ikeConfig({ id: 'gw', sharedKey: 'abc123', vpnType: 'PolicyBased', trafficSelectors: { local: ['10.1.0.0/16'], remote: ['10.101.0.0/16'] } }),
    b: ikeConfig({ id: 'dev', sharedKey: 'abc123', vpnType: 'PolicyBased', trafficSelectors: { local: ['10.101.0.0/16'], remote: ['10.1.0.0/16'] } }),
    ...extra,
  });
  return { sim, s };
}

/** `n` cycles: traffic brings the tunnel up, 300 s of silence idle it out (R14). One cycle = 400 s. */
function cycle(sim: Simulator, s: IkeSession, n: number): void {
  for (let i = 0; i < n; i++) {
    s.traffic('a');
    sim.run({ until: sim.now + 400 });
  }
}

history('2,000 idle/renegotiation cycles keep at most IKE_HISTORY_LIMIT events and setup times, the newest', () => {
  const { sim, s } = policyBased();
  cycle(sim, s, 3);
  // Each cycle: negotiating (a), up (a, b), down idleTimeout (a, b): 10,000 events over 2,000 cycles unbounded.
  assert.ok(s.events.some((e) => e.reason === 'idleTimeout'), 'the tunnel does idle out');
  cycle(sim, s, 1997);
  assert.is(s.events.length, IKE_HISTORY_LIMIT);
  assert.is(s.setupTimes.length, IKE_HISTORY_LIMIT);
  assert.ok(s.events[0]!.t > 2000 * 400 - 100 * 400, `the oldest kept event is recent (${s.events[0]!.t})`);
  assert.is(s.events[s.events.length - 1]!.reason, 'idleTimeout');
  assert.is(s.setupTime, s.setupTimes[s.setupTimes.length - 1]);
});

history('the limit is an option; Infinity keeps everything', () => {
  const small = policyBased({ historyLimit: 5 });
  cycle(small.sim, small.s, 50);
  assert.is(small.s.events.length, 5);
  const all = policyBased({ historyLimit: Infinity });
  cycle(all.sim, all.s, 50);
  assert.is(all.s.events.length, 50 * 5, `${all.s.events.length} events`);
  assert.is(all.s.setupTimes.length, 50);
});

history('a limit below 1 is a UsageError', () => {
  assert.throws(() => policyBased({ historyLimit: 0 }), (e: unknown) => e instanceof UsageError && e.rule === 'range');
});

history.run();
