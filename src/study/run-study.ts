/**
 * Running a study: validate, open the results folder (resume or refuse by
 * provenance), run what is missing on the chosen executor, write sorted rows
 * and the summary.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { InlineExecutor, QueueExecutor, ThreadExecutor, type Executor } from './executors.js';
import type { StudyDef } from './format.js';
import { pointCount, type ReplicationJob } from './replication.js';
import { defaultOutDir, ResultsDir, rowsOf, summaryOf, type Row, type StudySummary } from './results.js';
import { compileStudy, loadStudy, type StudySpec } from './validate.js';

/** Progress of a study run. */
export interface StudyProgress {
  /** Runs finished this time. */
  readonly done: number;
  /** Runs to do this time (missing ones). */
  readonly total: number;
  /** Runs found already done in the results folder. */
  readonly skipped: number;
}

/** Options of {@link runStudy}. */
export interface RunStudyOptions {
  /** Worker threads; default the number of cores; 0 runs in this thread. Ignored with `queue`. */
  workers?: number;
  /** `redis://host:port`: enqueue every run on BullMQ for `vpnsim worker` processes instead of running here. */
  queue?: string;
  /** Results folder; default `study-results/<name>/`. */
  out?: string;
  /** Replace results of another provenance instead of refusing (default false). */
  fresh?: boolean;
  /** Stops the study (the promise rejects with the signal's reason); what finished stays in the folder for a resume. */
  signal?: AbortSignal;
  /** Called after every finished run (and once at the start). */
  onProgress?: (p: StudyProgress) => void;
}

/** What {@link runStudy} accepts: a study file path, a study object, or a compiled spec. */
export type StudyInput = string | StudyDef | StudySpec;

/** Compiles a study input. Objects are read relative to the working folder. */
export async function toSpec(study: StudyInput): Promise<StudySpec> {
  if (typeof study === 'string') return loadStudy(study);
  if ('studyHash' in study && 'scenarioHash' in study) return study as StudySpec;
  return compileStudy(study);
}

/**
 * Runs every (point, replication) of a study that its results folder does not
 * hold yet, writes `runs.csv`, `runs.jsonl`, `manifest.json` and
 * `summary.json`, and returns the summary. Results are the same bytes
 * whatever the executor and worker count.
 * @throws StudyValidationError / ScenarioValidationError before anything runs when the study is invalid;
 *   UsageError (rule `provenance`) when the folder holds other results and `fresh` is not set;
 *   VpnsimError when the queue cannot be reached or a run fails.
 */
export async function runStudy(study: StudyInput, options: RunStudyOptions = {}): Promise<StudySummary> {
  const spec = await toSpec(study);
  const out = ResultsDir.open(options.out ?? defaultOutDir(spec), spec, options.fresh ?? false);
  const have = out.existing();
  const rows: Row[] = [...have.values()].flat();
  const jobs: ReplicationJob[] = [];
  const points = pointCount(spec);
  for (let point = 0; point < points; point++) {
    for (let replication = 0; replication < spec.replications; replication++) {
      if (!have.has(`${point}/${replication}`)) jobs.push({ point, replication });
    }
  }
  const skipped = points * spec.replications - jobs.length;
  let done = 0;
  options.onProgress?.({ done, total: jobs.length, skipped });
  if (jobs.length) {
    const workers = options.workers ?? availableParallelism();
    if (!(Number.isInteger(workers) && workers >= 0)) throw new UsageError(`workers: ${workers} is not a whole number of 0 or more. Pass e.g. 2`, 'usage');
    const executor: Executor = options.queue !== undefined ? new QueueExecutor(options.queue) : workers === 0 ? new InlineExecutor() : new ThreadExecutor(Math.min(workers, jobs.length));
    try {
      await executor.run(spec, jobs, (r) => {
        const rs = rowsOf(spec, r);
        out.append(rs);
        rows.push(...rs);
        done++;
        options.onProgress?.({ done, total: jobs.length, skipped });
      }, options.signal);
    } finally {
      await executor.close();
    }
  }
  const summary = summaryOf(spec, rows, jobs.length, skipped);
  out.finish(rows, summary);
  return summary;
}
