/**
 * The scenarios shipped with the package, by name: `scenarioPath('replays/gateway-reboot')`
 * works from a checkout and from an installed package alike.
 */
import { relative, sep } from 'node:path';
import { scenariosDir, shippedScenarioFiles } from './sim/engine/catalogue.js';
import { NotFoundError } from './errors.js';
import { suggest } from './sim/net/rules/report.js';

/** Names of the shipped scenarios (`folder/name`, no extension), sorted: what {@link scenarioPath} accepts. */
export function shippedScenarioNames(): string[] {
  const dir = scenariosDir();
  return shippedScenarioFiles(dir).map((f) => relative(dir, f).split(sep).join('/').replace(/\.[^./]+$/, ''));
}

/**
 * The absolute path of a shipped scenario file, for {@link loadScenario}.
 * @param name `folder/name` with or without its extension, e.g. `replays/tunnel-drop-restore`
 *   or `seeds/001-site-to-site.json`; a bare file name works when it is unique.
 * @throws NotFoundError naming the closest shipped scenarios when none matches.
 */
export function scenarioPath(name: string): string {
  const dir = scenariosDir();
  const files = shippedScenarioFiles(dir);
  const rel = (f: string) => relative(dir, f).split(sep).join('/');
  const bare = (f: string) => rel(f).replace(/\.[^./]+$/, '');
  const exact = files.find((f) => rel(f) === name || bare(f) === name);
  if (exact) return exact;
  const byFile = files.filter((f) => bare(f).split('/').pop() === name || rel(f).split('/').pop() === name);
  if (byFile.length === 1) return byFile[0]!;
  if (byFile.length > 1) throw new NotFoundError(`scenario "${name}": names ${byFile.length} shipped files. Add the folder: ${byFile.map(bare).join(', ')}`);
  throw new NotFoundError(`scenario "${name}": not a shipped scenario. ${suggest(name, files.map(bare), 'scenario', 'Known:')}`);
}
