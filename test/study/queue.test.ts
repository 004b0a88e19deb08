/**
 * Studies through BullMQ on a real Redis server (started here on a free port
 * of 127.0.0.1, no persistence) with real `vpnsim worker` processes. When
 * redis-server is not installed these tests fail: CI installs it
 * (.ci/packages.d/redis.txt).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStudy } from '../../src/index.js';
import { dropStudy, startRedis, startWorker, stop, tempDir, workerReady, type RedisServer } from './helpers.js';

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const q = suite('study queue (BullMQ on redis-server)');

/** Runs `body` with a redis-server of its own (started in the test, so a missing server fails the test). */
async function withRedis(body: (redis: RedisServer) => Promise<void>): Promise<void> {
  const redis = await startRedis();
  try {
    await body(redis);
  } finally {
    await redis.stop();
  }
}

q('one study here and through the queue with two worker processes gives identical rows', () => withRedis(async (redis) => {
  const local = tempDir('queue-local');
  const queued = tempDir('queue-queued');
  await runStudy(dropStudy(), { workers: 0, out: local });
  const workers = [startWorker(redis.url), startWorker(redis.url)];
  try {
    await Promise.all(workers.map(workerReady));
    const s = await runStudy(dropStudy(), { queue: redis.url, out: queued });
    assert.equal(s.runs, { total: 6, ran: 6, skipped: 0 });
    for (const f of ['runs.csv', 'runs.jsonl', 'summary.json']) assert.is(read(queued, f), read(local, f), f);
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
  }
}));

q('killing a worker mid-study: the study still completes with every row exactly once', () => withRedis(async (redis) => {
  const out = tempDir('queue-kill');
  const study = dropStudy({ name: 'kill-test', replications: 20 });
  const workers = [startWorker(redis.url), startWorker(redis.url)];
  try {
    await Promise.all(workers.map(workerReady));
    let killed = false;
    const s = await runStudy(study, {
      signal: AbortSignal.timeout(60_000), // a study the survivors do not finish fails the test instead of hanging it
      queue: redis.url, out,
      onProgress: (p) => {
        if (!killed && p.done >= 4) {
          killed = true;
          workers[0]!.kill('SIGKILL');
        }
      },
    });
    assert.ok(killed, 'a worker was killed mid-study');
    assert.ok(workers[0]!.signalCode === 'SIGKILL' || workers[0]!.exitCode !== null);
    assert.equal(s.runs, { total: 40, ran: 40, skipped: 0 });
    const rows = read(out, 'runs.jsonl').trim().split('\n').map((l) => JSON.parse(l));
    const keys = rows.map((r) => `${r.point}/${r.replication}/${r.metric}`);
    assert.is(keys.length, 40 * 3);
    assert.is(new Set(keys).size, keys.length, 'no row twice');
    const local = tempDir('queue-kill-local');
    await runStudy(study, { workers: 0, out: local });
    assert.is(read(out, 'runs.csv'), read(local, 'runs.csv'));
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
  }
}));

q.run();
