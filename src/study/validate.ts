/**
 * Study validation: every field, every pointer (it must resolve in the base
 * scenario before anything runs), every variate, every metric's references,
 * and every point of the grid as a scenario (a variate is tried at its bounds,
 * its mean, or each choice). Every error found is reported, not just the
 * first, each with its path (`$.parameters[1].path`), rule and fix.
 */
import { createHash } from 'node:crypto';
import { readFile, access } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { NotFoundError, ScenarioValidationError, UsageError, ValidationError } from '../errors.js';
import { readScenarioFile } from '../sim/net/load.js';
import { validateScenario } from '../sim/net/validate.js';
import type { Scenario } from '../sim/net/scenario.js';
import { METRIC_KINDS, type FunctionMetric, type MetricDef, type ParameterDef, type ReportKind, type StudyDef, type Variate } from './format.js';
import { parsePointer, resolvePointer, setPointer } from './pointer.js';
import { isVariate, representativeValues } from './variates.js';

/** A study broke one or more rules; `errors` lists each with its path, rule and fix. Nothing ran. */
export class StudyValidationError extends ValidationError {
  override name = 'StudyValidationError';
  readonly errors: readonly ValidationError[];
  constructor(study: string, errors: readonly ValidationError[]) {
    const first = errors[0]!;
    super({
      path: first.path,
      rule: first.rule,
      message: `study "${study}" has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.message).join('; ')}`,
      fix: 'Fix each error listed in `errors`',
    });
    this.errors = errors;
  }
}

/** A metric as it travels to a worker: declarative, or a reference to a function of the study module. */
export type MetricSpec = Exclude<MetricDef, FunctionMetric> | { name: string; uses: ReportKind[]; function: true };

/**
 * A validated study, ready to run: plain JSON (it is sent to worker threads
 * and through the queue as is). Function metrics are looked up by name in
 * `module` by whoever runs them.
 */
export interface StudySpec {
  readonly name: string;
  readonly seed: number | string;
  readonly replications: number;
  readonly until: number | undefined;
  /** The base scenario, validated. */
  readonly scenario: Scenario;
  readonly parameters: readonly ParameterDef[];
  readonly metrics: readonly MetricSpec[];
  /** File URL of the study module that defines the function metrics, if any. */
  readonly module: string | undefined;
  /** SHA-256 of the study without `replications` (so replications can be added later), function metrics by source text. */
  readonly studyHash: string;
  /** SHA-256 of the base scenario. */
  readonly scenarioHash: string;
}

/** Reserved result columns: no parameter may take these names. */
const RESERVED = ['point', 'replication', 'seed', 'metric', 'value', 'fingerprint'];
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** JSON with object keys sorted, for hashing. */
export function canonicalJson(v: unknown): string {
  if (typeof v === 'function') return JSON.stringify(String(v));
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** SHA-256 of {@link canonicalJson}, hex. */
export function hashOf(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const q = (v: unknown) => JSON.stringify(v);

/** Options of {@link compileStudy}. */
export interface CompileOptions {
  /** Folder a relative `scenario` path is read from; default the working folder. */
  baseDir?: string;
  /** File URL of the module the study came from (needed for function metrics on workers). */
  module?: string;
  /** Label for messages; default the study's name. */
  source?: string;
}

/**
 * Validates a study and resolves its scenario.
 * @throws StudyValidationError with every error found (paths like `$.metrics[0].outage.from`);
 *   ScenarioValidationError when the base scenario itself is invalid; NotFoundError when its file cannot be read.
 */
export async function compileStudy(value: unknown, options: CompileOptions = {}): Promise<StudySpec> {
  const errors: ValidationError[] = [];
  const err = (path: string, rule: string, message: string, fix: string) => errors.push(new ValidationError({ path, rule, message, fix }));
  const label = options.source ?? (isRecord(value) && typeof value.name === 'string' ? value.name : 'study');
  if (!isRecord(value)) {
    throw new StudyValidationError(label, [new ValidationError({ path: '$', rule: 'study.schema', message: `a study must be an object, not ${q(value)}`, fix: 'Write `name`, `scenario`, `replications` and `metrics`' })]);
  }
  const known = ['name', 'scenario', 'seed', 'replications', 'until', 'parameters', 'metrics', 'description', '$schema'];
  for (const k of Object.keys(value)) if (!known.includes(k)) err(`$.${k}`, 'study.schema', `unknown field "${k}"`, `Remove it; a study has ${known.slice(0, 8).join(', ')}`);
  const name = value.name;
  if (typeof name !== 'string' || !NAME.test(name)) err('$.name', 'study.schema', `name ${q(name)} is not a name`, 'Use letters, digits, "_", "." and "-", starting with a letter (it names the results folder)');
  const seed = value.seed ?? 1;
  if (!((typeof seed === 'number' && Number.isFinite(seed)) || (typeof seed === 'string' && seed.length > 0))) err('$.seed', 'study.schema', `seed ${q(seed)} is not a number or a non-empty string`, 'Use an integer such as 1');
  const reps = value.replications;
  if (!(typeof reps === 'number' && Number.isInteger(reps) && reps >= 1)) err('$.replications', 'study.schema', `replications ${q(reps)} is not a whole number of 1 or more`, 'Use, for example, 20');
  const until = value.until;
  if (until !== undefined && !(typeof until === 'number' && Number.isFinite(until) && until >= 0)) err('$.until', 'study.schema', `until ${q(until)} is not a number of seconds`, 'Use 0 or more, or leave it out for the scenario\'s horizon');

  // The scenario: a file relative to the study, or inline.
  let scenario: Scenario;
  const sv = value.scenario;
  if (typeof sv === 'string') {
    const file = resolve(options.baseDir ?? '.', sv);
    const raw = await readScenarioFile(file);
    const r = validateScenario(raw);
    if (r.errors.length) throw new ScenarioValidationError(file, r.errors);
    scenario = structuredClone(raw) as Scenario;
  } else if (isRecord(sv)) {
    const r = validateScenario(sv);
    if (r.errors.length) throw new ScenarioValidationError(`${label} (inline scenario)`, r.errors);
    scenario = structuredClone(sv) as unknown as Scenario;
  } else {
    err('$.scenario', 'study.schema', `scenario ${q(sv)} is neither a path nor a scenario object`, 'Give a path relative to the study file, such as `tunnel-drop.json`, or an inline scenario');
    throw new StudyValidationError(label, errors);
  }
  delete (scenario as { $schema?: string }).$schema;

  // Parameters.
  const parameters: ParameterDef[] = [];
  const pv = value.parameters ?? [];
  if (!Array.isArray(pv)) err('$.parameters', 'study.schema', 'parameters is not a list', 'Write a list of `{ name, path, values }`');
  else {
    const names = new Set<string>();
    pv.forEach((p, i) => {
      const at = `$.parameters[${i}]`;
      if (!isRecord(p)) return err(at, 'study.schema', `parameter ${q(p)} is not an object`, 'Write `{ name, path, values }`');
      for (const k of Object.keys(p)) if (!['name', 'path', 'values'].includes(k)) err(`${at}.${k}`, 'study.schema', `unknown field "${k}"`, 'A parameter has name, path and values');
      let ok = true;
      if (typeof p.name !== 'string' || !NAME.test(p.name)) { ok = false; err(`${at}.name`, 'study.schema', `parameter name ${q(p.name)} is not a name`, 'Use letters, digits, "_", "." and "-", starting with a letter'); }
      else if (RESERVED.includes(p.name)) { ok = false; err(`${at}.name`, 'study.reserved', `parameter name "${p.name}" is a result column`, `Pick another name; ${RESERVED.join(', ')} are taken`); }
      else if (names.has(p.name)) { ok = false; err(`${at}.name`, 'study.duplicate', `parameter "${p.name}" is defined twice`, 'Give each parameter its own name'); }
      else names.add(p.name);
      const tokens = typeof p.path === 'string' ? parsePointer(p.path) : undefined;
      if (!tokens || tokens.length === 0) { ok = false; err(`${at}.path`, 'study.pointer', `path ${q(p.path)} is not a JSON Pointer to a value`, 'Write an RFC 6901 pointer such as `/underlay/paths/0/lossPercent`'); }
      else {
        const r = resolvePointer(scenario, tokens);
        if (!r.found) { ok = false; err(`${at}.path`, 'study.pointer', `path "${p.path}" resolves to nothing in scenario "${scenario.name}": after "${r.resolved || '/'}", ${r.reason}`, 'Point at a value that exists in the scenario (add it there with its default first)'); }
      }
      if (!Array.isArray(p.values) || p.values.length === 0) { ok = false; err(`${at}.values`, 'study.schema', 'values is not a non-empty list', 'List at least one value, such as `[0, 2]`'); }
      else p.values.forEach((v, j) => { if (!checkVariate(v, `${at}.values[${j}]`, err)) ok = false; });
      if (ok) parameters.push({ name: p.name as string, path: p.path as string, values: p.values as unknown[] });
    });
  }

  // Metrics.
  const metrics: MetricSpec[] = [];
  const mv = value.metrics;
  if (!Array.isArray(mv) || mv.length === 0) err('$.metrics', 'study.schema', 'metrics is not a non-empty list', 'List at least one metric, such as `{ name: down, tunnelDowntime: { connection: VNet1toSite1 } }`');
  else {
    const names = new Set<string>();
    mv.forEach((m, i) => {
      const at = `$.metrics[${i}]`;
      if (!isRecord(m)) return err(at, 'study.schema', `metric ${q(m)} is not an object`, 'Write `{ name, <kind>: {...} }`');
      if (typeof m.name !== 'string' || !NAME.test(m.name)) return err(`${at}.name`, 'study.schema', `metric name ${q(m.name)} is not a name`, 'Use letters, digits, "_", "." and "-", starting with a letter');
      if (names.has(m.name)) return err(`${at}.name`, 'study.duplicate', `metric "${m.name}" is defined twice`, 'Give each metric its own name');
      names.add(m.name);
      const spec = checkMetric(m, at, scenario, options.module !== undefined, err);
      if (spec) metrics.push(spec);
    });
  }
  if (errors.length) throw new StudyValidationError(label, errors);

  // Every point of the grid, with each variate at its representative values, is a valid scenario.
  for (const [k, values] of gridPoints(parameters).entries()) {
    const trials = trialValues(parameters, values);
    for (const trial of trials) {
      const variant = applyParameters(scenario, parameters, trial);
      const r = validateScenario(variant);
      for (const e of r.errors) {
        const desc = parameters.map((p, i) => `${p.name}=${q(trial[i])}`).join(', ');
        err(`$.parameters (point ${k})`, e.rule, `point ${k} (${desc}) makes an invalid scenario: ${e.message}`, `Change the values: ${e.fix}`);
      }
      if (errors.length >= 20) break;
    }
    if (errors.length >= 20) break;
  }
  if (errors.length) throw new StudyValidationError(label, errors);

  const base = { ...value, replications: undefined, scenario };
  return {
    name: name as string,
    seed: seed as number | string,
    replications: reps as number,
    until: until as number | undefined,
    scenario,
    parameters,
    metrics,
    module: options.module,
    studyHash: hashOf(base),
    scenarioHash: hashOf(scenario),
  };
}

function checkVariate(v: unknown, at: string, err: (p: string, r: string, m: string, f: string) => void): boolean {
  if (!isRecord(v)) return true;
  const keys = Object.keys(v);
  const kinds = ['uniform', 'exponential', 'normal', 'choice'];
  if (!keys.some((k) => kinds.includes(k))) return true; // a plain object value
  if (!isVariate(v)) { err(at, 'study.variate', `variate ${q(v)} must have exactly one of ${kinds.join(', ')}`, 'Write e.g. `{ uniform: [95, 105] }`'); return false; }
  const x = v as Variate;
  const num = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  if ('uniform' in x && !(Array.isArray(x.uniform) && x.uniform.length === 2 && num(x.uniform[0]) && num(x.uniform[1]) && x.uniform[0] <= x.uniform[1])) {
    err(`${at}.uniform`, 'study.variate', `uniform ${q(x.uniform)} is not [low, high] with low <= high`, 'Write e.g. `{ uniform: [95, 105] }`'); return false;
  }
  if ('exponential' in x && !(num(x.exponential) && x.exponential > 0)) { err(`${at}.exponential`, 'study.variate', `exponential mean ${q(x.exponential)} is not a positive number`, 'Write e.g. `{ exponential: 30 }`'); return false; }
  if ('normal' in x && !(Array.isArray(x.normal) && x.normal.length === 2 && num(x.normal[0]) && num(x.normal[1]) && x.normal[1] >= 0)) {
    err(`${at}.normal`, 'study.variate', `normal ${q(x.normal)} is not [mean, sd] with sd >= 0`, 'Write e.g. `{ normal: [100, 5] }`'); return false;
  }
  if ('choice' in x && !(Array.isArray(x.choice) && x.choice.length > 0)) { err(`${at}.choice`, 'study.variate', `choice ${q(x.choice)} is not a non-empty list`, 'Write e.g. `{ choice: [VpnGw1, VpnGw3] }`'); return false; }
  return true;
}

/** Which reports a metric needs. */
export function usesOf(m: MetricSpec): ReportKind[] {
  if ('function' in m) return m.uses;
  if ('goodput' in m || 'gatewayGoodput' in m || 'jainIndex' in m) return ['throughput'];
  if ('reachableCells' in m) return ['reach'];
  return ['replay'];
}

function checkMetric(m: Record<string, unknown>, at: string, sc: Scenario, inModule: boolean, err: (p: string, r: string, m: string, f: string) => void): MetricSpec | undefined {
  const name = m.name as string;
  if (typeof m.value === 'function') {
    if (!inModule) { err(`${at}.value`, 'study.metric', `metric "${name}" is a function outside a study module`, 'Define the study in a TypeScript module (`export const study = defineStudy({...})`) or use a declarative metric'); return undefined; }
    const uses = m.uses ?? ['replay'];
    if (!Array.isArray(uses) || uses.length === 0 || !uses.every((u) => u === 'replay' || u === 'throughput' || u === 'reach')) {
      err(`${at}.uses`, 'study.metric', `uses ${q(uses)} is not a list of replay, throughput, reach`, 'Write e.g. `uses: [\'replay\']`'); return undefined;
    }
    return { name, uses: [...new Set(uses as ReportKind[])], function: true };
  }
  const kinds = Object.keys(m).filter((k) => k !== 'name');
  const kind = kinds[0];
  if (kinds.length !== 1 || !(METRIC_KINDS as readonly string[]).includes(kind!)) {
    err(at, 'study.metric', `metric "${name}" must have exactly one kind, has ${q(kinds)}`, `Use one of ${METRIC_KINDS.join(', ')}`); return undefined;
  }
  const a = m[kind!];
  const p = `${at}.${kind}`;
  if (!isRecord(a)) { err(p, 'study.metric', `${kind} ${q(a)} is not an object`, kind === 'jainIndex' ? 'Write `jainIndex: {}`' : `Write e.g. \`${kind}: { ... }\``); return undefined; }
  const names = {
    connection: new Set([...(sc.connections ?? []).map((c) => c.name), ...(sc.timeline ?? []).filter((e) => e.action === 'addConnection').map((e) => (e as { name: string }).name)]),
    flow: new Set([...(sc.flows ?? []).map((f) => f.name), ...(sc.timeline ?? []).filter((e) => e.action === 'startFlow').map((e) => (e as { name: string }).name)]),
    gateway: new Set([...(sc.gateways ?? []).map((g) => g.name), ...(sc.timeline ?? []).filter((e) => e.action === 'createGateway').map((e) => (e as { name: string }).name)]),
    client: new Set((sc.clients ?? []).map((c) => c.name)),
  };
  let ok = true;
  const allowed = (keys: string[]) => {
    for (const k of Object.keys(a)) if (!keys.includes(k)) { ok = false; err(`${p}.${k}`, 'study.metric', `unknown field "${k}" of ${kind}`, keys.length ? `${kind} takes ${keys.join(', ')}` : `${kind} takes no fields`); }
  };
  const ref = (field: 'connection' | 'flow' | 'gateway' | 'client', required: boolean) => {
    const v = a[field];
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || !names[field].has(v)) {
      ok = false;
      const list = [...names[field]];
      err(`${p}.${field}`, 'ref', `${field} ${q(v)} is not in scenario "${sc.name}"`, list.length ? `Use one of ${list.map((x) => `"${x}"`).join(', ')}` : `Add a ${field} to the scenario`);
    }
  };
  const delayAt = () => {
    const v = a.at;
    if (v === undefined) return;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return;
    const tokens = typeof v === 'string' ? parsePointer(v) : undefined;
    const r = tokens && tokens.length ? resolvePointer(sc, tokens) : undefined;
    if (!r || !r.found || typeof r.value !== 'number') {
      ok = false;
      err(`${p}.at`, 'study.pointer', `at ${q(v)} is neither seconds nor a JSON Pointer to a number in scenario "${sc.name}"`, 'Give seconds, or a pointer such as `/timeline/2/at`');
    }
  };
  switch (kind as (typeof METRIC_KINDS)[number]) {
    case 'outage': {
      allowed(['from', 'to']);
      const pinged = (sc.timeline ?? []).some((e) => e.action === 'ping' && e.from === a.from && e.to === a.to);
      if (!pinged) { ok = false; err(p, 'study.metric', `no ping from ${q(a.from)} to ${q(a.to)} in scenario "${sc.name}"`, 'Add a `ping` timeline entry for that pair, or name a pinged pair'); }
      break;
    }
    case 'tunnelDowntime': allowed(['connection']); ref('connection', true); break;
    case 'goodput': allowed(['flow']); ref('flow', true); break;
    case 'gatewayGoodput': allowed(['gateway']); ref('gateway', true); break;
    case 'jainIndex': allowed([]); break;
    case 'tunnelDetectionDelay': case 'tunnelRecoveryDelay': allowed(['connection', 'at']); ref('connection', false); delayAt(); break;
    case 'bgpDetectionDelay': case 'bgpRecoveryDelay':
      allowed(['session', 'at']);
      if (a.session !== undefined && typeof a.session !== 'string') { ok = false; err(`${p}.session`, 'study.metric', `session ${q(a.session)} is not a name`, 'Give the BGP session name as `vpnsim run` prints it, or leave it out'); }
      delayAt();
      break;
    case 'reachableCells':
      allowed(['at']);
      if (a.at !== undefined && !(typeof a.at === 'number' && Number.isFinite(a.at) && a.at >= 0)) { ok = false; err(`${p}.at`, 'study.metric', `at ${q(a.at)} is not seconds`, 'Give 0 or more seconds, or leave it out (evaluated once settled)'); }
      break;
    case 'sessionSetupTime':
      allowed(['connection', 'client']);
      if ((a.connection === undefined) === (a.client === undefined)) { ok = false; err(p, 'study.metric', 'sessionSetupTime needs exactly one of connection, client', 'Write `{ connection: NAME }` or `{ client: NAME }`'); }
      else ref(a.connection !== undefined ? 'connection' : 'client', true);
      break;
  }
  return ok ? (structuredClone(m) as MetricSpec) : undefined;
}

/** The grid: every combination of parameter values, the first parameter varying slowest. Indices into each parameter's values. */
export function gridPoints(parameters: readonly ParameterDef[]): number[][] {
  let out: number[][] = [[]];
  for (const p of parameters) out = out.flatMap((prefix) => p.values.map((_, j) => [...prefix, j]));
  return out;
}

function trialValues(parameters: readonly ParameterDef[], point: number[]): unknown[][] {
  let out: unknown[][] = [[]];
  parameters.forEach((p, i) => {
    const v = p.values[point[i]!];
    const options = isVariate(v) ? representativeValues(v) : [v];
    out = out.flatMap((prefix) => options.map((o) => [...prefix, o]));
  });
  return out.slice(0, 64);
}

/** A copy of the scenario with each parameter's pointer set to its value. */
export function applyParameters(scenario: Scenario, parameters: readonly ParameterDef[], values: readonly unknown[]): Scenario {
  const copy = structuredClone(scenario);
  parameters.forEach((p, i) => {
    if (!setPointer(copy, parsePointer(p.path)!, structuredClone(values[i]))) {
      throw new UsageError(`parameter "${p.name}": path "${p.path}" resolves to nothing`, 'study.pointer');
    }
  });
  return copy;
}

const STUDY_JSON = ['.json'];
const STUDY_YAML = ['.yaml', '.yml'];
const STUDY_MODULE = ['.ts', '.mts', '.js', '.mjs'];

/**
 * Reads a study file (JSON, YAML, or a module exporting `study`, or a default export) and validates it.
 * @throws NotFoundError when the file cannot be read; UsageError for an unknown extension;
 *   StudyValidationError (rule `syntax` or `module` when it does not parse or load) as {@link compileStudy}.
 */
export async function loadStudy(path: string): Promise<StudySpec> {
  const abs = resolve(path);
  const ext = extname(abs).toLowerCase();
  const exts = [...STUDY_JSON, ...STUDY_YAML, ...STUDY_MODULE];
  if (!exts.includes(ext)) throw new UsageError(`study file "${path}": unknown extension "${ext}". Use one of ${exts.join(', ')}`, 'format');
  try {
    await access(abs);
  } catch (e) {
    throw new NotFoundError(`study file "${path}": cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}). Check the path`);
  }
  const fail = (rule: string, message: string, fix: string) => new StudyValidationError(path, [new ValidationError({ path, rule, message, fix })]);
  let value: unknown;
  let module: string | undefined;
  if (STUDY_MODULE.includes(ext)) {
    module = pathToFileURL(abs).href;
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(module);
    } catch (e) {
      throw fail('module', `module does not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 'Fix the module, or run under a TypeScript loader (tsx) for .ts files');
    }
    value = 'study' in mod ? mod.study : mod.default;
    if (value === undefined) throw fail('module', 'module exports no study', 'Export it as `export const study = defineStudy({...})`');
  } else {
    const text = await readFile(abs, 'utf8');
    try {
      value = STUDY_JSON.includes(ext) ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
      throw fail('syntax', `${STUDY_JSON.includes(ext) ? 'JSON' : 'YAML'} does not parse: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 'Correct the syntax');
    }
  }
  return compileStudy(value, { baseDir: dirname(abs), module, source: path });
}

/**
 * Imports a study module. Worker threads do not inherit tsx's ESM hooks, so a
 * `.ts` module that Node refuses is loaded through tsx's API when tsx is installed.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    let api: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
    try {
      api = (await import('tsx/esm/api')) as typeof api;
    } catch {
      throw err;
    }
    return (await api.tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

/** Function metrics of a study module, by name. @throws UsageError when the module has none of that name. */
export async function functionMetrics(moduleUrl: string): Promise<Map<string, FunctionMetric>> {
  const mod = await importModule(moduleUrl);
  const study = ('study' in mod ? mod.study : mod.default) as StudyDef | undefined;
  const out = new Map<string, FunctionMetric>();
  for (const m of study?.metrics ?? []) if (typeof (m as FunctionMetric).value === 'function') out.set(m.name, m as FunctionMetric);
  return out;
}
