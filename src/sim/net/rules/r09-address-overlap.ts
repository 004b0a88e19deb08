/**
 * R9: address spaces of connected VNets and sites (joined by connections and
 * peerings, transitively: a union-find over networks) must not overlap.
 * O(n log n): one prefix sweep per connected group (prefix-sweep.ts).
 */
import type { Prefix } from '../prefix.js';
import { P, type Config, type Ctx } from './model.js';
import { overlapSweep, type Tagged } from './prefix-sweep.js';

/** A VNet or site as an address plan. */
export interface Net {
  readonly key: string;
  readonly label: string;
  readonly path: string;
  readonly prefixes: Prefix[];
}

const netCache = new WeakMap<Config['vnets'], { lngs: Config['lngs']; nets: Net[] }>();

/** Every VNet and site of the configuration, VNets first (cached: the timeline changes neither). */
export function networks(cfg: Config): Net[] {
  const hit = netCache.get(cfg.vnets);
  if (hit && hit.lngs === cfg.lngs) return hit.nets;
  const nets: Net[] = [];
  netCache.set(cfg.vnets, { lngs: cfg.lngs, nets });
  for (const v of cfg.vnets.values()) nets.push({ key: `vnet:${v.def.name}`, label: `VNet "${v.def.name}"`, path: `${v.path}.addressPrefixes`, prefixes: v.def.addressPrefixes.map(P) });
  for (const l of cfg.lngs.values()) nets.push({ key: `lng:${l.def.name}`, label: `site "${l.def.name}"`, path: `${l.path}.addressPrefixes`, prefixes: l.def.addressPrefixes.map(P) });
  return nets;
}

/**
 * Checks that no two connected networks overlap; with `only`, just the
 * groups that hold those networks (a timeline entry joined them).
 */
export function checkAddressOverlap(ctx: Ctx, cfg: Config, list: readonly Net[], only?: readonly string[]): void {
  const r = ctx.report;
  const nets = new Map<string, Net>();
  for (const n of list) nets.set(n.key, n);

  // Union-find over networks joined by connections and peerings.
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let x = k;
    while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
    parent.set(k, x);
    return x;
  };
  const join = (a: string | undefined, b: string | undefined): void => {
    if (!a || !b || !nets.has(a) || !nets.has(b)) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const vnetOfGateway = (g: string | undefined): string | undefined => {
    const gw = g === undefined ? undefined : cfg.gateways.get(g);
    return gw ? `vnet:${gw.def.vnet}` : undefined;
  };
  for (const { def: c } of cfg.connections.values()) {
    const here = vnetOfGateway(c.gateway);
    if (c.connectionType === 'Vnet2Vnet') join(here, vnetOfGateway(c.peerGateway));
    else if (c.localNetworkGateway !== undefined) join(here, `lng:${c.localNetworkGateway}`);
  }
  for (const { def: p } of cfg.peerings) join(`vnet:${p.vnet}`, `vnet:${p.remoteVnet}`);

  // One sweep per connected group (O(n log n) in all): prefixes of different networks must not overlap.
  const groups = new Map<string, Tagged<number>[]>();
  list.forEach((n, i) => {
    const root = find(n.key);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    for (const prefix of n.prefixes) g.push({ prefix, tag: i, order: g.length });
  });
  const wanted = only === undefined ? undefined : new Set(only.filter((k) => nets.has(k)).map(find));
  for (const [root, g] of groups) {
    if (wanted && !wanted.has(root)) continue;
    overlapSweep(g, String, (a, b) => a !== b, (x, m) => {
      const [later, earlier] = x.tag > m.tag ? [x, m] : [m, x];
      const a = list[later.tag]!;
      const b = list[earlier.tag]!;
      r.error(a.path, 'R9', `${a.label}: "${later.prefix.cidr}" overlaps "${earlier.prefix.cidr}" of ${b.label}, and the two are connected`, 'Give connected VNets and sites address spaces that do not overlap');
    });
  }
}
