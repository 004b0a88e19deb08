/**
 * R20: a P2S client pool overlaps no other gateway's pool and no VNet or site
 * prefix (so a client may hold several VNets at once).
 */
import type { Prefix } from '../prefix.js';
import { P, type Config, type Ctx } from './model.js';
import { overlapSweep, type Tagged } from './prefix-sweep.js';
import type { Net } from './r09-address-overlap.js';

/** Checks every client pool against the other pools and every network. */
export function checkClientPools(ctx: Ctx, cfg: Config, list: readonly Net[]): void {
  const r = ctx.report;
  const pools: { gw: string; path: string; prefix: Prefix }[] = [];
  for (const g of cfg.gateways.values()) {
    g.def.vpnClientConfiguration?.vpnClientAddressPool.forEach((c, i) => pools.push({ gw: g.def.name, path: `${g.path}.vpnClientConfiguration.vpnClientAddressPool[${i}]`, prefix: P(c) }));
  }
  // One sweep over every pool and every network prefix: a pool overlaps no other gateway's pool and no network.
  type T = { pool: number } | { net: number };
  const items: Tagged<T>[] = [];
  pools.forEach((p, i) => items.push({ prefix: p.prefix, tag: { pool: i }, order: items.length }));
  list.forEach((n, i) => { for (const prefix of n.prefixes) items.push({ prefix, tag: { net: i }, order: items.length }); });
  const classKey = (t: T): string => ('pool' in t ? `pool:${pools[t.pool]!.gw}` : 'net');
  const relevant = (a: T, b: T): boolean => ('pool' in a && 'pool' in b ? pools[a.pool]!.gw !== pools[b.pool]!.gw : 'pool' in a || 'pool' in b);
  overlapSweep(items, classKey, relevant, (x, m) => {
    if ('pool' in x.tag && 'pool' in m.tag) {
      const [p, q] = x.tag.pool > m.tag.pool ? [pools[x.tag.pool]!, pools[m.tag.pool]!] : [pools[m.tag.pool]!, pools[x.tag.pool]!];
      r.error(p.path, 'R20', `gateway "${p.gw}": client pool "${p.prefix.cidr}" overlaps the pool "${q.prefix.cidr}" of gateway "${q.gw}"`, 'Give every gateway a client pool of its own');
      return;
    }
    const [pt, nt] = 'pool' in x.tag ? [x, m] : [m, x];
    const p = pools[(pt.tag as { pool: number }).pool]!;
    const n = list[(nt.tag as { net: number }).net]!;
    r.error(p.path, 'R20', `gateway "${p.gw}": client pool "${p.prefix.cidr}" overlaps "${nt.prefix.cidr}" of ${n.label}`, 'Use a client pool outside every VNet and site prefix');
  });
}

/** Network prefixes indexed for overlap queries: exact prefixes by key, and all sorted by base. */
interface NetIndex {
  readonly exact: Map<string, { prefix: Prefix; net: number }>;
  readonly sorted: { prefix: Prefix; net: number }[];
}

const netIndexes = new WeakMap<readonly Net[], NetIndex>();

function netIndex(list: readonly Net[]): NetIndex {
  let ix = netIndexes.get(list);
  if (ix) return ix;
  const exact = new Map<string, { prefix: Prefix; net: number }>();
  const sorted: { prefix: Prefix; net: number }[] = [];
  list.forEach((n, i) => {
    for (const prefix of n.prefixes) {
      const k = `${prefix.base}/${prefix.length}`;
      if (!exact.has(k)) exact.set(k, { prefix, net: i });
      sorted.push({ prefix, net: i });
    }
  });
  sorted.sort((a, b) => a.prefix.base - b.prefix.base || a.prefix.length - b.prefix.length);
  netIndexes.set(list, (ix = { exact, sorted }));
  return ix;
}

/** A network prefix overlapping `p`, if any: an ancestor (33 exact lookups) or a descendant (binary search). O(log n). */
function netOverlapping(ix: NetIndex, p: Prefix): { prefix: Prefix; net: number } | undefined {
  for (let len = 0; len <= p.length; len++) {
    const base = len === 0 ? 0 : (p.base & (0xffffffff << (32 - len))) >>> 0;
    const hit = ix.exact.get(`${base}/${len}`);
    if (hit !== undefined) return hit;
  }
  const last = p.base + 2 ** (32 - p.length) - 1;
  let lo = 0, hi = ix.sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ix.sorted[mid]!.prefix.base < p.base) lo = mid + 1;
    else hi = mid;
  }
  const q = ix.sorted[lo];
  return q && q.prefix.base <= last ? q : undefined;
}

/**
 * R20 for the pools of some gateways only (a timeline entry created them):
 * against the networks through an index (O(log n) per pool) and against every
 * other gateway's pool.
 */
export function checkClientPoolsOf(ctx: Ctx, cfg: Config, list: readonly Net[], gateways: ReadonlySet<string>): void {
  const r = ctx.report;
  const ix = netIndex(list);
  const others: { gw: string; prefix: Prefix }[] = [];
  for (const g of cfg.gateways.values()) {
    for (const c of g.def.vpnClientConfiguration?.vpnClientAddressPool ?? []) others.push({ gw: g.def.name, prefix: P(c) });
  }
  for (const name of gateways) {
    const g = cfg.gateways.get(name);
    if (!g) continue;
    g.def.vpnClientConfiguration?.vpnClientAddressPool.forEach((c, i) => {
      const prefix = P(c);
      const path = `${g.path}.vpnClientConfiguration.vpnClientAddressPool[${i}]`;
      for (const q of others) {
        if (q.gw !== name && overlapsPrefix(prefix, q.prefix)) {
          r.error(path, 'R20', `gateway "${name}": client pool "${prefix.cidr}" overlaps the pool "${q.prefix.cidr}" of gateway "${q.gw}"`, 'Give every gateway a client pool of its own');
          break;
        }
      }
      const hit = netOverlapping(ix, prefix);
      if (hit) r.error(path, 'R20', `gateway "${name}": client pool "${prefix.cidr}" overlaps "${hit.prefix.cidr}" of ${list[hit.net]!.label}`, 'Use a client pool outside every VNet and site prefix');
    });
  }
}

function overlapsPrefix(a: Prefix, b: Prefix): boolean {
  const len = Math.min(a.length, b.length);
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((a.base & m) >>> 0) === ((b.base & m) >>> 0);
}
