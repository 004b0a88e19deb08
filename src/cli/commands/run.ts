import type { Command } from 'commander';
import { closeSync, openSync, writeSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { loadScenario } from '../../sim/net/load.js';
import { runJson, runScenario, type RunReport } from '../../sim/engine/replay.js';
import type { TraceRecord } from '../../sim/trace.js';
import { NotFoundError } from '../../errors.js';
import { fail, parseSeconds, parseSeed } from '../util.js';

/** Seconds for people: integers as is, others to the millisecond. */
function sec(t: number): string {
  return Number.isInteger(t) ? `${t}` : t.toFixed(3).replace(/\.?0+$/, '');
}

function counts(x: Readonly<Record<string, number>>): string {
  const parts = Object.entries(x).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * Renders a run report for people: tunnel events, outages with durations,
 * drops by reason, convergence times, the fingerprint.
 */
export function formatRun(r: RunReport): string {
  const out = [
    `scenario ${r.scenario} (RNG seed ${r.seed}), ran to t=${sec(r.until)} s: ${r.events} events, ${r.traceRecords} trace records`,
    `fingerprint ${r.fingerprint}`,
  ];
  out.push('', 'tunnel events');
  if (r.tunnelEvents.length === 0) out.push('  none');
  const cw = Math.max(10, ...r.tunnelEvents.map((e) => e.connection.length));
  for (const e of r.tunnelEvents) out.push(`  t=${sec(e.t).padEnd(10)} ${e.connection.padEnd(cw)}  ${e.state.padEnd(4)}  ${e.reason}`);
  const downs = r.tunnelDowntimes;
  if (downs.length) {
    out.push('', 'tunnel downtime');
    for (const d of downs) {
      out.push(`  ${d.connection.padEnd(cw)}  down t=${sec(d.downAt)} (${d.downReason}), ${d.upAt === null ? 'still down at the end' : `up t=${sec(d.upAt)} (${d.upReason}): ${sec(d.duration!)} s`}`);
    }
  }
  if (r.bgpDowntimes.length) {
    out.push('', 'BGP sessions (time to Established)');
    for (const d of r.bgpDowntimes) {
      const from = d.downAt === null ? 'first establishment' : `down t=${sec(d.downAt)} (${d.reason})`;
      out.push(`  ${d.session} at ${d.speaker}: ${from}, ${d.establishedAt === null ? 'not Established by the end' : `Established t=${sec(d.establishedAt)}: ${sec(d.duration!)} s`}`);
    }
  }
  if (r.gatewayEvents.length || r.clientEvents.length) {
    out.push('', 'gateway, device and client events');
    for (const e of [...r.gatewayEvents, ...r.clientEvents].sort((a, b) => a.t - b.t)) {
      out.push(`  t=${sec(e.t).padEnd(10)} ${e.kind} ${e.name} ${e.state}${e.reason ? ` (${e.reason})` : ''}`);
    }
  }
  out.push('', 'pings');
  if (r.pings.length === 0) out.push('  none');
  for (const p of r.pings) {
    const lost = p.sent - p.answered - p.unfinished;
    out.push(`  ${p.from} -> ${p.to}: ${p.sent} sent, ${p.answered} answered, ${lost} lost${lost ? ` (${counts(p.lost)})` : ''}${p.unfinished ? `, ${p.unfinished} unfinished` : ''}`);
  }
  out.push('', 'outages');
  if (r.outages.length === 0) out.push('  none');
  for (const o of r.outages) {
    const span = o.end === null ? `t=${sec(o.start)} .. (still down at t=${sec(r.until)})` : `t=${sec(o.start)} .. t=${sec(o.end)}: ${sec(o.duration!)} s`;
    out.push(`  ${o.from} -> ${o.to}  ${span}, ${o.lost} ping${o.lost === 1 ? '' : 's'} lost (${counts(o.reasons)})`);
  }
  out.push('', `packets: ${r.packets.sent} sent, ${r.packets.delivered} delivered, ${r.packets.dropped} dropped`, `drops by reason: ${counts(r.drops)}`);
  out.push('', `route changes: ${r.routeChanges.added} added, ${r.routeChanges.removed} removed${r.routeChanges.lastAt === null ? '' : `, last at t=${sec(r.routeChanges.lastAt)}`}`);
  if (r.convergence.length) {
    out.push('', 'convergence after each timeline entry');
    for (const c of r.convergence) {
      out.push(`  t=${sec(c.at).padEnd(10)} ${c.action}${c.target ? ` ${c.target}` : ''}: settled after ${sec(c.convergedAfter)} s (${c.tunnelEvents} tunnel, ${c.bgpEvents} BGP, ${c.routeChanges} route events)`);
    }
  }
  return out.join('\n');
}

/** One line per run for `vpnsim start`: outages, tunnel events, drops, fingerprint. */
export function formatRunLine(r: RunReport): string {
  const down = r.outages.reduce((a, o) => a + (o.duration ?? r.until - o.start), 0);
  const lost = Object.values(r.drops).reduce((a, b) => a + b, 0);
  const pings = r.pings.reduce((a, p) => a + p.sent, 0);
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const outages = r.outages.length ? `${n(r.outages.length, 'outage')} (${sec(down)} s)` : 'no outage';
  return `to t=${sec(r.until)} s: ${n(pings, 'ping')}, ${outages}, ${n(r.tunnelEvents.length, 'tunnel event')}, ${n(lost, 'packet')} dropped; fingerprint ${r.fingerprint}`;
}

/** Writes JSON lines to a file through a buffer, synchronously so nothing is lost on exit. */
class JsonLines {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new NotFoundError(`--trace "${path}": cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)}). Check the folder exists`);
    }
  }

  write(r: TraceRecord): void {
    const line = JSON.stringify(r);
    this.buf.push(line);
    this.size += line.length;
    if (this.size > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.buf.length) writeSync(this.fd, `${this.buf.join('\n')}\n`);
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** `vpnsim run <scenario> [--until <s>] [--trace <file.jsonl>] [--seed <seed>] [--json]`. */
export function register(program: Command): void {
  program
    .command('run')
    .description('replay a scenario\'s timeline: tunnel events, ping outages, drops by reason, convergence times, trace fingerprint')
    .argument('<scenario>', 'scenario file (.json, .yaml, .ts)')
    .option('--until <seconds>', 'end of the run (default: the last timeline time plus 300 s)')
    .option('--trace <file>', 'write every trace record to this file as JSON lines')
    .option('--seed <seed>', "master seed (default the scenario's)")
    .option('--json', 'print one JSON object (public contract)')
    .action(async (file: string, opts: { until?: string; trace?: string; json?: boolean; seed?: string }) => {
      let sink: JsonLines | undefined;
      let bar: cliProgress.SingleBar | undefined;
      try {
        const scenario = await loadScenario(file);
        sink = opts.trace === undefined ? undefined : new JsonLines(opts.trace);
        if (process.stderr.isTTY) {
          bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'simulating {bar} {percentage}% | t={value}/{total} s', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        }
        let started = false;
        const report = runScenario(scenario, {
          seed: parseSeed(opts.seed),
          until: opts.until === undefined ? undefined : parseSeconds(opts.until, '--until'),
          trace: sink ? (r) => sink!.write(r) : undefined,
          onProgress: bar ? (now, until) => {
            if (!started) { bar!.start(Math.round(until), 0); started = true; }
            bar!.update(Math.round(now));
          } : undefined,
        });
        bar?.stop();
        bar = undefined;
        sink?.close();
        sink = undefined;
        console.log(opts.json ? JSON.stringify(runJson(report)) : formatRun(report));
      } catch (err) {
        bar?.stop();
        sink?.close();
        fail(err);
      }
    });
}
