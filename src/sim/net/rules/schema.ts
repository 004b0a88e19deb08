/**
 * Structure: the JSON Schema of scenario-schema.ts, checked by ajv. Each
 * schema error becomes one issue; the parts it breaks are left out of the
 * semantic rules (see {@link Broken}).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ValidationError } from '../../../errors.js';
import { isCanonicalAddress, isCanonicalCidr, parsePrefix } from '../prefix.js';
import { SCENARIO_SCHEMA } from '../scenario-schema.js';
import { show, suggest, type Report } from './report.js';

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictTuples: false, strictNumbers: true });
  ajv.addKeyword({ keyword: 'x-rule', schemaType: 'string' });
  ajv.addFormat('ipv4-cidr', { type: 'string', validate: (s: string) => isCanonicalCidr(s) });
  ajv.addFormat('ipv4-address', { type: 'string', validate: (s: string) => isCanonicalAddress(s) });
  compiled = ajv.compile(SCENARIO_SCHEMA);
  return compiled;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A JSON path (`$.vnets[0].name`) from pointer segments. */
export function segmentsToPath(segs: readonly (string | number)[]): string {
  let out = '$';
  for (const s of segs) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The top-level lists of a scenario. */
export const LISTS = ['vnets', 'gateways', 'localNetworkGateways', 'connections', 'peerings', 'clients', 'hosts', 'flows', 'timeline'] as const;
/** One top-level list of a scenario. */
export type ListKey = (typeof LISTS)[number];

/** Which parts of the input the schema rejected. */
export interface Broken {
  /** Lists that are not arrays at all. */
  readonly lists: Set<string>;
  /** `list/index` of rejected elements. */
  readonly items: Set<string>;
  /** Other top-level keys with errors (`underlay`, `seed`, ...). */
  readonly keys: Set<string>;
}

function schemaIssue(e: ErrorObject): { path: string; rule: string; message: string; fix: string } {
  const segs = pointerSegments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const rule = typeof parent['x-rule'] === 'string' ? parent['x-rule'] : 'schema';
  const base = segmentsToPath(segs);
  switch (e.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      return { path: segmentsToPath([...segs, field]), rule, message: `required field "${field}" is missing`, fix: `Add "${field}"` };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const props = parent.properties && typeof parent.properties === 'object' ? Object.keys(parent.properties) : [];
      return { path: segmentsToPath([...segs, field]), rule, message: `unknown field "${field}"`, fix: `Remove it or fix its spelling. ${suggest(field, props, 'field', 'Known fields:')}` };
    }
    case 'format': {
      const isCidr = params.format === 'ipv4-cidr';
      let fix = isCidr ? 'Write an address and a length 0-32 with no host bits set, such as 10.1.0.0/16' : 'Write four decimal octets without leading zeros, such as 10.1.0.4';
      if (isCidr && typeof e.data === 'string') {
        try {
          parsePrefix(e.data);
        } catch (err) {
          if (err instanceof ValidationError) fix = err.fix;
        }
      }
      return { path: base, rule: isCidr ? 'cidr' : 'address', message: `${show(e.data)} is not canonical ${isCidr ? 'IPv4 CIDR' : 'IPv4 address'}`, fix };
    }
    case 'pattern':
      if (rule === 'R4') return { path: base, rule, message: `shared key ${show(e.data)} is not 1-128 letters or digits`, fix: 'Use 1-128 letters or digits, such as abc123' };
      return { path: base, rule, message: `${show(e.data)} does not match ${String(params.pattern)}`, fix: 'Correct the value' };
    case 'enum':
    {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? suggest(e.data, allowed, 'value') : '';
      return { path: base, rule, message: `${show(e.data)} is not allowed`, fix: `${hint.startsWith('Did you mean') ? `${hint} ` : ''}Use one of ${allowed.map((v) => show(v)).join(', ')}` };
    }
    case 'type':
      return { path: base, rule, message: `${show(e.data)} is not of type ${show(params.type)}`, fix: `Write a value of type ${show(params.type)}` };
    default:
      return { path: base, rule, message: `${show(e.data)} ${e.message ?? 'is invalid'}`, fix: 'Correct the value to match the scenario schema' };
  }
}

/** Checks `value` against the scenario schema, reports every error, and returns what it broke. */
export function checkSchema(value: unknown, report: Report): Broken {
  const broken: Broken = { lists: new Set(), items: new Set(), keys: new Set() };
  const validate = schemaValidator();
  if (validate(value)) return broken;
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'if') continue; // the failing `then` branch reports the detail
    const issue = schemaIssue(e);
    report.error(issue.path, issue.rule, issue.message, issue.fix);
    const segs = pointerSegments(e.instancePath);
    const [top, index] = segs;
    if (top === undefined) {
      const field = e.keyword === 'required' ? String((e.params as Record<string, unknown>).missingProperty) : undefined;
      if (field) broken.keys.add(field);
      continue;
    }
    if ((LISTS as readonly string[]).includes(top)) {
      if (index === undefined) broken.lists.add(top);
      else broken.items.add(`${top}/${index}`);
    } else {
      broken.keys.add(top);
    }
  }
  return broken;
}
