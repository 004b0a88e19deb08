/**
 * The scenarios shipped in `scenarios/`, found on disk: every scenario file
 * below the folder, except `scenarios/documented/` (reference tables, not
 * scenarios). Sorted by path so runs are reproducible.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIO_EXTENSIONS } from '../net/load.js';

/** The `scenarios/` folder of the installed package. */
export function scenariosDir(): string {
  return fileURLToPath(new URL('../../../scenarios/', import.meta.url));
}

/** Paths of every shipped scenario file, sorted. */
export function shippedScenarioFiles(dir = scenariosDir()): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (relative(dir, p) !== 'documented') walk(p);
      } else if (SCENARIO_EXTENSIONS.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

/** The documented P2S tables shipped with the scenarios. */
export function documentedTablesPath(dir = scenariosDir()): string {
  return join(dir, 'documented', 'p2s-routing.json');
}
