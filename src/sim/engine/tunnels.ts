/**
 * The tunnel layer: which tunnels carry traffic, which BGP routes are
 * learned, which clients are connected. Two implementations share one
 * interface:
 * - {@link InstantTunnels}: the configuration decides at once (a tunnel whose
 *   two ends agree is up, BGP converges by static path-vector propagation).
 *   For routing questions that do not depend on timing.
 * - the protocol layer (protocols.ts): IKE, SSTP and BGP messages cross the
 *   underlay, so every up and down follows from the protocols' timers.
 */
import type { Client, Connection, Gateway, Network } from '../net/model.js';
import { propagateStatic, type BgpRibs } from '../net/bgp-routes.js';
import type { DropReason } from '../net/forwarding.js';
import type { TimelineEntry } from '../net/scenario.js';
import { gatewayReady } from '../net/routing.js';
import { UsageError } from '../../errors.js';
import type { Simulation } from './simulation.js';

/** What the rest of the simulation asks of tunnels and sessions. */
export interface TunnelLayer {
  /** Brings up what the configuration at t=0 allows. */
  start(): void;
  /** True while the connection's tunnel carries traffic. */
  isUp(c: Connection): boolean;
  /** A packet met a down tunnel: returns the drop reason (policy-based tunnels start negotiating, R14). */
  onBlocked(c: Connection): DropReason;
  /** A packet crossed the tunnel (restarts a policy-based tunnel's idle timer, R14). */
  onTraffic(c: Connection): void;
  /** Every speaker's BGP routes now. */
  bgpRibs(): BgpRibs;
  /** False while a gateway instance is failed over. */
  gatewayRunning(g: Gateway): boolean;
  /** True while some session is still negotiating. */
  busy(): boolean;
  /** A P2S client asks to connect (its session starts). */
  connectClient(c: Client): void;
  /** A P2S client disconnected or was dropped: forget its session. */
  clientGone(c: Client): void;
  /** A connection was added (timeline `addConnection`): bring its tunnel up if it can. */
  connectionAdded(c: Connection): void;
  /** A connection is about to be removed: tear its tunnel and sessions down. */
  connectionRemoving(c: Connection): void;
  /** A gateway finished provisioning (R3): start its tunnels. */
  gatewayProvisioned(g: Gateway): void;
  /** Timeline actions beyond configuration changes (fail, restore, resetBgp, ...). */
  applyAction(e: TimelineEntry): void;
  /** The state of a connection's tunnel now, in Batfish's vocabulary. */
  status(c: Connection): TunnelStatus;
}

/**
 * A tunnel's state in the vocabulary Batfish users know: `established`, or
 * why not (`ikePhase1KeyMismatch`, `ikePhase1Failed`, `ipsecPhase2Failed`,
 * `missingEndpoint`, `notCompatible`), plus the states of a running
 * simulation: `connecting`, `down` (was up; see the trace for the reason),
 * `adminDown` (failed on the timeline), `notProvisioned` (R3), `deviceDown`.
 */
export type TunnelStatus =
  | 'established' | 'ikePhase1KeyMismatch' | 'ikePhase1Failed' | 'ipsecPhase2Failed' | 'missingEndpoint' | 'notCompatible'
  | 'connecting' | 'down' | 'adminDown' | 'notProvisioned' | 'deviceDown';

/** Why a configured tunnel cannot come up, in Batfish's vocabulary; `established` when it can. */
export type ConfiguredStatus = 'established' | 'missingEndpoint' | 'ikePhase1KeyMismatch' | 'notCompatible' | 'notProvisioned' | 'deviceDown';

/**
 * What the configuration alone says of a tunnel at time `now`: both ends
 * present and provisioned, the same key (R4), compatible VPN types (R6) and
 * IKE versions.
 */
export function configuredStatus(net: Network, c: Connection, now: number): ConfiguredStatus {
  if (!gatewayReady(c.gateway, now)) return 'notProvisioned';
  if (c.type === 'Vnet2Vnet') {
    const r = net.reverseOf(c);
    if (!r || !c.peerGateway) return 'missingEndpoint';
    if (!gatewayReady(c.peerGateway, now)) return 'notProvisioned';
    if (c.gateway.def.vpnType !== c.peerGateway.def.vpnType) return 'notCompatible';
    if (c.ikeVersion !== r.ikeVersion) return 'notCompatible';
    if ((c.def.sharedKey ?? '') !== (r.def.sharedKey ?? '')) return 'ikePhase1KeyMismatch';
    return 'established';
  }
  if (!c.site) return 'missingEndpoint';
  if (!c.site.deviceUp) return 'deviceDown';
  return 'established';
}

/** The tunnel layer where configuration decides at once. */
export class InstantTunnels implements TunnelLayer {
  private readonly failed = new Set<string>();
  private readonly failedGateways = new Set<string>();
  private ribs: { version: number; ribs: BgpRibs } | undefined;
  private version = 0;
  private readonly states = new Map<string, boolean>();

  constructor(private readonly s: Simulation) {}

  start(): void {
    this.changed();
  }

  isUp(c: Connection): boolean {
    if (this.failed.has(c.name) || c.adminDown) return false;
    if (this.failedGateways.has(c.gateway.name)) return false;
    const r = this.s.network.reverseOf(c);
    if (r && (this.failed.has(r.name) || r.adminDown)) return false;
    if (c.peerGateway && this.failedGateways.has(c.peerGateway.name)) return false;
    return configuredStatus(this.s.network, c, this.s.now) === 'established';
  }

  onBlocked(): DropReason {
    return 'tunnelDown';
  }

  onTraffic(): void {}

  bgpRibs(): BgpRibs {
    const v = this.s.network.version * 1e6 + this.version;
    if (this.ribs?.version !== v) {
      this.ribs = { version: v, ribs: propagateStatic(this.s.network, (spec) => this.isUp(spec.aConnection) && this.isUp(spec.bConnection)) };
    }
    return this.ribs.ribs;
  }

  gatewayRunning(g: Gateway): boolean {
    return this.failedGateways.size === 0 || !this.failedGateways.has(g.name);
  }

  busy(): boolean {
    return false;
  }

  connectClient(c: Client): void {
    if (!this.s.gatewayUp(c.gateway.name)) return;
    this.s.clientJoined(c);
  }

  clientGone(): void {}

  connectionAdded(): void {
    this.changed();
  }

  connectionRemoving(): void {
    this.changed();
  }

  gatewayProvisioned(): void {
    this.changed();
  }

  applyAction(e: TimelineEntry): void {
    switch (e.action) {
      case 'fail':
      case 'restore': {
        const net = this.s.network;
        const down = e.action === 'fail';
        if (net.connections.has(e.target)) (down ? this.failed.add(e.target) : this.failed.delete(e.target));
        else if (net.sites.has(e.target)) net.site(e.target).deviceUp = !down;
        else if (net.gateways.has(e.target)) (down ? this.failedGateways.add(e.target) : this.failedGateways.delete(e.target));
        else throw new UsageError(`timeline ${e.action} "${e.target}": no connection, local network gateway or gateway of that name`, 'ref');
        this.changed();
        return;
      }
      default:
        throw new UsageError(`timeline action "${e.action}" at t=${e.at}: needs the protocol layer. Run with protocols enabled`, 'usage');
    }
  }

  status(c: Connection): TunnelStatus {
    if (this.isUp(c)) return 'established';
    const r = this.s.network.reverseOf(c);
    if (this.failed.has(c.name) || c.adminDown || (r && this.failed.has(r.name))) return 'adminDown';
    if (this.failedGateways.has(c.gateway.name) || (c.peerGateway && this.failedGateways.has(c.peerGateway.name))) return 'down';
    const st = configuredStatus(this.s.network, c, this.s.now);
    return st === 'established' ? 'down' : st;
  }

  private changed(): void {
    this.version++;
    const net = this.s.network;
    for (const c of net.connections.values()) {
      const up = this.isUp(c);
      if (this.states.get(c.name) !== up) {
        this.states.set(c.name, up);
        this.s.trace.emit({ t: this.s.now, type: up ? 'tunnel.up' : 'tunnel.down', connection: c.name, reason: up ? 'configured' : configuredStatus(net, c, this.s.now) });
      }
    }
    this.s.invalidate();
  }
}
