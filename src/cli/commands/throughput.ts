import type { Command } from 'commander';
import { loadScenario } from '../../sim/net/load.js';
import { runThroughput, throughputJson, type ThroughputReport } from '../../sim/engine/flows.js';
import { fail, parseSeconds } from '../util.js';

/** Renders a throughput report for people: per-flow goodput, per-tunnel and per-gateway totals, Jain's index. Rates in Mbit/s of goodput. */
export function formatThroughput(r: ThroughputReport): string {
  const lines = [`scenario ${r.scenario}, seed ${r.seed}: ran to t=${r.endedAt.toFixed(3)} s, ${r.events} events, trace ${r.traceFingerprint}`, ''];
  lines.push(...table(
    ['flow', 'from -> to', 'kind', 'start s', 'end s', 'bytes', 'goodput Mbit/s', 'outcome'],
    r.flows.map((f) => [
      f.name, `${f.from} -> ${f.to}`, f.kind, num(f.start, 3), num(f.end, 3), Math.round(f.bytes).toString(), f.goodputMbps.toFixed(3),
      f.outcome === 'unreachable' ? `unreachable (${f.reason})` : f.outcome,
    ]),
    [false, false, false, true, true, true, true, false],
  ));
  lines.push('');
  lines.push(...table(
    ['tunnel', 'flows', 'bytes', 'active s', 'goodput Mbit/s'],
    r.tunnels.map((t) => [t.connection, String(t.flows), Math.round(t.bytes).toString(), t.activeSeconds.toFixed(3), t.goodputMbps.toFixed(3)]),
    [false, true, true, true, true],
  ));
  lines.push('');
  lines.push(...table(
    ['gateway', 'sku', 'capacity Mbit/s', 'flows', 'bytes', 'active s', 'goodput Mbit/s'],
    r.gateways.map((g) => [g.name, `${g.sku} (${g.generation})`, String(g.capacityMbps), String(g.flows), Math.round(g.bytes).toString(), g.activeSeconds.toFixed(3), g.goodputMbps.toFixed(3)]),
    [false, false, true, true, true, true, true],
  ));
  const n = r.flows.filter((f) => f.start !== undefined && f.outcome !== 'unreachable').length;
  lines.push('', `Jain's fairness index over ${n} flow${n === 1 ? '' : 's'}: ${r.jainIndex.toFixed(4)}`);
  return lines.join('\n');
}

function num(x: number | undefined, digits: number): string {
  return x === undefined ? '-' : x.toFixed(digits);
}

function table(head: string[], rows: string[][], right: boolean[]): string[] {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (right[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** `vpnsim throughput <scenario> [--until <seconds>] [--seed <seed>] [--json]`. */
export function register(program: Command): void {
  program
    .command('throughput')
    .description("run a scenario's flows: per-flow goodput, per-tunnel and per-gateway totals, Jain's fairness index")
    .argument('<scenario>', 'scenario file (.json, .yaml, .ts) with flows')
    .option('--until <seconds>', 'stop at this simulated time even if flows are open (default 3600)')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .option('--json', 'print one JSON object (public contract)')
    .action(async (file: string, opts: { until?: string; seed?: string; json?: boolean }) => {
      try {
        const scenario = await loadScenario(file);
        const seed = opts.seed === undefined ? undefined : /^-?\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed;
        const report = runThroughput(scenario, { untilSeconds: opts.until === undefined ? undefined : parseSeconds(opts.until, '--until'), seed });
        console.log(opts.json ? JSON.stringify(throughputJson(report)) : formatThroughput(report));
      } catch (err) {
        fail(err);
      }
    });
}
