/**
 * Rule `input`: what a JavaScript caller hands to validation is copied into
 * plain data before any rule reads it, or refused. Accepted: plain objects
 * (prototype Object.prototype or null), arrays, strings, numbers, booleans,
 * null and undefined. Refused, without running any of their code: Proxies,
 * accessors (getters and setters), Symbol keys, functions, BigInts, Symbols,
 * class instances, cycles, and nesting deeper than {@link MAX_DEPTH}.
 *
 * The copy keeps an own key named `__proto__` as an own data property (as
 * JSON.parse does), so no key can reach a prototype. O(size of the input).
 */
import { types } from 'node:util';
import { ValidationError } from '../../../errors.js';

/** Deepest nesting accepted (a scenario needs about 6 levels). */
export const MAX_DEPTH = 64;

/** The copy, or why the input cannot be read as data (JSON path of the first offending value). */
export type Snapshot = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ValidationError };

const FIX = 'Pass plain data: objects and arrays of strings, numbers, booleans and null, as JSON.parse makes them';

function keyPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

class Refusal {
  constructor(readonly path: string, readonly what: string) {}
}

/** Copies `value` into plain data, or says where and why it cannot. Never throws, never calls user code. */
export function snapshot(value: unknown): Snapshot {
  const onPath = new Set<object>();
  const copy = (v: unknown, path: string, depth: number): unknown => {
    switch (typeof v) {
      case 'string': case 'number': case 'boolean': case 'undefined':
        return v;
      case 'bigint': throw new Refusal(path, 'is a BigInt');
      case 'symbol': throw new Refusal(path, 'is a Symbol');
      case 'function': throw new Refusal(path, 'is a function');
      default: break;
    }
    if (v === null) return null;
    const o = v as object;
    if (types.isProxy(o)) throw new Refusal(path, 'is a Proxy');
    if (depth > MAX_DEPTH) throw new Refusal(path, `is nested deeper than ${MAX_DEPTH} levels`);
    if (onPath.has(o)) throw new Refusal(path, 'refers back to itself (a cycle)');
    const isArray = Array.isArray(o);
    const proto = Object.getPrototypeOf(o) as unknown;
    if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) {
      const ctor = proto && typeof proto === 'object' ? Object.getOwnPropertyDescriptor(proto, 'constructor')?.value : undefined;
      throw new Refusal(path, `is not a plain ${isArray ? 'array' : 'object'}${typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name ? ` (a ${ctor.name})` : ''}`);
    }
    if (Object.getOwnPropertySymbols(o).length > 0) throw new Refusal(path, 'has a Symbol key');
    onPath.add(o);
    const descriptors = Object.getOwnPropertyDescriptors(o) as Record<string, PropertyDescriptor>;
    let out: unknown;
    if (isArray) {
      const arr = o as unknown[];
      const len = arr.length;
      const res: unknown[] = new Array(len);
      for (let i = 0; i < len; i++) {
        const d = descriptors[i];
        if (d === undefined) { res[i] = undefined; continue; }
        if (!('value' in d)) throw new Refusal(keyPath(path, i), 'is a getter or setter');
        res[i] = copy(d.value, keyPath(path, i), depth + 1);
      }
      for (const k of Object.keys(descriptors)) {
        if (k !== 'length' && !/^(0|[1-9]\d*)$/.test(k)) throw new Refusal(keyPath(path, k), 'is a named property on an array');
      }
      out = res;
    } else {
      const res: Record<string, unknown> = {};
      for (const k of Object.keys(descriptors)) {
        const d = descriptors[k]!;
        if (!d.enumerable) continue;
        if (!('value' in d)) throw new Refusal(keyPath(path, k), 'is a getter or setter');
        const x = copy(d.value, keyPath(path, k), depth + 1);
        Object.defineProperty(res, k, { value: x, enumerable: true, writable: true, configurable: true });
      }
      out = res;
    }
    onPath.delete(o);
    return out;
  };
  try {
    return { ok: true, value: copy(value, '$', 0) };
  } catch (err) {
    if (err instanceof Refusal) {
      return { ok: false, error: new ValidationError({ path: err.path, rule: 'input', message: `the value ${err.what}`, fix: FIX }) };
    }
    if (err instanceof RangeError) {
      return { ok: false, error: new ValidationError({ path: '$', rule: 'input', message: 'the value is too large or too deep to read', fix: FIX }) };
    }
    throw err;
  }
}
