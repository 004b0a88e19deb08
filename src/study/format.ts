/**
 * The study format: a base scenario, a grid of parameters, a number of
 * replications and a list of metrics. A study file is JSON or YAML with the
 * shape of {@link StudyDef}; a TypeScript module may export
 * `study = defineStudy({...})` and then also give metrics as functions.
 *
 * ```yaml
 * name: dpd-outage-by-loss
 * scenario: dpd-outage.json        # relative to the study file, or an inline scenario
 * seed: 1                          # default 1
 * replications: 20
 * until: 700                       # default: the scenario's horizon
 * parameters:                      # the grid is the cross product of all values
 *   - { name: loss, path: /underlay/paths/0/lossPercent, values: [0, 2] }
 *   - { name: failAt, path: /timeline/1/at, values: [{ uniform: [95, 105] }] }
 * metrics:
 *   - { name: appOutage, outage: { from: app, to: plc } }
 * ```
 */
import type { Scenario } from '../sim/net/scenario.js';
import type { RunReport } from '../sim/engine/replay.js';
import type { ThroughputReport } from '../sim/engine/flows.js';
import type { ReachReport } from '../sim/engine/reach.js';

/** A value drawn once per replication from the stream `study/<parameter name>`. */
export type Variate =
  | { uniform: [number, number] }
  | { exponential: number }
  | { normal: [number, number] }
  | { choice: unknown[] };

/** One value of a parameter: a plain JSON value set as is, or a {@link Variate}. */
export type ParameterValue = unknown;

/** One axis of the grid. */
export interface ParameterDef {
  /** Column name in the results; also names the random stream `study/<name>`. */
  name: string;
  /** RFC 6901 JSON Pointer into the scenario (`/underlay/paths/0/lossPercent`); it must resolve to an existing value. */
  path: string;
  /** The values of this axis, in order; at least one. */
  values: ParameterValue[];
}

/** Seconds from `at` (a number of seconds, or a JSON Pointer to a number in the scenario of the point) to an event. */
export interface DelayOptions {
  /** Reference time: seconds, or a JSON Pointer such as `/timeline/2/at`. Default: the first `fail` entry (detection) or `restore` entry (recovery) of the timeline. */
  at?: number | string;
}

/** A metric computed by a function (TypeScript study modules only). */
export interface FunctionMetric {
  name: string;
  /** The reports this metric reads; default `['replay']`. */
  uses?: ReportKind[];
  /** The metric's value for one run; null when it does not apply. */
  value: (ctx: MetricContext) => number | null;
}

/**
 * One metric. Exactly one kind key besides `name`:
 * - `outage: { from, to }`: seconds of failed pings from -> to, summed (an outage still open counts to the end).
 * - `tunnelDowntime: { connection }`: seconds that connection's tunnel was down, summed.
 * - `goodput: { flow }`: the flow's goodput, Mbit/s (throughput run).
 * - `gatewayGoodput: { gateway }`: a gateway's goodput, Mbit/s (throughput run).
 * - `jainIndex: {}`: Jain's fairness index over the flows (throughput run).
 * - `tunnelDetectionDelay`, `tunnelRecoveryDelay: { connection?, at? }`: seconds from `at` to the first tunnel down / up.
 * - `bgpDetectionDelay`, `bgpRecoveryDelay: { session?, at? }`: seconds from `at` to a session leaving / reaching Established.
 * - `reachableCells: { at? }`: count of (client, network) cells with access `yes` (reach run at `at`, default settled).
 * - `sessionSetupTime: { connection } | { client }`: seconds from the connection's creation (or the client's connect time) to its first tunnel up (connected).
 */
export type MetricDef =
  | { name: string; outage: { from: string; to: string } }
  | { name: string; tunnelDowntime: { connection: string } }
  | { name: string; goodput: { flow: string } }
  | { name: string; gatewayGoodput: { gateway: string } }
  | { name: string; jainIndex: Record<string, never> }
  | { name: string; tunnelDetectionDelay: DelayOptions & { connection?: string } }
  | { name: string; tunnelRecoveryDelay: DelayOptions & { connection?: string } }
  | { name: string; bgpDetectionDelay: DelayOptions & { session?: string } }
  | { name: string; bgpRecoveryDelay: DelayOptions & { session?: string } }
  | { name: string; reachableCells: { at?: number } }
  | { name: string; sessionSetupTime: { connection: string } | { client: string } }
  | FunctionMetric;

/** A study as written: see the module header. */
export interface StudyDef {
  name: string;
  /** Path relative to the study file (or to the working folder for inline studies), or an inline scenario. */
  scenario: string | Scenario;
  /** Study seed; replication r runs with a seed derived from it and r. Default 1. */
  seed?: number | string;
  /** Replications per point, at least 1. */
  replications: number;
  /** End of every run, seconds; default the scenario's horizon. */
  until?: number;
  parameters?: ParameterDef[];
  metrics: MetricDef[];
}

/** The reports a run can produce: `run`'s replay, `throughput`'s flows, `reach`'s cells. */
export type ReportKind = 'replay' | 'throughput' | 'reach';

/** What a {@link FunctionMetric} sees of one run. Only the reports it `uses` are set. */
export interface MetricContext {
  /** The scenario of this point and replication, parameters applied. */
  readonly scenario: Scenario;
  readonly seed: number;
  /** Parameter values used (variates drawn). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly replay?: RunReport;
  readonly throughput?: ThroughputReport;
  readonly reach?: ReachReport;
}

/**
 * Identity helper for typed study modules: `export const study = defineStudy({...})`.
 * Validation happens when the study is loaded or run.
 */
export function defineStudy(study: StudyDef): StudyDef {
  return study;
}

/** Names of the declarative metric kinds, in documentation order. */
export const METRIC_KINDS = [
  'outage', 'tunnelDowntime', 'goodput', 'gatewayGoodput', 'jainIndex',
  'tunnelDetectionDelay', 'tunnelRecoveryDelay', 'bgpDetectionDelay', 'bgpRecoveryDelay',
  'reachableCells', 'sessionSetupTime',
] as const;

/** A declarative metric kind. */
export type MetricKind = (typeof METRIC_KINDS)[number];

/** Names of the variate kinds. */
export const VARIATE_KINDS = ['uniform', 'exponential', 'normal', 'choice'] as const;
