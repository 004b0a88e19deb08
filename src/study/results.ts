/**
 * Study results on disk (a contract): in the output folder,
 * - `runs.csv`, `runs.jsonl`: one row per (point, replication, metric) with
 *   columns `point`, one per parameter (the value used), `replication`,
 *   `seed`, `metric`, `value`, `fingerprint`; sorted by point, replication,
 *   metric name. Byte-identical whatever the executor and worker count.
 * - `manifest.json`: provenance (vpnsim version, study hash, scenario hash,
 *   Node version, created).
 * - `summary.json`: per point, per metric: n, mean, sd, ci95, min, median, max.
 *
 * While a study runs, finished runs are appended to `runs.jsonl` as they come
 * (so an interrupted study resumes); at the end it is rewritten sorted.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { UsageError } from '../errors.js';
import type { ReplicationResult } from './replication.js';
import { summarise, type MetricSummary } from './statistics.js';
import { gridPoints, type StudySpec } from './validate.js';

/** One result row. Keys in column order. */
export type Row = Record<string, unknown> & {
  point: number; replication: number; seed: number; metric: string; value: number | null; fingerprint: string;
};

/** Provenance of a results folder. A rerun with equal `vpnsim`, `studyHash`, `scenarioHash` and `node` resumes; otherwise it is refused. */
export interface Manifest {
  readonly study: string;
  readonly vpnsim: string;
  readonly studyHash: string;
  readonly scenarioHash: string;
  readonly node: string;
  /** ISO 8601 time the folder was first written. */
  readonly created: string;
}

/** The `summary.json` of a study, also printed by `vpnsim study run --json`. */
export interface StudySummary {
  readonly study: string;
  /** Runs are (point, replication) pairs: total in the study, ran this time, skipped as already present. */
  readonly runs: { readonly total: number; readonly ran: number; readonly skipped: number };
  readonly points: readonly {
    /** Each parameter's value at this point, as written (a variate stays a variate). */
    readonly parameters: Readonly<Record<string, unknown>>;
    readonly metrics: Readonly<Record<string, MetricSummary>>;
  }[];
}

/** The vpnsim version, from the package's package.json. */
export function vpnsimVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The provenance of a study run now. */
export function manifestOf(spec: StudySpec): Manifest {
  return { study: spec.name, vpnsim: vpnsimVersion(), studyHash: spec.studyHash, scenarioHash: spec.scenarioHash, node: process.version, created: new Date().toISOString() };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Rows of one run, metrics sorted by name. */
export function rowsOf(spec: StudySpec, r: ReplicationResult): Row[] {
  return Object.keys(r.metrics).sort(cmp).map((metric) => {
    const row: Record<string, unknown> = { point: r.point };
    spec.parameters.forEach((p, i) => { row[p.name] = r.values[i]; });
    Object.assign(row, { replication: r.replication, seed: r.seed, metric, value: r.metrics[metric], fingerprint: r.fingerprint });
    return row as Row;
  });
}

/** Sorts rows by point, replication, metric name (in place) and returns them. */
export function sortRows(rows: Row[]): Row[] {
  return rows.sort((a, b) => a.point - b.point || a.replication - b.replication || cmp(a.metric, b.metric));
}

/** The CSV text of sorted rows: a header, then one line per row; objects as JSON, null as empty. */
export function rowsCsv(spec: StudySpec, rows: readonly Row[]): string {
  const columns = ['point', ...spec.parameters.map((p) => p.name), 'replication', 'seed', 'metric', 'value', 'fingerprint'];
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return stringify(rows.map((r) => columns.map((c) => cell(r[c]))), { header: true, columns, record_delimiter: 'unix' });
}

/** The summary of a study from its rows. */
export function summaryOf(spec: StudySpec, rows: readonly Row[], ran: number, skipped: number): StudySummary {
  const grid = gridPoints(spec.parameters);
  const byPoint = new Map<number, Map<string, number[]>>();
  for (const r of rows) {
    let m = byPoint.get(r.point);
    if (!m) byPoint.set(r.point, (m = new Map()));
    let xs = m.get(r.metric);
    if (!xs) m.set(r.metric, (xs = []));
    if (typeof r.value === 'number') xs.push(r.value);
  }
  const names = spec.metrics.map((m) => m.name);
  return {
    study: spec.name,
    runs: { total: grid.length * spec.replications, ran, skipped },
    points: grid.map((idx, k) => {
      const parameters: Record<string, unknown> = {};
      spec.parameters.forEach((p, i) => { parameters[p.name] = p.values[idx[i]!]; });
      const metrics: Record<string, MetricSummary> = {};
      for (const n of names) metrics[n] = summarise(byPoint.get(k)?.get(n) ?? []);
      return { parameters, metrics };
    }),
  };
}

/** The default output folder of a study: `study-results/<name>/`. */
export function defaultOutDir(spec: StudySpec): string {
  return join('study-results', spec.name);
}

/** An output folder being written. */
export class ResultsDir {
  private constructor(readonly dir: string, readonly spec: StudySpec, readonly manifest: Manifest) {}

  /**
   * Opens `dir` for `spec`: creates it, or checks its provenance.
   * @param fresh drop whatever results are there first.
   * @throws UsageError (rule `provenance`) when the folder holds results of another study, scenario, vpnsim or Node version and `fresh` is false.
   */
  static open(dir: string, spec: StudySpec, fresh: boolean): ResultsDir {
    mkdirSync(dir, { recursive: true });
    const mpath = join(dir, 'manifest.json');
    const now = manifestOf(spec);
    if (fresh) for (const f of ['manifest.json', 'runs.jsonl', 'runs.csv', 'summary.json']) rmSync(join(dir, f), { force: true });
    if (existsSync(mpath)) {
      const old = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
      const diff = (['vpnsim', 'studyHash', 'scenarioHash', 'node'] as const).filter((k) => old[k] !== now[k]);
      if (diff.length) {
        throw new UsageError(
          `results folder "${dir}": holds results of a different ${diff.map((k) => `${k} (${JSON.stringify(old[k])}, now ${JSON.stringify(now[k])})`).join(', ')} (provenance). Rerun with --fresh to replace them, or pick another --out`,
          'provenance',
        );
      }
      return new ResultsDir(dir, spec, old);
    }
    writeFileSync(mpath, `${JSON.stringify(now, null, 2)}\n`);
    return new ResultsDir(dir, spec, now);
  }

  /** Rows already in the folder for complete runs of this study (every metric present), keyed `point/replication`. */
  existing(): Map<string, Row[]> {
    const path = join(this.dir, 'runs.jsonl');
    const out = new Map<string, Row[]>();
    if (!existsSync(path)) return out;
    const metrics = new Set(this.spec.metrics.map((m) => m.name));
    const points = gridPoints(this.spec.parameters).length;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line) continue;
      let row: Row;
      try {
        row = JSON.parse(line) as Row;
      } catch {
        continue; // a line cut short by an interruption
      }
      if (!(row.point < points && row.replication < this.spec.replications && metrics.has(row.metric))) continue;
      const key = `${row.point}/${row.replication}`;
      const rows = out.get(key) ?? [];
      if (!rows.some((r) => r.metric === row.metric)) rows.push(row);
      out.set(key, rows);
    }
    for (const [k, rows] of out) if (rows.length !== metrics.size) out.delete(k);
    return out;
  }

  /** Appends the rows of one finished run (unsorted, for resuming). */
  append(rows: readonly Row[]): void {
    appendFileSync(join(this.dir, 'runs.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /** Writes the final sorted `runs.jsonl`, `runs.csv` and `summary.json`. */
  finish(rows: Row[], summary: StudySummary): void {
    sortRows(rows);
    writeFileSync(join(this.dir, 'runs.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    writeFileSync(join(this.dir, 'runs.csv'), rowsCsv(this.spec, rows));
    writeFileSync(join(this.dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
}
