/**
 * The JSON Schema (draft-07) of the scenario format, built in code so that the
 * timeline's per-action field lists reuse the object definitions. The file
 * `schema/scenario.schema.json` is this object written out for editors; a test
 * keeps the two equal.
 *
 * Two formats are vpnsim's own: `ipv4-address` and `ipv4-cidr` (canonical forms
 * only, see prefix.ts). Editors that do not know them ignore them. The
 * annotation `x-rule` names the SPEC rule a keyword enforces, so that a schema
 * error carries that rule id instead of `schema`.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON Schema object, as {@link SCENARIO_SCHEMA} is built from. */
export type SchemaObject = { [key: string]: Json };

const name: SchemaObject = { type: 'string', minLength: 1 };
const text: SchemaObject = { type: 'string', minLength: 1 };
const cidr: SchemaObject = { type: 'string', format: 'ipv4-cidr', description: 'Canonical IPv4 CIDR, e.g. 10.1.0.0/16' };
const address: SchemaObject = { type: 'string', format: 'ipv4-address', description: 'Canonical IPv4 address, e.g. 10.1.0.4' };
const cidrs = (minItems = 0): SchemaObject => ({ type: 'array', items: cidr, ...(minItems > 0 ? { minItems } : {}) });
const positive: SchemaObject = { type: 'number', exclusiveMinimum: 0 };
const nonNegative: SchemaObject = { type: 'number', minimum: 0 };
const bool: SchemaObject = { type: 'boolean' };
const enumOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values });

function object(properties: SchemaObject, required: string[], description?: string): SchemaObject {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

const protocols = enumOf('IkeV2', 'SSTP', 'OpenVPN');

const subnetProps: SchemaObject = { name, addressPrefix: cidr };
const vnetProps: SchemaObject = {
  name,
  location: text,
  addressPrefixes: cidrs(1),
  subnets: { type: 'array', items: { $ref: '#/definitions/subnet' } },
};
const bgpSettingsProps: SchemaObject = {
  asn: { type: 'integer', minimum: 1, maximum: 4294967295 },
  bgpPeeringAddress: address,
};
const vpnClientConfigurationProps: SchemaObject = {
  vpnClientAddressPool: cidrs(1),
  vpnClientProtocols: { type: 'array', items: protocols, minItems: 1, uniqueItems: true },
  vpnAuthenticationTypes: { type: 'array', items: enumOf('Certificate', 'Radius', 'AAD'), uniqueItems: true },
  vpnClientRootCertificates: { type: 'array', items: { $ref: '#/definitions/rootCertificate' } },
};
const gatewayProps: SchemaObject = {
  name,
  vnet: name,
  gatewayType: enumOf('Vpn', 'ExpressRoute'),
  vpnType: enumOf('PolicyBased', 'RouteBased'),
  sku: text,
  vpnGatewayGeneration: enumOf('Generation1', 'Generation2'),
  enableBgp: bool,
  bgpSettings: { $ref: '#/definitions/bgpSettings' },
  vpnClientConfiguration: { $ref: '#/definitions/vpnClientConfiguration' },
  gatewayDefaultSite: name,
  provisioningSeconds: nonNegative,
};
const gatewayRequired = ['name', 'vnet', 'vpnType', 'sku'];
const lngProps: SchemaObject = {
  name,
  gatewayIpAddress: address,
  addressPrefixes: cidrs(),
  bgpSettings: { $ref: '#/definitions/bgpSettings' },
  location: text,
  deviceRoutes: cidrs(),
  uplinkMbps: positive,
  downlinkMbps: positive,
};
const connectionProps: SchemaObject = {
  name,
  connectionType: enumOf('IPsec', 'Vnet2Vnet', 'ExpressRoute'),
  gateway: name,
  peerGateway: name,
  localNetworkGateway: name,
  sharedKey: {
    type: 'string',
    pattern: '^[A-Za-z0-9]{1,128}$',
    'x-rule': 'R4',
    description: 'Pre-shared key: 1-128 letters or digits (R4)',
  },
  connectionProtocol: enumOf('IKEv1', 'IKEv2'),
  enableBgp: bool,
  usePolicyBasedTrafficSelectors: bool,
  trafficSelectorPolicies: { type: 'array', items: { $ref: '#/definitions/trafficSelectorPolicy' } },
  extraAddressPrefixes: cidrs(),
  ipsecCipher: enumOf('GCMAES256', 'AES256_SHA256', 'DES3_SHA256'),
};
const connectionRequired = ['name', 'connectionType', 'gateway'];
const peeringProps: SchemaObject = { vnet: name, remoteVnet: name, allowGatewayTransit: bool, useRemoteGateways: bool };
const peeringRequired = ['vnet', 'remoteVnet'];
const clientProps: SchemaObject = {
  name,
  os: enumOf('Windows', 'macOS', 'Linux', 'iOS', 'Android'),
  gateway: name,
  protocol: protocols,
  packageDownloadedAt: nonNegative,
  connectAt: { type: ['number', 'null'], minimum: 0 },
  manualRoutes: cidrs(),
  rootCertificate: name,
  location: text,
  uplinkMbps: positive,
  downlinkMbps: positive,
};
const hostProps: SchemaObject = { name, vnet: name, localNetworkGateway: name, address, uplinkMbps: positive, downlinkMbps: positive };
const pathMetrics: SchemaObject = { latencyMs: nonNegative, lossPercent: { type: 'number', minimum: 0, maximum: 100 }, bandwidthMbps: positive };
const pathProps: SchemaObject = { from: text, to: text, ...pathMetrics };
const flowProps: SchemaObject = {
  name,
  from: name,
  to: name,
  start: nonNegative,
  bytes: positive,
  duration: positive,
  kind: enumOf('tcp', 'udp'),
  rateMbps: positive,
};
const flowRequired = ['name', 'from', 'to'];

/** Fields and required fields of each timeline action, beside `at` and `action`. */
const ACTIONS: Record<string, [SchemaObject, string[]]> = {
  addPeering: [peeringProps, peeringRequired],
  removePeering: [{ vnet: name, remoteVnet: name }, ['vnet', 'remoteVnet']],
  addConnection: [connectionProps, connectionRequired],
  removeConnection: [{ connection: name }, ['connection']],
  downloadClientPackage: [{ client: name }, ['client']],
  addClientRoute: [{ client: name, prefix: cidr }, ['client', 'prefix']],
  ping: [{ from: name, to: name, every: positive, until: nonNegative }, ['from', 'to']],
  fail: [{ target: name, planned: bool }, ['target']],
  restore: [{ target: name, planned: bool }, ['target']],
  setPath: [pathProps, ['from', 'to']],
  resetBgp: [{ connection: name }, ['connection']],
  resizeGateway: [{ gateway: name, sku: text }, ['gateway', 'sku']],
  connectClient: [{ client: name }, ['client']],
  disconnectClient: [{ client: name }, ['client']],
  startFlow: [flowProps, flowRequired],
  createGateway: [gatewayProps, gatewayRequired],
  deleteGateway: [{ gateway: name }, ['gateway']],
};

/** Every timeline action name, in the order of `TimelineEntry` in scenario.ts. */
export const TIMELINE_ACTIONS: readonly string[] = Object.keys(ACTIONS);

const list = (ref: string): SchemaObject => ({ type: 'array', items: { $ref: `#/definitions/${ref}` } });

/** The scenario JSON Schema as a plain object (draft-07). */
export const SCENARIO_SCHEMA: Readonly<SchemaObject> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://vpnsim.dev/schema/scenario.schema.json',
  title: 'vpnsim scenario',
  description: 'A topology of Azure VNets, VPN gateways, sites, connections, peerings and point-to-site clients, with an optional timeline. Times in seconds, rates in Mbit/s, latency in ms, loss in percent.',
  type: 'object',
  properties: {
    $schema: { type: 'string' },
    name,
    description: { type: 'string' },
    seed: { type: ['number', 'string'], minLength: 1 },
    vnets: list('vnet'),
    gateways: list('gateway'),
    localNetworkGateways: list('localNetworkGateway'),
    connections: list('connection'),
    peerings: list('peering'),
    clients: list('client'),
    hosts: list('host'),
    underlay: { $ref: '#/definitions/underlay' },
    flows: list('flow'),
    timeline: list('timelineEntry'),
  },
  required: ['name', 'vnets'],
  additionalProperties: false,
  definitions: {
    subnet: object(subnetProps, ['name', 'addressPrefix']),
    vnet: object(vnetProps, ['name', 'location', 'addressPrefixes', 'subnets'], 'A virtual network'),
    bgpSettings: object(bgpSettingsProps, []),
    rootCertificate: object({ name }, ['name']),
    vpnClientConfiguration: object(vpnClientConfigurationProps, ['vpnClientAddressPool', 'vpnClientProtocols']),
    gateway: object(gatewayProps, gatewayRequired, 'A virtual network gateway (Vpn or ExpressRoute)'),
    localNetworkGateway: object(lngProps, ['name', 'gatewayIpAddress', 'addressPrefixes'], 'An on-premises site'),
    trafficSelectorPolicy: object({ localAddressRanges: cidrs(1), remoteAddressRanges: cidrs(1) }, ['localAddressRanges', 'remoteAddressRanges']),
    connection: object(connectionProps, connectionRequired, 'An IPsec, VNet-to-VNet or ExpressRoute connection'),
    peering: object(peeringProps, peeringRequired, 'One direction of a VNet peering'),
    client: object(clientProps, ['name', 'os', 'gateway', 'protocol'], 'A point-to-site client'),
    host: object(hostProps, ['name', 'address'], 'A host in a VNet subnet or a site prefix'),
    underlayPath: object(pathProps, ['from', 'to']),
    underlay: object({ defaults: object(pathMetrics, []), paths: list('underlayPath') }, []),
    flow: object(flowProps, flowRequired, 'A TCP or UDP flow between a host or client and a host'),
    timelineEntry: {
      type: 'object',
      description: 'One timeline entry: { at, action, ...fields of the action }',
      properties: { at: nonNegative, action: enumOf(...Object.keys(ACTIONS)) },
      required: ['at', 'action'],
      allOf: Object.entries(ACTIONS).map(([action, [props, required]]) => ({
        if: { properties: { action: { const: action } }, required: ['action'] },
        then: object({ at: true, action: true, ...props }, required),
      })),
    },
  },
};
