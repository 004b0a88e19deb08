import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { loadScenario } from '../../sim/net/load.js';
import { checkTopology, type ConformanceCell, type DocumentedTables } from '../../sim/engine/conformance.js';
import { documentedTablesPath, scenariosDir, shippedScenarioFiles } from '../../sim/engine/catalogue.js';
import { runScenario } from '../../sim/engine/replay.js';
import { formatRunLine } from './run.js';
import { fail } from '../util.js';
import { runThroughput } from '../../sim/engine/flows.js';
import { firstStudySummary } from './study.js';

/** Renders the conformance cells as a table, one row per topology and client kind. */
export function formatConformance(cells: ConformanceCell[]): string {
  const rows = ['topology                  client      routes    access    manual', '-'.repeat(66)];
  const keys = [...new Set(cells.map((c) => `${c.topology}|${c.client}`))];
  for (const k of keys) {
    const [topology, client] = k.split('|') as [string, string];
    const of = (cell: string) => cells.find((c) => c.topology === topology && c.client === client && c.cell === cell)!.status;
    rows.push(`${topology.padEnd(26)}${client.padEnd(12)}${of('routes').padEnd(10)}${of('access').padEnd(10)}${of('manualRoutes')}`);
  }
  const count = (s: string) => cells.filter((c) => c.status === s).length;
  rows.push('-'.repeat(66), `${cells.length} cells: ${count('match')} match, ${count('anomaly')} anomaly, ${count('mismatch')} mismatch`);
  for (const c of cells.filter((x) => x.status !== 'match')) {
    rows.push(`  ${c.status} ${c.topology} ${c.client} ${c.cell}: documented [${c.documented.join(', ')}], simulated [${c.simulated.join(', ')}]`, `    ${c.note ?? ''}`);
  }
  return rows.join('\n');
}

/** `vpnsim start`: the conformance table, then a replay summary of every shipped scenario with a timeline. */
export function register(program: Command): void {
  program
    .command('start')
    .description('run every scenario in scenarios/ and print the conformance table and a summary of each')
    .action(async () => {
      try {
        const dir = scenariosDir();
        const doc: DocumentedTables = JSON.parse(readFileSync(documentedTablesPath(dir), 'utf8'));
        const cells: ConformanceCell[] = [];
        for (const t of doc.topologies) {
          const scenario = await loadScenario(`${dir}/p2s-routing/${t.id}.json`);
          cells.push(...checkTopology(doc, t.id, scenario).cells);
        }
        console.log('Documented P2S routing tables (source document 000, "About point-to-site VPN routing") against the simulation, cell by cell\n');
        console.log(formatConformance(cells));
        const shipped = [];
        for (const file of shippedScenarioFiles(dir)) shipped.push({ file, scenario: await loadScenario(file) });
        console.log('\nScenario replays (every shipped scenario with a timeline, each with its own RNG seed; seeds/NNN-* are built from source document NNN; details: vpnsim run <file>)');
        for (const { file, scenario } of shipped) {
          if (!scenario.timeline?.length) continue;
          console.log(`  ${relative(dir, file).padEnd(44)} ${formatRunLine(runScenario(scenario))}`);
        }
        console.log('\nThroughput (every shipped scenario with flows; details: vpnsim throughput <file>)');
        for (const { file, scenario } of shipped) {
          if (!scenario.flows?.length) continue;
          const r = runThroughput(scenario);
          const gws = r.gateways.map((g) => `${g.name} ${g.sku} ${g.goodputMbps.toFixed(1)}/${g.capacityMbps} Mbit/s`).join(', ');
          console.log(`  ${relative(dir, file).padEnd(44)} ${r.flows.length} flows, ${gws}; Jain ${r.jainIndex.toFixed(3)}`);
        }
        console.log(`\n${await firstStudySummary()}`);
        if (cells.some((c) => c.status === 'mismatch')) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });
}
