/**
 * Executors run (point, replication) jobs and hand back each result as it
 * finishes, in any order (results are sorted afterwards, so the files do not
 * depend on the executor):
 * - in-process (`workers: 0`), one job after the other;
 * - worker threads through a piscina pool (`workers: N`);
 * - BullMQ on a Redis server (`queue: 'redis://host:port'`): jobs go to the
 *   queue {@link QUEUE_NAME}, and any number of `vpnsim worker` processes on
 *   any machine run them.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Queue, QueueEvents, Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError, VpnsimError } from '../errors.js';
import { runReplication, type ReplicationJob, type ReplicationResult } from './replication.js';
import { functionMetrics, type StudySpec } from './validate.js';

/** The BullMQ queue every study job goes to. */
export const QUEUE_NAME = 'vpnsim-study';

/** What a worker thread or queue worker is given: the study and one job. */
export interface JobData {
  readonly spec: StudySpec;
  readonly job: ReplicationJob;
}

/** Runs jobs; calls `onResult` for each as it finishes. */
export interface Executor {
  /** Runs every job; rejects with the signal's reason when `signal` aborts. */
  run(spec: StudySpec, jobs: readonly ReplicationJob[], onResult: (r: ReplicationResult) => void, signal?: AbortSignal): Promise<void>;
  /** Releases what the executor holds (threads, queue connections); resolves once they are closed. */
  close(): Promise<void>;
}

/** In-process: jobs one after the other on this thread (yielding between jobs so progress can print). */
export class InlineExecutor implements Executor {
  async run(spec: StudySpec, jobs: readonly ReplicationJob[], onResult: (r: ReplicationResult) => void, signal?: AbortSignal): Promise<void> {
    const fns = spec.module ? await functionMetrics(spec.module) : undefined;
    for (const job of jobs) {
      signal?.throwIfAborted();
      onResult(runReplication(spec, job, fns));
      await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {}
}

/**
 * The worker-thread entry file: the TypeScript source in a checkout (then the
 * threads need a TypeScript loader: tsx, added to their `execArgv` when the
 * parent's has none), or the compiled `.js` beside this file in the package.
 */
export function threadWorkerFile(): { filename: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ts = here.endsWith('.ts');
  const filename = here.replace(/executors\.(ts|js)$/, `thread-worker.${ts ? 'ts' : 'js'}`);
  if (!existsSync(filename)) throw new UsageError(`study workers: "${filename}" is missing. Reinstall vpnsim or run with workers: 0`, 'study.workers');
  const execArgv = [...process.execArgv];
  if (ts && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  return { filename, execArgv };
}

/** A piscina pool of `threads` worker threads running {@link runReplication}. */
export function replicationPool(threads: number): Piscina<JobData, ReplicationResult> {
  if (!(Number.isInteger(threads) && threads >= 1)) throw new UsageError(`workers: ${threads} is not a whole number of 1 or more. Pass e.g. 2, or 0 to run in this thread`, 'usage');
  const { filename, execArgv } = threadWorkerFile();
  return new Piscina<JobData, ReplicationResult>({ filename, execArgv, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
}

/** Worker threads through piscina. */
export class ThreadExecutor implements Executor {
  private readonly pool: Piscina<JobData, ReplicationResult>;

  constructor(threads: number) {
    this.pool = replicationPool(threads);
  }

  async run(spec: StudySpec, jobs: readonly ReplicationJob[], onResult: (r: ReplicationResult) => void, signal?: AbortSignal): Promise<void> {
    await Promise.all(jobs.map(async (job) => onResult(await this.pool.run({ spec, job }, signal ? { signal } : {}))));
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * Connection options from `redis://[user:password@]host:port[/db]`.
 * @throws UsageError when the text is not such a URL.
 */
export function redisConnection(url: string): RedisOptions & { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue "${url}": not a URL. Write redis://host:port, such as redis://127.0.0.1:6379`, 'usage');
  }
  if (u.protocol !== 'redis:' || !u.hostname) throw new UsageError(`--queue "${url}": not a redis:// URL. Write redis://host:port, such as redis://127.0.0.1:6379`, 'usage');
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname, port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * A new Redis client for `url` (BullMQ in an ES module wants client instances;
 * each queue, event reader and worker gets its own).
 * @throws UsageError on a bad URL.
 */
export function redisClient(url: string): Redis {
  return new Redis({ ...redisConnection(url), lazyConnect: false });
}

/** The BullMQ job id of a run: stable, so re-adding a run that is already queued adds nothing. */
export function jobId(spec: StudySpec, job: ReplicationJob): string {
  return `${spec.studyHash.slice(0, 16)}-${spec.scenarioHash.slice(0, 16)}-p${job.point}-r${job.replication}`;
}

/** Attempts per job: a failing run is retried, then the study fails with its error. */
const ATTEMPTS = 2;

/**
 * Enqueues every job on BullMQ and collects the results as workers finish
 * them (from the queue's events, with a poll of the job records as a safety
 * net for events missed). Completed jobs are removed once collected.
 */
export class QueueExecutor implements Executor {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly clients: Redis[];

  constructor(readonly url: string) {
    redisConnection(url);
    this.clients = [redisClient(url), redisClient(url)];
    for (const c of this.clients) c.on('error', () => {}); // reported by waitUntilReady below; ioredis reconnects
    this.queue = new Queue(QUEUE_NAME, { connection: this.clients[0]! });
    this.events = new QueueEvents(QUEUE_NAME, { connection: this.clients[1]! });
  }

  async run(spec: StudySpec, jobs: readonly ReplicationJob[], onResult: (r: ReplicationResult) => void, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    try {
      await this.events.waitUntilReady();
      await this.queue.waitUntilReady();
    } catch (err) {
      throw new VpnsimError(`--queue "${this.url}": cannot reach Redis (${err instanceof Error ? err.message : String(err)}). Start redis-server or fix the address`, { cause: err });
    }
    const pending = new Map(jobs.map((j) => [jobId(spec, j), j] as const));
    let lastEvent = Date.now();
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        this.events.off('completed', onCompleted);
        this.events.off('failed', onFailed);
        if (err) reject(err);
        else resolve();
      };
      const take = (id: string, value: unknown) => {
        if (!pending.has(id)) return;
        pending.delete(id);
        const r = (typeof value === 'string' ? JSON.parse(value) : value) as ReplicationResult;
        onResult(r);
        if (pending.size === 0) finish();
      };
      const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }) => {
        lastEvent = Date.now();
        take(id, returnvalue);
      };
      const onFailed = async ({ jobId: id, failedReason }: { jobId: string; failedReason: string }) => {
        lastEvent = Date.now();
        if (!pending.has(id)) return;
        const job = await Job.fromId(this.queue, id);
        if (!job || job.attemptsMade >= ATTEMPTS) finish(new VpnsimError(`study "${spec.name}": run ${id} failed on a worker: ${failedReason}`));
      };
      this.events.on('completed', onCompleted);
      this.events.on('failed', onFailed);
      let polling = false;
      const poll = async () => {
        if (polling || settled || Date.now() - lastEvent < 2000) return;
        polling = true;
        try {
          for (const id of [...pending.keys()].slice(0, 500)) {
            const job = await Job.fromId(this.queue, id);
            if (job?.finishedOn && job.returnvalue !== undefined && job.returnvalue !== null && !job.failedReason) take(id, job.returnvalue);
            else if (job?.failedReason && job.attemptsMade >= ATTEMPTS) finish(new VpnsimError(`study "${spec.name}": run ${id} failed on a worker: ${job.failedReason}`));
          }
        } catch (err) {
          finish(err);
        } finally {
          polling = false;
        }
      };
      const timer = setInterval(() => void poll(), 1000);
      const onAbort = () => finish(signal!.reason);
      signal?.addEventListener('abort', onAbort);
      this.queue
        .addBulk(jobs.map((job) => ({
          name: 'run',
          data: { spec, job } satisfies JobData,
          opts: { jobId: jobId(spec, job), attempts: ATTEMPTS, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
        })))
        .then(() => { lastEvent = 0; void poll(); }, finish);
    });
    await Promise.all(jobs.map((j) => this.queue.remove(jobId(spec, j)).catch(() => 0)));
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
    for (const c of this.clients) c.disconnect();
  }
}
