/**
 * Reading scenario files: JSON, YAML, or a TypeScript/JavaScript module that
 * exports the scenario (named export `scenario`, or a default export, both
 * usually built with `defineScenario()`). Reading and validating are
 * separate steps so that tools can show warnings too (`vpnsim validate`).
 */
import { access, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { NotFoundError, ScenarioValidationError, UsageError, ValidationError } from '../../errors.js';
import type { Scenario } from './scenario.js';
import { duplicateKeys } from './json-duplicate-keys.js';
import { parseScenario } from './validate.js';

const JSON_EXT = ['.json'];
const YAML_EXT = ['.yaml', '.yml'];
const MODULE_EXT = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const TS_EXT = ['.ts', '.mts', '.cts'];

let tsLoader: Promise<void> | undefined;

/**
 * Makes `.ts` scenario modules importable from plain Node (the installed
 * CLI): the first time one is read outside a TypeScript loader, tsx's ESM
 * hooks are registered through its API (`tsx/esm/api`). Under tsx already
 * (npm scripts, tests) nothing is registered twice.
 */
function ensureTypeScriptLoader(): Promise<void> {
  tsLoader ??= (async () => {
    if (process.execArgv.some((a) => a.includes('tsx')) || (process.env.NODE_OPTIONS ?? '').includes('tsx') || import.meta.url.endsWith('.ts')) return;
    const { register } = await import('tsx/esm/api');
    register();
  })();
  return tsLoader;
}

/** File extensions {@link readScenarioFile} understands. */
export const SCENARIO_EXTENSIONS: readonly string[] = [...JSON_EXT, ...YAML_EXT, ...MODULE_EXT];

function syntaxError(path: string, what: string, err: unknown): ScenarioValidationError {
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new ScenarioValidationError(path, [
    new ValidationError({ path, rule: 'syntax', message: `${what} does not parse: ${detail}`, fix: `Correct the ${what} syntax` }),
  ]);
}

/**
 * Reads a scenario file without validating it. A `.ts`/`.mjs`/`.js` scenario is
 * code: reading it imports it, which runs it with the caller's rights.
 * TypeScript modules load through tsx (a dependency), registered on first use
 * when no TypeScript loader is active.
 * @throws NotFoundError when the file cannot be read; UsageError for an unknown extension;
 *   ScenarioValidationError (rule `syntax`) when JSON or YAML does not parse or a JSON object holds a key twice, and (rule `module`)
 *   when a module fails to load or exports no scenario.
 */
export async function readScenarioFile(path: string): Promise<unknown> {
  const ext = extname(path).toLowerCase();
  if (!SCENARIO_EXTENSIONS.includes(ext)) {
    throw new UsageError(`scenario file "${path}": unknown extension "${ext}". Use one of ${SCENARIO_EXTENSIONS.join(', ')}`, 'format');
  }
  const abs = resolve(path);
  if (MODULE_EXT.includes(ext)) {
    let mod: Record<string, unknown>;
    try {
      await access(abs);
    } catch (err) {
      throw new NotFoundError(`scenario file "${path}": cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}). Check the path`);
    }
    try {
      if (TS_EXT.includes(ext)) await ensureTypeScriptLoader();
      mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
    } catch (err) {
      const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new ScenarioValidationError(path, [
        new ValidationError({ path, rule: 'module', message: `module does not load: ${detail}`, fix: 'Fix the module, or run under a TypeScript loader (tsx) for .ts files' }),
      ]);
    }
    const value = 'scenario' in mod ? mod.scenario : mod.default;
    if (value === undefined) {
      throw new ScenarioValidationError(path, [
        new ValidationError({ path, rule: 'module', message: 'module exports no scenario', fix: 'Export it as `export const scenario = defineScenario({...})`' }),
      ]);
    }
    return value;
  }
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new NotFoundError(`scenario file "${path}": cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}). Check the path`);
  }
  if (JSON_EXT.includes(ext)) {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch (err) {
      throw syntaxError(path, 'JSON', err);
    }
    const dups = duplicateKeys(text);
    if (dups.length > 0) {
      throw new ScenarioValidationError(path, dups.map((d) => new ValidationError({
        path: d.path, rule: 'syntax', message: `key ${JSON.stringify(d.key)} occurs twice in one object (JSON would keep only the last)`, fix: 'Keep one of the two; remove or rename the other',
      })));
    }
    return value;
  }
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw syntaxError(path, 'YAML', err);
  }
}

/**
 * Reads and validates a scenario file (JSON, YAML, or a TS/JS module exporting `scenario`).
 * @throws ScenarioValidationError with every error found; NotFoundError, UsageError as {@link readScenarioFile}.
 */
export async function loadScenario(path: string): Promise<Scenario> {
  return parseScenario(await readScenarioFile(path), path);
}
