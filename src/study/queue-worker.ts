/**
 * A queue worker: takes study jobs from BullMQ ({@link QUEUE_NAME}) and runs
 * each on a piscina pool of `concurrency` worker threads, so the process's
 * own thread stays free to renew the job locks. A worker that dies leaves its
 * jobs locked until the lock expires; another worker's stalled-job check then
 * puts them back in the queue, so every run still completes once.
 */
import { Worker } from 'bullmq';
import { UsageError } from '../errors.js';
import { QUEUE_NAME, redisClient, redisConnection, replicationPool, type JobData } from './executors.js';
import type { ReplicationResult } from './replication.js';

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** Jobs run at once (and worker threads), default 1. */
  concurrency?: number;
  /** How long a job stays locked without renewal before another worker may take it, ms; default 10000. */
  lockDuration?: number;
  /** How often the stalled-job check runs, ms; default 5000. */
  stalledInterval?: number;
  /** Called after each job. */
  onJob?: (id: string, ok: boolean) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  /** Stops taking jobs, lets running ones finish, and frees the threads. */
  close(): Promise<void>;
}

/**
 * Starts a worker on `url` (`redis://host:port`).
 * @throws UsageError on a bad URL or concurrency.
 */
export async function startQueueWorker(url: string, options: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new UsageError(`--concurrency ${concurrency} is not a whole number of 1 or more. Pass e.g. 2`, 'usage');
  redisConnection(url);
  const connection = redisClient(url);
  connection.on('error', () => {}); // ioredis reconnects; BullMQ reports lasting failures
  const pool = replicationPool(concurrency);
  const worker = new Worker<JobData, ReplicationResult>(QUEUE_NAME, (job) => pool.run(job.data), {
    connection, concurrency,
    lockDuration: options.lockDuration ?? 10_000,
    stalledInterval: options.stalledInterval ?? 5_000,
    maxStalledCount: 5,
  });
  worker.on('completed', (job) => options.onJob?.(job.id ?? '', true));
  worker.on('failed', (job) => options.onJob?.(job?.id ?? '', false));
  worker.on('error', () => {}); // connection errors: BullMQ reconnects by itself
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await pool.destroy();
      connection.disconnect();
    },
  };
}
