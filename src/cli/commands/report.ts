import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadScenario } from '../../sim/net/load.js';
import { collectRun, runFromJson, scenarioReport, type ReportRun } from '../../views/report.js';
import { NotFoundError } from '../../errors.js';
import { fail, parseSeconds, parseSeed } from '../util.js';

/** A compared run: a scenario file (run with the same options), or a `vpnsim run --json` result. */
async function compared(file: string, seed: number | string | undefined): Promise<ReportRun> {
  if (file.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new NotFoundError(`--compare "${file}": cannot be read as JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Pass a scenario file or the output of \`vpnsim run --json\``);
    }
    if (typeof value === 'object' && value !== null && !('vnets' in value)) return runFromJson(value, basename(file));
  }
  const scenario = await loadScenario(file);
  return collectRun(scenario, { seed, label: `${scenario.name} (${basename(file)})` });
}

/** `vpnsim report <scenario> [-o FILE.html] [--compare OTHER] [--until <s>] [--seed <seed>]`. */
export function register(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML report of a run: topology, timeline lanes, outages, drops, goodput, a time cursor')
    .argument('<scenario>', 'scenario file (.json, .yaml, .ts)')
    .option('-o, --output <file>', 'write the HTML to this file (default: report.html)', 'report.html')
    .option('--compare <file>', 'a second scenario, or a `vpnsim run --json` result, drawn on the same time axis')
    .option('--until <seconds>', 'end of the run (default: the last timeline time plus 300 s)')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .action(async (file: string, opts: { output: string; compare?: string; until?: string; seed?: string }) => {
      try {
        const scenario = await loadScenario(file);
        const seed = parseSeed(opts.seed);
        const until = opts.until === undefined ? undefined : parseSeconds(opts.until, '--until');
        const compare = opts.compare === undefined ? [] : [await compared(opts.compare, seed)];
        const html = await scenarioReport(scenario, { seed, until, compare, label: `${scenario.name} (${basename(file)})` });
        try {
          writeFileSync(opts.output, html);
        } catch (err) {
          throw new NotFoundError(`-o "${opts.output}": cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)}). Check the folder exists`);
        }
        console.log(`wrote ${opts.output}`);
      } catch (err) {
        fail(err);
      }
    });
}
