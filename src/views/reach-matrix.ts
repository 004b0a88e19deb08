/**
 * Reachability for every pair (Batfish's first question): every host and
 * P2S client against every VNet, site and host, by simulated packets. Each
 * pair is one request and its reply crossing the network hop by hop
 * ({@link Simulation.probe}); for a client whose request is dropped on the
 * client for want of a route, the probe is sent again with the destination's
 * prefixes added on the client for that packet alone, and a success there is
 * `manual` (as in {@link evaluateReach}). Hosts have no client routes to
 * add, so a host's answer is `yes` or `no`.
 */
import type { Simulation, ProbeResult } from '../sim/engine/simulation.js';
import type { Access } from '../sim/engine/reach.js';
import type { Prefix } from '../sim/net/prefix.js';
import { UsageError } from '../errors.js';

/** A destination of the matrix. */
export interface MatrixTarget {
  readonly name: string;
  readonly kind: 'vnet' | 'site' | 'host';
}

/** One source's row: a host or a P2S client. */
export interface MatrixRow {
  readonly name: string;
  readonly kind: 'host' | 'client';
  /** Where a host sits (VNet or site name); a client's gateway. */
  readonly at: string;
  /** Target name -> access, in {@link ReachMatrix.targets} order; a host is not its own target. */
  readonly access: Record<string, Access>;
  /** Why each `no` and each `manual` is so, as a hop chain. */
  readonly explanations: Record<string, string>;
}

/** Every source against every target, as {@link evaluateReachMatrix} finds it. */
export interface ReachMatrix {
  readonly scenario: string;
  /** When the evaluation ran, seconds. */
  readonly at: number;
  /** VNets, then sites, then hosts, each in scenario order. */
  readonly targets: readonly MatrixTarget[];
  /** Hosts, then clients, each in scenario order. */
  readonly rows: readonly MatrixRow[];
}

/** Options of {@link evaluateReachMatrix}. */
export interface ReachMatrixOptions {
  /** Apply timeline entries up to this time first; default: once the network has settled. */
  at?: number;
  /** Longest a round of probes may take, simulated seconds (default 60). */
  probeTimeout?: number;
}

/**
 * Runs the simulation to the evaluation time and probes every (source,
 * target) pair: sources are hosts and P2S clients, targets VNets, sites and
 * hosts.
 * @throws UsageError when `at` is before the simulation's current time or probes do not finish.
 */
export function evaluateReachMatrix(s: Simulation, options: ReachMatrixOptions = {}): ReachMatrix {
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
  const targets: MatrixTarget[] = [
    ...[...net.vnets.keys()].map((name) => ({ name, kind: 'vnet' as const })),
    ...[...net.sites.keys()].map((name) => ({ name, kind: 'site' as const })),
    ...[...net.hosts.keys()].map((name) => ({ name, kind: 'host' as const })),
  ];
  const prefixesOf = (t: MatrixTarget): readonly Prefix[] => {
    if (t.kind === 'vnet') return net.vnets.get(t.name)!.prefixes;
    if (t.kind === 'site') return net.sites.get(t.name)!.prefixes;
    const h = net.hosts.get(t.name)!;
    return h.vnet?.prefixes ?? h.site?.prefixes ?? [];
  };
  const sources = [
    ...[...net.hosts.values()].map((h) => ({ name: h.name, kind: 'host' as const, at: h.vnet?.name ?? h.site?.name ?? '' })),
    ...[...net.clients.values()].map((c) => ({ name: c.name, kind: 'client' as const, at: c.gateway.name })),
  ];
  const address = new Map(targets.map((t) => [t.name, s.targetAddress(t.name)] as const));
  const key = (a: string, b: string) => `${a}\u0000${b}`;
  const pending = { n: 0 };
  const launch = (src: string, t: MatrixTarget, extra: readonly Prefix[], into: Map<string, ProbeResult>) => {
    pending.n++;
    s.probe(src, address.get(t.name)!, (r) => { into.set(key(src, t.name), r); pending.n--; }, extra);
  };
  const first = new Map<string, ProbeResult>();
  for (const src of sources) for (const t of targets) if (t.name !== src.name) launch(src.name, t, [], first);
  drain(s, pending, options.probeTimeout ?? 60);
  const second = new Map<string, ProbeResult>();
  for (const src of sources) {
    if (src.kind !== 'client' || !net.clients.get(src.name)!.connected) continue;
    for (const t of targets) {
      const r = first.get(key(src.name, t.name))!;
      if (!r.ok && r.failed === 'request' && r.outcome.at === `client:${src.name}`) launch(src.name, t, prefixesOf(t), second);
    }
  }
  drain(s, pending, options.probeTimeout ?? 60);
  const rows: MatrixRow[] = sources.map((src) => {
    const access: Record<string, Access> = {};
    const explanations: Record<string, string> = {};
    for (const t of targets) {
      if (t.name === src.name) continue;
      const r = first.get(key(src.name, t.name))!;
      if (r.ok) { access[t.name] = 'yes'; continue; }
      const m = second.get(key(src.name, t.name));
      if (m?.ok) {
        access[t.name] = 'manual';
        explanations[t.name] = `no route on the client; with one added by hand: ${m.explanation}`;
      } else {
        access[t.name] = 'no';
        explanations[t.name] = m ? `${r.explanation}; with a route added by hand: ${m.explanation}` : r.explanation;
      }
    }
    return { ...src, access, explanations };
  });
  return { scenario: s.scenario.name, at, targets, rows };
}

function drain(s: Simulation, pending: { n: number }, timeout: number): void {
  const from = s.now;
  let t = from;
  while (pending.n > 0) {
    t = Math.min(t + 1, from + timeout);
    s.runUntil(t);
    if (pending.n > 0 && t >= from + timeout) {
      throw new UsageError(`reach: ${pending.n} probe(s) unfinished after ${timeout} s of simulated time`, 'timeout');
    }
  }
}

/** The `reach --hosts --json` object: the public contract (no explanations). */
export interface ReachMatrixJson {
  scenario: string;
  at: number;
  targets: { name: string; kind: 'vnet' | 'site' | 'host' }[];
  rows: { name: string; kind: 'host' | 'client'; at: string; access: Record<string, Access> }[];
}

/** The `--json` form of a matrix: exactly {@link ReachMatrixJson}. */
export function reachMatrixJson(m: ReachMatrix): ReachMatrixJson {
  return {
    scenario: m.scenario,
    at: m.at,
    targets: m.targets.map((t) => ({ name: t.name, kind: t.kind })),
    rows: m.rows.map((r) => ({ name: r.name, kind: r.kind, at: r.at, access: { ...r.access } })),
  };
}

/** Renders a matrix for people: a yes/manual/no grid, then the reason for every `no` and `manual`. */
export function formatReachMatrix(m: ReachMatrix): string {
  const lines = [`scenario ${m.scenario}, every host and client against every VNet, site and host, evaluated at t=${m.at} s`];
  if (m.rows.length === 0) return [...lines, '', 'no host and no P2S client in this scenario: nothing to probe from'].join('\n');
  if (!m.rows.some((r) => r.kind === 'client')) lines.push('(no P2S client in this scenario)');
  const src = Math.max(6, ...m.rows.map((r) => `${r.kind} ${r.name}`.length));
  const w = m.targets.map((t) => Math.max(6, t.name.length));
  lines.push('', `${'from \\ to'.padEnd(src)}  ${m.targets.map((t, i) => t.name.padEnd(w[i]!)).join('  ')}`.trimEnd());
  for (const r of m.rows) {
    lines.push(`${`${r.kind} ${r.name}`.padEnd(src)}  ${m.targets.map((t, i) => (r.access[t.name] ?? '-').padEnd(w[i]!)).join('  ')}`.trimEnd());
  }
  const why = m.rows.flatMap((r) => Object.entries(r.explanations).map(([t, e]) => `  ${r.name} -> ${t} (${r.access[t]}): ${e}`));
  if (why.length) lines.push('', 'explanations', ...why);
  return lines.join('\n');
}
