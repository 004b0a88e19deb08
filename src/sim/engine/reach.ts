/**
 * Reachability from P2S clients, by simulated packets: for every client and
 * every VNet and site, one request and its reply cross the network hop by
 * hop. A destination the client reaches only with a route added by hand is
 * "manual": the probe is sent again with the destination's prefixes added on
 * the client for that packet alone.
 */
import type { Simulation, ProbeResult } from './simulation.js';
import { UsageError } from '../../errors.js';

/** Access of one client to one network. */
export type Access = 'yes' | 'manual' | 'no';

/** One client's row of a reach report (the `--json` contract, plus explanations). */
export interface ClientReach {
  readonly name: string;
  readonly os: string;
  /** Installed routes, sorted numerically. */
  readonly routes: string[];
  /** VNet or local network gateway name -> access, in scenario order (VNets, then sites). */
  readonly access: Record<string, Access>;
  /** Why each "no" (and each "manual") is so, as a hop chain. */
  readonly explanations: Record<string, string>;
}

/** Reachability of every P2S client, as `evaluateReach` finds it. */
export interface ReachReport {
  readonly scenario: string;
  /** When the evaluation ran, seconds. */
  readonly at: number;
  readonly clients: ClientReach[];
}

/** Options of {@link evaluateReach}. */
export interface ReachOptions {
  /** Apply timeline entries up to this time first; default: evaluate once the network has settled. */
  at?: number;
  /** Longest a probe may take, seconds (default 60). */
  probeTimeout?: number;
}

/**
 * Runs the simulation to the evaluation time and probes every (client,
 * network) pair.
 * @throws UsageError when `at` is before the simulation's current time or probes do not finish.
 */
export function evaluateReach(s: Simulation, options: ReachOptions = {}): ReachReport {
  let at: number;
  if (options.at !== undefined) {
    if (options.at < s.now) throw new UsageError(`reach: --at ${options.at} s is before now (${s.now} s)`, 'time');
    s.runUntil(options.at);
    at = options.at;
  } else {
    s.settle();
    at = s.lastChangeAt;
  }
  const net = s.network;
  const targets = [...net.vnets.keys(), ...net.sites.keys()];
  const clients = [...net.clients.values()];
  const first = new Map<string, ProbeResult>();
  const key = (c: string, t: string) => `${c}\u0000${t}`;
  const startedAt = s.now;
  const pending = { n: 0 };
  const address = new Map(targets.map((t) => [t, s.targetAddress(t)] as const));
  const launch = (client: string, target: string, extra: boolean, into: Map<string, ProbeResult>) => {
    pending.n++;
    const prefixes = extra ? (net.vnets.get(target)?.prefixes ?? net.sites.get(target)!.prefixes) : [];
    s.probe(client, address.get(target)!, (r) => { into.set(key(client, target), r); pending.n--; }, prefixes);
  };
  for (const c of clients) for (const t of targets) launch(c.name, t, false, first);
  drain(s, pending, startedAt, options.probeTimeout ?? 60);

  // Second round: the same probes with the destination's prefixes added by hand.
  const second = new Map<string, ProbeResult>();
  for (const c of clients) {
    for (const t of targets) {
      const r = first.get(key(c.name, t))!;
      if (!r.ok && r.failed === 'request' && r.outcome.at === `client:${c.name}` && c.connected) launch(c.name, t, true, second);
    }
  }
  drain(s, pending, s.now, options.probeTimeout ?? 60);

  const rows: ClientReach[] = clients.map((c) => {
    // Keyed by VNet and site names: null prototypes, so that a VNet named `__proto__` is a key like any other.
    const access: Record<string, Access> = Object.create(null) as Record<string, Access>;
    const explanations: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const t of targets) {
      const r = first.get(key(c.name, t))!;
      if (r.ok) { access[t] = 'yes'; continue; }
      const m = second.get(key(c.name, t));
      if (m?.ok) {
        access[t] = 'manual';
        explanations[t] = `no route on the client; with one added by hand: ${m.explanation}`;
      } else {
        access[t] = 'no';
        explanations[t] = m ? `${r.explanation}; with a route added by hand: ${m.explanation}` : r.explanation;
      }
    }
    return { name: c.name, os: c.def.os, routes: s.clientRoutes(c.name), access, explanations };
  });
  return { scenario: s.scenario.name, at, clients: rows };
}

function drain(s: Simulation, pending: { n: number }, from: number, timeout: number): void {
  let t = s.now;
  while (pending.n > 0) {
    t = Math.min(t + 1, from + timeout);
    s.runUntil(t);
    if (pending.n > 0 && t >= from + timeout) {
      throw new UsageError(`reach: ${pending.n} probe(s) unfinished after ${timeout} s of simulated time`, 'timeout');
    }
  }
}

/** The `--json` form of a report: exactly the public contract. */
export function reachJson(r: ReachReport): { scenario: string; at: number; clients: { name: string; os: string; routes: string[]; access: Record<string, Access> }[] } {
  return { scenario: r.scenario, at: r.at, clients: r.clients.map((c) => ({ name: c.name, os: c.os, routes: c.routes, access: c.access })) };
}
