/** Shared pieces of the study tests: a small study, temp folders, a real Redis server. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection } from 'node:net';
import getPort from 'get-port';
import type { StudyDef } from '../../src/study/format.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A fresh temporary folder. */
export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `vpnsim-${tag}-`));
}

/** A tunnel dropped at a uniform time in [100, 150] and restored at 305 s, at two loss rates; 3 replications. */
export function dropStudy(over: Partial<StudyDef> = {}): StudyDef {
  return {
    name: 'drop-test',
    scenario: withLoss() as StudyDef['scenario'],
    replications: 3,
    until: 400,
    parameters: [
      { name: 'loss', path: '/underlay/paths/0/lossPercent', values: [0, 2] },
      { name: 'failAt', path: '/timeline/2/at', values: [{ uniform: [100, 150] }] },
    ],
    metrics: [
      { name: 'outage', outage: { from: 'vm', to: 'srv' } },
      { name: 'down', tunnelDowntime: { connection: 'VNet1toSite1' } },
      { name: 'setup', sessionSetupTime: { connection: 'VNet1toSite1' } },
    ],
    ...over,
  };
}

/** The tunnel-drop-restore scenario with `lossPercent` on its path (pointers need an existing value). */
export function withLoss(): unknown {
  const sc = JSON.parse(readFileSync(join(ROOT, 'scenarios/replays/tunnel-drop-restore.json'), 'utf8')) as { underlay: { paths: Record<string, unknown>[] } };
  sc.underlay.paths[0]!.lossPercent = 0;
  return sc;
}

/** A redis-server child on 127.0.0.1, no persistence. */
export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => { s.end(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/**
 * Starts `redis-server --port <free> --save '' --appendonly no` on 127.0.0.1.
 * @throws Error when redis-server is not installed or does not come up: a test
 *   that needs it must fail then, not skip (CI installs it from .ci/packages.d/redis.txt).
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await getPort({ host: '127.0.0.1' });
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`redis-server could not start (${e.message}); install it (apt-get install redis-server)`))));
  const up = (async () => {
    for (let i = 0; i < 100; i++) {
      if (await reachable(port)) return;
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not accept connections within 5 s');
  })();
  await Promise.race([up, spawnError]);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A `vpnsim worker` process from the checkout (tsx). */
export function startWorker(url: string, concurrency = 1): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'worker', '--queue', url, '--concurrency', String(concurrency)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Resolves once a worker process says it is taking jobs. */
export function workerReady(w: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    w.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('taking study jobs')) resolve();
    });
    w.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${text}`)));
  });
}

/** Stops a child process (SIGTERM, or the given signal) and waits for it to exit. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
