import type { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { NotFoundError, UsageError } from '../../errors.js';
import { runStudy, type StudyProgress } from '../../study/run-study.js';
import type { StudySummary } from '../../study/results.js';
import { StudyValidationError } from '../../study/validate.js';
import { plotSvg } from '../../study/plot.js';
import { fail } from '../util.js';

const fmt = (x: number | null): string => (x === null ? '-' : Number(x.toPrecision(6)).toString());
const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Renders a study summary for people: one line per (point, metric) with n, mean, the 95 % CI and the range. */
export function formatStudySummary(s: StudySummary): string {
  const lines = [`study ${s.study}: ${s.runs.total} runs (${s.runs.ran} ran, ${s.runs.skipped} already done)`];
  s.points.forEach((p, i) => {
    const params = Object.entries(p.parameters).map(([k, v]) => `${k}=${show(v)}`).join(', ');
    lines.push(`  point ${i}${params ? ` (${params})` : ''}`);
    const w = Math.max(...Object.keys(p.metrics).map((m) => m.length));
    for (const [m, x] of Object.entries(p.metrics)) {
      const ci = x.ci95 ? `[${fmt(x.ci95[0])}, ${fmt(x.ci95[1])}]` : '-';
      lines.push(`    ${m.padEnd(w)}  n ${String(x.n).padStart(3)}  mean ${fmt(x.mean).padStart(10)}  95% CI ${ci.padEnd(24)}  min ${fmt(x.min)}  median ${fmt(x.median)}  max ${fmt(x.max)}`);
    }
  });
  return lines.join('\n');
}

/**
 * The summary of the first shipped study (studies/device-failure-outage.yaml)
 * for `vpnsim start`, run in this thread into a fresh temporary folder.
 */
export async function firstStudySummary(): Promise<string> {
  const file = fileURLToPath(new URL('../../../studies/device-failure-outage.yaml', import.meta.url));
  const out = mkdtempSync(join(tmpdir(), 'vpnsim-start-'));
  try {
    const s = await runStudy(file, { workers: 0, out });
    return `Study (a sweep with replications and 95 % CIs; details: vpnsim study run ${relative(process.cwd(), file)})\n${formatStudySummary(s)}`;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function intOption(text: string | undefined, what: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${what}: "${text}" is not a whole number of ${min} or more`, 'usage');
  return v;
}

/** Reads `summary.json` of a results folder. @throws NotFoundError when there is none. */
export function readSummary(dir: string): StudySummary {
  try {
    return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as StudySummary;
  } catch (err) {
    throw new NotFoundError(`results folder "${dir}": no summary.json (${(err as NodeJS.ErrnoException).code ?? String(err)}). Run \`vpnsim study run <study> --out ${dir}\` first`);
  }
}

function failStudy(err: unknown): never {
  if (err instanceof StudyValidationError) {
    for (const e of err.errors) console.error(`error ${e.message}`);
    process.exit(1);
  }
  fail(err);
}

/** `vpnsim study run|summary|plot`. */
export function register(program: Command): void {
  const study = program.command('study').description('replications and parameter sweeps of a scenario, with 95 % confidence intervals');
  study
    .command('run')
    .description('run every (point, replication) of a study missing from its results folder; write runs.csv, runs.jsonl, manifest.json, summary.json')
    .argument('<study>', 'study file (.json, .yaml, .ts)')
    .option('--workers <n>', 'worker threads (default: the number of cores; 0: this thread)')
    .option('--queue <url>', 'enqueue the runs on BullMQ at redis://host:port for `vpnsim worker` processes')
    .option('--out <dir>', 'results folder (default study-results/<name>/)')
    .option('--fresh', 'replace results of another provenance instead of refusing')
    .option('--json', 'print summary.json (public contract)')
    .action(async (file: string, opts: { workers?: string; queue?: string; out?: string; fresh?: boolean; json?: boolean }) => {
      let bar: cliProgress.SingleBar | undefined;
      try {
        const workers = intOption(opts.workers, '--workers', 0);
        const started = Date.now();
        if (process.stderr.isTTY) {
          bar = new cliProgress.SingleBar({
            stream: process.stderr, hideCursor: true, clearOnComplete: true,
            format: 'study {bar} {value}/{total} runs | {rate} runs/s | {eta_formatted} left',
          }, cliProgress.Presets.shades_classic);
        }
        let shown = false;
        const onProgress = bar ? (p: StudyProgress) => {
          const rate = (p.done / Math.max(1e-3, (Date.now() - started) / 1000)).toFixed(1);
          if (!shown) { bar!.start(p.total, p.done, { rate }); shown = true; } else bar!.update(p.done, { rate });
        } : undefined;
        const summary = await runStudy(file, { workers, queue: opts.queue, out: opts.out, fresh: opts.fresh, onProgress });
        bar?.stop();
        bar = undefined;
        console.log(opts.json ? JSON.stringify(summary) : formatStudySummary(summary));
      } catch (err) {
        bar?.stop();
        failStudy(err);
      }
    });
  study
    .command('summary')
    .description("print a results folder's summary: per point and metric, n, mean, 95 % CI, min, median, max")
    .argument('<dir>', 'results folder')
    .option('--json', 'print summary.json (public contract)')
    .action((dir: string, opts: { json?: boolean }) => {
      try {
        const s = readSummary(dir);
        console.log(opts.json ? JSON.stringify(s) : formatStudySummary(s));
      } catch (err) {
        failStudy(err);
      }
    });
  study
    .command('plot')
    .description('chart a metric (mean and 95 % CI) against the first parameter, one line per value of the second, as SVG')
    .argument('<dir>', 'results folder')
    .option('--metric <name>', 'metric to chart (default: the first)')
    .requiredOption('-o, --output <file>', 'SVG file to write')
    .action(async (dir: string, opts: { metric?: string; output: string }) => {
      try {
        const svg = await plotSvg(readSummary(dir), opts.metric);
        writeFileSync(opts.output, svg);
      } catch (err) {
        failStudy(err);
      }
    });
}
