/** Helpers that drive a simulation in tests. */
import * as assert from 'uvu/assert';
import type { ProbeResult, Simulation } from '../../src/sim/engine/simulation.js';
import { parseAddress } from '../../src/sim/net/prefix.js';
import type { TraceRecord } from '../../src/sim/trace.js';

/** Trace records of one type (and an optional filter), in order. */
export function records(s: Simulation, type: string, filter: (r: TraceRecord) => boolean = () => true): TraceRecord[] {
  return s.trace.records.filter((r) => r.type === type && filter(r));
}

/** Runs to `at`, sends one request and its reply, runs 5 s more and returns the result. */
export function probeAt(s: Simulation, at: number, from: string, to: string): ProbeResult {
  let out: ProbeResult | undefined;
  s.runUntil(at);
  s.probe(from, parseAddress(to), (r) => (out = r));
  s.runUntil(at + 5);
  assert.ok(out, 'probe did not finish');
  return out!;
}
