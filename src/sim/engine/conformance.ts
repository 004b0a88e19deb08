/**
 * The headline check: the documented P2S routing tables (seed 000, as
 * transcribed in `scenarios/documented/p2s-routing.json`) against what the
 * simulation produces, cell by cell. Each topology's scenario is simulated —
 * routes built, client routes installed, requests and replies delivered —
 * and never looked up.
 *
 * A cell is `match`, `anomaly` (a documented error of the article, listed
 * with what the model gives instead, and the simulation gives exactly that)
 * or `mismatch`.
 */
import type { Scenario } from '../net/scenario.js';
import { Simulation } from './simulation.js';
import { evaluateReach, type ReachReport } from './reach.js';

/** The documented file's shape (only what the check reads). */
export interface DocumentedTables {
  topologies: {
    id: string;
    title: string;
    windows: DocumentedCells;
    nonWindows: DocumentedCells;
  }[];
  anomalies: { topology: string; client: 'windows' | 'nonWindows'; cell: keyof DocumentedCells; documented: string[]; modelExpects: string[]; note: string }[];
}

/** The three cells of one client kind in one documented topology. */
export interface DocumentedCells {
  routes: string[];
  access: string[];
  manualRoutes: string[];
  redownload?: boolean;
}

/** Outcome of one cell: equal, a listed anomaly reproduced exactly, or a difference. */
export type CellStatus = 'match' | 'anomaly' | 'mismatch';

/** One compared cell. */
export interface ConformanceCell {
  readonly topology: string;
  readonly client: 'windows' | 'nonWindows';
  readonly cell: 'routes' | 'access' | 'manualRoutes';
  readonly documented: string[];
  readonly simulated: string[];
  readonly status: CellStatus;
  /** For anomalies: the note; for mismatches: the explanations of the differing networks. */
  readonly note?: string;
}

/** The cells a reach report gives for one client kind. */
export function cellsOf(report: ReachReport, windows: boolean): { routes: string[]; access: string[]; manualRoutes: string[] } {
  const row = report.clients.find((c) => (c.os === 'Windows') === windows);
  if (!row) return { routes: [], access: [], manualRoutes: [] };
  const names = Object.keys(row.access);
  return {
    routes: row.routes,
    access: names.filter((n) => row.access[n] !== 'no'),
    manualRoutes: names.filter((n) => row.access[n] === 'manual'),
  };
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sorted = (a: string[]) => [...a].sort();

/**
 * Compares every cell of one topology.
 * @param scenario the topology as a scenario, with one Windows and one non-Windows client.
 */
export function checkTopology(doc: DocumentedTables, id: string, scenario: Scenario): { cells: ConformanceCell[]; report: ReachReport } {
  const topo = doc.topologies.find((t) => t.id === id);
  if (!topo) throw new Error(`documented tables have no topology "${id}"`);
  const report = evaluateReach(new Simulation(scenario));
  const cells: ConformanceCell[] = [];
  for (const client of ['windows', 'nonWindows'] as const) {
    const sim = cellsOf(report, client === 'windows');
    const row = report.clients.find((c) => (c.os === 'Windows') === (client === 'windows'));
    for (const cell of ['routes', 'access', 'manualRoutes'] as const) {
      const documented = topo[client][cell];
      const simulated = sim[cell];
      const eq = cell === 'routes' ? same(documented, simulated) : same(sorted(documented), sorted(simulated));
      if (eq) { cells.push({ topology: id, client, cell, documented, simulated, status: 'match' }); continue; }
      const anomaly = doc.anomalies.find((a) => a.topology === id && a.client === client && a.cell === cell);
      if (anomaly && same(anomaly.documented, documented) && same(anomaly.modelExpects, simulated)) {
        cells.push({ topology: id, client, cell, documented, simulated, status: 'anomaly', note: anomaly.note });
        continue;
      }
      const diff = [...new Set([...documented, ...simulated])].filter((n) => documented.includes(n) !== simulated.includes(n));
      const note = diff.map((n) => (row?.explanations[n] ? `${n}: ${row.explanations[n]}` : n)).join(' | ');
      cells.push({ topology: id, client, cell, documented, simulated, status: 'mismatch', note });
    }
  }
  return { cells, report };
}
