/**
 * Topology diagrams: a simulation's network drawn with Graphviz (the `dot`
 * layout, compiled to WebAssembly by `@viz-js/viz`, so no system install is
 * needed). VNets are clusters labelled with their address spaces and holding
 * their gateways (with SKU) and hosts; on-premises sites are boxes with their
 * prefixes; connections are edges coloured by the tunnel's state at the
 * drawing time; peerings are dashed edges labelled with their transit flags;
 * each P2S configuration is a node with its pool and client counts by OS and
 * protocol; ExpressRoute circuits are bold edges.
 *
 * Every drawn object carries a stable SVG id (`vnet:NAME`, `gateway:NAME`,
 * `site:NAME`, `conn:NAME`, `peering:A|B`, `p2s:GATEWAY`, `host:NAME`) and
 * connections carry their state as a CSS class (`state-established`, ...),
 * so a report can recolour them as its time cursor moves.
 */
import type { Viz } from '@viz-js/viz';
import type { Simulation } from '../sim/engine/simulation.js';
import type { TunnelStatus } from '../sim/engine/tunnels.js';
import { UsageError } from '../errors.js';

/** Options of {@link topologyDot} and {@link topologySvg}. */
export interface TopologyOptions {
  /**
   * Simulated time to draw, seconds: the simulation runs to it first (timeline
   * entries up to it applied). Default: once the network has settled
   * ({@link Simulation.settle}), or the simulation's current time when it has
   * already run.
   */
  at?: number;
  /** Title above the drawing; default the scenario's name and the time. */
  title?: string;
}

/** Colour of a tunnel state: green up, amber on its way, red down or refused, grey not there yet. */
export function stateColour(status: TunnelStatus | string): string {
  switch (status) {
    case 'established':
    case 'up':
    case 'Established':
      return '#1a7f37';
    case 'connecting':
    case 'Connect':
    case 'Active':
    case 'OpenSent':
    case 'OpenConfirm':
      return '#bf8700';
    case 'notProvisioned':
    case 'Idle':
      return '#8c959f';
    default:
      return '#cf222e';
  }
}

/** Quotes a DOT identifier or label. */
function q(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function attrs(a: Record<string, string | undefined>): string {
  return `[${Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${q(v!)}`).join(', ')}]`;
}

function bringTo(sim: Simulation, at: number | undefined): void {
  if (at === undefined) {
    if (sim.now === 0) sim.settle();
    return;
  }
  if (!Number.isFinite(at) || at < 0) throw new UsageError(`graph: --at "${at}" is not a number of seconds. Pass 0 or more`, 'usage');
  if (at < sim.now) throw new UsageError(`graph: --at ${at} s is before the simulation's current time (${sim.now} s). Draw from a fresh simulation`, 'time');
  sim.runUntil(at);
}

/**
 * The topology as Graphviz DOT source, at the time `options.at` (see
 * {@link TopologyOptions}). Pure text; {@link topologySvg} lays it out.
 * @throws UsageError when `at` is negative or before the simulation's current time.
 */
export function topologyDot(sim: Simulation, options: TopologyOptions = {}): string {
  bringTo(sim, options.at);
  const net = sim.network;
  const status = new Map(sim.tunnelStatuses().map((t) => [t.connection, t.status] as const));
  const out: string[] = [];
  const title = options.title ?? `${sim.scenario.name} at t=${Math.round(sim.now * 1000) / 1000} s`;
  out.push('digraph topology {');
  out.push(`  graph ${attrs({ label: title, labelloc: 't', fontname: 'Helvetica', fontsize: '16', rankdir: 'LR', compound: 'true', nodesep: '0.4', ranksep: '1.1' })};`);
  out.push(`  node ${attrs({ fontname: 'Helvetica', fontsize: '11', shape: 'box', style: 'rounded' })};`);
  out.push(`  edge ${attrs({ fontname: 'Helvetica', fontsize: '10' })};`);

  const anchor = (vnet: string) => `vnet:${vnet}`;
  let i = 0;
  for (const v of net.vnets.values()) {
    out.push(`  subgraph ${q(`cluster_${i++}`)} {`);
    out.push(`    graph ${attrs({ id: `cluster:${v.name}`, label: `VNet ${v.name} (${v.location})`, style: 'rounded,filled', fillcolor: '#f0f6fc', color: '#54aeff' })};`);
    const subnets = v.def.subnets.map((s) => `${s.name} ${s.addressPrefix}`).join('\n');
    out.push(`    ${q(anchor(v.name))} ${attrs({ id: anchor(v.name), label: `${v.def.addressPrefixes.join(', ')}\n${subnets}`, shape: 'note', style: 'filled', fillcolor: 'white' })};`);
    for (const g of net.gateways.values()) {
      if (g.vnet !== v) continue;
      const up = sim.gatewayUp(g.name);
      const kind = g.type === 'ExpressRoute' ? 'ExpressRoute gateway' : `VPN gateway, ${g.def.vpnType}`;
      const bgp = g.bgp ? `\nBGP AS ${g.bgp.asn}` : '';
      out.push(`    ${q(`gateway:${g.name}`)} ${attrs({
        id: `gateway:${g.name}`,
        class: up ? 'gateway-up' : 'gateway-down',
        label: `${g.name}\n${kind}\nSKU ${g.sku.name}${bgp}${up ? '' : '\n(not running)'}`,
        shape: 'box', style: 'rounded,filled,bold', fillcolor: up ? '#dafbe1' : '#ffebe9', color: up ? '#1a7f37' : '#cf222e',
      })};`);
      out.push(`    ${q(anchor(v.name))} -> ${q(`gateway:${g.name}`)} ${attrs({ style: 'invis' })};`);
    }
    for (const h of net.hosts.values()) {
      if (h.vnet !== v) continue;
      out.push(`    ${q(`host:${h.name}`)} ${attrs({ id: `host:${h.name}`, label: `${h.name}\n${h.def.address}`, shape: 'ellipse', style: 'solid' })};`);
    }
    out.push('  }');
  }

  for (const s of net.sites.values()) {
    out.push(`  subgraph ${q(`cluster_${i++}`)} {`);
    out.push(`    graph ${attrs({ id: `cluster:${s.name}`, label: `site ${s.name}`, style: 'rounded,filled', fillcolor: '#fff8c5', color: '#d4a72c' })};`);
    const bgp = s.bgp ? `\nBGP AS ${s.bgp.asn}` : '';
    out.push(`    ${q(`site:${s.name}`)} ${attrs({
      id: `site:${s.name}`,
      class: s.deviceUp ? 'device-up' : 'device-down',
      label: `${s.name} device ${s.def.gatewayIpAddress}\n${s.def.addressPrefixes.join(', ')}${bgp}${s.deviceUp ? '' : '\n(device down)'}`,
      shape: 'box3d', style: 'filled', fillcolor: 'white', color: s.deviceUp ? 'black' : '#cf222e',
    })};`);
    for (const h of net.hosts.values()) {
      if (h.site !== s) continue;
      out.push(`    ${q(`host:${h.name}`)} ${attrs({ id: `host:${h.name}`, label: `${h.name}\n${h.def.address}`, shape: 'ellipse' })};`);
    }
    out.push('  }');
  }

  // Connections. The two halves of a VNet-to-VNet link are one edge.
  const drawn = new Set<string>();
  for (const c of net.connections.values()) {
    if (drawn.has(c.name)) continue;
    drawn.add(c.name);
    const st = status.get(c.name) ?? 'down';
    const colour = stateColour(st);
    if (c.type === 'Vnet2Vnet') {
      const r = net.reverseOf(c);
      if (r) drawn.add(r.name);
      const to = c.peerGateway ? `gateway:${c.peerGateway.name}` : undefined;
      if (!to) continue;
      out.push(`  ${q(`gateway:${c.gateway.name}`)} -> ${q(to)} ${attrs({
        id: `conn:${c.name}`, class: `conn state-${st}`, dir: 'both', color: colour, penwidth: '2', fontcolor: colour,
        label: `${r ? `${c.name} / ${r.name}` : c.name}\nVNet-to-VNet ${c.ikeVersion}${c.bgp ? ', BGP' : ''}\n${st}`,
        tooltip: `${c.name}: ${st}`,
      })};`);
      continue;
    }
    if (!c.site) continue;
    const er = c.type === 'ExpressRoute';
    const kind = er ? 'ExpressRoute circuit' : `S2S ${c.ikeVersion}${c.def.usePolicyBasedTrafficSelectors ? ', policy selectors' : ''}${c.bgp ? ', BGP' : ''}`;
    out.push(`  ${q(`gateway:${c.gateway.name}`)} -> ${q(`site:${c.site.name}`)} ${attrs({
      id: `conn:${c.name}`, class: `conn state-${st}`, dir: 'none', color: colour, fontcolor: colour,
      penwidth: er ? '4' : '2', style: er ? 'bold' : 'solid',
      label: `${c.name}\n${kind}\n${st}`, tooltip: `${c.name}: ${st}`,
    })};`);
  }

  // Peerings: one edge per VNet pair, both directions' flags on the label.
  const pairs = new Set<string>();
  for (const p of net.peerings.values()) {
    const [a, b] = [p.vnet.name, p.remote.name].sort() as [string, string];
    const key = `${a}|${b}`;
    if (pairs.has(key)) continue;
    pairs.add(key);
    const ab = net.peerings.get(`${a}->${b}`);
    const ba = net.peerings.get(`${b}->${a}`);
    const flags = (x: typeof ab) => (x ? [x.allowGatewayTransit ? 'allowGatewayTransit' : '', x.useRemoteGateways ? 'useRemoteGateways' : ''].filter(Boolean).join(', ') || 'no transit flags' : 'not configured');
    const connected = ab !== undefined && ba !== undefined;
    out.push(`  ${q(anchor(a))} -> ${q(anchor(b))} ${attrs({
      id: `peering:${key}`, class: connected ? 'peering connected' : 'peering initiated', dir: 'none', style: 'dashed', color: connected ? '#0969da' : '#cf222e',
      ltail: undefined, label: `peering ${connected ? 'Connected' : 'Initiated'}\n${a} -> ${b}: ${flags(ab)}\n${b} -> ${a}: ${flags(ba)}`,
    })};`);
  }

  // P2S: one node per gateway with a client configuration.
  for (const g of net.gateways.values()) {
    const cfg = g.def.vpnClientConfiguration;
    if (!cfg) continue;
    const counts = new Map<string, { total: number; connected: number }>();
    for (const c of net.clients.values()) {
      if (c.gateway !== g) continue;
      const k = `${c.def.os} ${c.def.protocol}`;
      const n = counts.get(k) ?? { total: 0, connected: 0 };
      n.total++;
      if (c.connected) n.connected++;
      counts.set(k, n);
    }
    const rows = [...counts.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, n]) => `${k}: ${n.total} client${n.total === 1 ? '' : 's'}, ${n.connected} connected`);
    out.push(`  ${q(`p2s:${g.name}`)} ${attrs({
      id: `p2s:${g.name}`, shape: 'folder', style: 'filled', fillcolor: '#fbefff', color: '#8250df',
      label: `P2S on ${g.name}\npool ${cfg.vpnClientAddressPool.join(', ')}\n${cfg.vpnClientProtocols.join(', ')}\n${rows.length ? rows.join('\n') : 'no clients'}`,
    })};`);
    out.push(`  ${q(`p2s:${g.name}`)} -> ${q(`gateway:${g.name}`)} ${attrs({ dir: 'none', style: 'dotted', color: '#8250df' })};`);
  }
  out.push('}');
  return out.join('\n');
}

let vizPromise: Promise<Viz> | undefined;

/**
 * The topology as an SVG document (see {@link topologyDot} for what is drawn
 * and {@link TopologyOptions} for the time). Laid out by Graphviz `dot`
 * compiled to WebAssembly; no system Graphviz is used.
 * @throws UsageError when `at` is negative or before the simulation's current time.
 */
export async function topologySvg(sim: Simulation, options: TopologyOptions = {}): Promise<string> {
  const dot = topologyDot(sim, options);
  vizPromise ??= import('@viz-js/viz').then((m) => m.instance());
  const viz = await vizPromise;
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}
