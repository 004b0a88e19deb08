import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ScenarioValidationError, ValidationError } from '../../../src/errors.js';
import { Rng, type RandomStream } from '../../../src/sim/kernel/rng.js';
import { parseScenario, validateScenario } from '../../../src/sim/net/validate.js';
import { base, small } from './validate-helpers.js';

/*
 * Random mutations of valid scenarios: whatever the input, validation ends in
 * success or a ValidationError, never a TypeError or a RangeError.
 */

type Node = Record<string, unknown> | unknown[];

const NAMES = ['VNet1', 'VNet2', 'VNet3', 'GW1', 'GW2', 'Site1', 'VNet1toSite1', 'Win1', 'Mac1', 'vm1', 'onprem1', 'GatewaySubnet', 'bulk', 'V1', 'G1'];
const STRINGS = ['', ' ', 'x', 'abc123', 'a b', 'IPsec', 'Vnet2Vnet', 'ExpressRoute', 'PolicyBased', 'RouteBased', 'Basic', 'VpnGw5', 'VpnGw4AZ', 'UltraPerformance', 'SSTP', 'IkeV2', 'Windows', 'Generation2', 'udp', '__proto__', 'constructor', 'toString'];
const CIDRS = ['10.1.0.0/16', '10.1.0.0/8', '10.1.255.0/30', '10.1.255.0/29', '172.16.0.0/24', '0.0.0.0/0', '10.1.0.4/32', '010.1.0.0/16', '10.1.0.1/16', '192.168.1.0/24', '10.2.0.0/16', '255.255.255.255/32'];
const ADDRS = ['10.1.0.4', '10.1.255.30', '192.168.1.254', '0x0a.1.0.4', '256.1.1.1', '10.1.255.4', '203.0.113.10'];
const NUMBERS = [0, -1, 1, 0.5, 10, 100, 101, 128, 129, 65515, 65010, 8075, 4294967295, 4294967296, 1e308, -0, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER];

function pick<T>(rng: RandomStream, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)]!;
}

function randomValue(rng: RandomStream, depth = 0): unknown {
  switch (rng.int(0, 9)) {
    case 0: return null;
    case 1: return pick(rng, NUMBERS);
    case 2: return pick(rng, STRINGS);
    case 3: return pick(rng, NAMES);
    case 4: return pick(rng, CIDRS);
    case 5: return pick(rng, ADDRS);
    case 6: return rng.bernoulli(0.5);
    case 7: return depth > 1 ? [] : [randomValue(rng, depth + 1), randomValue(rng, depth + 1)];
    case 8: return depth > 1 ? {} : { name: pick(rng, NAMES), [pick(rng, ['vnet', 'gateway', 'at', 'action', 'x'])]: randomValue(rng, depth + 1) };
    default: return undefined;
  }
}

/** Every container in the tree with the key of one of its children. */
function slots(root: unknown): [Node, string | number][] {
  const out: [Node, string | number][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); walk(x); });
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([v as Node, k]); walk(x); }
  };
  walk(root);
  return out;
}

function mutate(rng: RandomStream, s: Record<string, unknown>): void {
  const all = slots(s);
  if (all.length === 0) return;
  const [node, key] = pick(rng, all);
  const cur = (node as Record<string | number, unknown>)[key];
  const set = (v: unknown): void => { (node as Record<string | number, unknown>)[key] = v; };
  switch (rng.int(0, 7)) {
    case 0: // delete the field (or the array entry)
      if (Array.isArray(node)) node.splice(key as number, 1);
      else delete (node as Record<string, unknown>)[key as string];
      break;
    case 1: // swap the type
      set(randomValue(rng));
      break;
    case 2: // change a number
      set(typeof cur === 'number' ? pick(rng, [cur + 1, cur - 1, cur * 1000, -cur, cur / 3, 0]) : pick(rng, NUMBERS));
      break;
    case 3: // change a string: a typo, another name, or a CIDR
      if (typeof cur === 'string') set(pick(rng, [`${cur}x`, cur.slice(1), cur.toLowerCase(), cur.toUpperCase(), pick(rng, NAMES), pick(rng, CIDRS), pick(rng, ADDRS)]));
      else set(pick(rng, NAMES));
      break;
    case 4: // duplicate an array entry
      if (Array.isArray(node)) node.push(structuredClone(cur));
      else if (Array.isArray(cur) && cur.length > 0) cur.push(structuredClone(cur[0]));
      break;
    case 5: // add an unknown or known-but-misplaced field
      if (cur && typeof cur === 'object' && !Array.isArray(cur)) (cur as Record<string, unknown>)[pick(rng, ['sharedKey', 'vnet', 'enableBgp', 'bogus', 'connectAt', 'at', 'action'])] = randomValue(rng);
      else set(randomValue(rng));
      break;
    case 6: // swap two entries of an array
      if (Array.isArray(node) && node.length > 1) {
        const j = rng.int(0, node.length - 1);
        [node[key as number], node[j]] = [node[j], node[key as number]];
      }
      break;
    default: // change a CIDR's length or an octet
      if (typeof cur === 'string' && cur.includes('/')) set(cur.replace(/\/\d+$/, `/${rng.int(0, 33)}`));
      else if (typeof cur === 'string' && /^\d+\.\d+/.test(cur)) set(cur.replace(/^\d+/, String(rng.int(0, 300))));
      else set(pick(rng, CIDRS));
  }
}

test('thousands of mutated scenarios give success or ValidationError only', () => {
  const rng = new Rng(20240601).stream('fuzz');
  const makers = [base, small];
  let valid = 0;
  let invalid = 0;
  const rulesSeen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const s = pick(rng, makers)();
    const n = rng.int(1, 4);
    for (let k = 0; k < n; k++) mutate(rng, s);
    let result;
    try {
      result = validateScenario(s);
    } catch (err) {
      assert.unreachable(`case ${i}: validateScenario threw ${String(err)}\n${JSON.stringify(s).slice(0, 400)}`);
      return;
    }
    for (const e of result.errors) {
      assert.instance(e, ValidationError);
      assert.type(e.path, 'string');
      assert.type(e.rule, 'string');
      assert.type(e.fix, 'string');
      rulesSeen.add(e.rule);
    }
    if (i % 4 !== 0) {
      if (result.errors.length === 0) valid++;
      else invalid++;
      continue;
    }
    try {
      parseScenario(s);
      assert.is(result.errors.length, 0, `case ${i}: parseScenario accepted a scenario with errors`);
      valid++;
    } catch (err) {
      if (!(err instanceof ScenarioValidationError)) assert.unreachable(`case ${i}: parseScenario threw ${String(err)}`);
      invalid++;
    }
  }
  // The mutations reach both outcomes and many rules.
  assert.ok(valid > 50, `valid ${valid}`);
  assert.ok(invalid > 1000, `invalid ${invalid}`);
  assert.ok(rulesSeen.size >= 10, [...rulesSeen].join());
});

test.run();
