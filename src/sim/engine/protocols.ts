/**
 * The protocol layer: tunnels, BGP sessions and P2S clients come up and go
 * down because messages cross the underlay, never because a flag is set.
 *
 * - One IKE session per tunnel (an IPsec connection, or the two halves of a
 *   VNet-to-VNet link), between the gateway's public NIC and the peer's. The
 *   Azure side initiates; after a tunnel goes down it re-initiates after
 *   {@link ProtocolOptions.reconnectSeconds} (route-based; policy-based
 *   tunnels that idled out come back on the next packet, R14).
 * - One BGP session per BGP-enabled connection (SPEC section 5), carried
 *   inside its tunnel: it cannot come up before the tunnel and its transport
 *   goes down with it. Route tables change only through UPDATEs: every
 *   change of a speaker's Loc-RIB reaches routing as a `route.add` or
 *   `route.remove`.
 * - One SSTP or IKEv2 session per P2S client connect; no auto-reconnect (R19).
 * - ExpressRoute circuits carry no IKE; their failure is detected by BFD
 *   after {@link ProtocolOptions.expressRouteDetectionSeconds}.
 *
 * Failures are detected the way the protocols detect them: a failed device
 * or gateway goes silent (its messages and packets are lost) and the peer
 * finds out through DPD, the BGP hold timer or IKE retransmissions giving up.
 */
import { UsageError } from '../../errors.js';
import { IkeSession, ikeConfig, type IkeConfig } from '../../protocols/ike/index.js';
import { BgpSession, BgpSpeaker, azureExportFilter } from '../../protocols/bgp/index.js';
import type { BgpRoute } from '../../protocols/bgp/speaker.js';
import { bgpJitter } from '../../protocols/bgp/jitter.js';
import { SstpServerPool, SstpSession } from '../../protocols/sstp/index.js';
import { Ikev2ClientPool, Ikev2P2sSession } from '../../protocols/p2s/index.js';
import type { Client, Connection, Gateway, Network, Site } from '../net/model.js';
import type { Link } from '../net/underlay.js';
import { idlesOutR14, usesPolicySelectorsR15 } from '../net/policy-based.js';
import { acceptsRoute, bgpSessionSpecs, originated, type BgpRibs, type BgpSessionSpec, type LearnedRoute } from '../net/bgp-routes.js';
import type { DropReason } from '../net/forwarding.js';
import { formatAddress, parsePrefix, type Prefix } from '../net/prefix.js';
import { skuSpec } from '../net/skus.js';
import type { TimelineEntry } from '../net/scenario.js';
import type { EventHandle } from '../kernel/simulator.js';
import type { Simulation } from './simulation.js';
import { configuredStatus, type TunnelLayer, type TunnelStatus } from './tunnels.js';

/** Tunables of the protocol layer. Defaults are documented per field. */
export interface ProtocolOptions {
  /** Seconds before the Azure side re-initiates a route-based tunnel that went down. Default 5 (SKUS.md: an IKEv1 tunnel "takes up to about 5 s to come back"). */
  reconnectSeconds?: number;
  /** Seconds between attempts on a tunnel whose negotiation failed (wrong key, no proposal). Default 30. */
  retryFailedSeconds?: number;
  /** BFD detection of an ExpressRoute circuit failure, seconds. Default 0.9 (3 x 300 ms). */
  expressRouteDetectionSeconds?: number;
}

const DEFAULTS: Required<ProtocolOptions> = { reconnectSeconds: 5, retryFailedSeconds: 30, expressRouteDetectionSeconds: 0.9 };

/** A planned instance failover takes 10-15 s, an unplanned one 60-90 s (SKUS.md). */
export const FAILOVER_SECONDS = { planned: [10, 15], unplanned: [60, 90] } as const;

/** One tunnel: an IPsec or ExpressRoute connection, or both halves of a VNet-to-VNet link. */
interface TunnelRec {
  readonly key: string;
  readonly conns: Connection[];
  /** Azure gateway of the initiating side. */
  readonly a: Gateway;
  /** The other end: a gateway or a site. */
  readonly bGateway: Gateway | undefined;
  readonly site: Site | undefined;
  readonly expressRoute: boolean;
  readonly policyBased: boolean;
  session: IkeSession | undefined;
  up: boolean;
  /** True until the first attempt ended (up or failed): `busy()` while it negotiates. */
  firstAttempt: boolean;
  /** Last state put in the trace, to avoid repeating a down. */
  emitted: string;
  retry: EventHandle | undefined;
  /** For ExpressRoute: the circuit is failed (timeline). */
  circuitFailed: boolean;
}

interface BgpRec {
  readonly spec: BgpSessionSpec;
  readonly session: BgpSession;
  everEstablished: boolean;
  failedOnce: boolean;
}

interface P2sRec {
  readonly client: Client;
  readonly session: SstpSession | Ikev2P2sSession;
}

/** The default tunnel layer: IKE, BGP and P2S sessions over the underlay (see the module header). */
export class ProtocolTunnels implements TunnelLayer {
  private readonly o: Required<ProtocolOptions>;
  private readonly tunnels = new Map<string, TunnelRec>();
  private readonly byConnection = new Map<string, TunnelRec>();
  private readonly speakers = new Map<string, BgpSpeaker>();
  private readonly bgp = new Map<string, BgpRec>();
  private readonly ribs: BgpRibs = new Map();
  private readonly p2s = new Map<string, P2sRec>();
  private readonly sstpPools = new Map<string, SstpServerPool>();
  private readonly ikev2Pools = new Map<string, Ikev2ClientPool>();
  private readonly failedGateways = new Map<string, EventHandle>();
  private readonly adminFailed = new Set<string>();

  constructor(private readonly s: Simulation, options: ProtocolOptions = {}) {
    this.o = { ...DEFAULTS, ...options };
  }

  private get net(): Network {
    return this.s.network;
  }

  // ---------------------------------------------------------------- TunnelLayer

  start(): void {
    this.sync();
  }

  isUp(c: Connection): boolean {
    return this.byConnection.get(c.name)?.up ?? false;
  }

  onBlocked(c: Connection): DropReason {
    const t = this.byConnection.get(c.name);
    if (!t || !t.session || !t.policyBased || this.adminFailed.has(c.name)) return 'tunnelDown';
    // R14: the first packet in either direction brings a policy-based tunnel up at once;
    // the packet itself is dropped while IKEv1 negotiates (DATA_WHILE_NEGOTIATING).
    t.session.traffic('a');
    return 'tunnelNegotiating';
  }

  onTraffic(c: Connection): void {
    const t = this.byConnection.get(c.name);
    if (t?.session && t.policyBased) t.session.traffic('a');
  }

  bgpRibs(): BgpRibs {
    return this.ribs;
  }

  gatewayRunning(g: Gateway): boolean {
    return this.failedGateways.size === 0 || !this.failedGateways.has(g.name);
  }

  busy(): boolean {
    for (const t of this.tunnels.values()) if (t.firstAttempt && t.session?.state.state === 'connecting') return true;
    for (const b of this.bgp.values()) if (b.session.transportIsUp && !b.everEstablished && !b.failedOnce) return true;
    for (const p of this.p2s.values()) if (p.session.status.state === 'connecting') return true;
    return false;
  }

  connectClient(c: Client): void {
    const g = c.gateway;
    const old = this.p2s.get(c.name);
    if (old && (old.session.status.state === 'connecting' || old.session.status.state === 'connected')) return;
    if (!this.s.gatewayUp(g.name)) {
      this.s.trace.emit({ t: this.s.now, type: 'client.failed', client: c.name, reason: 'gatewayDown' });
      return;
    }
    const toGw = this.link(c.location, g.vnet.location, () => true, () => this.s.gatewayUp(g.name));
    const toClient = this.link(g.vnet.location, c.location, () => this.s.gatewayUp(g.name), () => true);
    const roots = (g.def.vpnClientConfiguration?.vpnClientRootCertificates ?? []).map((r) => r.name);
    const trusted = roots.length > 0 ? roots : ['P2SRootCA'];
    const certificate = { subject: c.name, root: c.def.rootCertificate ?? trusted[0]! };
    const os = c.def.os.toLowerCase() as 'windows' | 'macos' | 'linux' | 'ios' | 'android';
    let session: SstpSession | Ikev2P2sSession;
    if (c.def.protocol === 'SSTP') {
      session = new SstpSession({
        sim: this.s.sim, toServer: toGw, toClient, pool: this.pool(this.sstpPools, g, () => SstpServerPool.forSku(g.sku)),
        client: { os, certificate }, server: { trustedRoots: trusted }, name: `sstp/${c.name}`,
      });
      session.onStateChange((_t, state, reason) => this.p2sChanged(c, state, reason));
    } else {
      // OpenVPN is modelled with the IKEv2 exchange's round trips (certificate authentication).
      session = new Ikev2P2sSession({
        sim: this.s.sim, toGateway: toGw, toClient, pool: this.pool(this.ikev2Pools, g, () => Ikev2ClientPool.forSku(g.sku)),
        client: { os, auth: 'certificate', certificate }, gateway: { auth: 'certificate', trustedRoots: trusted }, name: `ikev2/${c.name}`,
      });
      session.onStatus((_t, status) => this.p2sChanged(c, status.state, 'reason' in status ? status.reason : undefined));
    }
    this.p2s.set(c.name, { client: c, session });
    this.s.trace.emit({ t: this.s.now, type: 'client.connecting', client: c.name, protocol: c.def.protocol });
    session.connect();
  }

  clientGone(c: Client): void {
    const rec = this.p2s.get(c.name);
    if (!rec) return;
    const st = rec.session.status.state;
    if (st === 'connecting' || st === 'connected') rec.session.disconnect('userDisconnect');
  }

  connectionAdded(): void {
    this.sync();
  }

  connectionRemoving(c: Connection): void {
    const t = this.byConnection.get(c.name);
    if (t) this.removeTunnel(t, 'removed');
    // Sync after the network has dropped the connection.
    this.s.sim.schedule(0, () => this.sync(), `sync/${c.name}`);
  }

  gatewayProvisioned(): void {
    this.sync();
  }

  applyAction(e: TimelineEntry): void {
    const net = this.net;
    switch (e.action) {
      case 'fail':
      case 'restore': {
        const down = e.action === 'fail';
        if (net.connections.has(e.target)) return down ? this.failConnection(net.connection(e.target)) : this.restoreConnection(net.connection(e.target));
        if (net.sites.has(e.target)) return down ? this.failSite(net.site(e.target)) : this.restoreSite(net.site(e.target));
        if (net.gateways.has(e.target)) return down ? this.failGateway(net.gateway(e.target), e.planned ?? false) : this.recoverGateway(net.gateway(e.target));
        throw new UsageError(`timeline ${e.action} "${e.target}" at t=${e.at}: no connection, local network gateway or gateway of that name`, 'ref');
      }
      case 'resetBgp': {
        const rec = [...this.bgp.values()].find((b) => b.spec.aConnection.name === e.connection || b.spec.bConnection.name === e.connection);
        if (!rec) throw new UsageError(`timeline resetBgp "${e.connection}" at t=${e.at}: no BGP session runs on that connection. Enable BGP on it and on both ends`, 'bgp');
        rec.session.reset(rec.spec.aConnection.name === e.connection ? 'a' : 'b');
        return;
      }
      case 'setPath': {
        this.s.underlay.set(e);
        this.s.trace.emit({ t: this.s.now, type: 'underlay.set', from: e.from, to: e.to, ...this.s.underlay.figures(e.from, e.to) });
        return;
      }
      case 'resizeGateway': {
        const g = net.gateway(e.gateway);
        g.sku = skuSpec(e.sku, g.def.vpnGatewayGeneration, `timeline resizeGateway "${e.gateway}"`);
        this.sstpPools.delete(g.name);
        this.ikev2Pools.delete(g.name);
        this.s.trace.emit({ t: this.s.now, type: 'gateway.resized', gateway: g.name, sku: g.sku.name, capacityMbps: g.sku.aggregateMbps });
        this.s.invalidate();
        return;
      }
      default:
        throw new UsageError(`timeline action "${e.action}" at t=${e.at}: not handled by the protocol layer`, 'usage');
    }
  }

  status(c: Connection): TunnelStatus {
    if (this.adminFailed.has(c.name)) return 'adminDown';
    const t = this.byConnection.get(c.name);
    if (!t) {
      const st = configuredStatus(this.net, c, this.s.now);
      return st === 'established' ? 'down' : st;
    }
    if (t.up) return 'established';
    if (t.conns.some((x) => this.adminFailed.has(x.name))) return 'adminDown';
    if (t.site && !t.site.deviceUp) return 'deviceDown';
    const st = t.session?.state;
    if (!st) return this.ready(t) ? 'down' : 'notProvisioned';
    if (st.state === 'connecting') return 'connecting';
    if (st.state === 'failed') return st.status;
    return 'down';
  }

  // ---------------------------------------------------------------- tunnels

  /** Brings the set of tunnels and BGP sessions in line with the configuration. */
  private sync(): void {
    const net = this.net;
    const wanted = new Map<string, Connection[]>();
    for (const c of [...net.connections.values()].sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (c.type === 'Vnet2Vnet') {
        const r = net.reverseOf(c);
        if (!r) {
          this.emitOnce(undefined, [c], 'down', 'missingEndpoint');
          continue;
        }
        const pair = [c, r].sort((x, y) => (x.name < y.name ? -1 : 1));
        wanted.set(pair.map((x) => x.name).join('|'), pair);
      } else wanted.set(c.name, [c]);
    }
    for (const [key, t] of this.tunnels) if (!wanted.has(key)) this.removeTunnel(t, 'removed');
    for (const [key, conns] of wanted) {
      let t = this.tunnels.get(key);
      if (!t) {
        const c = conns[0]!;
        t = {
          key, conns, a: c.gateway, bGateway: c.peerGateway, site: c.site, expressRoute: c.type === 'ExpressRoute',
          policyBased: idlesOutR14(c),
          session: undefined, up: false, firstAttempt: true, emitted: '', retry: undefined, circuitFailed: false,
        };
        this.tunnels.set(key, t);
        for (const x of conns) this.byConnection.set(x.name, t);
      }
      if (!t.session && !t.up && this.ready(t)) this.bringUp(t);
    }
    this.syncBgp();
  }

  private ready(t: TunnelRec): boolean {
    return t.conns.every((c) => {
      const st = configuredStatus(this.net, c, this.s.now);
      return st !== 'notProvisioned' && st !== 'missingEndpoint';
    }) && !t.conns.some((c) => this.adminFailed.has(c.name));
  }

  private bringUp(t: TunnelRec): void {
    if (t.expressRoute) {
      if (t.circuitFailed || !this.s.gatewayUp(t.a.name)) return;
      this.setUp(t, true, 'circuitUp');
      t.firstAttempt = false;
      return;
    }
    t.session?.dispose();
    t.session = this.newSession(t);
    t.session.start('a');
  }

  private newSession(t: TunnelRec): IkeSession {
    const [c, r] = t.conns as [Connection, Connection | undefined];
    const aLoc = t.a.vnet.location;
    const bLoc = t.bGateway ? t.bGateway.vnet.location : t.site!.location;
    const aAlive = () => this.s.gatewayUp(t.a.name);
    const bAlive = () => (t.bGateway ? this.s.gatewayUp(t.bGateway.name) : t.site!.deviceUp);
    let aCfg: IkeConfig;
    let bCfg: IkeConfig;
    if (t.bGateway && r) {
      // Each half brings its own key, version and VPN type: a mismatch fails the way IKE fails.
      aCfg = this.ikeEnd(c, c.gateway, undefined);
      bCfg = this.ikeEnd(r, r.gateway, undefined);
    } else {
      const site = t.site!;
      const local = c.gateway.vnet.prefixes.map((p) => p.cidr);
      const remote = site.prefixes.map((p) => p.cidr);
      const ts = usesPolicySelectorsR15(c) ? selectorsOf(c, local, remote) : undefined;
      aCfg = this.ikeEnd(c, c.gateway, ts);
      // The on-premises device mirrors the connection: same key, version and selectors.
      bCfg = ikeConfig({
        id: `${c.name}/${site.name}`, sharedKey: c.def.sharedKey ?? '', vpnType: c.gateway.def.vpnType, era: c.gateway.sku.era,
        version: c.ikeVersion, policyBased: t.policyBased, ...(ts ? { trafficSelectors: { local: ts.remote, remote: ts.local } } : {}),
      });
    }
    return new IkeSession({
      sim: this.s.sim, a: aCfg, b: bCfg, name: `ike/${t.key}`,
      aToB: this.link(aLoc, bLoc, aAlive, bAlive),
      bToA: this.link(bLoc, aLoc, bAlive, aAlive),
      onEvent: (_t, _end, kind, reason) => this.ikeEvent(t, kind, reason),
    });
  }

  /** The IKE configuration of the Azure end of connection `c` on gateway `g`. */
  private ikeEnd(c: Connection, g: Gateway, ts: { local: string[]; remote: string[] } | undefined): IkeConfig {
    return ikeConfig({
      id: `${c.name}`, sharedKey: c.def.sharedKey ?? '', vpnType: g.def.vpnType, era: g.sku.era, version: c.ikeVersion,
      policyBased: idlesOutR14(c),
      ...(ts ? { trafficSelectors: ts } : {}),
    });
  }

  private ikeEvent(t: TunnelRec, kind: 'up' | 'down' | 'rekeyed', reason: string): void {
    const session = t.session;
    if (!session) return;
    if (kind === 'rekeyed') {
      for (const c of t.conns) this.s.trace.emit({ t: this.s.now, type: 'tunnel.rekey', connection: c.name, reason });
      return;
    }
    const st = session.state;
    if (st.state === 'up') {
      t.firstAttempt = false;
      if (!t.up) this.setUp(t, true, reason);
      return;
    }
    if (kind !== 'down') return;
    if (t.up) this.setUp(t, false, reason);
    else if (st.state === 'failed') {
      t.firstAttempt = false;
      this.emitOnce(t, t.conns, 'down', st.reason);
    }
    this.scheduleRetry(t, reason, st.state === 'failed');
  }

  private scheduleRetry(t: TunnelRec, reason: string, failed: boolean): void {
    if (t.retry !== undefined) return;
    if (t.conns.some((c) => this.adminFailed.has(c.name))) return;
    if (reason === 'admin' || reason === 'rekey') return;
    if (t.policyBased && reason === 'idleTimeout') return; // comes back on the next packet (R14)
    const after = failed ? this.o.retryFailedSeconds : this.o.reconnectSeconds;
    t.retry = this.s.sim.schedule(after, () => {
      t.retry = undefined;
      const st = t.session?.state.state;
      if (!t.session || st === 'up' || st === 'connecting' || !this.s.gatewayUp(t.a.name)) return;
      if (this.tunnels.get(t.key) !== t) return;
      t.session.start('a');
    }, `retry/${t.key}`);
  }

  /** Marks a tunnel up or down: trace, BGP transport, routing. */
  private setUp(t: TunnelRec, up: boolean, reason: string): void {
    t.up = up;
    this.emitOnce(t, t.conns, up ? 'up' : 'down', reason);
    for (const b of this.bgp.values()) {
      if (!t.conns.includes(b.spec.aConnection)) continue;
      if (up) b.session.transportUp();
      else b.session.transportDown();
    }
    this.s.invalidate();
  }

  private emitOnce(t: TunnelRec | undefined, conns: Connection[], state: 'up' | 'down', reason: string): void {
    const tag = `${state}/${reason}`;
    if (t) {
      if (t.emitted === tag || (state === 'down' && t.emitted === '' && reason === 'removed')) return;
      t.emitted = tag;
    }
    for (const c of conns) this.s.trace.emit({ t: this.s.now, type: state === 'up' ? 'tunnel.up' : 'tunnel.down', connection: c.name, reason });
    if (!t) this.s.invalidate();
  }

  private removeTunnel(t: TunnelRec, reason: string): void {
    if (t.retry !== undefined) this.s.sim.cancel(t.retry);
    t.retry = undefined;
    if (t.up) this.setUp(t, false, reason);
    t.session?.dispose();
    t.session = undefined;
    this.tunnels.delete(t.key);
    for (const c of t.conns) if (this.byConnection.get(c.name) === t) this.byConnection.delete(c.name);
  }

  /** A carrier between two locations that loses everything while either end is dead. */
  private link(from: string, to: string, fromAlive: () => boolean, toAlive: () => boolean): Link {
    const base = this.s.underlay.link(from, to);
    return {
      transmit: <A>(bytes: number, deliver: (arg: A) => void, label?: string, arg?: A) => {
        if (!fromAlive()) return false;
        return base.transmit(bytes, (a: A) => { if (toAlive()) deliver(a); }, label, arg);
      },
    };
  }

  // ---------------------------------------------------------------- failures

  private failConnection(c: Connection): void {
    this.adminFailed.add(c.name);
    const t = this.byConnection.get(c.name);
    if (!t) return;
    if (t.retry !== undefined) { this.s.sim.cancel(t.retry); t.retry = undefined; }
    if (t.expressRoute) {
      t.circuitFailed = true;
      this.s.sim.schedule(this.o.expressRouteDetectionSeconds, () => {
        if (t.circuitFailed && t.up) this.setUp(t, false, 'bfdDown');
      }, `bfd/${c.name}`);
      return;
    }
    t.session?.close('admin', 'a');
  }

  private restoreConnection(c: Connection): void {
    this.adminFailed.delete(c.name);
    const t = this.byConnection.get(c.name);
    if (!t) return this.sync();
    if (t.expressRoute) {
      t.circuitFailed = false;
      if (!t.up) this.bringUp(t);
      return;
    }
    if (this.ready(t)) this.bringUp(t);
  }

  /** The site's VPN device dies: it goes silent; Azure finds out by DPD. */
  private failSite(site: Site): void {
    site.deviceUp = false;
    this.s.trace.emit({ t: this.s.now, type: 'device.down', site: site.name });
    this.s.invalidate();
  }

  /** The device boots again and initiates its tunnels at once. */
  private restoreSite(site: Site): void {
    site.deviceUp = true;
    this.s.trace.emit({ t: this.s.now, type: 'device.up', site: site.name });
    for (const t of this.tunnels.values()) {
      if (t.site !== site || t.expressRoute || !this.ready(t)) continue;
      if (t.up) this.setUp(t, false, 'peerRestarted');
      t.session?.dispose();
      t.session = this.newSession(t);
      t.session.start('b');
    }
    this.s.invalidate();
  }

  /**
   * Active-standby instance failover: the active instance dies at once (its
   * messages and packets are lost, P2S clients are dropped and not
   * reconnected, R19); the standby takes over after 10-15 s (planned) or
   * 60-90 s (unplanned), drawn from the stream `failover/<gateway>`, and
   * negotiates every tunnel anew (INITIAL_CONTACT, RFC 7296 §2.4).
   */
  private failGateway(g: Gateway, planned: boolean): void {
    if (this.failedGateways.has(g.name)) return;
    const [lo, hi] = planned ? FAILOVER_SECONDS.planned : FAILOVER_SECONDS.unplanned;
    const after = this.s.rng.stream(`failover/${g.name}`).uniform(lo, hi);
    this.failedGateways.set(g.name, this.s.sim.schedule(after, () => this.recoverGateway(g), `failover/${g.name}`));
    this.s.trace.emit({ t: this.s.now, type: 'gateway.down', gateway: g.name, reason: planned ? 'plannedMaintenance' : 'instanceFailure' });
    for (const c of this.net.clients.values()) if (c.gateway === g && c.connected) this.s.clientLeft(c, 'gatewayFailover');
    for (const p of this.p2s.values()) if (p.client.gateway === g) p.session.disconnect('gatewayFailover');
    this.s.invalidate();
  }

  private recoverGateway(g: Gateway): void {
    const h = this.failedGateways.get(g.name);
    if (h === undefined) return;
    this.s.sim.cancel(h);
    this.failedGateways.delete(g.name);
    this.s.trace.emit({ t: this.s.now, type: 'gateway.up', gateway: g.name, reason: 'standbyActive' });
    for (const t of this.tunnels.values()) {
      if (t.a !== g && t.bGateway !== g) continue;
      if (t.retry !== undefined) { this.s.sim.cancel(t.retry); t.retry = undefined; }
      if (t.expressRoute) {
        if (!t.up) this.bringUp(t);
        continue;
      }
      if (t.up) this.setUp(t, false, 'instanceFailover');
      if (this.ready(t)) this.bringUp(t);
    }
    this.s.invalidate();
  }

  // ---------------------------------------------------------------- BGP

  private syncBgp(): void {
    const specs = bgpSessionSpecs(this.net);
    const ids = new Set(specs.map((s) => s.id));
    for (const [id, rec] of this.bgp) {
      if (ids.has(id)) continue;
      rec.session.transportDown();
      rec.session.dispose();
      this.bgp.delete(id);
    }
    for (const spec of specs) {
      if (this.bgp.has(spec.id)) continue;
      const a = this.speaker(spec.a);
      const b = this.speaker(spec.b);
      const rec: BgpRec = {
        spec, everEstablished: false, failedOnce: false,
        session: new BgpSession(this.s.sim, {
          name: spec.id,
          a: { speaker: a, jitter: bgpJitter(this.s.rng.stream(`bgp/${spec.id}/a`)) },
          b: { speaker: b, jitter: bgpJitter(this.s.rng.stream(`bgp/${spec.id}/b`)) },
          aToB: this.link(this.locationOf(spec.a), this.locationOf(spec.b), () => true, () => true),
          bToA: this.link(this.locationOf(spec.b), this.locationOf(spec.a), () => true, () => true),
          onStateChange: (e) => {
            this.s.trace.emit({ t: e.t, type: 'bgp.state', session: e.session, speaker: e.speaker, from: e.from, to: e.to, reason: e.reason });
            if (e.to === 'Established') rec.everEstablished = true;
            else if (e.to === 'Idle' && !rec.everEstablished) rec.failedOnce = true;
          },
        }),
      };
      this.bgp.set(spec.id, rec);
      const t = this.byConnection.get(spec.aConnection.name);
      if (t?.up) rec.session.transportUp();
    }
    for (const [id, sp] of this.speakers) sp.setOriginated(this.originatedBy(id));
  }

  private speaker(id: string): BgpSpeaker {
    let sp = this.speakers.get(id);
    if (sp) return sp;
    const net = this.net;
    const isSite = id.startsWith('site:');
    const asn = isSite ? net.site(id.slice(5)).bgp!.asn : net.gateway(id.slice(3)).bgp!.asn;
    const address = formatAddress(isSite ? net.site(id.slice(5)).bgp!.peerAddress : net.gateway(id.slice(3)).bgp!.peerAddress);
    const vnetPrefixes = isSite ? [] : net.gateway(id.slice(3)).vnet.prefixes.map((p) => p.cidr);
    const azure = isSite ? undefined : azureExportFilter(vnetPrefixes);
    sp = new BgpSpeaker(this.s.sim, {
      name: id, asn, routerId: address, address, originated: this.originatedBy(id),
      // Azure's rules on gateways: no default route, nothing overlapping the VNet.
      ...(azure ? { exportFilter: azure } : {}),
      onRibChange: (prefix, best) => this.ribChanged(id, prefix, best),
    });
    this.speakers.set(id, sp);
    return sp;
  }

  /** Everything a speaker originates on some session (SPEC section 5). */
  private originatedBy(id: string): string[] {
    const out = new Set<string>();
    if (id.startsWith('site:')) for (const p of this.net.site(id.slice(5)).prefixes) out.add(p.cidr);
    else {
      for (const p of originated(this.net, id, undefined)) out.add(p.cidr);
    }
    return [...out];
  }

  private ribChanged(id: string, prefix: string, best: BgpRoute | undefined): void {
    let rib = this.ribs.get(id);
    if (!rib) this.ribs.set(id, (rib = new Map()));
    const before = rib.get(prefix);
    let after: LearnedRoute | undefined;
    if (best && best.neighbor !== undefined) {
      const rec = this.bgp.get(best.neighbor);
      const p: Prefix = parsePrefix(prefix);
      if (rec && acceptsRoute(this.net, id, p)) {
        const mine = rec.spec.a === id;
        after = { prefix: p, connection: (mine ? rec.spec.aConnection : rec.spec.bConnection).name, asPath: [...best.asPath], from: mine ? rec.spec.b : rec.spec.a };
      }
    }
    if (after) rib.set(prefix, after);
    else rib.delete(prefix);
    if (before && !after) this.s.trace.emit({ t: this.s.now, type: 'route.remove', node: id, prefix, source: 'BGP', connection: before.connection });
    if (after && (!before || before.connection !== after.connection || before.asPath.join() !== after.asPath.join())) {
      this.s.trace.emit({ t: this.s.now, type: 'route.add', node: id, prefix, source: 'BGP', connection: after.connection, asPath: after.asPath });
    }
    if (before || after) this.s.invalidate();
  }

  private locationOf(speaker: string): string {
    return speaker.startsWith('site:') ? this.net.site(speaker.slice(5)).location : this.net.gateway(speaker.slice(3)).vnet.location;
  }

  // ---------------------------------------------------------------- P2S

  private pool<P>(pools: Map<string, P>, g: Gateway, make: () => P): P {
    let p = pools.get(g.name);
    if (!p) pools.set(g.name, (p = make()));
    return p;
  }

  private p2sChanged(c: Client, state: string, reason: string | undefined): void {
    const rec = this.p2s.get(c.name);
    if (!rec) return;
    if (state === 'connected') {
      if (!c.connected && this.s.gatewayUp(c.gateway.name)) this.s.clientJoined(c);
    } else if (state === 'failed' || state === 'disconnected') {
      if (c.connected) this.s.clientLeft(c, reason ?? state);
      else this.s.trace.emit({ t: this.s.now, type: 'client.failed', client: c.name, reason: reason ?? state });
    }
  }
}

/** Policy-based selectors of a connection: its explicit policies (first pair), else VNet <-> site prefixes. */
function selectorsOf(c: Connection, local: string[], remote: string[]): { local: string[]; remote: string[] } {
  const p = c.def.trafficSelectorPolicies?.[0];
  return p ? { local: [...p.localAddressRanges], remote: [...p.remoteAddressRanges] } : { local, remote };
}
