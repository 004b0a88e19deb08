/**
 * Hosts: exactly one of vnet and localNetworkGateway; the address lies in a
 * subnet of the VNet (not GatewaySubnet, R1; not an Azure-reserved address, a
 * warning) or in the site's prefixes; one host per address per network.
 */
import { contains, parseAddress } from '../prefix.js';
import { GATEWAY_SUBNET, P, resolve, type Config, type Ctx } from './model.js';

/** Checks every host. */
export function checkHosts(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const used = new Map<string, string>();
  for (const { def: h, path } of cfg.hosts.values()) {
    const who = `host "${h.name}"`;
    if ((h.vnet === undefined) === (h.localNetworkGateway === undefined)) {
      r.error(path, 'required', `${who}: set exactly one of vnet and localNetworkGateway`, 'Place the host in a VNet or in a site');
      continue;
    }
    const addr = parseAddress(h.address);
    let network: string;
    if (h.vnet !== undefined) {
      network = `vnet:${h.vnet}`;
      const v = resolve(ctx, cfg.vnets, 'vnet', h.vnet, `${path}.vnet`, who)?.def;
      if (v) {
        const subnet = v.subnets.find((s) => contains(P(s.addressPrefix), addr));
        if (!subnet) {
          r.error(`${path}.address`, 'prefix', `${who}: address "${h.address}" is not in any subnet of VNet "${v.name}"`, `Use an address of a subnet of "${v.name}" (${v.subnets.filter((s) => s.name !== GATEWAY_SUBNET).map((s) => s.addressPrefix).join(', ') || 'add a subnet'})`);
        } else if (subnet.name === GATEWAY_SUBNET) {
          r.error(`${path}.address`, 'R1', `${who}: address "${h.address}" is in GatewaySubnet of VNet "${v.name}"`, 'Place hosts in another subnet; GatewaySubnet holds only the gateway');
        } else {
          const sp = P(subnet.addressPrefix);
          const offset = addr - sp.base;
          if (sp.length <= 29 && (offset < 4 || offset === 2 ** (32 - sp.length) - 1)) {
            r.warn(`${path}.address`, 'prefix', `${who}: address "${h.address}" is one Azure reserves in subnet "${subnet.name}"`, 'Use the fifth address of the subnet or later, not the last');
          }
        }
      }
    } else {
      network = `lng:${h.localNetworkGateway!}`;
      const s = resolve(ctx, cfg.lngs, 'localNetworkGateway', h.localNetworkGateway!, `${path}.localNetworkGateway`, who)?.def;
      if (s && !s.addressPrefixes.some((p) => contains(P(p), addr))) {
        r.error(`${path}.address`, 'prefix', `${who}: address "${h.address}" is not in the prefixes of site "${s.name}"`, `Use an address in ${s.addressPrefixes.join(', ') || "the site's addressPrefixes (none yet)"}`);
      }
    }
    const key = `${network}\u0000${h.address}`;
    const prev = used.get(key);
    if (prev) r.error(`${path}.address`, 'duplicate', `${who}: address "${h.address}" is already used by host "${prev}"`, 'Give each host its own address');
    else used.set(key, h.name);
  }
}
