/**
 * Structural mutations of the shipped scenarios, for the fuzzer. Input `i` of
 * seed `S` is a pure function of (S, i): the same pair always gives the same
 * input, so a crash is reproduced from its two numbers alone.
 *
 * Mutations: deletions, duplications, retypes, swapped references, extreme
 * numbers, long and unicode strings, `__proto__` / `constructor` keys, huge
 * arrays, deep nesting, out-of-order timelines; and, for the JavaScript API,
 * throwing getters, Proxies, null-prototype objects and Symbol keys.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Rng, type RandomStream } from '../../src/sim/kernel/rng.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Text of every shipped JSON and YAML scenario, parsed, in path order. */
export function shippedScenarios(): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(json|ya?ml)$/.test(f)) {
        try {
          const text = readFileSync(p, 'utf8');
          out.push({ path: p.slice(ROOT.length), value: f.endsWith('.json') ? JSON.parse(text) : parseYaml(text) });
        } catch {
          // A fixture that does not parse on purpose.
        }
      }
    }
  };
  walk(join(ROOT, 'scenarios'));
  walk(join(ROOT, 'test/fixtures/scenarios'));
  return out.filter((s) => s.value !== null && typeof s.value === 'object' && 'vnets' in (s.value as object));
}

type Node = Record<string, unknown> | unknown[];

const EXTREME_NUMBERS = [0, -0, -1, 1e-300, 5e-324, 1e308, -1e308, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, 9007199254.740993, 9007199255, 1e15, 1e12, 4294967296, Number.MAX_SAFE_INTEGER, 0.1, 1e-7, 0.0000001, 3.5, 1e9, 86400 * 365 * 300];
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'name', 'at', 'action', 'vnet', 'gateway', 'sku', 'location', 'every', 'until', 'latencyMs', 'bandwidthMbps'];
const ODD_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'internet', '', ' ', 'a'.repeat(5000), '\u0000', '\ud83d\ude00', 'e\u0301', '\u202e', 'GatewaySubnet', 'vnet:x', 'gw:x', 'site:x', 'Infinity', 'NaN', '1', 'null'];
const ACTIONS = ['addPeering', 'removePeering', 'addConnection', 'removeConnection', 'downloadClientPackage', 'addClientRoute', 'ping', 'fail', 'restore', 'setPath', 'resetBgp', 'resizeGateway', 'connectClient', 'disconnectClient', 'startFlow', 'createGateway', 'deleteGateway', 'nope', 'Fail', 'PING'];
const SKUS = ['Basic', 'Standard', 'HighPerformance', 'VpnGw1', 'VpnGw5', 'VpnGw1AZ', 'VpnGw5AZ', 'vpngw1', 'VpnGw6', 'UltraPerformance', 'ErGw1AZ'];

/** A deep copy, or the value itself when it is too deep to copy. */
function clone<T>(v: T): T {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

function pick<T>(rng: RandomStream, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)]!;
}

/** Every (container, key) slot of a tree, plus the names it defines. */
function survey(root: unknown): { slots: [Node, string | number][]; names: string[]; arrays: unknown[][] } {
  const slots: [Node, string | number][] = [];
  const names: string[] = [];
  const arrays: unknown[][] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 40) return;
    seen.add(v);
    if (Array.isArray(v)) {
      arrays.push(v);
      if (v.length > 200) return;
      v.forEach((x, i) => { slots.push([v, i]); walk(x, depth + 1); });
      return;
    }
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      slots.push([v as Node, k]);
      if (k === 'name' && typeof x === 'string') names.push(x);
      walk(x, depth + 1);
    }
  };
  walk(root, 0);
  return { slots, names, arrays };
}

function randomValue(rng: RandomStream, names: readonly string[], depth = 0): unknown {
  switch (rng.int(0, 11)) {
    case 0: return null;
    case 1: return pick(rng, EXTREME_NUMBERS);
    case 2: return pick(rng, ODD_NAMES);
    case 3: return names.length ? pick(rng, names) : 'x';
    case 4: return pick(rng, ['10.1.0.0/16', '0.0.0.0/0', '10.0.0.0/8', '10.1.255.0/29', '255.255.255.255/32', '10.1.0.0/31', '172.16.0.0/12']);
    case 5: return pick(rng, ['10.1.0.4', '0.0.0.0', '255.255.255.255', '203.0.113.1', '10.1.255.30']);
    case 6: return rng.bernoulli(0.5);
    case 7: return depth > 2 ? [] : Array.from({ length: rng.int(0, 3) }, () => randomValue(rng, names, depth + 1));
    case 8: return depth > 2 ? {} : { name: names.length ? pick(rng, names) : 'x', [pick(rng, KEYS)]: randomValue(rng, names, depth + 1) };
    case 9: return pick(rng, SKUS);
    case 10: return pick(rng, ACTIONS);
    default: return undefined;
  }
}

/** Nests a value `n` levels deep in arrays or objects. */
function nest(rng: RandomStream, v: unknown, n: number): unknown {
  let out = v;
  for (let i = 0; i < n; i++) out = rng.bernoulli(0.5) ? [out] : { name: 'deep', x: out };
  return out;
}

/** Applies one structural mutation to `root` in place (the root itself may be replaced: the result is returned). */
export function mutateOnce(rng: RandomStream, root: Record<string, unknown>): Record<string, unknown> {
  const { slots, names, arrays } = survey(root);
  if (slots.length === 0) return root;
  const [node, key] = pick(rng, slots);
  const cur = (node as Record<string | number, unknown>)[key];
  const set = (v: unknown): void => { (node as Record<string | number, unknown>)[key] = v; };
  // Inputs stay under a size budget: once large, no mutation makes them larger (a fuzzer that
  // exhausts its own memory finds nothing). Huge arrays repeat one shared entry.
  const big = slots.length > 5_000 || arrays.some((a) => a.length > 1_000);
  let kind = rng.int(0, 15);
  if (big && (kind === 1 || kind === 7 || kind === 8 || kind === 14)) kind = 2;
  switch (kind) {
    case 0: // delete
      if (Array.isArray(node)) node.splice(key as number, 1);
      else delete (node as Record<string, unknown>)[key as string];
      break;
    case 1: // duplicate an array entry (or the container's first entry)
      if (Array.isArray(node)) node.splice(key as number, 0, clone(cur));
      else if (Array.isArray(cur) && cur.length > 0) cur.push(clone(cur[0]));
      break;
    case 2: // retype
      set(randomValue(rng, names));
      break;
    case 3: // swap references: a name for another defined name
      if (typeof cur === 'string' && names.length) set(pick(rng, names));
      else set(names.length ? pick(rng, names) : 'x');
      break;
    case 4: // extreme number
      set(typeof cur === 'number' ? pick(rng, [cur * 1e300, cur + 2 ** 53, -cur, cur / 1e300, cur * 1e6, pick(rng, EXTREME_NUMBERS)]) : pick(rng, EXTREME_NUMBERS));
      break;
    case 5: // long and unicode strings
      if (typeof cur === 'string') set(pick(rng, [cur.repeat(rng.int(2, 2000)), `${cur}\u0301`, `${cur}\ud83d\ude00`, cur.toUpperCase(), cur.toLowerCase(), `${cur} `, cur.normalize('NFD'), `\u202e${cur}`]));
      else set(pick(rng, ODD_NAMES));
      break;
    case 6: { // __proto__ / constructor keys, as own properties (as JSON.parse makes them)
      if (cur && typeof cur === 'object' && !Array.isArray(cur)) {
        const k = pick(rng, ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf']);
        Object.defineProperty(cur, k, { value: randomValue(rng, names), enumerable: true, writable: true, configurable: true });
      } else if (typeof cur === 'string') {
        // Rename a defined name everywhere it is used.
        const to = pick(rng, ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']);
        renameEverywhere(root, cur, to);
      }
      break;
    }
    case 7: // huge array
      if (Array.isArray(cur) && cur.length > 0) {
        const n = pick(rng, [100, 1000, 5000]);
        const tpl = cur[0];
        for (let i = 0; i < n; i++) cur.push(tpl);
      } else if (arrays.length) {
        const a = pick(rng, arrays);
        if (a.length > 0 && a.length < 100) for (let i = 0; i < 500; i++) a.push(a[0]);
      }
      break;
    case 8: // deep nesting
      set(nest(rng, cur, pick(rng, [10, 70, 1000, 3000])));
      break;
    case 9: { // out-of-order timeline
      const tl = root.timeline;
      if (Array.isArray(tl) && tl.length > 1) {
        for (let i = tl.length - 1; i > 0; i--) {
          const j = rng.int(0, i);
          [tl[i], tl[j]] = [tl[j], tl[i]];
        }
      } else if (Array.isArray(tl) && tl.length === 1) {
        tl.push({ ...(tl[0] as object), at: 0 });
      }
      break;
    }
    case 10: { // a timeline entry with another action, or at an extreme time
      const tl = root.timeline;
      if (Array.isArray(tl) && tl.length > 0) {
        const e = pick(rng, tl) as Record<string, unknown> | null;
        if (e && typeof e === 'object') {
          if (rng.bernoulli(0.5)) e.action = pick(rng, ACTIONS);
          else e.at = pick(rng, EXTREME_NUMBERS);
        }
      } else {
        root.timeline = [{ at: pick(rng, EXTREME_NUMBERS), action: pick(rng, ACTIONS), target: names.length ? pick(rng, names) : 'x' }];
      }
      break;
    }
    case 11: { // a timeline entry naming something of another kind
      const tl = (root.timeline ??= []) as unknown[];
      if (Array.isArray(tl) && names.length) {
        const action = pick(rng, ['fail', 'restore', 'resetBgp', 'deleteGateway', 'resizeGateway', 'connectClient', 'ping', 'removeConnection', 'disconnectClient', 'downloadClientPackage']);
        const n = pick(rng, names);
        tl.push({ at: rng.int(0, 600), action, target: n, connection: n, gateway: n, client: n, from: n, to: pick(rng, names), sku: pick(rng, SKUS), every: pick(rng, [1, 0.5, 1e-7, 1e-300]) });
        // Keep only the fields the action takes, usually, so that the entry passes the schema.
        if (rng.bernoulli(0.8)) {
          const e = tl[tl.length - 1] as Record<string, unknown>;
          const keep: Record<string, string[]> = {
            fail: ['target'], restore: ['target'], resetBgp: ['connection'], deleteGateway: ['gateway'], resizeGateway: ['gateway', 'sku'],
            connectClient: ['client'], disconnectClient: ['client'], downloadClientPackage: ['client'], ping: ['from', 'to', 'every'], removeConnection: ['connection'],
          };
          for (const k of Object.keys(e)) if (k !== 'at' && k !== 'action' && !keep[action]!.includes(k)) delete e[k];
        }
      }
      break;
    }
    case 12: { // underlay extremes
      const u = (root.underlay ??= { paths: [] }) as Record<string, unknown>;
      if (u && typeof u === 'object') {
        const field = pick(rng, ['latencyMs', 'bandwidthMbps', 'lossPercent']);
        const v = pick(rng, [1e308, 1e-300, 5e-324, 0, 1e9, 100, 99.999]);
        if (rng.bernoulli(0.5)) u.defaults = { ...(typeof u.defaults === 'object' && u.defaults ? u.defaults : {}), [field]: v };
        else {
          const locs = ['internet', ...names, 'valueOf', '__proto__'];
          const paths = Array.isArray(u.paths) ? u.paths : (u.paths = []);
          (paths as unknown[]).push({ from: pick(rng, locs), to: pick(rng, locs), [field]: v });
        }
      }
      break;
    }
    case 13: // rename a location to a name that collides with Object.prototype
      renameLocations(rng, root);
      break;
    case 14: // clients beyond the pool
      if (Array.isArray(root.clients) && root.clients.length > 0) {
        const c = root.clients[0];
        for (let i = 0; i < pick(rng, [10, 300, 1000]); i++) root.clients.push({ ...(c as object), name: `fz${i}` });
      }
      break;
    default: // change a CIDR's length
      if (typeof cur === 'string' && cur.includes('/')) set(cur.replace(/\/\d+$/, `/${rng.int(0, 32)}`));
      else set(randomValue(rng, names));
  }
  return root;
}

function renameEverywhere(root: unknown, from: string, to: string): void {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((x, i) => { if (x === from) v[i] = to; else walk(x); });
      return;
    }
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === from) (v as Record<string, unknown>)[k] = to;
      else walk(x);
    }
  };
  walk(root);
}

function renameLocations(rng: RandomStream, root: Record<string, unknown>): void {
  const to = pick(rng, ['valueOf', 'toString', '__proto__', 'constructor', 'hasOwnProperty']);
  const locs = new Set<string>();
  for (const list of ['vnets', 'localNetworkGateways', 'clients']) {
    const a = root[list];
    if (Array.isArray(a)) for (const x of a) if (x && typeof x === 'object' && typeof (x as Record<string, unknown>).location === 'string') locs.add((x as Record<string, string>).location!);
  }
  if (locs.size === 0) return;
  const from = pick(rng, [...locs]);
  const fix = (o: unknown, k: string): void => {
    if (o && typeof o === 'object' && (o as Record<string, unknown>)[k] === from) (o as Record<string, unknown>)[k] = to;
  };
  for (const list of ['vnets', 'localNetworkGateways', 'clients']) {
    const a = root[list];
    if (Array.isArray(a)) for (const x of a) fix(x, 'location');
  }
  const u = root.underlay as Record<string, unknown> | undefined;
  if (u && Array.isArray(u.paths)) for (const p of u.paths) { fix(p, 'from'); fix(p, 'to'); }
}

/** Wraps a value the way JavaScript callers can: throwing getters, Proxies, null prototypes, Symbol keys. */
export function jsWrap(rng: RandomStream, root: Record<string, unknown>): unknown {
  const { slots } = survey(root);
  const objects = slots.map(([n, k]) => (n as Record<string | number, unknown>)[k]).filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object');
  const target = objects.length && rng.bernoulli(0.8) ? pick(rng, objects) : root;
  switch (rng.int(0, 5)) {
    case 0: {
      const k = pick(rng, Object.keys(target).length ? Object.keys(target) : ['name']);
      Object.defineProperty(target, k, { get() { throw new TypeError('getter says no'); }, enumerable: true, configurable: true });
      return root;
    }
    case 1: {
      const p = new Proxy(target, { get(t, k, r) { if (rng.bernoulli(0.3)) throw new RangeError('proxy says no'); return Reflect.get(t, k, r); } });
      if (target === root) return p;
      replaceIn(root, target, p);
      return root;
    }
    case 2: {
      const n = Object.assign(Object.create(null) as Record<string, unknown>, target);
      if (target === root) return n;
      replaceIn(root, target, n);
      return root;
    }
    case 3:
      (target as Record<symbol, unknown>)[Symbol('x')] = 1;
      if (rng.bernoulli(0.5)) (target as Record<string, unknown>).name = Symbol('name');
      return root;
    case 4: {
      const k = pick(rng, Object.keys(target).length ? Object.keys(target) : ['name']);
      (target as Record<string, unknown>)[k] = pick(rng, [() => 1, new Date(0), new Map(), 10n, Object.create({ inherited: 1 }), new (class Foo { name = 'x'; })()]);
      return root;
    }
    default: {
      // A cycle.
      (target as Record<string, unknown>).self = root;
      return root;
    }
  }
}

function replaceIn(root: unknown, from: unknown, to: unknown): void {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === from) (v as Record<string, unknown>)[k] = to;
      else walk(x);
    }
  };
  walk(root);
}

/** Whether input `i` of a run is a JavaScript-API input (not JSON data). */
export function isJsInput(seed: number, i: number): boolean {
  return new Rng(seed).stream(`fuzz/${i}/kind`).bernoulli(0.1);
}

/**
 * Input `i` of seed `seed`: a shipped scenario with 1-6 mutations; one in ten
 * also wrapped for the JavaScript API.
 */
export function fuzzInput(seeds: readonly { value: unknown }[], seed: number, i: number): unknown {
  const rng = new Rng(seed).stream(`fuzz/${i}`);
  let s = structuredClone(pick(rng, seeds).value) as Record<string, unknown>;
  const n = rng.int(1, 6);
  for (let k = 0; k < n; k++) s = mutateOnce(rng, s);
  return isJsInput(seed, i) ? jsWrap(rng, s) : s;
}
