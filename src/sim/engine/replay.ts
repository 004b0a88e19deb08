/**
 * Failure replays: run a scenario's timeline over simulated time, answer its
 * `ping` actions with probes, and derive from the pings and the trace who
 * lost whom and for how long, packets lost by reason, and how long tunnels,
 * BGP sessions and routes took to come back.
 *
 * Definitions (the report's contract):
 * - A **ping** is one {@link Simulation.probe}: a request and its reply. Its
 *   time is the time it was sent; it succeeds when the reply arrives.
 *   A ping entry `{ at, every?, until? }` sends at `at`, then at
 *   `at + k * every` for every k with `at + k * every <= until` (inclusive,
 *   compared in whole microseconds, as the kernel keeps time). Without
 *   `every`: one ping, unless `until` is given, in which case `every` is
 *   {@link DEFAULT_PING_EVERY}. With `every` but no `until`: until the run
 *   ends. Pings after the first are scheduled one at a time as each is sent,
 *   so a ping due at the same instant as a timeline entry runs after it.
 * - An **outage** of a (from, to) pair is a maximal run of consecutive failed
 *   pings, in send order. `start` is the send time of its first failed ping
 *   (the first failure after a success, or the first ping of the pair);
 *   `end` is the send time of the first successful ping after it, or `null`
 *   when no later ping succeeded by the end of the run. `end - start` is
 *   therefore an upper bound of the true outage, accurate to one ping
 *   interval. Pings still unanswered when the run ends are left out.
 * - **Tunnel downtime**: for each `tunnel.down` record, the time until the
 *   next `tunnel.up` of the same connection (`null` if none by the end).
 * - **BGP downtime**: for each `bgp.state` record leaving `Established`, the
 *   time until the same session (and speaker) is `Established` again.
 * - **Convergence after a timeline entry** (pings excluded): the time from
 *   the entry to the last tunnel, BGP, route, gateway or client record before
 *   the next such entry (or the end of the run); 0 when nothing changed.
 */
import type { Scenario, TimelineEntry } from '../net/scenario.js';
import type { TraceRecord } from '../trace.js';
import { Simulation, type ProbeResult, type SimulationOptions } from './simulation.js';
import type { ProtocolOptions } from './protocols.js';
import { FlowLayer } from './flows.js';
import { UsageError } from '../../errors.js';

/** Seconds added after the last timeline entry (or the last ping of a series) when `until` is not given. */
export const DEFAULT_MARGIN_SECONDS = 300;
/** Interval of a ping entry that gives `until` but no `every`, seconds. */
export const DEFAULT_PING_EVERY = 1;
/** Number of slices a run is cut into for progress reports (slicing does not change the trajectory). */
const PROGRESS_SLICES = 200;

/** One ping: sent at `t`, answered or lost. */
export type PingSample =
  | { readonly t: number; readonly ok: true; /** Round-trip time, seconds. */ readonly rtt: number }
  | { readonly t: number; readonly ok: false; /** Drop reason of the request or reply. */ readonly reason: string; readonly failed: 'request' | 'reply'; readonly at: string };

/** One outage of a pair: a run of failed pings (see the module comment). Times in seconds. */
export interface Outage {
  readonly from: string;
  readonly to: string;
  /** Send time of the first failed ping. */
  readonly start: number;
  /** Send time of the first successful ping after it, or null when still down at the end. */
  readonly end: number | null;
  /** `end - start`, or null. */
  readonly duration: number | null;
  /** Failed pings in the outage. */
  readonly lost: number;
  /** Failed pings by drop reason, reasons sorted by name. */
  readonly reasons: Readonly<Record<string, number>>;
}

/** Every ping of one (from, to) pair. */
export interface PairReport {
  readonly from: string;
  readonly to: string;
  /** Answered or lost pings in send order (unanswered ones left out). */
  readonly samples: readonly PingSample[];
  readonly sent: number;
  readonly answered: number;
  /** Pings still in flight when the run ended. */
  readonly unfinished: number;
  /** Lost pings by drop reason, sorted by name (includes pings never sent, e.g. `clientNotConnected`). */
  readonly lost: Readonly<Record<string, number>>;
  readonly outages: readonly Outage[];
}

/** A tunnel going up or down (from `tunnel.up` / `tunnel.down` records). */
export interface TunnelEvent {
  readonly t: number;
  readonly connection: string;
  readonly state: 'up' | 'down';
  readonly reason: string;
}

/** A connection's time down: from a `tunnel.down` to the next `tunnel.up`. */
export interface TunnelDowntime {
  readonly connection: string;
  readonly downAt: number;
  readonly upAt: number | null;
  readonly duration: number | null;
  readonly downReason: string;
  readonly upReason: string | null;
}

/** A BGP state change (from `bgp.state` records). */
export interface BgpEvent {
  readonly t: number;
  readonly session: string;
  readonly speaker: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** A BGP session's time out of Established, or its first establishment (`downAt` null, counted from t=0). */
export interface BgpDowntime {
  readonly session: string;
  readonly speaker: string;
  /** When it left Established; null for the first establishment. */
  readonly downAt: number | null;
  readonly establishedAt: number | null;
  /** `establishedAt - (downAt ?? 0)`, or null. */
  readonly duration: number | null;
  readonly reason: string;
}

/** Route changes seen in the trace (`route.add` / `route.remove`). */
export interface RouteChanges {
  readonly added: number;
  readonly removed: number;
  /** Time of the last change, or null. */
  readonly lastAt: number | null;
}

/** How long the network took to settle after one timeline entry (pings excluded). */
export interface Convergence {
  readonly at: number;
  readonly action: string;
  /** The entry's object (connection, gateway, client, ...), when it names one. */
  readonly target: string | undefined;
  readonly tunnelEvents: number;
  readonly bgpEvents: number;
  readonly routeChanges: number;
  /** Time from the entry to the last state record of its window, seconds; 0 when nothing changed. */
  readonly convergedAfter: number;
}

/** A gateway, on-premises device or client state change. */
export interface StateEvent {
  readonly t: number;
  readonly kind: 'gateway' | 'device' | 'client';
  readonly name: string;
  readonly state: string;
  readonly reason: string | undefined;
}

/** Everything a replay found. Times in seconds; lists in time order. */
export interface RunReport {
  readonly scenario: string;
  readonly seed: number | string;
  /** End of the run, seconds (inclusive). */
  readonly until: number;
  /** `sim.trace.fingerprint()` at the end: one seed, one trajectory, one fingerprint. */
  readonly fingerprint: string;
  /** Kernel events executed. */
  readonly events: number;
  /** Trace records emitted. */
  readonly traceRecords: number;
  /** One entry per pinged (from, to) pair, in order of first ping. */
  readonly pings: readonly PairReport[];
  /** Every pair's outages, by start, then from, then to. */
  readonly outages: readonly Outage[];
  readonly tunnelEvents: readonly TunnelEvent[];
  readonly tunnelDowntimes: readonly TunnelDowntime[];
  readonly bgpEvents: readonly BgpEvent[];
  readonly bgpDowntimes: readonly BgpDowntime[];
  readonly routeChanges: RouteChanges;
  /** Gateways (`gateway.up/down`) and on-premises devices (`device.up/down`) going down and up. */
  readonly gatewayEvents: readonly StateEvent[];
  /** P2S clients connecting and disconnecting. */
  readonly clientEvents: readonly StateEvent[];
  readonly convergence: readonly Convergence[];
  /** Packets dropped by reason (from `sim.packets.dropped`), reasons sorted by name. */
  readonly drops: Readonly<Record<string, number>>;
  readonly packets: { readonly sent: number; readonly delivered: number; readonly dropped: number };
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** End of the run, seconds (inclusive). Default: the last timeline time (a ping series' `until`) plus {@link DEFAULT_MARGIN_SECONDS}. */
  until?: number;
  /** Master seed; default the scenario's `seed`, else 1. */
  seed?: number | string;
  /** Called as simulated time advances: `(now, until)`, seconds; last call has now = until. */
  onProgress?: (now: number, until: number) => void;
  /** Receives every trace record in order, from the first (e.g. to write JSON lines). */
  trace?: (record: TraceRecord) => void;
  /** Run the protocol layer (default true); false: tunnels follow the configuration at once ({@link SimulationOptions.protocols}). */
  protocols?: boolean;
  /** Tunables of the protocol layer. */
  protocolOptions?: ProtocolOptions;
  /** Attach a {@link FlowLayer} (default: when the scenario has `flows` or `startFlow` entries). */
  flows?: boolean;
}

/** The `--json` form of a run: exactly the public contract. */
export interface RunJson {
  scenario: string;
  until: number;
  fingerprint: string;
  outages: { from: string; to: string; start: number; end: number | null }[];
  tunnelEvents: { t: number; connection: string; state: 'up' | 'down'; reason: string }[];
  drops: Record<string, number>;
}

// ---------------------------------------------------------------- pings

/** Records the results of `ping` timeline actions on one simulation. */
export class PingRecorder {
  private readonly pairs = new Map<string, { from: string; to: string; slots: (PingSample | undefined)[] }>();

  /**
   * Registers the `ping` action on `sim`.
   * @param end last time a ping series without `until` may send, seconds (default: unbounded).
   * @throws UsageError when `ping` already has a handler.
   */
  constructor(private readonly sim: Simulation, private readonly end = Infinity) {
    sim.registerAction('ping', (e) => this.start(e));
  }

  /** Send times of a ping entry, seconds, in order (inclusive of `until`, compared in µs). */
  static times(e: { at: number; every?: number; until?: number }, end = Infinity): number[] {
    const out: number[] = [];
    for (let k = 0; ; k++) {
      const t = PingRecorder.nth(e, k, end);
      if (t === undefined) return out;
      out.push(t);
    }
  }

  /** The k-th send time of a ping entry, or undefined past its last. */
  private static nth(e: { at: number; every?: number; until?: number }, k: number, end: number): number | undefined {
    if (k === 0) return e.at;
    if (e.every === undefined && e.until === undefined) return undefined;
    const every = e.every ?? DEFAULT_PING_EVERY;
    const last = Math.min(e.until ?? Infinity, end);
    const t = e.at + k * every;
    return Math.round(t * 1e6) <= Math.round(last * 1e6) ? t : undefined;
  }

  private start(e: Extract<TimelineEntry, { action: 'ping' }>): void {
    const fire = (k: number): void => {
      this.send(e.from, e.to);
      const next = PingRecorder.nth(e, k + 1, this.end);
      if (next !== undefined) this.sim.sim.scheduleAt(next, () => fire(k + 1), `ping/${e.from}/${e.to}`);
    };
    fire(0);
  }

  /** Sends one ping now and records its result when it ends. */
  send(from: string, to: string): void {
    const key = `${from}\u0000${to}`;
    let pair = this.pairs.get(key);
    if (!pair) this.pairs.set(key, (pair = { from, to, slots: [] }));
    const slot = pair.slots.length;
    pair.slots.push(undefined);
    const s = this.sim;
    s.probe(from, s.targetAddress(to), (r: ProbeResult) => {
      const sample: PingSample = r.ok
        ? { t: r.sentAt, ok: true, rtt: r.rtt! }
        : { t: r.sentAt, ok: false, reason: r.outcome.status === 'dropped' ? r.outcome.reason : 'unknown', failed: r.failed ?? 'request', at: r.outcome.at };
      pair.slots[slot] = sample;
      s.trace.emit(sample.ok
        ? { t: s.now, type: 'ping', from, to, sentAt: sample.t, ok: true, rtt: sample.rtt }
        : { t: s.now, type: 'ping', from, to, sentAt: sample.t, ok: false, reason: sample.reason });
    });
  }

  /** Per-pair results so far, in order of first ping. */
  results(): PairReport[] {
    return [...this.pairs.values()].map(({ from, to, slots }) => {
      const samples = slots.filter((x): x is PingSample => x !== undefined);
      const lost: Record<string, number> = {};
      for (const x of samples) if (!x.ok) lost[x.reason] = (lost[x.reason] ?? 0) + 1;
      return {
        from, to, samples, sent: slots.length,
        answered: samples.filter((x) => x.ok).length,
        unfinished: slots.length - samples.length,
        lost: sortedRecord(lost),
        outages: outagesOf(from, to, samples),
      };
    });
  }
}

/**
 * Outages of one pair from its pings in send order: each maximal run of
 * failed pings, from the first failure's send time to the next success's
 * send time (null when none follows). O(n).
 */
export function outagesOf(from: string, to: string, samples: readonly PingSample[]): Outage[] {
  const out: Outage[] = [];
  let open: { start: number; lost: number; reasons: Record<string, number> } | undefined;
  for (const x of samples) {
    if (!x.ok) {
      if (!open) open = { start: x.t, lost: 0, reasons: {} };
      open.lost++;
      open.reasons[x.reason] = (open.reasons[x.reason] ?? 0) + 1;
    } else if (open) {
      out.push({ from, to, start: open.start, end: x.t, duration: round(x.t - open.start), lost: open.lost, reasons: sortedRecord(open.reasons) });
      open = undefined;
    }
  }
  if (open) out.push({ from, to, start: open.start, end: null, duration: null, lost: open.lost, reasons: sortedRecord(open.reasons) });
  return out;
}

// ---------------------------------------------------------------- trace analysis

/** Tunnel events of a trace, in order. */
export function tunnelEventsOf(records: readonly TraceRecord[]): TunnelEvent[] {
  return records
    .filter((r) => r.type === 'tunnel.up' || r.type === 'tunnel.down')
    .map((r) => ({ t: r.t, connection: String(r.connection), state: r.type === 'tunnel.up' ? 'up' as const : 'down' as const, reason: String(r.reason ?? '') }));
}

/** For each `tunnel.down`, the time until the next `tunnel.up` of that connection. O(n). */
export function tunnelDowntimesOf(events: readonly TunnelEvent[]): TunnelDowntime[] {
  const out: { connection: string; downAt: number; upAt: number | null; duration: number | null; downReason: string; upReason: string | null }[] = [];
  const open = new Map<string, number>();
  for (const e of events) {
    if (e.state === 'down') {
      if (open.has(e.connection)) continue; // already down: the first down counts
      open.set(e.connection, out.length);
      out.push({ connection: e.connection, downAt: e.t, upAt: null, duration: null, downReason: e.reason, upReason: null });
    } else {
      const i = open.get(e.connection);
      if (i === undefined) continue;
      open.delete(e.connection);
      const d = out[i]!;
      d.upAt = e.t;
      d.duration = round(e.t - d.downAt);
      d.upReason = e.reason;
    }
  }
  return out;
}

/** BGP state changes of a trace, in order. */
export function bgpEventsOf(records: readonly TraceRecord[]): BgpEvent[] {
  return records
    .filter((r) => r.type === 'bgp.state')
    .map((r) => ({ t: r.t, session: String(r.session), speaker: String(r.speaker ?? ''), from: String(r.from), to: String(r.to), reason: String(r.reason ?? '') }));
}

/** Each session's first establishment, and each time out of Established until it is back. O(n). */
export function bgpDowntimesOf(events: readonly BgpEvent[]): BgpDowntime[] {
  const out: { session: string; speaker: string; downAt: number | null; establishedAt: number | null; duration: number | null; reason: string }[] = [];
  const open = new Map<string, number>();
  const seen = new Set<string>();
  for (const e of events) {
    const key = `${e.session}\u0000${e.speaker}`;
    if (!seen.has(key)) {
      seen.add(key);
      if (e.from !== 'Established') {
        open.set(key, out.length);
        out.push({ session: e.session, speaker: e.speaker, downAt: null, establishedAt: null, duration: null, reason: e.reason });
      }
    }
    if (e.from === 'Established' && e.to !== 'Established' && !open.has(key)) {
      open.set(key, out.length);
      out.push({ session: e.session, speaker: e.speaker, downAt: e.t, establishedAt: null, duration: null, reason: e.reason });
    } else if (e.to === 'Established') {
      const i = open.get(key);
      if (i === undefined) continue;
      open.delete(key);
      const d = out[i]!;
      d.establishedAt = e.t;
      d.duration = round(e.t - (d.downAt ?? 0));
    }
  }
  return out;
}

/** Trace records that count as state changes (for convergence and the report's event lists). */
const STATE_TYPES = new Set(['tunnel.up', 'tunnel.down', 'bgp.state', 'route.add', 'route.remove', 'gateway.up', 'gateway.down', 'device.up', 'device.down', 'client.connected', 'client.disconnected']);

/** The object a timeline entry names, if any. */
export function entryTarget(e: TimelineEntry): string | undefined {
  const x = e as unknown as Record<string, unknown>;
  for (const k of ['target', 'connection', 'gateway', 'client', 'name']) if (typeof x[k] === 'string') return x[k] as string;
  if (e.action === 'addPeering' || e.action === 'removePeering') return `${e.vnet}->${e.remoteVnet}`;
  if (e.action === 'setPath') return `${e.from}->${e.to}`;
  return undefined;
}

/**
 * Convergence after each timeline entry but pings: the `timeline` trace
 * records are matched, in order, to the scenario's entries sorted by time
 * (ties in file order, as the kernel runs them).
 */
export function convergenceOf(records: readonly TraceRecord[], timeline: readonly TimelineEntry[], until: number): Convergence[] {
  const sorted = timeline.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map((x) => x.e);
  const triggers: { at: number; action: string; target: string | undefined; index: number }[] = [];
  let k = 0;
  records.forEach((r, index) => {
    if (r.type !== 'timeline') return;
    const e = sorted[k++];
    const action = String(r.action);
    if (action === 'ping') return;
    triggers.push({ at: r.t, action, target: e && e.action === action ? entryTarget(e) : undefined, index });
  });
  return triggers.map((tr, n) => {
    const stop = triggers[n + 1]?.index ?? records.length;
    let tunnels = 0, bgp = 0, routes = 0, last = tr.at;
    for (let i = tr.index + 1; i < stop; i++) {
      const r = records[i]!;
      if (!STATE_TYPES.has(r.type) || r.t > until) continue;
      if (r.type.startsWith('tunnel.')) tunnels++;
      else if (r.type === 'bgp.state') bgp++;
      else if (r.type.startsWith('route.')) routes++;
      last = Math.max(last, r.t);
    }
    return { at: tr.at, action: tr.action, target: tr.target, tunnelEvents: tunnels, bgpEvents: bgp, routeChanges: routes, convergedAfter: round(last - tr.at) };
  });
}

// ---------------------------------------------------------------- detection hooks

/**
 * Seconds from `at` to the first `tunnel.down` at or after it (of `connection`
 * when given): how long failure detection took (DPD, hold timers). Undefined
 * when no tunnel went down.
 */
export function tunnelDetectionDelay(report: RunReport, at: number, connection?: string): number | undefined {
  const e = report.tunnelEvents.find((x) => x.state === 'down' && x.t >= at && (connection === undefined || x.connection === connection));
  return e && round(e.t - at);
}

/** Seconds from `at` to the first `tunnel.up` at or after it (of `connection` when given); undefined when none. */
export function tunnelRecoveryDelay(report: RunReport, at: number, connection?: string): number | undefined {
  const e = report.tunnelEvents.find((x) => x.state === 'up' && x.t >= at && (connection === undefined || x.connection === connection));
  return e && round(e.t - at);
}

/**
 * Seconds from `at` to the first BGP session (of `session` when given)
 * leaving Established at or after it: e.g. the hold timer (180 s) firing.
 * Undefined when none left Established.
 */
export function bgpDetectionDelay(report: RunReport, at: number, session?: string): number | undefined {
  const e = report.bgpEvents.find((x) => x.from === 'Established' && x.to !== 'Established' && x.t >= at && (session === undefined || x.session === session));
  return e && round(e.t - at);
}

/** Seconds from `at` to the first BGP session (of `session` when given) reaching Established at or after it; undefined when none. */
export function bgpRecoveryDelay(report: RunReport, at: number, session?: string): number | undefined {
  const e = report.bgpEvents.find((x) => x.to === 'Established' && x.t >= at && (session === undefined || x.session === session));
  return e && round(e.t - at);
}

// ---------------------------------------------------------------- running

/**
 * The default end of a run: the latest timeline time (a ping series counts
 * its `until`) plus {@link DEFAULT_MARGIN_SECONDS}; just the margin without a timeline.
 */
export function defaultUntil(scenario: Scenario): number {
  let last = 0;
  for (const e of scenario.timeline ?? []) last = Math.max(last, e.at, e.action === 'ping' ? e.until ?? e.at : e.at);
  return last + DEFAULT_MARGIN_SECONDS;
}

/**
 * Attaches the traffic generators a scenario uses to a simulation: the
 * `ping` action always, the flow layer (`flows`, `startFlow`) when the
 * scenario has flows or `flows` is true. Call it once, before running.
 * @param options `end`: pings stop at this time (inclusive), default never; `flows`: attach the flow layer (default: when the scenario has flows).
 */
export function attachTraffic(s: Simulation, options: { end?: number; flows?: boolean } = {}): { pings: PingRecorder; flows: FlowLayer | undefined } {
  const sc = s.scenario;
  const pings = new PingRecorder(s, options.end ?? Infinity);
  const wantFlows = options.flows ?? ((sc.flows?.length ?? 0) > 0 || (sc.timeline ?? []).some((e) => e.action === 'startFlow'));
  return { pings, flows: wantFlows ? new FlowLayer(s) : undefined };
}

/**
 * Runs a scenario's timeline to `until` and reports pings, outages, tunnel
 * and BGP events, convergence, drops and the trajectory fingerprint.
 * Deterministic: one scenario and seed give one report.
 * @throws UsageError when `until` is negative or not a number.
 * @throws ScenarioValidationError when the scenario breaks a rule (the simulation validates it first).
 * @throws SimulationError when an event handler fails (e.g. an unknown ping endpoint).
 */
export function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): RunReport {
  const until = options.until ?? defaultUntil(scenario);
  if (!(until >= 0) || !Number.isFinite(until)) throw new UsageError(`run: until "${String(options.until)}" is not a number of seconds. Pass 0 or more`, 'usage');
  const seed = options.seed ?? scenario.seed ?? 1;
  const s = new Simulation(scenario, { seed, protocols: options.protocols, protocolOptions: options.protocolOptions });
  const { pings } = attachTraffic(s, { end: until, flows: options.flows });
  const records: TraceRecord[] = [...s.trace.records];
  if (options.trace) for (const r of records) options.trace(r);
  s.trace.subscribe((r) => {
    if (r.type === 'timeline' || STATE_TYPES.has(r.type)) records.push(r);
    options.trace?.(r);
  });
  const slice = until / PROGRESS_SLICES;
  for (let i = 1; i <= PROGRESS_SLICES; i++) {
    const t = i === PROGRESS_SLICES ? until : Math.max(s.now, Math.round(slice * i * 1e6) / 1e6);
    s.runUntil(t);
    options.onProgress?.(s.now, until);
  }
  const kept = records.filter((r) => r.type === 'timeline' || STATE_TYPES.has(r.type));
  const pairs = pings.results();
  const tunnelEvents = tunnelEventsOf(kept);
  const bgpEvents = bgpEventsOf(kept);
  const drops: Record<string, number> = {};
  for (const [k, v] of s.packets.dropped) if (v > 0) drops[k] = v;
  const routeRecords = kept.filter((r) => r.type === 'route.add' || r.type === 'route.remove');
  return {
    scenario: scenario.name,
    seed,
    until,
    fingerprint: s.trace.fingerprint(),
    events: s.sim.executed,
    traceRecords: s.trace.length,
    pings: pairs,
    outages: pairs.flatMap((p) => p.outages).sort((a, b) => a.start - b.start || cmp(a.from, b.from) || cmp(a.to, b.to)),
    tunnelEvents,
    tunnelDowntimes: tunnelDowntimesOf(tunnelEvents),
    bgpEvents,
    bgpDowntimes: bgpDowntimesOf(bgpEvents),
    routeChanges: {
      added: routeRecords.filter((r) => r.type === 'route.add').length,
      removed: routeRecords.filter((r) => r.type === 'route.remove').length,
      lastAt: routeRecords.length ? routeRecords[routeRecords.length - 1]!.t : null,
    },
    gatewayEvents: kept.filter((r) => r.type.startsWith('gateway.') || r.type.startsWith('device.')).map((r) => stateEvent(r)),
    clientEvents: kept.filter((r) => r.type.startsWith('client.')).map((r) => stateEvent(r)),
    convergence: convergenceOf(kept, scenario.timeline ?? [], until),
    drops: sortedRecord(drops),
    packets: { sent: s.packets.sent, delivered: s.packets.delivered, dropped: s.packets.droppedTotal },
  };
}

/** The `--json` object of a run: exactly `scenario`, `until`, `fingerprint`, `outages`, `tunnelEvents`, `drops`. */
export function runJson(r: RunReport): RunJson {
  return {
    scenario: r.scenario,
    until: r.until,
    fingerprint: r.fingerprint,
    outages: r.outages.map((o) => ({ from: o.from, to: o.to, start: o.start, end: o.end })),
    tunnelEvents: r.tunnelEvents.map((e) => ({ t: e.t, connection: e.connection, state: e.state, reason: e.reason })),
    drops: { ...r.drops },
  };
}

function stateEvent(r: TraceRecord): StateEvent {
  const dot = r.type.indexOf('.');
  const kind = r.type.slice(0, dot) as StateEvent['kind'];
  const name = kind === 'gateway' ? r.gateway : kind === 'device' ? r.site : r.client;
  return { t: r.t, kind, name: String(name), state: r.type.slice(dot + 1), reason: r.reason === undefined ? undefined : String(r.reason) };
}

function sortedRecord(x: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(x).sort()) out[k] = x[k]!;
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rounds to the microsecond, as the kernel keeps time, so differences print cleanly. */
function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
