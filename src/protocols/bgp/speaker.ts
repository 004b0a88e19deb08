/**
 * A BGP speaker: one router's BGP process (an Azure gateway instance or an
 * on-premises device). It holds the prefixes its owner originates, one
 * neighbor machine per peer with that peer's Adj-RIB-In and Adj-RIB-Out, and
 * the Loc-RIB of best routes (RFC 4271 §3.2, §9).
 *
 * Routes change only through UPDATEs and session events:
 * - Import (§9.1): a route whose AS_PATH holds the local ASN is dropped
 *   (§9.1.2 loop prevention); LOCAL_PREF from an external peer is ignored
 *   (§5.1.5). Past `maxPrefixes` routes from one neighbor (Azure: 4,000) the
 *   session is closed with NOTIFICATION Cease / Maximum Number of Prefixes
 *   Reached (RFC 4486) and the neighbor stays Idle until reset.
 * - Decision (§9.1.2): best path by the comparator table of best-path.ts.
 *   Every change of a prefix's best route calls `onRibChange`.
 * - Export (§9.1.3, §9.2): to each Established neighbor, the originated and
 *   best learned routes, except the route learned from that neighbor itself,
 *   routes learned over iBGP towards iBGP peers, and what the owner's export
 *   filter rejects. Toward external peers the local ASN is prepended to
 *   AS_PATH, NEXT_HOP is set to the local address and MED is not passed on
 *   (§5.1.2-5.1.4). Only differences from the Adj-RIB-Out are sent.
 * - A session going down drops everything learned from that neighbor and
 *   sends the resulting withdrawals onward (§9.1.3 analogous).
 *
 * The MinRouteAdvertisementInterval (§9.2.1.1) is not modelled (0 s):
 * updates go out at once, so convergence follows latency only.
 */
import { UsageError } from '../../errors.js';
import type { Simulator } from '../../sim/kernel/simulator.js';
import { comparePrefixes, isCanonicalAddress, parsePrefix } from '../../sim/net/prefix.js';
import { MachineDriver } from '../driver.js';
import type { TimerJitter } from '../jitter.js';
import { DEFAULT_LOCAL_PREF, selectBestPath, type BestPathRule, type PathCandidate } from './best-path.js';
import {
  bgpNeighborConfig,
  bgpTimerInput,
  initialBgpState,
  stepBgp,
  type BgpEffect,
  type BgpFsmState,
  type BgpInput,
  type BgpMachineState,
  type BgpNeighborOptions,
} from './machine.js';
import { attributesKey, packUpdates, type BgpSegment, type Origin, type PathAttributes, type UpdateMessage } from './messages.js';

/** Azure's limit of prefixes learned from one BGP peer. */
export const AZURE_MAX_PREFIXES = 4000;

/** A route in an Adj-RIB-In or the Loc-RIB. */
export interface BgpRoute extends PathCandidate {
  /** Canonical CIDR. */
  readonly prefix: string;
  readonly nextHop: string;
  readonly origin: Origin;
  /** Name of the neighbor it was learned from; undefined when originated here. */
  readonly neighbor: string | undefined;
}

/** A Loc-RIB entry: the best route and the rule that chose it. */
export interface BestRoute {
  readonly route: BgpRoute;
  readonly rule: BestPathRule | 'onlyPath' | 'equal';
}

/** What an export filter knows of the neighbor a route would be sent to. */
export interface BgpNeighborInfo {
  readonly name: string;
  readonly peerAs: number;
  readonly peerAddress: string;
  readonly ibgp: boolean;
}

/** Decides whether a best route may be advertised to a neighbor; true lets it through. */
export type ExportFilter = (route: BgpRoute, neighbor: BgpNeighborInfo) => boolean;

/** Called when a prefix's best route changes; `best` undefined means it left the Loc-RIB. */
export type RibChangeListener = (prefix: string, best: BgpRoute | undefined, rule: BestRoute['rule'] | undefined) => void;

/** Called when a neighbor's machine changes state. */
export type NeighborStateListener = (from: BgpFsmState, to: BgpFsmState, reason: string) => void;

/** Options of a {@link BgpSpeaker}. */
export interface BgpSpeakerOptions {
  /** Names the speaker in timer labels and traces. */
  name: string;
  /** Local ASN. */
  asn: number;
  /** BGP Identifier, a dotted quad. */
  routerId: string;
  /** Address used as NEXT_HOP toward external peers; default `routerId`. */
  address?: string;
  /** Prefixes originated at start (canonical CIDR). */
  originated?: Iterable<string>;
  /** Default limit of routes learned per neighbor; default 4,000 (Azure). */
  maxPrefixes?: number;
  /** Export filter; default: export everything. */
  exportFilter?: ExportFilter;
  /** Loc-RIB change callback. */
  onRibChange?: RibChangeListener;
}

/** Options of one neighbor: timers as in {@link BgpNeighborOptions}, minus what the speaker knows. */
export interface AddNeighborOptions extends Omit<BgpNeighborOptions, 'localAs' | 'routerId'> {
  /** Unique among the speaker's neighbors. */
  name: string;
  /** The peer's address (best-path tie-break, traces). */
  peerAddress: string;
  /** This side's address on the session, the NEXT_HOP it advertises; default the speaker's address. */
  localAddress?: string;
  /** Overrides the speaker's `maxPrefixes`. */
  maxPrefixes?: number;
  /** Puts a segment on the wire toward the peer. */
  send: (seg: BgpSegment) => void;
  /** Timer jitter (RFC 4271 §10, see `bgpJitter`); default none: timers run exactly. */
  jitter?: TimerJitter;
}

/** One neighbor of a speaker: its machine, Adj-RIB-In and Adj-RIB-Out. */
export class BgpNeighbor implements BgpNeighborInfo {
  readonly name: string;
  readonly peerAs: number;
  readonly peerAddress: string;
  readonly localAddress: string;
  readonly ibgp: boolean;
  readonly maxPrefixes: number;
  /** Routes learned from this neighbor, by prefix. */
  readonly adjRibIn = new Map<string, BgpRoute>();
  /** What was last advertised to it: prefix to attributes key. */
  readonly adjRibOut = new Map<string, string>();
  /** Routes rejected by AS_PATH loop prevention since creation. */
  loopsRejected = 0;
  private readonly driver: MachineDriver<BgpMachineState, BgpInput, BgpEffect>;
  private readonly listeners: NeighborStateListener[] = [];
  /** Prefixes touched by an UPDATE that was refused for max-prefix; recomputed when the session drops. */
  pendingDirty = new Set<string>();

  /** @internal created by {@link BgpSpeaker.addNeighbor}. */
  constructor(sim: Simulator, speaker: BgpSpeaker, o: AddNeighborOptions) {
    const config = bgpNeighborConfig({ ...o, localAs: speaker.asn, routerId: speaker.routerId });
    this.name = o.name;
    this.peerAs = o.peerAs;
    this.peerAddress = o.peerAddress;
    this.localAddress = o.localAddress ?? speaker.address;
    this.ibgp = o.peerAs === speaker.asn;
    this.maxPrefixes = o.maxPrefixes ?? speaker.maxPrefixes;
    const send = o.send;
    this.driver = new MachineDriver(sim, `bgp/${speaker.name}/${o.name}`, stepBgp, initialBgpState(config), {
      effect: (e) => {
        if (e.kind === 'send') send(e.msg);
        else if (e.kind === 'updateReceived') speaker.importUpdate(this, e.update);
        else if (e.kind === 'up') speaker.neighborUp(this);
        else if (e.kind === 'down') speaker.neighborDown(this);
      },
      transition: (from, t) => {
        if (from.fsm !== t.next.fsm) for (const l of this.listeners) l(from.fsm, t.next.fsm, t.reason);
      },
      ...(o.jitter ? { timerDelay: o.jitter } : {}),
    }, bgpTimerInput);
  }

  /** Current FSM state. */
  get state(): BgpFsmState {
    return this.driver.state.fsm;
  }

  /** The whole machine state (negotiated timers, peer's OPEN). */
  get machine(): BgpMachineState {
    return this.driver.state;
  }

  /** True when the named timer (`hold`, `keepalive`, ...) is running. */
  timerRunning(name: string): boolean {
    return this.driver.timerRunning(name);
  }

  /** Adds a state listener (called on every change of FSM state, with the reason). */
  onStateChange(listener: NeighborStateListener): void {
    this.listeners.push(listener);
  }

  /** A segment arrived from the peer. */
  receive(seg: BgpSegment): void {
    this.driver.input({ kind: 'recv', msg: seg });
  }

  /** ManualStart (RFC 4271 Event 1). */
  start(): void {
    this.driver.input({ kind: 'manualStart' });
  }

  /** ManualStop (Event 2): Cease, stays Idle. */
  stop(): void {
    this.driver.input({ kind: 'manualStop' });
  }

  /** Administrative reset: Cease, then reconnect at once. Also re-enables a neighbor stopped for max-prefix. */
  reset(): void {
    this.driver.input({ kind: 'reset' });
  }

  /** The transport under the session came up. */
  transportUp(): void {
    this.driver.input({ kind: 'transportUp' });
  }

  /** The transport under the session went down. */
  transportDown(): void {
    this.driver.input({ kind: 'transportDown' });
  }

  /** @internal asks the machine to send an UPDATE. */
  sendUpdate(update: UpdateMessage): void {
    this.driver.input({ kind: 'sendUpdate', update });
  }

  /** @internal the Adj-RIB-In passed its limit. */
  exceedLimit(count: number): void {
    this.driver.input({ kind: 'maxPrefixExceeded', count, limit: this.maxPrefixes });
  }

  /** Stops the machine's timers (the neighbor is being removed). */
  dispose(): void {
    this.driver.dispose();
  }
}

/** One router's BGP process. Create one per simulated router; never shared between simulations. */
export class BgpSpeaker {
  readonly name: string;
  readonly asn: number;
  readonly routerId: string;
  readonly address: string;
  readonly maxPrefixes: number;
  /** Loc-RIB change callback; may be replaced by the owner. */
  onRibChange: RibChangeListener | undefined;
  private exportFilter: ExportFilter | undefined;
  private readonly originatedSet = new Set<string>();
  private readonly neighborMap = new Map<string, BgpNeighbor>();
  private readonly loc = new Map<string, BestRoute>();

  /**
   * @throws UsageError (rule `bgp`) on a bad ASN, router id, address or maxPrefixes.
   * @throws ValidationError on an originated prefix that is not canonical CIDR.
   */
  constructor(private readonly sim: Simulator, o: BgpSpeakerOptions) {
    if (!Number.isInteger(o.asn) || o.asn < 1 || o.asn > 4294967295) throw new UsageError(`bgp speaker "${o.name}": asn ${o.asn} is not an ASN. Use an integer within 1-4294967295`, 'bgp');
    if (!isCanonicalAddress(o.routerId)) throw new UsageError(`bgp speaker "${o.name}": routerId "${o.routerId}" is not a dotted quad. Use one such as 10.1.255.30`, 'bgp');
    const address = o.address ?? o.routerId;
    if (!isCanonicalAddress(address)) throw new UsageError(`bgp speaker "${o.name}": address "${address}" is not a dotted quad. Use one such as 10.1.255.30`, 'bgp');
    const maxPrefixes = o.maxPrefixes ?? AZURE_MAX_PREFIXES;
    if (!(Number.isInteger(maxPrefixes) && maxPrefixes >= 0)) throw new UsageError(`bgp speaker "${o.name}": maxPrefixes ${maxPrefixes} must be a whole number 0 or more`, 'bgp');
    this.name = o.name;
    this.asn = o.asn;
    this.routerId = o.routerId;
    this.address = address;
    this.maxPrefixes = maxPrefixes;
    this.exportFilter = o.exportFilter;
    this.onRibChange = o.onRibChange;
    if (o.originated) this.setOriginated(o.originated);
  }

  /**
   * Adds a neighbor (its machine starts Idle; call `start()` and `transportUp()`).
   * @throws UsageError on a duplicate name or bad timer options.
   */
  addNeighbor(o: AddNeighborOptions): BgpNeighbor {
    if (this.neighborMap.has(o.name)) throw new UsageError(`bgp speaker "${this.name}": neighbor "${o.name}" already exists. Use another name`, 'bgp');
    const n = new BgpNeighbor(this.sim, this, o);
    this.neighborMap.set(o.name, n);
    return n;
  }

  /**
   * Removes a neighbor: its routes leave the Loc-RIB (withdrawn onward) and
   * its timers stop. Nothing is sent to the peer. Harmless for an unknown name.
   */
  removeNeighbor(name: string): void {
    const n = this.neighborMap.get(name);
    if (!n) return;
    n.dispose();
    this.neighborMap.delete(name);
    this.neighborDown(n);
  }

  /** The neighbor named `name`, or undefined. */
  neighbor(name: string): BgpNeighbor | undefined {
    return this.neighborMap.get(name);
  }

  /** All neighbors in the order they were added. */
  neighbors(): BgpNeighbor[] {
    return [...this.neighborMap.values()];
  }

  /** Originated prefixes, sorted numerically. */
  get originated(): string[] {
    return sortByPrefix([...this.originatedSet], (p) => p);
  }

  /**
   * Replaces the originated prefixes: new ones are advertised, missing ones
   * withdrawn, to every Established neighbor.
   * @throws ValidationError on a prefix that is not canonical CIDR.
   */
  setOriginated(prefixes: Iterable<string>): void {
    const next = new Set<string>();
    for (const p of prefixes) next.add(parsePrefix(p, `bgp speaker "${this.name}" originated`).cidr);
    const dirty = new Set<string>();
    for (const p of this.originatedSet) if (!next.has(p)) dirty.add(p);
    for (const p of next) if (!this.originatedSet.has(p)) dirty.add(p);
    this.originatedSet.clear();
    for (const p of next) this.originatedSet.add(p);
    this.update(dirty);
  }

  /** Originates one more prefix. @throws ValidationError on non-canonical CIDR. */
  originate(prefix: string): void {
    this.setOriginated([...this.originatedSet, prefix]);
  }

  /** Stops originating a prefix (withdrawn unless learned elsewhere). */
  withdrawOriginated(prefix: string): void {
    this.setOriginated([...this.originatedSet].filter((p) => p !== prefix));
  }

  /** Replaces the export filter and re-advertises to every Established neighbor accordingly. */
  setExportFilter(filter: ExportFilter | undefined): void {
    this.exportFilter = filter;
    const all = new Set<string>(this.loc.keys());
    for (const n of this.neighborMap.values()) for (const p of n.adjRibOut.keys()) all.add(p);
    this.flush(all);
  }

  /** The best route to `prefix` (exact match), or undefined. */
  best(prefix: string): BestRoute | undefined {
    return this.loc.get(prefix);
  }

  /** The Loc-RIB, sorted numerically by prefix. */
  locRib(): BgpRoute[] {
    return sortByPrefix([...this.loc.values()].map((b) => b.route), (r) => r.prefix);
  }

  /** Prefixes whose best route was learned from a neighbor, sorted numerically. */
  learnedPrefixes(): string[] {
    return this.locRib().filter((r) => !r.local).map((r) => r.prefix);
  }

  // ---- called by neighbors -------------------------------------------------

  /** @internal applies an UPDATE from `n` to its Adj-RIB-In (RFC 4271 §9.1). */
  importUpdate(n: BgpNeighbor, u: UpdateMessage): void {
    const dirty = new Set<string>();
    for (const p of u.withdrawn) if (n.adjRibIn.delete(p)) dirty.add(p);
    const a = u.attributes;
    if (a) {
      const peer = n.machine.peer;
      for (const p of u.nlri) {
        if (a.asPath.includes(this.asn)) {
          // §9.1.2: a route holding our own ASN is a loop; it also replaces (withdraws) an earlier one.
          n.loopsRejected++;
          if (n.adjRibIn.delete(p)) dirty.add(p);
          continue;
        }
        n.adjRibIn.set(p, {
          prefix: p,
          asPath: a.asPath,
          origin: a.origin,
          nextHop: a.nextHop,
          med: a.med,
          localPref: n.ibgp ? a.localPref : undefined,
          local: false,
          ibgp: n.ibgp,
          peerRouterId: peer?.routerId ?? n.peerAddress,
          peerAddress: n.peerAddress,
          neighbor: n.name,
        });
        dirty.add(p);
      }
    }
    if (n.adjRibIn.size > n.maxPrefixes) {
      // Dropped before the routes reach the Loc-RIB; the session closes next (queued input).
      for (const p of dirty) n.pendingDirty.add(p);
      n.exceedLimit(n.adjRibIn.size);
      return;
    }
    this.update(dirty);
  }

  /** @internal a neighbor reached Established: send it the full table. */
  neighborUp(n: BgpNeighbor): void {
    n.adjRibOut.clear();
    this.flushTo(n, this.loc.keys());
  }

  /** @internal a neighbor left Established (or an attempt failed): drop its routes, withdraw onward. */
  neighborDown(n: BgpNeighbor): void {
    const dirty = new Set<string>(n.adjRibIn.keys());
    for (const p of n.pendingDirty) dirty.add(p);
    n.pendingDirty = new Set();
    n.adjRibIn.clear();
    n.adjRibOut.clear();
    this.update(dirty);
  }

  // ---- decision and export -------------------------------------------------

  private update(dirty: Iterable<string>): void {
    const changed = new Set<string>();
    for (const p of dirty) if (this.decide(p)) changed.add(p);
    if (changed.size > 0) this.flush(changed);
  }

  /** Re-runs best path selection for one prefix; true when the best route changed. */
  private decide(prefix: string): boolean {
    const candidates: BgpRoute[] = [];
    if (this.originatedSet.has(prefix)) {
      candidates.push({
        prefix,
        asPath: [],
        origin: 'igp',
        nextHop: this.address,
        localPref: DEFAULT_LOCAL_PREF,
        local: true,
        ibgp: false,
        peerRouterId: this.routerId,
        peerAddress: this.address,
        neighbor: undefined,
      });
    }
    for (const n of this.neighborMap.values()) {
      const r = n.adjRibIn.get(prefix);
      if (r) candidates.push(r);
    }
    const old = this.loc.get(prefix);
    const chosen = selectBestPath(candidates);
    if (!chosen) {
      if (!old) return false;
      this.loc.delete(prefix);
      this.onRibChange?.(prefix, undefined, undefined);
      return true;
    }
    this.loc.set(prefix, { route: chosen.best, rule: chosen.rule });
    if (old && sameRoute(old.route, chosen.best)) return false;
    this.onRibChange?.(prefix, chosen.best, chosen.rule);
    return true;
  }

  private flush(prefixes: Iterable<string>): void {
    const list = [...prefixes];
    for (const n of this.neighborMap.values()) if (n.state === 'Established') this.flushTo(n, list);
  }

  /** Sends `n` the differences between what it should have for `prefixes` and its Adj-RIB-Out. */
  private flushTo(n: BgpNeighbor, prefixes: Iterable<string>): void {
    const withdrawn: string[] = [];
    const announce: { prefix: string; attributes: PathAttributes }[] = [];
    for (const p of prefixes) {
      const attrs = this.exportAttributes(p, n);
      const had = n.adjRibOut.get(p);
      if (!attrs) {
        if (had !== undefined) {
          n.adjRibOut.delete(p);
          withdrawn.push(p);
        }
        continue;
      }
      const key = attributesKey(attrs);
      if (had === key) continue;
      n.adjRibOut.set(p, key);
      announce.push({ prefix: p, attributes: attrs });
    }
    if (withdrawn.length === 0 && announce.length === 0) return;
    for (const u of packUpdates(sortByPrefix(withdrawn, (p) => p), sortByPrefix(announce, (r) => r.prefix))) n.sendUpdate(u);
  }

  /** The attributes `n` should receive for `prefix`, or undefined when nothing may be sent (§9.1.3, §9.2). */
  private exportAttributes(prefix: string, n: BgpNeighbor): PathAttributes | undefined {
    const best = this.loc.get(prefix)?.route;
    if (!best) return undefined;
    if (best.neighbor === n.name) return undefined; // never back to where it came from
    if (best.ibgp && n.ibgp) return undefined; // §9.2: iBGP-learned routes are not sent to iBGP peers
    if (this.exportFilter && !this.exportFilter(best, n)) return undefined;
    if (n.ibgp) {
      return {
        origin: best.origin,
        asPath: best.asPath,
        nextHop: best.local ? n.localAddress : best.nextHop,
        localPref: best.localPref ?? DEFAULT_LOCAL_PREF,
        ...(best.med !== undefined ? { med: best.med } : {}),
      };
    }
    // §5.1.2: prepend our ASN; §5.1.3: next hop self; §5.1.4: MED not passed to other ASes.
    return { origin: best.origin, asPath: [this.asn, ...best.asPath], nextHop: n.localAddress };
  }
}

/** Sorts numerically by prefix (address, then length), parsing each prefix once. O(n log n). */
function sortByPrefix<T>(items: T[], prefixOf: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: parsePrefix(prefixOf(item)) }))
    .sort((a, b) => comparePrefixes(a.key, b.key))
    .map((x) => x.item);
}

function sameRoute(a: BgpRoute, b: BgpRoute): boolean {
  return (
    a.neighbor === b.neighbor &&
    a.nextHop === b.nextHop &&
    a.origin === b.origin &&
    a.med === b.med &&
    a.localPref === b.localPref &&
    a.asPath.length === b.asPath.length &&
    a.asPath.every((x, i) => x === b.asPath[i])
  );
}
