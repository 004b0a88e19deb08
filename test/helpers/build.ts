/** Small builders for test scenarios. */
import type { ConnectionDef, GatewayDef, LocalNetworkGatewayDef, Scenario, VnetDef } from '../../src/sim/net/scenario.js';
import { readFileSync } from 'node:fs';

export function vnet(name: string, octet: number, location = 'westeurope'): VnetDef {
  return {
    name, location, addressPrefixes: [`10.${octet}.0.0/16`],
    subnets: [{ name: 'FrontEnd', addressPrefix: `10.${octet}.0.0/24` }, { name: 'GatewaySubnet', addressPrefix: `10.${octet}.255.0/27` }],
  };
}

export function gateway(name: string, vnetName: string, extra: Partial<GatewayDef> = {}): GatewayDef {
  return { name, vnet: vnetName, vpnType: 'RouteBased', sku: 'VpnGw1', ...extra };
}

export function site(name: string, octet: number, extra: Partial<LocalNetworkGatewayDef> = {}): LocalNetworkGatewayDef {
  return { name, gatewayIpAddress: `192.0.2.${octet % 250}`, addressPrefixes: [`10.${octet}.0.0/16`], ...extra };
}

export function v2v(a: string, b: string, extra: Partial<ConnectionDef> = {}): ConnectionDef[] {
  return [
    { name: `${a}to${b}`, connectionType: 'Vnet2Vnet', gateway: `${a}GW`, peerGateway: `${b}GW`, sharedKey: 'abc123', ...extra },
    { name: `${b}to${a}`, connectionType: 'Vnet2Vnet', gateway: `${b}GW`, peerGateway: `${a}GW`, sharedKey: 'abc123', ...extra },
  ];
}

export function p2sPool(pool = '192.168.0.0/24'): GatewayDef['vpnClientConfiguration'] {
  return { vpnClientAddressPool: [pool], vpnClientProtocols: ['IkeV2', 'SSTP'], vpnAuthenticationTypes: ['Certificate'] };
}

/** A shipped scenario, parsed (a fresh copy each call). */
export function shipped(path: string): Scenario {
  return JSON.parse(readFileSync(new URL(`../../scenarios/${path}`, import.meta.url), 'utf8'));
}
