/**
 * A chart of a study's summary (vega-lite, rendered to SVG by vega without a
 * browser): the mean and 95 % confidence interval of one metric against the
 * first parameter, one line per value of the second. Variates are shown by
 * their definition (`uniform [95, 105]`).
 */
import { NotFoundError } from '../errors.js';
import type { StudySummary } from './results.js';

const label = (v: unknown): string | number => (typeof v === 'number' ? v : typeof v === 'string' ? v : JSON.stringify(v).replace(/[{}"]/g, '').replace(/:/, ' '));

/**
 * The vega-lite spec of a metric's chart.
 * @param metric default the first metric of the summary.
 * @throws NotFoundError when the summary has no such metric.
 */
export function plotSpec(summary: StudySummary, metric?: string): Record<string, unknown> {
  const first = summary.points[0];
  const metrics = Object.keys(first?.metrics ?? {});
  const m = metric ?? metrics[0];
  if (m === undefined || !metrics.includes(m)) {
    throw new NotFoundError(`study "${summary.study}": no metric ${JSON.stringify(metric)}. Pass --metric with one of ${metrics.join(', ')}`);
  }
  const params = Object.keys(first?.parameters ?? {});
  const [xName, colorName] = params;
  const data = summary.points.map((p, i) => {
    const s = p.metrics[m]!;
    return {
      x: xName === undefined ? 'all' : label(p.parameters[xName]),
      series: colorName === undefined ? m : String(label(p.parameters[colorName])),
      mean: s.mean, lo: s.ci95?.[0] ?? s.mean, hi: s.ci95?.[1] ?? s.mean, n: s.n, order: i,
    };
  }).filter((d) => d.mean !== null);
  const numeric = data.every((d) => typeof d.x === 'number');
  const x = { field: 'x', type: numeric ? 'quantitative' : 'ordinal', title: xName ?? 'point', sort: null };
  const color = { field: 'series', type: 'nominal', title: colorName ?? null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${summary.study}: ${m}`, subtitle: 'mean and 95 % confidence interval (Student\'s t)' },
    width: 480, height: 300,
    data: { values: data },
    layer: [
      { mark: { type: 'errorbar', ticks: true }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: m, scale: { zero: false } }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, tooltip: [{ field: 'mean' }, { field: 'lo' }, { field: 'hi' }, { field: 'n' }] } },
    ],
  };
}

/** Renders {@link plotSpec} to SVG text. vega and vega-lite load on first use. */
export async function plotSvg(summary: StudySummary, metric?: string): Promise<string> {
  const spec = plotSpec(summary, metric);
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
