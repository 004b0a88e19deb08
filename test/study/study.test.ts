import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runStudy, defineStudy, StudyValidationError, compileStudy, summarise, parsePointer, resolvePointer, replicationSeed, UsageError, ScenarioValidationError } from '../../src/index.js';
import { dropStudy, tempDir, withLoss, ROOT } from './helpers.js';

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const validation = async (study: unknown): Promise<StudyValidationError> => {
  try {
    await compileStudy(study);
  } catch (err) {
    if (err instanceof StudyValidationError) return err;
    throw err;
  }
  throw new Error('expected a StudyValidationError');
};

const v = suite('study validation');

v('a pointer that resolves to nothing is an error with its path, before anything runs', async () => {
  const scenario = JSON.parse(read(ROOT, 'scenarios/replays/tunnel-drop-restore.json'));
  const err = await validation({ ...dropStudy(), scenario });
  const e = err.errors.find((x) => x.path === '$.parameters[0].path')!;
  assert.ok(e, 'error on the pointer');
  assert.is(e.rule, 'study.pointer');
  assert.match(e.message, /lossPercent/);
  assert.ok(e.fix.length > 0);
});

v('pointers: RFC 6901 escapes, strict array indices, no prototype fields', () => {
  const doc = { 'a/b': { 'm~n': [10, 20] } };
  const r = resolvePointer(doc, parsePointer('/a~1b/m~0n/1')!);
  assert.ok(r.found && r.value === 20);
  assert.not.ok(resolvePointer(doc, parsePointer('/a~1b/m~0n/01')!).found);
  assert.not.ok(resolvePointer(doc, parsePointer('/a~1b/m~0n/2')!).found);
  assert.not.ok(resolvePointer({}, parsePointer('/constructor')!).found);
  assert.is(parsePointer('no-slash'), undefined);
});

v('bad variates, unknown references, reserved names and bad fields are each reported', async () => {
  const err = await validation(dropStudy({
    replications: 0,
    parameters: [
      { name: 'seed', path: '/seed', values: [1] },
      { name: 'failAt', path: '/timeline/2/at', values: [{ uniform: [150, 100] }] },
    ],
    metrics: [
      { name: 'o', outage: { from: 'vm', to: 'nobody' } },
      { name: 'd', tunnelDowntime: { connection: 'NoSuch' } },
      { name: 'g', goodput: { flow: 'f' } },
    ],
  }));
  const rules = err.errors.map((e) => `${e.path} ${e.rule}`);
  for (const want of ['$.replications study.schema', '$.parameters[0].name study.reserved', '$.parameters[1].values[0].uniform study.variate', '$.metrics[0].outage study.metric', '$.metrics[1].tunnelDowntime.connection ref', '$.metrics[2].goodput.flow ref']) {
    assert.ok(rules.includes(want), `missing ${want} in ${rules.join('; ')}`);
  }
});

v('every point is validated as a scenario (a variate at its bounds)', async () => {
  const err = await validation(dropStudy({ parameters: [{ name: 'loss', path: '/underlay/paths/0/lossPercent', values: [0, { uniform: [0, 250] }] }] }));
  assert.ok(err.errors.every((e) => e.path === '$.parameters (point 1)'), err.message);
  assert.match(err.errors[0]!.message, /loss=250/);
});

v('an invalid base scenario is a ScenarioValidationError', async () => {
  const sc = withLoss() as { connections: { sharedKey: string }[] };
  sc.connections[0]!.sharedKey = 'a b';
  try {
    await compileStudy(dropStudy({ scenario: sc as never }));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ScenarioValidationError);
  }
});

const s = suite('study statistics');

s('Student\'s t CI by hand: [1, 2, 3, 4] -> mean 2.5, sd 1.2910, t(0.975, 3) = 3.18245, half-width 2.05426', () => {
  const x = summarise([4, 1, 3, 2]);
  assert.is(x.n, 4);
  assert.is(x.mean, 2.5);
  assert.ok(Math.abs(x.sd! - Math.sqrt(5 / 3)) < 1e-9);
  assert.ok(Math.abs(x.ci95![0] - (2.5 - 3.182446305284263 * Math.sqrt(5 / 3) / 2)) < 1e-9);
  assert.ok(Math.abs(x.ci95![1] - (2.5 + 3.182446305284263 * Math.sqrt(5 / 3) / 2)) < 1e-9);
  assert.equal([x.min, x.median, x.max], [1, 2.5, 4]);
});

s('n = 1: sd and ci95 are null; n = 0: every figure null', () => {
  assert.equal(summarise([7]), { n: 1, mean: 7, sd: null, ci95: null, min: 7, median: 7, max: 7 });
  assert.equal(summarise([]).mean, null);
});

const r = suite('running studies');

r('threads and this thread give byte-identical files; rows sorted by point, replication, metric', async () => {
  const a = tempDir('study-a');
  const b = tempDir('study-b');
  const sa = await runStudy(dropStudy(), { workers: 0, out: a });
  const sb = await runStudy(dropStudy(), { workers: 2, out: b });
  for (const f of ['runs.csv', 'runs.jsonl', 'summary.json']) assert.is(read(a, f), read(b, f), f);
  assert.equal(sa, sb);
  const lines = read(a, 'runs.csv').trim().split('\n');
  assert.is(lines[0], 'point,loss,failAt,replication,seed,metric,value,fingerprint');
  assert.is(lines.length, 1 + 2 * 3 * 3);
  const rows = read(a, 'runs.jsonl').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(Object.keys(rows[0]), ['point', 'loss', 'failAt', 'replication', 'seed', 'metric', 'value', 'fingerprint']);
  assert.equal(rows.slice(0, 3).map((x) => x.metric), ['down', 'outage', 'setup']);
  // Common random numbers: replication r of both points has one seed and one failure time.
  for (let rep = 0; rep < 3; rep++) {
    const at = rows.filter((x) => x.replication === rep);
    assert.is(new Set(at.map((x) => x.seed)).size, 1);
    assert.is(new Set(at.map((x) => x.failAt)).size, 1);
    assert.is(at[0].seed, replicationSeed(1, rep));
  }
  assert.is(new Set(rows.map((x) => x.failAt)).size, 3, 'a fresh failure time per replication');
  // The outage follows the drawn failure time: pings every 10 s from t=30, restored at 305.
  const o = rows.find((x) => x.point === 0 && x.metric === 'outage');
  assert.is(o.value, 310 - (30 + 10 * Math.ceil((o.failAt - 30) / 10)));
});

r('summary.json shape; a rerun skips what is done, more replications run only the new ones', async () => {
  const dir = tempDir('study-resume');
  const first = await runStudy(dropStudy({ replications: 1 }), { workers: 0, out: dir });
  assert.equal(Object.keys(first), ['study', 'runs', 'points']);
  assert.equal(first.runs, { total: 2, ran: 2, skipped: 0 });
  assert.equal(first.points[0]!.parameters, { loss: 0, failAt: { uniform: [100, 150] } });
  assert.equal(Object.keys(first.points[0]!.metrics.outage!), ['n', 'mean', 'sd', 'ci95', 'min', 'median', 'max']);
  assert.is(first.points[0]!.metrics.outage!.sd, null);
  assert.is(first.points[0]!.metrics.outage!.ci95, null);
  const manifest = JSON.parse(read(dir, 'manifest.json'));
  for (const k of ['vpnsim', 'studyHash', 'scenarioHash', 'node', 'created']) assert.ok(manifest[k], k);
  const again = await runStudy(dropStudy({ replications: 1 }), { workers: 0, out: dir });
  assert.equal(again.runs, { total: 2, ran: 0, skipped: 2 });
  const more = await runStudy(dropStudy(), { workers: 0, out: dir });
  assert.equal(more.runs, { total: 6, ran: 4, skipped: 2 });
  const whole = tempDir('study-whole');
  await runStudy(dropStudy(), { workers: 0, out: whole });
  assert.is(read(dir, 'runs.csv'), read(whole, 'runs.csv'), 'extended = run at once');
});

r('a rerun with another scenario is refused unless fresh', async () => {
  const dir = tempDir('study-refuse');
  await runStudy(dropStudy({ replications: 1 }), { workers: 0, out: dir });
  const sc = withLoss() as { underlay: { paths: { latencyMs: number }[] } };
  sc.underlay.paths[0]!.latencyMs = 9;
  try {
    await runStudy(dropStudy({ replications: 1, scenario: sc as never }), { workers: 0, out: dir });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UsageError);
    assert.is((err as UsageError).rule, 'provenance');
  }
  const fresh = await runStudy(dropStudy({ replications: 1, scenario: sc as never }), { workers: 0, out: dir, fresh: true });
  assert.equal(fresh.runs, { total: 2, ran: 2, skipped: 0 });
});

r('a study module gives metrics as functions; worker threads load it', async () => {
  const dir = tempDir('study-module');
  const mod = join(dir, 'study.mts'); // .mts: an ES module wherever the folder is (vega, reached through the index, has top-level await)
  writeFileSync(mod, `import { defineStudy } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export const study = defineStudy({
  name: 'fn-metric', scenario: ${JSON.stringify(join(ROOT, 'scenarios/replays/tunnel-drop-restore.json'))}, replications: 2, until: 200,
  metrics: [{ name: 'events', value: (ctx) => ctx.replay!.tunnelEvents.length }, { name: 'seedMod', value: (ctx) => ctx.seed % 7 }],
});
`);
  const s1 = await runStudy(mod, { workers: 2, out: join(dir, 'threads') });
  await runStudy(mod, { workers: 0, out: join(dir, 'inline') });
  assert.is(read(join(dir, 'threads'), 'runs.csv'), read(join(dir, 'inline'), 'runs.csv'));
  assert.is(s1.points[0]!.metrics.events!.mean, 2); // up at setup, down at 125 s (until 200: not restored)
  assert.ok(defineStudy);
});

r('built-in throughput and reach metrics', async () => {
  const dir = tempDir('study-thr');
  const s = await runStudy({
    name: 'sku', scenario: join(ROOT, 'scenarios/throughput/vpngw1-shared.json'), replications: 1,
    parameters: [{ name: 'sku', path: '/gateways/0/sku', values: ['VpnGw1', 'VpnGw3'] }],
    metrics: [{ name: 'gw', gatewayGoodput: { gateway: 'HubGW' } }, { name: 'jain', jainIndex: {} }, { name: 'cells', reachableCells: {} }],
  }, { workers: 0, out: dir });
  const gw = s.points.map((p) => p.metrics.gw!.mean!);
  assert.ok(gw[0]! < 650 && gw[0]! > 500, `VpnGw1 under its 650 Mbit/s: ${gw[0]}`);
  assert.ok(gw[1]! > gw[0]!, `VpnGw3 carries more: ${gw}`);
  assert.ok(s.points[0]!.metrics.jain!.mean! > 0.9);
  assert.ok(s.points[0]!.metrics.cells!.mean! >= 3, 'three clients reach the hub');
});

r('CLI: study run --json prints summary.json, no progress on a non-terminal stderr; summary and plot', () => {
  const dir = tempDir('study-cli');
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  const run = cli('study', 'run', 'studies/device-failure-outage.yaml', '--workers', '0', '--out', dir, '--json');
  assert.is(run.status, 0, run.stderr);
  assert.is(run.stderr, '');
  const summary = JSON.parse(run.stdout);
  assert.equal(summary, JSON.parse(read(dir, 'summary.json')));
  assert.is(summary.points.length, 3);
  const text = cli('study', 'summary', dir);
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /appOutage/);
  const svg = join(dir, 'chart.svg');
  const plot = cli('study', 'plot', dir, '--metric', 'appOutage', '-o', svg);
  assert.is(plot.status, 0, plot.stderr);
  assert.ok(existsSync(svg) && read(dir, 'chart.svg').startsWith('<svg'));
  const bad = cli('study', 'plot', dir, '--metric', 'nope', '-o', svg);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /no metric "nope"/);
});

v.run();
s.run();
r.run();
