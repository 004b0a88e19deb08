/**
 * Runs fuzz inputs on worker threads, each input under a wall-clock bound: a
 * worker that has not finished an input in time is terminated, the input is
 * recorded as a hang, and a fresh worker goes on with the next input.
 */
import { Worker } from 'node:worker_threads';
import type { Outcome } from './target.js';

/** What {@link fuzz} reports for one input that failed. */
export interface Failure {
  readonly index: number;
  readonly kind: 'crash' | 'hang';
  readonly stage: string;
  readonly error: string;
}

/** Totals of a fuzz run. */
export interface FuzzSummary {
  readonly count: number;
  readonly ok: number;
  readonly invalid: number;
  readonly failures: readonly Failure[];
  /** Rule ids seen in refusals, with counts. */
  readonly rules: ReadonlyMap<string, number>;
}

/** Options of {@link fuzz}. */
export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  /** First input index (default 0). */
  readonly start?: number;
  /** Worker threads (default 1). */
  readonly workers?: number;
  /** Wall-clock bound per input, ms (default 10,000). */
  readonly timeoutMs?: number;
  /** Called after each input. */
  readonly onProgress?: (done: number) => void;
}

const WORKER = new URL('./worker.ts', import.meta.url);
// Node 20 does not apply a loader given by --import to a worker's .ts entry: register tsx inside the worker first.
const BOOT = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER.href)}); });`;

/** Runs `count` inputs of `seed` and returns the totals. */
export function fuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const start = options.start ?? 0;
  const end = start + options.count;
  const nWorkers = Math.max(1, Math.min(options.workers ?? 1, options.count));
  const timeoutMs = options.timeoutMs ?? 10_000;
  let ok = 0, invalid = 0, done = 0;
  const failures: Failure[] = [];
  const rules = new Map<string, number>();
  const chunk = Math.ceil(options.count / nWorkers);

  return new Promise((resolve, reject) => {
    let running = 0;
    const finish = (): void => {
      if (--running === 0) resolve({ count: done, ok, invalid, failures: failures.sort((a, b) => a.index - b.index), rules });
    };
    const launch = (from: number, to: number): void => {
      if (from >= to) return;
      running++;
      const w = new Worker(BOOT, { eval: true, workerData: { seed: options.seed, from, to }, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
      let current = -1;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          settled = true;
          failures.push({ index: current, kind: 'hang', stage: 'timeout', error: `no outcome within ${timeoutMs} ms` });
          done++;
          options.onProgress?.(done);
          void w.terminate();
          running--;
          launch(current + 1, to);
          if (running === 0) resolve({ count: done, ok, invalid, failures: failures.sort((a, b) => a.index - b.index), rules });
        }, timeoutMs);
      };
      w.on('message', (m: { type: string; i: number; outcome: Outcome }) => {
        if (settled) return;
        if (m.type === 'start') {
          current = m.i;
          arm();
        } else if (m.type === 'done') {
          clearTimeout(timer);
          done++;
          const o = m.outcome;
          if (o.kind === 'ok') ok++;
          else if (o.kind === 'invalid') {
            invalid++;
            for (const r of o.rules) rules.set(r, (rules.get(r) ?? 0) + 1);
          } else failures.push({ index: m.i, kind: 'crash', stage: o.stage, error: o.error });
          options.onProgress?.(done);
        } else if (m.type === 'end') {
          clearTimeout(timer);
          settled = true;
          void w.terminate();
          finish();
        }
      });
      w.on('error', (err) => {
        if (settled) return;
        clearTimeout(timer);
        settled = true;
        if (current < 0) { reject(err); return; }
        failures.push({ index: current, kind: 'crash', stage: 'worker', error: String(err) });
        done++;
        running--;
        launch(current + 1, to);
        if (running === 0) resolve({ count: done, ok, invalid, failures: failures.sort((a, b) => a.index - b.index), rules });
      });
    };
    for (let k = 0; k < nWorkers; k++) launch(start + k * chunk, Math.min(end, start + (k + 1) * chunk));
  });
}
