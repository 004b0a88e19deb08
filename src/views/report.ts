/**
 * Run reports: one self-contained HTML file per run (no network access is
 * needed to open it: styles, script, data and every chart are inline). It
 * holds the topology ({@link topologySvg}), a timeline with one lane per
 * tunnel, BGP session, gateway or device and P2S client (each segment a
 * state and the reason it began), one lane per pinged pair with its outages
 * as bars, drops by reason and flow goodput over time (vega-lite, rendered to
 * SVG when the report is built), and a time cursor: moving it lists every
 * lane's state at that instant and recolours the topology's connections.
 * With a second run (`compare`), both runs share one time axis.
 *
 * The page's structure is part of its contract (tests find it this way):
 * lanes are `<g class="lane" data-lane="KIND:NAME" data-run="LABEL">`, their
 * segments `<rect class="seg" data-state data-from data-to>`, pinged pairs
 * `<g class="pair" data-pair="FROM->TO">` with `<rect class="outage">` bars,
 * the cursor `<input id="cursor" type="range">`, and the state panel
 * `<table id="states">` with one row per lane (`data-lane`, `data-state`).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Scenario } from '../sim/net/scenario.js';
import { Simulation } from '../sim/engine/simulation.js';
import { attachTraffic, defaultUntil, runScenario, type RunJson, type RunReport } from '../sim/engine/replay.js';
import { topologySvg, stateColour } from './topology.js';
import { UsageError } from '../errors.js';

/** One stretch of a lane: a state from `from` to `to` (seconds), entered for `reason`. */
export interface LaneSegment {
  readonly from: number;
  readonly to: number;
  readonly state: string;
  readonly reason: string;
}

/** One timeline lane: a tunnel, a BGP session at one speaker, a gateway or device, or a P2S client. */
export interface Lane {
  /** `tunnel`, `bgp`, `gateway`, `device` or `client`. */
  readonly kind: string;
  /** Connection, `session at speaker`, gateway, site or client name. */
  readonly name: string;
  /** Consecutive segments covering 0 to the end of the run. */
  readonly segments: readonly LaneSegment[];
}

/** One pinged (from, to) pair: its outages and the times of its answered and lost pings. */
export interface PairLane {
  readonly from: string;
  readonly to: string;
  readonly outages: readonly { readonly start: number; readonly end: number | null; readonly reasons: Readonly<Record<string, number>> }[];
  /** Send times of answered pings (empty when read from a `run --json` file). */
  readonly answered: readonly number[];
  /** Send times of lost pings (empty when read from a `run --json` file). */
  readonly lost: readonly number[];
}

/** Goodput of one flow sampled over time: `[t, Mbit/s]` pairs. */
export interface FlowSeries {
  readonly flow: string;
  readonly points: readonly (readonly [number, number])[];
}

/** What a report draws of one run. Times in seconds. */
export interface ReportRun {
  /** Shown in the page and the compare legend (the scenario name, or a file name). */
  readonly label: string;
  readonly scenario: string;
  readonly seed: number | string | undefined;
  readonly until: number;
  readonly fingerprint: string;
  readonly lanes: readonly Lane[];
  readonly pairs: readonly PairLane[];
  readonly drops: Readonly<Record<string, number>>;
  readonly flows: readonly FlowSeries[];
}

/** Options of {@link collectRun}. */
export interface CollectOptions {
  /** Master seed; default the scenario's. */
  seed?: number | string;
  /** End of the run, seconds; default as {@link runScenario}. */
  until?: number;
  /** Flow samples over the run (default 200). */
  samples?: number;
  /** Label of the run; default the scenario's name. */
  label?: string;
}

function lanesOf(r: Pick<RunReport, 'until' | 'tunnelEvents' | 'bgpEvents' | 'gatewayEvents' | 'clientEvents'>): Lane[] {
  const build = (kind: string, name: string, initial: string, changes: { t: number; state: string; reason: string }[]): Lane => {
    const segs: LaneSegment[] = [];
    let cur = { from: 0, state: initial, reason: 'start of the run' };
    for (const c of changes) {
      if (c.t > cur.from) segs.push({ ...cur, to: c.t });
      cur = { from: c.t, state: c.state, reason: c.reason };
    }
    segs.push({ ...cur, to: r.until });
    return { kind, name, segments: segs };
  };
  const group = <T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
    return m;
  };
  const lanes: Lane[] = [];
  for (const [name, es] of group(r.tunnelEvents, (e) => e.connection)) {
    lanes.push(build('tunnel', name, 'notUp', es.map((e) => ({ t: e.t, state: e.state, reason: e.reason }))));
  }
  for (const [name, es] of group(r.bgpEvents, (e) => `${e.session} at ${e.speaker}`)) {
    lanes.push(build('bgp', name, es[0]!.from, es.map((e) => ({ t: e.t, state: e.to, reason: e.reason }))));
  }
  for (const [name, es] of group(r.gatewayEvents, (e) => `${e.kind}:${e.name}`)) {
    const kind = name.slice(0, name.indexOf(':'));
    lanes.push(build(kind, es[0]!.name, 'up', es.map((e) => ({ t: e.t, state: e.state, reason: e.reason ?? '' }))));
  }
  for (const [name, es] of group(r.clientEvents, (e) => e.name)) {
    lanes.push(build('client', name, 'disconnected', es.map((e) => ({ t: e.t, state: e.state, reason: e.reason ?? '' }))));
  }
  return lanes;
}

/**
 * Runs a scenario's timeline ({@link runScenario}) and gathers what a report
 * draws: lanes, pinged pairs, drops, and (when the scenario has flows) each
 * flow's goodput sampled over the run from a second, identical run (same
 * seed, same trajectory).
 * @throws as {@link runScenario}.
 */
export function collectRun(scenario: Scenario, options: CollectOptions = {}): ReportRun {
  const r = runScenario(scenario, { seed: options.seed, until: options.until });
  const flows: FlowSeries[] = [];
  const hasFlows = (scenario.flows?.length ?? 0) > 0 || (scenario.timeline ?? []).some((e) => e.action === 'startFlow');
  if (hasFlows) {
    const s = new Simulation(scenario, { seed: r.seed });
    const { flows: layer } = attachTraffic(s, { end: r.until, flows: true });
    const n = options.samples ?? 200;
    const series = new Map<string, [number, number][]>();
    for (let i = 0; i <= n; i++) {
      const t = Math.round((r.until * i / n) * 1e6) / 1e6;
      s.runUntil(Math.max(t, s.now));
      for (const f of layer!.results()) {
        const pts = series.get(f.name) ?? [];
        pts.push([t, f.rateMbps ?? 0]);
        series.set(f.name, pts);
      }
    }
    for (const [flow, points] of series) flows.push({ flow, points });
  }
  return {
    label: options.label ?? scenario.name,
    scenario: scenario.name,
    seed: r.seed,
    until: r.until,
    fingerprint: r.fingerprint,
    lanes: lanesOf(r),
    pairs: r.pings.map((p) => ({
      from: p.from,
      to: p.to,
      outages: p.outages.map((o) => ({ start: o.start, end: o.end, reasons: o.reasons })),
      answered: p.samples.filter((x) => x.ok).map((x) => x.t),
      lost: p.samples.filter((x) => !x.ok).map((x) => x.t),
    })),
    drops: r.drops,
    flows,
  };
}

/**
 * A report run from a `vpnsim run --json` object (its public contract):
 * tunnel lanes, outages and drops; no BGP lanes, ping samples or flows,
 * which that contract does not carry.
 * @throws UsageError when the object is not a `run --json` result.
 */
export function runFromJson(json: unknown, label?: string): ReportRun {
  const j = json as Partial<RunJson>;
  if (typeof j !== 'object' || j === null || typeof j.scenario !== 'string' || typeof j.until !== 'number' || !Array.isArray(j.tunnelEvents) || !Array.isArray(j.outages)) {
    throw new UsageError('--compare: the file is neither a scenario (no "vnets") nor a `vpnsim run --json` result (needs scenario, until, tunnelEvents, outages). Pass a scenario file or the output of `vpnsim run --json`', 'usage');
  }
  const pairs = new Map<string, { from: string; to: string; outages: PairLane['outages'][number][] }>();
  for (const o of j.outages) {
    const k = `${o.from}->${o.to}`;
    const p = pairs.get(k) ?? { from: o.from, to: o.to, outages: [] };
    p.outages.push({ start: o.start, end: o.end, reasons: {} });
    pairs.set(k, p);
  }
  return {
    label: label ?? j.scenario,
    scenario: j.scenario,
    seed: undefined,
    until: j.until,
    fingerprint: j.fingerprint ?? '',
    lanes: lanesOf({ until: j.until, tunnelEvents: j.tunnelEvents, bgpEvents: [], gatewayEvents: [], clientEvents: [] }),
    pairs: [...pairs.values()].map((p) => ({ ...p, answered: [], lost: [] })),
    drops: j.drops ?? {},
    flows: [],
  };
}

// ---------------------------------------------------------------- rendering

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders a vega-lite spec to an SVG string in Node (no browser, no network). */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use, so importing vpnsim does not load the charting libraries.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const LANE_H = 22;
const LEFT = 260;
const PLOT_W = 900;

function fmt(t: number): string {
  return String(Math.round(t * 1000) / 1000);
}

function timelineSvg(runs: readonly ReportRun[], end: number): string {
  const x = (t: number) => LEFT + (Math.min(t, end) / end) * PLOT_W;
  const rows: string[] = [];
  let y = 30;
  for (const run of runs) {
    rows.push(`<text class="run-label" x="4" y="${y + 14}" font-weight="bold">${esc(run.label)}</text>`);
    y += LANE_H;
    for (const lane of run.lanes) {
      rows.push(`<g class="lane" data-lane="${esc(`${lane.kind}:${lane.name}`)}" data-run="${esc(run.label)}">`);
      rows.push(`<text x="8" y="${y + 15}">${esc(`${lane.kind} ${lane.name}`)}</text>`);
      for (const s of lane.segments) {
        const w = Math.max(0.5, x(s.to) - x(s.from));
        rows.push(`<rect class="seg" x="${x(s.from).toFixed(2)}" y="${y + 3}" width="${w.toFixed(2)}" height="${LANE_H - 6}" fill="${stateColour(s.state)}" data-state="${esc(s.state)}" data-from="${s.from}" data-to="${s.to}" data-reason="${esc(s.reason)}"><title>${esc(`${lane.name}: ${s.state} from t=${fmt(s.from)} s to t=${fmt(s.to)} s (${s.reason})`)}</title></rect>`);
      }
      rows.push('</g>');
      y += LANE_H;
    }
    for (const p of run.pairs) {
      rows.push(`<g class="pair" data-pair="${esc(`${p.from}->${p.to}`)}" data-run="${esc(run.label)}">`);
      rows.push(`<text x="8" y="${y + 15}">${esc(`ping ${p.from} -> ${p.to}`)}</text>`);
      rows.push(`<rect x="${LEFT}" y="${y + 9}" width="${PLOT_W}" height="4" fill="#d0d7de"/>`);
      for (const t of p.answered) rows.push(`<rect class="ping ok" x="${x(t).toFixed(2)}" y="${y + 6}" width="1" height="10" fill="#1a7f37"/>`);
      for (const t of p.lost) rows.push(`<rect class="ping lost" x="${x(t).toFixed(2)}" y="${y + 6}" width="1" height="10" fill="#cf222e"/>`);
      for (const o of p.outages) {
        const to = o.end ?? run.until;
        const reasons = Object.entries(o.reasons).map(([k, v]) => `${k} ${v}`).join(', ');
        rows.push(`<rect class="outage" x="${x(o.start).toFixed(2)}" y="${y + 2}" width="${Math.max(1, x(to) - x(o.start)).toFixed(2)}" height="${LANE_H - 4}" fill="#cf222e" fill-opacity="0.7" data-from="${o.start}" data-to="${o.end ?? ''}" data-reasons="${esc(reasons)}"><title>${esc(`outage ${p.from} -> ${p.to}: t=${fmt(o.start)} s .. ${o.end === null ? 'end of run' : `t=${fmt(o.end)} s`}${reasons ? ` (${reasons})` : ''}`)}</title></rect>`);
      }
      rows.push('</g>');
      y += LANE_H;
    }
    y += 8;
  }
  // Axis: ten ticks.
  const axis: string[] = [];
  for (let i = 0; i <= 10; i++) {
    const t = (end * i) / 10;
    axis.push(`<line x1="${x(t)}" y1="24" x2="${x(t)}" y2="${y}" stroke="#eaeef2"/><text x="${x(t)}" y="16" text-anchor="middle">${fmt(t)}</text>`);
  }
  const height = y + 10;
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${LEFT + PLOT_W + 20}" height="${height}" data-end="${end}" data-left="${LEFT}" data-width="${PLOT_W}" font-family="Helvetica, sans-serif" font-size="12">${axis.join('')}${rows.join('')}<line id="cursor-line" x1="${LEFT}" y1="20" x2="${LEFT}" y2="${y}" stroke="#0969da" stroke-width="2"/></svg>`;
}

/** Options of {@link reportHtml}. */
export interface ReportOptions {
  /** The topology SVG to show (from {@link topologySvg}); omitted when undefined. */
  topology?: string;
  /** Page title; default the first run's label. */
  title?: string;
}

/**
 * Renders one or more runs (the first is the main run, the others are
 * compared with it on one time axis) as one self-contained HTML page.
 */
export async function reportHtml(runs: readonly ReportRun[], options: ReportOptions = {}): Promise<string> {
  if (runs.length === 0) throw new UsageError('report: no run to draw', 'usage');
  const end = Math.max(...runs.map((r) => r.until), 1e-6);
  const title = options.title ?? (runs.length > 1 ? `${runs[0]!.label} compared with ${runs.slice(1).map((r) => r.label).join(', ')}` : runs[0]!.label);
  const drops = runs.flatMap((r) => Object.entries(r.drops).map(([reason, packets]) => ({ run: r.label, reason, packets })));
  const flowPoints = runs.flatMap((r) => r.flows.flatMap((f) => f.points.map(([t, mbps]) => ({ run: r.label, flow: runs.length > 1 ? `${r.label}: ${f.flow}` : f.flow, t, mbps }))));
  const dropsSvg = drops.length
    ? await vegaLiteSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: drops },
      mark: 'bar',
      width: 500,
      encoding: {
        y: { field: 'reason', type: 'nominal', title: 'drop reason' },
        x: { field: 'packets', type: 'quantitative', title: 'packets dropped' },
        ...(runs.length > 1 ? { yOffset: { field: 'run' }, color: { field: 'run', type: 'nominal' } } : {}),
      },
    } as TopLevelSpec)
    : '<p class="none">No packet was dropped.</p>';
  const flowsSvg = flowPoints.length
    ? await vegaLiteSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: flowPoints },
      mark: { type: 'line', interpolate: 'step-after' },
      width: 800,
      height: 260,
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'simulated time (s)', scale: { domain: [0, end] } },
        y: { field: 'mbps', type: 'quantitative', title: 'goodput (Mbit/s)' },
        color: { field: 'flow', type: 'nominal' },
      },
    } as TopLevelSpec)
    : '<p class="none">The scenario has no flows.</p>';
  const data = runs.map((r) => ({ label: r.label, lanes: r.lanes, pairs: r.pairs.map((p) => ({ from: p.from, to: p.to, outages: p.outages })) }));
  const summary = runs.map((r) => `<li><b>${esc(r.label)}</b>: scenario ${esc(r.scenario)}${r.seed === undefined ? '' : `, RNG seed ${esc(String(r.seed))}`}, ran to t=${fmt(r.until)} s, fingerprint <code>${esc(r.fingerprint)}</code>, ${r.lanes.length} lanes, ${r.pairs.length} pinged pairs, ${Object.values(r.drops).reduce((a, b) => a + b, 0)} packets dropped</li>`).join('');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 16px 24px; color: #1f2328; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.figure { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; }
#cursor-box { position: sticky; top: 0; background: white; padding: 6px 0; border-bottom: 1px solid #d0d7de; z-index: 1; }
#cursor { width: ${PLOT_W}px; margin-left: ${LEFT}px; }
#states { border-collapse: collapse; font-size: 13px; } #states td { padding: 2px 10px; border-bottom: 1px solid #eaeef2; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
.none { color: #656d76; }
#topology svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>${esc(title)}</h1>
<ul>${summary}</ul>
${options.topology ? `<h2>Topology</h2><div class="figure" id="topology">${options.topology.replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/, '')}</div>` : ''}
<h2>Timeline</h2>
<div id="cursor-box"><label>time cursor: <b id="cursor-time">t=0 s</b></label><br><input id="cursor" type="range" min="0" max="${end}" step="any" value="0" aria-label="time cursor"></div>
<div class="figure">${timelineSvg(runs, end)}</div>
<h2>State at the cursor</h2>
<table id="states"><tbody></tbody></table>
<h2>Drops by reason</h2>
<div class="figure" id="drops">${dropsSvg}</div>
<h2>Flow goodput over time</h2>
<div class="figure" id="goodput">${flowsSvg}</div>
<script id="report-data" type="application/json">${json}</script>
<script>
(function () {
  var runs = JSON.parse(document.getElementById('report-data').textContent);
  var tl = document.getElementById('timeline');
  var end = Number(tl.dataset.end), left = Number(tl.dataset.left), width = Number(tl.dataset.width);
  var cursor = document.getElementById('cursor'), line = document.getElementById('cursor-line');
  var body = document.querySelector('#states tbody');
  var colours = ${JSON.stringify({ established: stateColour('established'), connecting: stateColour('connecting'), notProvisioned: stateColour('notProvisioned'), down: stateColour('down') })};
  function colour(s) {
    if (s === 'up' || s === 'Established' || s === 'established' || s === 'connected') return colours.established;
    if (s === 'Connect' || s === 'Active' || s === 'OpenSent' || s === 'OpenConfirm' || s === 'connecting') return colours.connecting;
    if (s === 'Idle' || s === 'notProvisioned') return colours.notProvisioned;
    return colours.down;
  }
  function segAt(lane, t) {
    for (var i = 0; i < lane.segments.length; i++) {
      var s = lane.segments[i];
      if (t >= s.from && (t < s.to || i === lane.segments.length - 1)) return s;
    }
    return lane.segments[lane.segments.length - 1];
  }
  function outageAt(pair, t) {
    for (var i = 0; i < pair.outages.length; i++) {
      var o = pair.outages[i];
      if (t >= o.start && (o.end === null || t < o.end)) return o;
    }
    return null;
  }
  function cell(text) { var td = document.createElement('td'); td.textContent = text; return td; }
  function show(t) {
    document.getElementById('cursor-time').textContent = 't=' + (Math.round(t * 1000) / 1000) + ' s';
    var px = left + (t / end) * width;
    line.setAttribute('x1', px); line.setAttribute('x2', px);
    body.textContent = '';
    runs.forEach(function (run, ri) {
      run.lanes.forEach(function (lane) {
        var s = segAt(lane, t);
        var tr = document.createElement('tr');
        tr.dataset.lane = lane.kind + ':' + lane.name; tr.dataset.run = run.label; tr.dataset.state = s.state;
        var sw = document.createElement('span'); sw.className = 'swatch'; sw.style.background = colour(s.state);
        var td = cell(''); td.appendChild(sw); td.appendChild(document.createTextNode(s.state));
        tr.appendChild(cell(run.label)); tr.appendChild(cell(lane.kind + ' ' + lane.name)); tr.appendChild(td);
        tr.appendChild(cell('since t=' + (Math.round(s.from * 1000) / 1000) + ' s (' + s.reason + ')'));
        body.appendChild(tr);
        if (ri === 0 && lane.kind === 'tunnel') {
          var edge = document.getElementById('conn:' + lane.name);
          if (edge) {
            edge.querySelectorAll('path, polygon').forEach(function (p) { p.setAttribute('stroke', colour(s.state)); });
            edge.querySelectorAll('text').forEach(function (x) { x.setAttribute('fill', colour(s.state)); });
          }
        }
      });
      run.pairs.forEach(function (p) {
        var o = outageAt(p, t);
        var tr = document.createElement('tr');
        tr.dataset.lane = 'ping:' + p.from + '->' + p.to; tr.dataset.run = run.label; tr.dataset.state = o ? 'outage' : 'reachable';
        var sw = document.createElement('span'); sw.className = 'swatch'; sw.style.background = o ? colours.down : colours.established;
        var td = cell(''); td.appendChild(sw); td.appendChild(document.createTextNode(o ? 'outage' : 'reachable'));
        tr.appendChild(cell(run.label)); tr.appendChild(cell('ping ' + p.from + ' -> ' + p.to)); tr.appendChild(td);
        tr.appendChild(cell(o ? 'since t=' + o.start + ' s' : ''));
        body.appendChild(tr);
      });
    });
  }
  cursor.addEventListener('input', function () { show(Number(cursor.value)); });
  tl.addEventListener('click', function (ev) {
    var box = tl.getBoundingClientRect();
    var t = Math.max(0, Math.min(end, ((ev.clientX - box.left) - left) / width * end));
    cursor.value = String(t); show(t);
  });
  show(0);
})();
</script>
</body></html>
`;
}

/** Options of {@link scenarioReport}. */
export interface ScenarioReportOptions extends CollectOptions {
  /** Runs to draw beside the scenario's own, on the same time axis. */
  compare?: readonly ReportRun[];
}

/**
 * The whole report of a scenario: runs it ({@link collectRun}), draws its
 * topology once the network has settled, and renders the page
 * ({@link reportHtml}) with any compared runs.
 * @throws as {@link runScenario}.
 */
export async function scenarioReport(scenario: Scenario, options: ScenarioReportOptions = {}): Promise<string> {
  const run = collectRun(scenario, options);
  const s = new Simulation(scenario, { seed: run.seed });
  attachTraffic(s, { end: options.until ?? defaultUntil(scenario) });
  const topology = await topologySvg(s);
  return reportHtml([run, ...(options.compare ?? [])], { topology });
}
