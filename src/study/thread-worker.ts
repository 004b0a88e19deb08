/**
 * The entry of a study worker thread (piscina loads it): runs one
 * (point, replication) and returns its result. A study module with function
 * metrics is imported once per thread.
 */
import type { FunctionMetric } from './format.js';
import { runReplication, type ReplicationResult } from './replication.js';
import type { JobData } from './executors.js';
import { functionMetrics } from './validate.js';

const modules = new Map<string, Promise<Map<string, FunctionMetric>>>();

/** Runs one job of a study. */
export default async function run({ spec, job }: JobData): Promise<ReplicationResult> {
  let fns: Map<string, FunctionMetric> | undefined;
  if (spec.module) {
    let p = modules.get(spec.module);
    if (!p) modules.set(spec.module, (p = functionMetrics(spec.module)));
    fns = await p;
  }
  return runReplication(spec, job, fns);
}
