/**
 * R9: address spaces of connected VNets and sites (joined by connections and
 * peerings, transitively: a union-find over networks) must not overlap.
 */
import { overlaps, type Prefix } from '../prefix.js';
import { P, type Config, type Ctx } from './model.js';

/** A VNet or site as an address plan. */
export interface Net {
  readonly key: string;
  readonly label: string;
  readonly path: string;
  readonly prefixes: Prefix[];
}

/** Every VNet and site of the configuration, VNets first. */
export function networks(cfg: Config): Net[] {
  const nets: Net[] = [];
  for (const v of cfg.vnets.values()) nets.push({ key: `vnet:${v.def.name}`, label: `VNet "${v.def.name}"`, path: `${v.path}.addressPrefixes`, prefixes: v.def.addressPrefixes.map(P) });
  for (const l of cfg.lngs.values()) nets.push({ key: `lng:${l.def.name}`, label: `site "${l.def.name}"`, path: `${l.path}.addressPrefixes`, prefixes: l.def.addressPrefixes.map(P) });
  return nets;
}

/** Checks that no two connected networks overlap. */
export function checkAddressOverlap(ctx: Ctx, cfg: Config, list: readonly Net[]): void {
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

  const all = [...nets.values()];
  for (let i = 0; i < all.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = all[i]!;
      const b = all[j]!;
      if (find(a.key) !== find(b.key)) continue;
      const clash = findOverlap(a.prefixes, b.prefixes);
      if (clash) {
        r.error(a.path, 'R9', `${a.label}: "${clash[0].cidr}" overlaps "${clash[1].cidr}" of ${b.label}, and the two are connected`, 'Give connected VNets and sites address spaces that do not overlap');
      }
    }
  }
}

function findOverlap(a: readonly Prefix[], b: readonly Prefix[]): [Prefix, Prefix] | undefined {
  for (const x of a) for (const y of b) if (overlaps(x, y)) return [x, y];
  return undefined;
}
