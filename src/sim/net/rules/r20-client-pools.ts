/**
 * R20: a P2S client pool overlaps no other gateway's pool and no VNet or site
 * prefix (so a client may hold several VNets at once).
 */
import { overlaps, type Prefix } from '../prefix.js';
import { P, type Config, type Ctx } from './model.js';
import type { Net } from './r09-address-overlap.js';

/** Checks every client pool against the other pools and every network. */
export function checkClientPools(ctx: Ctx, cfg: Config, list: readonly Net[]): void {
  const r = ctx.report;
  const pools: { gw: string; path: string; prefix: Prefix }[] = [];
  for (const g of cfg.gateways.values()) {
    g.def.vpnClientConfiguration?.vpnClientAddressPool.forEach((c, i) => pools.push({ gw: g.def.name, path: `${g.path}.vpnClientConfiguration.vpnClientAddressPool[${i}]`, prefix: P(c) }));
  }
  for (let i = 0; i < pools.length; i++) {
    const p = pools[i]!;
    for (let j = 0; j < i; j++) {
      const q = pools[j]!;
      if (q.gw !== p.gw && overlaps(p.prefix, q.prefix)) {
        r.error(p.path, 'R20', `gateway "${p.gw}": client pool "${p.prefix.cidr}" overlaps the pool "${q.prefix.cidr}" of gateway "${q.gw}"`, 'Give every gateway a client pool of its own');
      }
    }
    for (const n of list) {
      const hit = n.prefixes.find((x) => overlaps(x, p.prefix));
      if (hit) r.error(p.path, 'R20', `gateway "${p.gw}": client pool "${p.prefix.cidr}" overlaps "${hit.cidr}" of ${n.label}`, 'Use a client pool outside every VNet and site prefix');
    }
  }
}
