/**
 * The CLI as an installed package runs it: compiled JavaScript under plain
 * Node (no tsx in the command line), here built into `.test-dist/` (beside
 * package.json, as `dist/` is).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const OUT = '.test-dist';
const node = (...args: string[]) => execFileSync(process.execPath, [`${OUT}/cli/main.js`, ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });

test.before(() => {
  rmSync(OUT, { recursive: true, force: true });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', OUT], { stdio: 'inherit' });
});
test.after(() => rmSync(OUT, { recursive: true, force: true }));

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.is(node('--version').trim(), pkg.version);
});

test('a .ts scenario loads under plain Node', () => {
  assert.match(node('validate', 'test/fixtures/scenarios/full.ts'), /^ok test\/fixtures\/scenarios\/full\.ts/);
});

test('--seed changes the RNG seed of a run (and so its fingerprint)', () => {
  const a = JSON.parse(node('run', 'scenarios/replays/tunnel-drop-restore.json', '--json', '--until', '60')) as { fingerprint: string };
  const b = JSON.parse(node('run', 'scenarios/replays/tunnel-drop-restore.json', '--json', '--until', '60', '--seed', '99')) as { fingerprint: string };
  const c = JSON.parse(node('run', 'scenarios/replays/tunnel-drop-restore.json', '--json', '--until', '60', '--seed', '99')) as { fingerprint: string };
  assert.is.not(a.fingerprint, b.fingerprint);
  assert.is(b.fingerprint, c.fingerprint);
});

test('scenarioPath finds shipped scenarios from the compiled package', async () => {
  const mod = (await import(`${process.cwd()}/${OUT}/index.js`)) as { scenarioPath: (n: string) => string };
  assert.match(mod.scenarioPath('replays/gateway-reboot'), /scenarios\/replays\/gateway-reboot\.json$/);
  assert.throws(() => mod.scenarioPath('replays/gateway-rebot'), /did you mean "replays\/gateway-reboot"/i);
});

test.run();
