/**
 * The executable index of vpnsim's numbered rules (docs/rules.md): for each,
 * a one-line summary, where it is implemented (file and symbol) and which
 * tests check it (file and test title). test/sim/net/rule-index.test.ts
 * checks every reference against the tree, so a rule moved or a test renamed
 * fails the suite until this index follows.
 *
 * Paths are relative to the package root.
 */

/** A place in the source: a file and a symbol declared or used in it. */
export interface RuleCode {
  readonly file: string;
  readonly symbol: string;
}

/** A test: its file and its title (exact). */
export interface RuleTest {
  readonly file: string;
  readonly title: string;
}

/** One rule of the index. */
export type RuleEntry =
  | {
    readonly id: string;
    readonly summary: string;
    readonly status: 'implemented';
    readonly code: readonly RuleCode[];
    readonly tests: readonly RuleTest[];
  }
  | {
    readonly id: string;
    readonly summary: string;
    readonly status: 'planned';
    /** The issue that tracks the work. */
    readonly issue: number;
  };

const V = 'src/sim/net/rules/';
const VT = 'test/sim/net/validate.test.ts';

const c = (file: string, symbol: string): RuleCode => ({ file, symbol });
const t = (file: string, title: string): RuleTest => ({ file, title });
const planned = (id: string, issue: number, summary: string): RuleEntry => ({ id, summary, status: 'planned', issue });

/** Every numbered rule, in order: R1-R34, R40-R52. */
export const RULE_INDEX: readonly RuleEntry[] = [
  {
    id: 'R1', summary: 'A gateway lives in a subnet named exactly GatewaySubnet, /29 at the least', status: 'implemented',
    code: [c(`${V}r01-gateway-subnet.ts`, 'checkGatewaySubnet'), c(`${V}r01-r12-gateways-per-vnet.ts`, 'checkGatewaysPerVnet'), c(`${V}host-placement.ts`, 'checkHosts')],
    tests: [t(VT, 'R1: a gateway needs a subnet named exactly GatewaySubnet'), t(VT, 'R1: GatewaySubnet smaller than /29 is an error, /29 a warning, /28 fine'), t(VT, 'R1: no host inside GatewaySubnet')],
  },
  {
    id: 'R2', summary: "A gateway's public IP is assigned when it is created", status: 'implemented',
    code: [c('src/sim/net/model.ts', 'allocatePublicIp')],
    tests: [t('test/sim/engine/protocols.test.ts', 'a gateway created on the timeline is unusable until provisioned (R3) and gets a new public IP (R2)')],
  },
  {
    id: 'R3', summary: 'Nothing connects through a gateway before it is provisioned', status: 'implemented',
    code: [c('src/sim/net/routing.ts', 'gatewayReady'), c('src/sim/net/model.ts', 'provisionedAt')],
    tests: [t('test/sim/engine/protocols.test.ts', 'a gateway created on the timeline is unusable until provisioned (R3) and gets a new public IP (R2)')],
  },
  {
    id: 'R4', summary: 'S2S and VNet-to-VNet tunnels authenticate by a pre-shared key of 1-128 letters or digits', status: 'implemented',
    code: [c(`${V}r04-shared-key.ts`, 'checkSharedKey'), c('src/protocols/ike/config.ts', 'sharedKey')],
    tests: [t(VT, 'R4: sharedKey is 1-128 letters or digits, required on IPsec and Vnet2Vnet'), t('test/sim/engine/protocols.test.ts', 'a shared key mismatch fails authentication and the tunnel never carries traffic (R4)')],
  },
  {
    id: 'R5', summary: 'S2S and VNet-to-VNet tunnels use IPsec with IKEv1 or IKEv2', status: 'implemented',
    code: [c('src/sim/net/scenario.ts', 'IkeVersion'), c('src/protocols/ike/machine.ts', 'ikeStep')],
    tests: [t('test/protocols/ike/machine-v1.test.ts', 'IKEv1 happy path: Main Mode 6 messages, Quick Mode 3 messages'), t('test/protocols/ike/machine-v2.test.ts', 'IKEv2 happy path: IKE_SA_INIT + IKE_AUTH bring up the IKE SA and the first child SA')],
  },
  {
    id: 'R6', summary: 'Multi-site, VNet-to-VNet and transit need route-based gateways', status: 'implemented',
    code: [c(`${V}r06-route-based.ts`, 'checkConnectionRouteBased'), c(`${V}r06-r08-connections-per-gateway.ts`, 'checkConnectionsPerGateway'), c(`${V}gateway-sku.ts`, 'checkVpnGatewaySku'), c(`${V}r22-peerings.ts`, 'checkPeerings')],
    tests: [t(VT, 'R6: a policy-based gateway takes one S2S tunnel (multi-site needs RouteBased)'), t(VT, 'R6: policy-based is IKEv1 only, no BGP, no Vnet2Vnet; vpnType must be offered by the SKU'), t(VT, 'R6: transit (allowGatewayTransit) needs a RouteBased gateway')],
  },
  {
    id: 'R7', summary: 'A gateway takes a limited number of S2S and VNet-to-VNet connections', status: 'implemented',
    code: [c(`${V}r06-r08-connections-per-gateway.ts`, 'checkConnectionsPerGateway'), c('src/sim/net/skus.ts', 'maxTunnels')],
    tests: [t(VT, 'R7: connections per gateway within the SKU limit (legacy and current)')],
  },
  {
    id: 'R8', summary: 'No redundant tunnels between one VNet and one on-premises site', status: 'implemented',
    code: [c(`${V}r06-r08-connections-per-gateway.ts`, 'checkConnectionsPerGateway')],
    tests: [t(VT, 'R8: no two connections from one gateway to one site or one device IP')],
  },
  {
    id: 'R9', summary: 'Address spaces of connected VNets and sites must not overlap', status: 'implemented',
    code: [c(`${V}r09-address-overlap.ts`, 'checkAddressOverlap')],
    tests: [t(VT, 'R9: connected VNets and sites must not overlap (transitively)')],
  },
  {
    id: 'R10', summary: 'All tunnels of a gateway, point-to-site included, share its bandwidth', status: 'implemented',
    code: [c('src/sim/engine/flows.ts', 'FlowLayer'), c('src/sim/flow/max-min.ts', 'MaxMinSolver')],
    tests: [t('test/sim/flow/max-min.test.ts', 'a gateway aggregate is shared by S2S tunnels and P2S clients (R10)'), t('test/sim/engine/flows.test.ts', 'P2S and S2S share the VpnGw1 aggregate: six flows, 650/6 of wire each (R10)')],
  },
  {
    id: 'R11', summary: 'Only traffic to a prefix reached through the gateway uses it (forced tunneling aside)', status: 'implemented',
    code: [c('src/sim/net/routing.ts', 'vnetRoutes'), c(`${V}r11-forced-tunneling.ts`, 'checkForcedTunneling')],
    tests: [t('test/sim/net/routing.test.ts', 'forced tunneling replaces the internet default with the site (R11)')],
  },
  {
    id: 'R12', summary: 'ExpressRoute and S2S can coexist on one VNet; S2S is the failover path', status: 'implemented',
    code: [c('src/sim/net/routing.ts', 'gatewayRoutes'), c(`${V}r12-connection-gateway-types.ts`, 'checkConnectionGatewayTypes'), c(`${V}r01-r12-gateways-per-vnet.ts`, 'checkGatewaysPerVnet')],
    tests: [t(VT, 'R12: ExpressRoute connections need an ExpressRoute gateway; coexistence needs a capable SKU'), t('test/sim/engine/routing.test.ts', 'ExpressRoute is preferred for equal prefixes; S2S takes over when the circuit fails (R12)')],
  },
  {
    id: 'R13', summary: 'Transit without BGP carries only address spaces defined statically on the connections', status: 'implemented',
    code: [c('src/sim/net/bgp-routes.ts', 'connectionPrefixes'), c('src/sim/net/routing.ts', 'siteRoutes')],
    tests: [t('test/sim/engine/conformance.test.ts', 'the second anomaly: the documented list is reproduced by static transit prefixes on VNet1toVNet2'), t('test/sim/net/routing.test.ts', 'static BGP propagation: AS_PATH grows along the chain and never loops')],
  },
  {
    id: 'R14', summary: 'A policy-based tunnel idle for more than five minutes is torn down; the next packet brings it back', status: 'implemented',
    code: [c('src/protocols/ike/config.ts', 'IDLE_TIMEOUT_SECONDS'), c('src/protocols/ike/machine.ts', 'ikeStep')],
    tests: [t('test/sim/engine/protocols.test.ts', 'a policy-based tunnel idles out after 300 s without traffic and the next packet brings it back (R14)'), t('test/protocols/ike/session.test.ts', 'policy-based: no DPD, and the idle timeout is 300 s exactly (R14)')],
  },
  {
    id: 'R15', summary: 'Policy-based gateways select traffic by pairs of prefixes (traffic selectors)', status: 'implemented',
    code: [c('src/sim/net/forwarding.ts', 'selectorsMatch')],
    tests: [t('test/sim/engine/routing.test.ts', 'policy-based traffic selectors drop what matches no pair (R15)')],
  },
  {
    id: 'R16', summary: 'Point-to-site works only on route-based gateways', status: 'implemented',
    code: [c(`${V}r16-r18-p2s-configuration.ts`, 'checkP2sConfiguration'), c(`${V}r16-r18-clients.ts`, 'checkClients')],
    tests: [t(VT, 'R16: point-to-site only on RouteBased gateways with a client configuration')],
  },
  {
    id: 'R17', summary: 'SSTP runs only on Windows; IKEv2 and OpenVPN on every OS', status: 'implemented',
    code: [c(`${V}r16-r18-clients.ts`, 'checkClients'), c('src/protocols/sstp/machine.ts', 'notCompatible')],
    tests: [t(VT, 'R17: SSTP on Windows only; protocol offered by the gateway; no IKEv2/OpenVPN on legacy SKUs'), t('test/protocols/sstp/session.test.ts', 'non-Windows client fails with notCompatible and holds no slot (R17)')],
  },
  {
    id: 'R18', summary: 'A gateway takes a limited number of P2S clients (128 SSTP)', status: 'implemented',
    code: [c(`${V}r16-r18-clients.ts`, 'checkClients'), c('src/protocols/sstp/pool.ts', 'SstpServerPool')],
    tests: [t(VT, 'R18: client counts per SKU and protocol (connectAt null counts); at most 20 roots; client root must exist'), t('test/sim/engine/protocols.test.ts', 'the 129th SSTP client is refused (R18)')],
  },
  {
    id: 'R19', summary: 'A client does not reconnect by itself', status: 'implemented',
    code: [c('src/sim/engine/simulation.ts', 'disconnectClient')],
    tests: [t('test/sim/engine/actions.test.ts', 'disconnectClient ends the P2S session; it stays down until connectClient (R19)'), t('test/sim/engine/replay.test.ts', 'gateway reboot: the laptop is not reconnected until connectClient (R19)')],
  },
  {
    id: 'R20', summary: 'P2S client pools overlap nothing', status: 'implemented',
    code: [c(`${V}r20-client-pools.ts`, 'checkClientPools')],
    tests: [t(VT, 'R20: P2S pools overlap neither each other nor any VNet or site prefix')],
  },
  {
    id: 'R21', summary: 'Windows clients get their routes from the client package, frozen when it was downloaded', status: 'implemented',
    code: [c('src/sim/net/routing.ts', 'packageRoutes'), c('src/sim/net/routing.ts', 'pushedRoutes')],
    tests: [t('test/sim/net/routing.test.ts', 'package routes: VNet, transit spokes, pool; pushed routes add VNet-to-VNet and BGP prefixes (R21)'), t('test/sim/engine/routing.test.ts', 'a Windows package is frozen at download; a redownload picks up a new peering (R21)')],
  },
  {
    id: 'R22', summary: 'useRemoteGateways needs a remote gateway and allowGatewayTransit back', status: 'implemented',
    code: [c(`${V}r22-peerings.ts`, 'checkPeerings')],
    tests: [t(VT, 'R22: useRemoteGateways needs a remote gateway and allowGatewayTransit back'), t(VT, 'R22: a VNet with its own gateway cannot use remote gateways; not both flags on one peering')],
  },
  planned('R23', 13, 'P2S certificate authentication needs an uploaded root; authentication types are exclusive'),
  planned('R24', 13, 'VNet-to-VNet can also be built from S2S connections and local network gateways'),
  planned('R25', 13, 'An S2S key is held on both ends and must match exactly'),
  planned('R26', 13, 'ExpressRoute is a private circuit with its own latency, loss and bandwidth'),
  planned('R27', 13, 'Client limits count clients connected at the same time'),
  planned('R28', 13, 'Pools must not overlap among the VNets one client connects to'),
  planned('R29', 13, 'A Windows client needs its client package before it can connect'),
  planned('R30', 13, "A local network gateway's device address is a public IPv4 address"),
  planned('R31', 13, 'TCP throughput falls with loss and round-trip time'),
  planned('R32', 13, 'DPD probes only when nothing has been received from the peer'),
  planned('R33', 13, "Resizing follows Azure's paths"),
  planned('R34', 13, 'Gateway creation time depends on the SKU'),
  planned('R40', 17, 'Active-active gateways: two instances, a tunnel per instance'),
  planned('R41', 17, 'Active-standby: the standby takes over after 10-15 s (planned) or 60-90 s (unplanned)'),
  planned('R42', 17, 'Custom IPsec/IKE policy per connection'),
  planned('R43', 17, 'DPD timeout per connection, 9-3,600 s, default 45 s'),
  planned('R44', 17, 'Connection mode Default, InitiatorOnly or ResponderOnly'),
  planned('R45', 17, 'BGP peering addresses: GatewaySubnet by default, or APIPA 169.254.21.0-169.254.22.255'),
  planned('R46', 17, 'NAT rules on VpnGw2-5 and VpnGw2AZ-5AZ, IPsec cross-premises only'),
  planned('R47', 17, 'P2S protocols today: SSTP 128 on every SKU, IKEv2/OpenVPN per SKU'),
  planned('R48', 17, 'Basic has no BGP, no active-active, no IPv6, no RADIUS, no IKEv2 P2S'),
  planned('R49', 17, 'Non-AZ VpnGw1-5 migrate to AZ SKUs: a warning with the date, not an error'),
  planned('R50', 17, 'An SKU upgrade takes about 45 minutes and keeps the public IP'),
  planned('R51', 17, 'Policy-based gateways: Basic, IKEv1 only, one S2S tunnel'),
  planned('R52', 17, 'Scenarios imported from ARM keep resource and property names'),
];
