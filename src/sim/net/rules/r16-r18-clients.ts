/**
 * P2S clients: SSTP on Windows only and a protocol the gateway offers (R17);
 * the gateway has a P2S configuration (R16); a named root certificate is one
 * of the gateway's; the configured clients fit the SKU's SSTP and
 * IKEv2/OpenVPN limits (R18); the gateway's pools hold an address for each
 * configured client (`pool`).
 */
import type { GatewayDef } from '../scenario.js';
import { gatewayType, P, resolve, vpnSku, type Config, type Ctx, type Item } from './model.js';
import { suggest } from './report.js';

/** Checks every P2S client and the client counts per gateway. */
export function checkClients(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const counts = new Map<string, { sstp: number; ike: number; item: Item<GatewayDef> }>();
  for (const { def: c, path } of cfg.clients.values()) {
    const who = `client "${c.name}"`;
    if (c.protocol === 'SSTP' && c.os !== 'Windows') {
      r.error(`${path}.protocol`, 'R17', `${who}: SSTP runs on Windows only (os "${c.os}")`, 'Use IkeV2 or OpenVPN on this client');
    }
    const gi = resolve(ctx, cfg.gateways, 'gateway', c.gateway, `${path}.gateway`, who);
    if (!gi) continue;
    const g = gi.def;
    const p2s = g.vpnClientConfiguration;
    if (!p2s || gatewayType(g) !== 'Vpn') {
      r.error(`${path}.gateway`, 'R16', `${who}: gateway "${g.name}" has no point-to-site configuration`, `Add vpnClientConfiguration to gateway "${g.name}" (RouteBased)`);
      continue;
    }
    if (!p2s.vpnClientProtocols.includes(c.protocol)) {
      r.error(`${path}.protocol`, 'R17', `${who}: gateway "${g.name}" does not offer ${c.protocol} (it offers ${p2s.vpnClientProtocols.join(', ')})`, `Use one of ${p2s.vpnClientProtocols.join(', ')}, or add ${c.protocol} to vpnClientProtocols`);
    }
    if (c.rootCertificate !== undefined) {
      const roots = (p2s.vpnClientRootCertificates ?? []).map((x) => x.name);
      if (!roots.includes(c.rootCertificate)) {
        r.error(`${path}.rootCertificate`, 'R18', `${who}: root certificate "${c.rootCertificate}" is not one of gateway "${g.name}"'s`, roots.length > 0 ? suggest(c.rootCertificate, roots, 'root certificate') : `Add it to the gateway's vpnClientRootCertificates`);
      }
    }
    const n = counts.get(g.name) ?? { sstp: 0, ike: 0, item: gi };
    if (c.protocol === 'SSTP') n.sstp++;
    else n.ike++;
    counts.set(g.name, n);
  }
  for (const [gwName, n] of counts) {
    // Rule `pool`: every configured client needs an address of the gateway's pools (each pool
    // loses its network, first and broadcast addresses, as the runtime allocates them).
    const pools = n.item.def.vpnClientConfiguration?.vpnClientAddressPool ?? [];
    const slots = pools.reduce((sum, cidr) => sum + Math.max(0, 2 ** (32 - P(cidr).length) - 3), 0);
    if (n.sstp + n.ike > slots) {
      r.error(`${n.item.path}.vpnClientConfiguration.vpnClientAddressPool`, 'pool', `gateway "${gwName}": ${n.sstp + n.ike} clients, its client pools hold ${slots} addresses`, 'Enlarge vpnClientAddressPool (a /24 holds 253 clients), or move clients to another gateway');
    }
    const sku = vpnSku(n.item.def);
    if (!sku) continue;
    const note = 'clients with connectAt null count too: this checks the configured capacity';
    if (n.sstp > sku.maxSstpClients) {
      r.error(`${n.item.path}`, 'R18', `gateway "${gwName}": ${n.sstp} SSTP clients, SKU "${sku.name}" takes ${sku.maxSstpClients}`, `Remove SSTP clients or move them to another gateway (${note})`);
    }
    if (sku.maxIkev2OpenVpnClients > 0 && n.ike > sku.maxIkev2OpenVpnClients) {
      r.error(`${n.item.path}`, 'R18', `gateway "${gwName}": ${n.ike} IKEv2/OpenVPN clients, SKU "${sku.name}" takes ${sku.maxIkev2OpenVpnClients}`, `Remove clients or use a larger SKU (${note})`);
    }
  }
}
