/**
 * The runtime network: what a validated scenario becomes. Objects keep their
 * scenario definition and add what the simulation derives (parsed prefixes,
 * NIC addresses, provisioning state). The topology is a graphology multigraph
 * whose nodes are forwarding elements (VNet fabrics, gateways, sites,
 * clients) and whose edges are the links between them (attachment, peering,
 * tunnel, P2S, ExpressRoute).
 *
 * The network is mutable: timeline actions add and remove peerings and
 * connections, create and delete gateways. Every mutation bumps `version`,
 * so derived state (route tables) knows when to recompute.
 */
import { suggest } from './rules/report.js';
import { MultiUndirectedGraph } from 'graphology';
import { NotFoundError, UsageError } from '../../errors.js';
import type {
  ClientDef, ConnectionDef, GatewayDef, HostDef, LocalNetworkGatewayDef, PeeringDef, Scenario, VnetDef,
} from './scenario.js';
import { contains, formatAddress, nthAddress, parseAddress, parsePrefix, type Prefix } from './prefix.js';
import { skuSpec, type SkuSpec } from './skus.js';

/** Azure's default gateway ASN (SKUS.md). */
export const AZURE_DEFAULT_ASN = 65515;

/** Documentation ranges (RFC 5737) from which gateway public IPs are allocated (R2); 192.0.2.0/24 is left for on-premises devices. */
const PUBLIC_IP_POOL = ['203.0.113.0/24', '198.51.100.0/24'].map((c) => parsePrefix(c));

/** A virtual network: its address space, GatewaySubnet and the address a probe to it uses. */
export interface Vnet {
  readonly def: VnetDef;
  readonly name: string;
  readonly location: string;
  readonly prefixes: Prefix[];
  readonly gatewaySubnet: Prefix | undefined;
  /** Where a probe to this VNet is addressed when no host is declared: first workload subnet + 4. */
  readonly probeAddress: number;
}

/** A gateway: a multihomed node with a private NIC in GatewaySubnet and a public NIC (R2, R3). */
export interface Gateway {
  readonly def: GatewayDef;
  readonly name: string;
  readonly vnet: Vnet;
  readonly type: 'Vpn' | 'ExpressRoute';
  sku: SkuSpec;
  readonly bgp: { asn: number; peerAddress: number } | undefined;
  /** Private NIC: an address in GatewaySubnet (the BGP peer address). */
  readonly privateIp: number;
  /** Public NIC: allocated when the gateway is created (R2). */
  readonly publicIp: number;
  /** Simulated time (s) when it becomes usable (R3). Scenario gateways: 0. */
  readonly provisionedAt: number;
  readonly pools: Prefix[];
}

/** An on-premises site (local network gateway): its VPN device, prefixes and optional BGP. */
export interface Site {
  readonly def: LocalNetworkGatewayDef;
  readonly name: string;
  readonly location: string;
  readonly publicIp: number;
  readonly prefixes: Prefix[];
  readonly bgp: { asn: number; peerAddress: number } | undefined;
  /** Explicit device routes toward Azure; undefined means "the connected VNets' prefixes". */
  readonly deviceRoutes: Prefix[] | undefined;
  readonly probeAddress: number;
  /** False while its VPN device is failed (timeline `fail`). */
  deviceUp: boolean;
}

/** One connection as configured on one gateway (a VNet-to-VNet link is two). */
export interface Connection {
  readonly def: ConnectionDef;
  readonly name: string;
  readonly type: ConnectionDef['connectionType'];
  readonly gateway: Gateway;
  readonly peerGateway: Gateway | undefined;
  readonly site: Site | undefined;
  readonly extraPrefixes: Prefix[];
  readonly ikeVersion: 'IKEv1' | 'IKEv2';
  readonly bgp: boolean;
  /** Set by a timeline `fail` (admin down) on this connection. */
  adminDown: boolean;
}

/** One direction of a VNet peering; it carries traffic only when both directions exist. */
export interface Peering {
  readonly def: PeeringDef;
  readonly vnet: Vnet;
  readonly remote: Vnet;
  readonly allowGatewayTransit: boolean;
  readonly useRemoteGateways: boolean;
}

/** A P2S client: its gateway, connection state, pool address and installed routes (R21). */
export interface Client {
  readonly def: ClientDef;
  readonly name: string;
  /** Position among the network's clients (0, 1, 2, ... in the order they were added); see {@link Network.clientAt}. */
  readonly index: number;
  /** Node id in the topology (`client:<name>`). */
  readonly nodeId: string;
  /** Underlay location (`def.location`, default `internet`). */
  readonly location: string;
  readonly gateway: Gateway;
  readonly windows: boolean;
  /** Address from the P2S pool while connected. */
  address: number | undefined;
  connected: boolean;
  /** Windows: routes of the client package as of its last download (R21); clients that downloaded the same package share one frozen list. */
  packageRoutes: readonly Prefix[] | undefined;
  packageDownloadedAt: number | undefined;
  manualRoutes: Prefix[];
}

/** A named address inside a VNet or a site, to send packets from or to. */
export interface Host {
  readonly def: HostDef;
  readonly name: string;
  readonly address: number;
  readonly vnet: Vnet | undefined;
  readonly site: Site | undefined;
}

/** Node ids in the topology graph. */
export const nodeId = {
  vnet: (name: string) => `vnet:${name}`,
  gateway: (name: string) => `gw:${name}`,
  site: (name: string) => `site:${name}`,
  client: (name: string) => `client:${name}`,
  host: (name: string) => `host:${name}`,
};

/** Kinds of node in the topology graph. */
export type NodeKind = 'vnet' | 'gateway' | 'site' | 'client' | 'host';

/** The runtime network of one scenario (see the module header). */
export class Network {
  readonly vnets = new Map<string, Vnet>();
  readonly gateways = new Map<string, Gateway>();
  readonly sites = new Map<string, Site>();
  readonly connections = new Map<string, Connection>();
  /** Keyed `vnet->remoteVnet`. */
  readonly peerings = new Map<string, Peering>();
  readonly clients = new Map<string, Client>();
  /** The clients by {@link Client.index}. */
  private readonly clientList: Client[] = [];
  readonly hosts = new Map<string, Host>();
  private graphCache: { version: number; graph: MultiUndirectedGraph } | undefined;
  /** Bumped on every mutation. */
  version = 0;
  private publicIpCounter = 0;

  /** Builds the network of a scenario that has passed validation. */
  constructor(readonly scenario: Scenario) {
    for (const v of scenario.vnets) this.addVnet(v);
    for (const s of scenario.localNetworkGateways ?? []) this.addSite(s);
    for (const g of scenario.gateways ?? []) this.addGateway(g, 0);
    for (const c of scenario.connections ?? []) this.addConnection(c);
    for (const p of scenario.peerings ?? []) this.addPeering(p);
    for (const c of scenario.clients ?? []) this.addClient(c);
    for (const h of scenario.hosts ?? []) this.addHost(h);
  }

  /** Nodes: forwarding elements; edges: links (attach, p2s, tunnel, expressroute, peering). Rebuilt lazily after a mutation. */
  get graph(): MultiUndirectedGraph {
    if (this.graphCache?.version !== this.version) this.graphCache = { version: this.version, graph: this.buildGraph() };
    return this.graphCache.graph;
  }

  // ---------------------------------------------------------------- lookups

  /** The VNet of this name. @throws NotFoundError when there is none. */
  vnet(name: string): Vnet {
    return get(this.vnets, name, 'VNet');
  }
  /** The gateway of this name. @throws NotFoundError when there is none. */
  gateway(name: string): Gateway {
    return get(this.gateways, name, 'gateway');
  }
  /** The local network gateway (site) of this name. @throws NotFoundError when there is none. */
  site(name: string): Site {
    return get(this.sites, name, 'local network gateway');
  }
  /** The connection of this name. @throws NotFoundError when there is none. */
  connection(name: string): Connection {
    return get(this.connections, name, 'connection');
  }
  /** The P2S client of this name. @throws NotFoundError when there is none. */
  client(name: string): Client {
    return get(this.clients, name, 'client');
  }
  /** The client at `index` ({@link Client.index}), or undefined when there is none. O(1). */
  clientAt(index: number): Client | undefined {
    return this.clientList[index];
  }
  /** The host of this name. @throws NotFoundError when there is none. */
  host(name: string): Host {
    return get(this.hosts, name, 'host');
  }

  /** The Vpn gateway of a VNet, if any. */
  vpnGatewayOf(vnet: Vnet): Gateway | undefined {
    for (const g of this.gateways.values()) if (g.vnet === vnet && g.type === 'Vpn') return g;
    return undefined;
  }

  /** The ExpressRoute gateway of a VNet, if any. */
  erGatewayOf(vnet: Vnet): Gateway | undefined {
    for (const g of this.gateways.values()) if (g.vnet === vnet && g.type === 'ExpressRoute') return g;
    return undefined;
  }

  /** Connections whose gateway is `g`, in insertion order. */
  connectionsOf(g: Gateway): Connection[] {
    return [...this.connections.values()].filter((c) => c.gateway === g);
  }

  /** Connections that end at site `s`. */
  connectionsToSite(s: Site): Connection[] {
    return [...this.connections.values()].filter((c) => c.site === s);
  }

  /** The reverse half of a Vnet2Vnet connection (peer gateway -> this gateway), if configured. */
  reverseOf(c: Connection): Connection | undefined {
    if (c.type !== 'Vnet2Vnet') return undefined;
    for (const o of this.connections.values()) {
      if (o.type === 'Vnet2Vnet' && o.gateway === c.peerGateway && o.peerGateway === c.gateway) return o;
    }
    return undefined;
  }

  /** A peering is connected only when both directions exist (Azure's "Connected" state). */
  peeringConnected(a: Vnet, b: Vnet): boolean {
    return this.peerings.has(`${a.name}->${b.name}`) && this.peerings.has(`${b.name}->${a.name}`);
  }

  /** The peering a -> b, if configured. */
  peering(a: Vnet, b: Vnet): Peering | undefined {
    return this.peerings.get(`${a.name}->${b.name}`);
  }

  /**
   * VNets that use `g` as their remote gateway: peered with g's VNet in both
   * directions, `allowGatewayTransit` on g's side and `useRemoteGateways` on theirs.
   */
  transitSpokes(g: Gateway): Vnet[] {
    const out: Vnet[] = [];
    for (const p of this.peerings.values()) {
      if (p.remote !== g.vnet || !p.useRemoteGateways) continue;
      const back = this.peering(g.vnet, p.vnet);
      if (back?.allowGatewayTransit && this.peeringConnected(p.vnet, g.vnet)) out.push(p.vnet);
    }
    return out;
  }

  /** The gateway whose routes a VNet uses: its own, or a remote one through a transit peering. */
  effectiveGatewayOf(v: Vnet): Gateway | undefined {
    const own = this.vpnGatewayOf(v);
    if (own) return own;
    for (const p of this.peerings.values()) {
      if (p.vnet !== v || !p.useRemoteGateways) continue;
      const g = this.vpnGatewayOf(p.remote);
      if (g && this.peering(p.remote, v)?.allowGatewayTransit && this.peeringConnected(v, p.remote)) return g;
    }
    return undefined;
  }

  /** The VNet or site whose address space holds `addr`. */
  networkOf(addr: number): { vnet?: Vnet; site?: Site } | undefined {
    for (const v of this.vnets.values()) if (v.prefixes.some((p) => contains(p, addr))) return { vnet: v };
    for (const s of this.sites.values()) if (s.prefixes.some((p) => contains(p, addr))) return { site: s };
    return undefined;
  }

  // ---------------------------------------------------------------- mutations

  /** Adds a VNet (the scenario has been validated). */
  addVnet(def: VnetDef): Vnet {
    const prefixes = def.addressPrefixes.map((p) => parsePrefix(p));
    const subnets = def.subnets.map((s) => ({ name: s.name, prefix: parsePrefix(s.addressPrefix) }));
    const gatewaySubnet = subnets.find((s) => s.name === 'GatewaySubnet')?.prefix;
    const workload = subnets.find((s) => s.name !== 'GatewaySubnet')?.prefix ?? prefixes[0]!;
    const v: Vnet = { def, name: def.name, location: def.location, prefixes, gatewaySubnet, probeAddress: nthAddress(workload, 4) };
    this.vnets.set(def.name, v);
    this.touch();
    return v;
  }

  /** Adds a local network gateway: an on-premises site and its device. */
  addSite(def: LocalNetworkGatewayDef): Site {
    const prefixes = def.addressPrefixes.map((p) => parsePrefix(p));
    const s: Site = {
      def, name: def.name, location: def.location ?? def.name, publicIp: parseAddress(def.gatewayIpAddress), prefixes,
      bgp: def.bgpSettings ? { asn: def.bgpSettings.asn ?? 65000, peerAddress: parseAddress(def.bgpSettings.bgpPeeringAddress ?? def.gatewayIpAddress) } : undefined,
      deviceRoutes: def.deviceRoutes?.map((p) => parsePrefix(p)),
      probeAddress: prefixes.length > 0 ? nthAddress(prefixes[0]!, 4) : 0,
      deviceUp: true,
    };
    this.sites.set(def.name, s);
    this.touch();
    return s;
  }

  /**
   * Creates a gateway; its public IP is allocated now (R2) and it is usable
   * from `now + provisioning time` (R3), or at once for scenario gateways.
   */
  addGateway(def: GatewayDef, now: number, provisioned = true): Gateway {
    const vnet = this.vnet(def.vnet);
    const sku = skuSpec(def.sku, def.vpnGatewayGeneration, `gateway "${def.name}"`);
    const gs = vnet.gatewaySubnet;
    if (!gs) throw new UsageError(`gateway "${def.name}": VNet "${vnet.name}" has no GatewaySubnet (R1). Add a subnet named exactly GatewaySubnet`, 'R1');
    // The VPN gateway takes the second-to-last address of GatewaySubnet; a coexisting ExpressRoute gateway the one before.
    const privateIp = def.bgpSettings?.bgpPeeringAddress ? parseAddress(def.bgpSettings.bgpPeeringAddress) : nthAddress(gs, def.gatewayType === 'ExpressRoute' ? -3 : -2);
    const enableBgp = def.enableBgp ?? false;
    const g: Gateway = {
      def, name: def.name, vnet, type: def.gatewayType ?? 'Vpn', sku,
      bgp: enableBgp ? { asn: def.bgpSettings?.asn ?? AZURE_DEFAULT_ASN, peerAddress: privateIp } : undefined,
      privateIp, publicIp: this.allocatePublicIp(),
      provisionedAt: provisioned ? now : now + (def.provisioningSeconds ?? sku.provisioningSeconds),
      pools: (def.vpnClientConfiguration?.vpnClientAddressPool ?? []).map((p) => parsePrefix(p)),
    };
    this.gateways.set(def.name, g);
    this.touch();
    return g;
  }

  /** Deletes a gateway and every connection on it; its public IP is released (R2). */
  removeGateway(name: string): void {
    const g = this.gateway(name);
    for (const c of [...this.connections.values()]) if (c.gateway === g || c.peerGateway === g) this.connections.delete(c.name);
    for (const c of this.clients.values()) if (c.gateway === g) { c.connected = false; c.address = undefined; }
    this.gateways.delete(name);
    this.touch();
  }

  /** Adds a connection (timeline `addConnection`, or the scenario's own). */
  addConnection(def: ConnectionDef): Connection {
    const gateway = this.gateway(def.gateway);
    const c: Connection = {
      def, name: def.name, type: def.connectionType, gateway,
      peerGateway: def.peerGateway ? this.gateway(def.peerGateway) : undefined,
      site: def.localNetworkGateway ? this.site(def.localNetworkGateway) : undefined,
      extraPrefixes: (def.extraAddressPrefixes ?? []).map((p) => parsePrefix(p)),
      ikeVersion: def.connectionProtocol ?? (gateway.def.vpnType === 'PolicyBased' ? 'IKEv1' : 'IKEv2'),
      bgp: def.enableBgp ?? false,
      adminDown: false,
    };
    this.connections.set(def.name, c);
    this.touch();
    return c;
  }

  /** Removes a connection. @throws NotFoundError when there is none of that name. */
  removeConnection(name: string): void {
    this.connection(name);
    this.connections.delete(name);
    this.touch();
  }

  /** Adds one direction of a peering. */
  addPeering(def: PeeringDef): Peering {
    const p: Peering = {
      def, vnet: this.vnet(def.vnet), remote: this.vnet(def.remoteVnet),
      allowGatewayTransit: def.allowGatewayTransit ?? false, useRemoteGateways: def.useRemoteGateways ?? false,
    };
    this.peerings.set(`${def.vnet}->${def.remoteVnet}`, p);
    this.touch();
    return p;
  }

  /** Removes one direction of a peering. @throws NotFoundError when it is not configured. */
  removePeering(vnet: string, remoteVnet: string): void {
    const key = `${vnet}->${remoteVnet}`;
    if (!this.peerings.delete(key)) throw new NotFoundError(`peering "${key}": not configured. Check vnet and remoteVnet`);
    this.touch();
  }

  /** Adds a P2S client (not connected yet). */
  addClient(def: ClientDef): Client {
    const c: Client = {
      def, name: def.name, index: this.clientList.length, nodeId: nodeId.client(def.name), location: def.location ?? 'internet', gateway: this.gateway(def.gateway), windows: def.os === 'Windows',
      address: undefined, connected: false, packageRoutes: undefined, packageDownloadedAt: undefined,
      manualRoutes: (def.manualRoutes ?? []).map((p) => parsePrefix(p)),
    };
    this.clients.set(def.name, c);
    this.clientList.push(c);
    this.touch();
    return c;
  }

  /** Adds a host. */
  addHost(def: HostDef): Host {
    const h: Host = {
      def, name: def.name, address: parseAddress(def.address),
      vnet: def.vnet ? this.vnet(def.vnet) : undefined,
      site: def.localNetworkGateway ? this.site(def.localNetworkGateway) : undefined,
    };
    this.hosts.set(def.name, h);
    this.touch();
    return h;
  }

  /** Marks a change (derived state such as the graph and route tables recompute). */
  touch(): void {
    this.version++;
  }

  /** Public IP of the n-th gateway created, from RFC 5737 ranges; never reused (R2). */
  private allocatePublicIp(): number {
    const n = this.publicIpCounter++;
    const block = PUBLIC_IP_POOL[Math.floor(n / 250) % PUBLIC_IP_POOL.length]!;
    return nthAddress(block, 4 + (n % 250));
  }

  private buildGraph(): MultiUndirectedGraph {
    const g = new MultiUndirectedGraph();
    for (const v of this.vnets.values()) g.addNode(nodeId.vnet(v.name), { kind: 'vnet', name: v.name, location: v.location });
    for (const s of this.sites.values()) g.addNode(nodeId.site(s.name), { kind: 'site', name: s.name, location: s.location });
    for (const gw of this.gateways.values()) {
      g.addNode(nodeId.gateway(gw.name), { kind: 'gateway', name: gw.name, location: gw.vnet.location, publicIp: formatAddress(gw.publicIp), privateIp: formatAddress(gw.privateIp) });
      g.addEdge(nodeId.gateway(gw.name), nodeId.vnet(gw.vnet.name), { kind: 'attach' });
    }
    for (const c of this.clients.values()) {
      g.addNode(nodeId.client(c.name), { kind: 'client', name: c.name, location: c.location });
      g.addEdge(nodeId.client(c.name), nodeId.gateway(c.gateway.name), { kind: 'p2s' });
    }
    for (const h of this.hosts.values()) {
      g.addNode(nodeId.host(h.name), { kind: 'host', name: h.name });
      g.addEdge(nodeId.host(h.name), h.vnet ? nodeId.vnet(h.vnet.name) : nodeId.site(h.site!.name), { kind: 'attach' });
    }
    for (const c of this.connections.values()) {
      const to = c.peerGateway ? nodeId.gateway(c.peerGateway.name) : nodeId.site(c.site!.name);
      g.addEdge(nodeId.gateway(c.gateway.name), to, { kind: c.type === 'ExpressRoute' ? 'expressroute' : 'tunnel', connection: c.name });
    }
    for (const p of this.peerings.values()) {
      if (p.vnet.name < p.remote.name && this.peeringConnected(p.vnet, p.remote)) {
        g.addEdge(nodeId.vnet(p.vnet.name), nodeId.vnet(p.remote.name), { kind: 'peering' });
      }
    }
    return g;
  }
}

function get<T>(m: Map<string, T>, name: string, kind: string): T {
  const v = m.get(name);
  if (v === undefined) {
    const names = [...m.keys()];
    throw new NotFoundError(`${kind} "${name}": not found. ${names.length ? suggest(name, names, kind, 'Known:') : `The scenario has no ${kind}`}`);
  }
  return v;
}
