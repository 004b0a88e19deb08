/**
 * One run of a study: a (point, replication) pair. Pure: the same spec,
 * point and replication give the same result in any thread, process or
 * machine, which is what makes results byte-identical whatever the executor.
 */
import { UsageError } from '../errors.js';
import { runScenario, attachTraffic, type RunReport } from '../sim/engine/replay.js';
import { runThroughput } from '../sim/engine/flows.js';
import { evaluateReach, type ReachReport } from '../sim/engine/reach.js';
import { Simulation } from '../sim/engine/simulation.js';
import type { Scenario } from '../sim/net/scenario.js';
import type { FunctionMetric, MetricContext, ReportKind } from './format.js';
import { parsePointer, resolvePointer } from './pointer.js';
import { applyParameters, gridPoints, usesOf, type MetricSpec, type StudySpec } from './validate.js';
import { drawVariate, isVariate, replicationSeed } from './variates.js';

/** What one run produced. */
export interface ReplicationResult {
  /** Point index (0-based, the first parameter varying slowest). */
  readonly point: number;
  /** Replication index, 0-based. */
  readonly replication: number;
  /** The seed the run used. */
  readonly seed: number;
  /** Parameter values used, in parameter order (variates drawn). */
  readonly values: readonly unknown[];
  /** Each metric's value (null when it does not apply, e.g. no tunnel went down), by metric name. */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Trace fingerprint of the run (the replay's, else the throughput run's, else the reach run's). */
  readonly fingerprint: string;
}

/** One job for an executor. */
export interface ReplicationJob {
  readonly point: number;
  readonly replication: number;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Number of points of a study's grid. */
export function pointCount(spec: StudySpec): number {
  return spec.parameters.reduce((n, p) => n * p.values.length, 1);
}

/** Parameter values of a point and replication: plain values as given, variates drawn from `study/<name>`. */
export function pointValues(spec: StudySpec, point: number, seed: number): unknown[] {
  const idx = gridPoints(spec.parameters)[point];
  if (!idx) throw new UsageError(`study "${spec.name}": point ${point} does not exist (the grid has ${pointCount(spec)})`, 'study.point');
  return spec.parameters.map((p, i) => {
    const v = p.values[idx[i]!];
    return isVariate(v) ? drawVariate(v, p.name, seed) : v;
  });
}

/**
 * Runs one (point, replication) and computes every metric.
 * @param fns the study module's function metrics by name (needed only when the spec has some).
 * @throws UsageError when a function metric is missing; SimulationError when the run fails.
 */
export function runReplication(spec: StudySpec, job: ReplicationJob, fns?: ReadonlyMap<string, FunctionMetric>): ReplicationResult {
  const seed = replicationSeed(spec.seed, job.replication);
  const values = pointValues(spec, job.point, seed);
  const scenario = applyParameters(spec.scenario, spec.parameters, values);
  const uses = new Set<ReportKind>(spec.metrics.flatMap(usesOf));
  const replay = uses.has('replay') ? runScenario(scenario, { seed, until: spec.until }) : undefined;
  const throughput = uses.has('throughput') ? runThroughput(scenario, { seed, untilSeconds: spec.until }) : undefined;
  let reach: ReachReport | undefined;
  let reachFingerprint = '';
  if (uses.has('reach')) {
    const s = new Simulation(scenario, { seed });
    attachTraffic(s);
    const at = spec.metrics.map((m) => ('reachableCells' in m ? m.reachableCells.at : undefined)).find((x) => x !== undefined);
    reach = evaluateReach(s, { at });
    reachFingerprint = s.trace.fingerprint();
  }
  const parameters: Record<string, unknown> = {};
  spec.parameters.forEach((p, i) => { parameters[p.name] = values[i]; });
  const ctx: MetricContext = { scenario, seed, parameters, replay, throughput, reach };
  const metrics: Record<string, number | null> = {};
  for (const m of spec.metrics) metrics[m.name] = metricValue(m, ctx, fns);
  return {
    point: job.point, replication: job.replication, seed, values, metrics,
    fingerprint: replay?.fingerprint ?? throughput?.traceFingerprint ?? reachFingerprint,
  };
}

function refTime(sc: Scenario, at: number | string | undefined, action: 'fail' | 'restore'): number | undefined {
  if (typeof at === 'number') return at;
  if (typeof at === 'string') {
    const r = resolvePointer(sc, parsePointer(at) ?? []);
    return r.found && typeof r.value === 'number' ? r.value : undefined;
  }
  const times = (sc.timeline ?? []).filter((e) => e.action === action).map((e) => e.at);
  return times.length ? Math.min(...times) : undefined;
}

function need<T>(x: T | undefined, m: string): T {
  if (x === undefined) throw new UsageError(`metric "${m}": its report was not produced`, 'study.metric');
  return x;
}

/** One metric of one run; null when it does not apply. */
export function metricValue(m: MetricSpec, ctx: MetricContext, fns?: ReadonlyMap<string, FunctionMetric>): number | null {
  const sc = ctx.scenario;
  if ('function' in m) {
    const f = fns?.get(m.name);
    if (!f) throw new UsageError(`metric "${m.name}": the study module defines no function metric of that name`, 'study.metric');
    const v = f.value(ctx);
    return v === null || v === undefined ? null : Number(v);
  }
  if ('outage' in m) {
    const r: RunReport = need(ctx.replay, m.name);
    const { from, to } = m.outage;
    return round6(r.outages.filter((o) => o.from === from && o.to === to).reduce((a, o) => a + (o.duration ?? r.until - o.start), 0));
  }
  if ('tunnelDowntime' in m) {
    const r = need(ctx.replay, m.name);
    return round6(r.tunnelDowntimes.filter((d) => d.connection === m.tunnelDowntime.connection).reduce((a, d) => a + (d.duration ?? r.until - d.downAt), 0));
  }
  if ('goodput' in m) {
    const f = need(ctx.throughput, m.name).flows.find((x) => x.name === m.goodput.flow);
    return f ? round6(f.goodputMbps) : null;
  }
  if ('gatewayGoodput' in m) {
    const g = need(ctx.throughput, m.name).gateways.find((x) => x.name === m.gatewayGoodput.gateway);
    return g ? round6(g.goodputMbps) : null;
  }
  if ('jainIndex' in m) return round6(need(ctx.throughput, m.name).jainIndex);
  if ('reachableCells' in m) {
    return need(ctx.reach, m.name).clients.reduce((n, c) => n + Object.values(c.access).filter((a) => a === 'yes').length, 0);
  }
  const r = need(ctx.replay, m.name);
  if ('tunnelDetectionDelay' in m || 'tunnelRecoveryDelay' in m) {
    const down = 'tunnelDetectionDelay' in m;
    const o = down ? m.tunnelDetectionDelay : (m as { tunnelRecoveryDelay: { connection?: string; at?: number | string } }).tunnelRecoveryDelay;
    const at = refTime(sc, o.at, down ? 'fail' : 'restore');
    if (at === undefined) return null;
    const e = r.tunnelEvents.find((x) => x.state === (down ? 'down' : 'up') && x.t >= at && (o.connection === undefined || x.connection === o.connection));
    return e ? round6(e.t - at) : null;
  }
  if ('bgpDetectionDelay' in m || 'bgpRecoveryDelay' in m) {
    const down = 'bgpDetectionDelay' in m;
    const o = down ? m.bgpDetectionDelay : (m as { bgpRecoveryDelay: { session?: string; at?: number | string } }).bgpRecoveryDelay;
    const at = refTime(sc, o.at, down ? 'fail' : 'restore');
    if (at === undefined) return null;
    const e = r.bgpEvents.find((x) => (down ? x.from === 'Established' && x.to !== 'Established' : x.to === 'Established') && x.t >= at && (o.session === undefined || x.session === o.session));
    return e ? round6(e.t - at) : null;
  }
  if ('sessionSetupTime' in m) {
    const o = m.sessionSetupTime;
    if ('connection' in o) {
      const added = (sc.timeline ?? []).find((e) => e.action === 'addConnection' && (e as { name: string }).name === o.connection);
      const from = (sc.connections ?? []).some((c) => c.name === o.connection) ? 0 : added?.at ?? 0;
      const e = r.tunnelEvents.find((x) => x.connection === o.connection && x.state === 'up' && x.t >= from);
      return e ? round6(e.t - from) : null;
    }
    const def = (sc.clients ?? []).find((c) => c.name === o.client);
    const connectAt = def?.connectAt === null ? (sc.timeline ?? []).find((e) => e.action === 'connectClient' && e.client === o.client)?.at : def?.connectAt ?? 0;
    if (connectAt === undefined) return null;
    const e = r.clientEvents.find((x) => x.name === o.client && x.state === 'connected' && x.t >= connectAt);
    return e ? round6(e.t - connectAt) : null;
  }
  throw new UsageError(`metric "${(m as { name: string }).name}": unknown kind`, 'study.metric');
}
