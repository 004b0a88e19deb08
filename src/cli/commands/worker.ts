import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { startQueueWorker } from '../../study/queue-worker.js';
import { fail } from '../util.js';

/** `vpnsim worker --queue redis://host:port [--concurrency N]`: runs study jobs from BullMQ until stopped (SIGINT, SIGTERM). */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run study jobs from a BullMQ queue (vpnsim study run --queue) until stopped')
    .requiredOption('--queue <url>', 'Redis server, redis://host:port')
    .option('--concurrency <n>', 'jobs at once, each on its own worker thread (default 1)')
    .action(async (opts: { queue: string; concurrency?: string }) => {
      try {
        const concurrency = opts.concurrency === undefined ? 1 : Number(opts.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency: "${opts.concurrency}" is not a whole number of 1 or more`, 'usage');
        const worker = await startQueueWorker(opts.queue, { concurrency });
        console.error(`vpnsim worker: taking study jobs from ${opts.queue} (concurrency ${concurrency})`);
        const stop = () => { void worker.close().then(() => process.exit(0)); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (err) {
        fail(err);
      }
    });
}
