/**
 * The underlay: the public internet and the Azure backbone between public
 * NICs. A path has one-way latency, loss and bandwidth; each direction
 * serialises its own messages (FIFO), so a large message delays the next.
 *
 * Defaults (documented in the README): latency 10 ms one way, no loss,
 * 1,000 Mbit/s.
 */
import type { Simulator } from '../kernel/simulator.js';
import type { RandomStream } from '../kernel/rng.js';
import { UsageError } from '../../errors.js';
import { UndirectedGraph } from 'graphology';
import { dijkstra } from 'graphology-shortest-path';
import type { Link } from '../../protocols/link.js';

/** Figures of one path. */
export interface PathFigures {
  /** One-way latency, milliseconds. */
  latencyMs: number;
  /** Probability of losing one message, percent (0-100). */
  lossPercent: number;
  /** Bandwidth, Mbit/s. */
  bandwidthMbps: number;
}

/** Defaults for paths not named in a scenario's `underlay`. */
export const DEFAULT_PATH: Readonly<PathFigures> = { latencyMs: 10, lossPercent: 0, bandwidthMbps: 1000 };

/** A message carrier (owned by the protocols' shared layer; re-exported here for the network's users). */
export type { Link };

/** One direction of a path. Mutable: `setFigures` models a `setPath` action. */
export class PathDirection implements Link {
  private busyUntilUs = 0;
  /** Messages carried (delivered or lost). */
  sent = 0;
  lost = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly loss: RandomStream,
    public figures: PathFigures,
    /** Extra condition: the link carries nothing while this returns false (a failed device). */
    public isUp: () => boolean = () => true,
  ) {
    checkFigures(figures);
  }

  /** Replaces the figures (a `setPath` action); messages already in flight keep theirs. */
  setFigures(figures: PathFigures): void {
    checkFigures(figures);
    this.figures = figures;
  }

  transmit<A = undefined>(bytes: number, deliver: (arg: A) => void, label?: string, arg?: A): boolean {
    this.sent++;
    const f = this.figures;
    // Draw first so the loss stream advances identically whatever the outcome.
    const lost = f.lossPercent > 0 && this.loss.random() * 100 < f.lossPercent;
    if (lost || !this.isUp()) {
      this.lost++;
      return false;
    }
    const now = this.sim.nowUs;
    const serialUs = Math.round((bytes * 8) / f.bandwidthMbps);
    const start = this.busyUntilUs > now ? this.busyUntilUs : now;
    this.busyUntilUs = start + serialUs;
    const arrive = this.busyUntilUs + Math.round(f.latencyMs * 1000);
    this.sim.scheduleAtUs(arrive, deliver, label, arg);
    return true;
  }

  /** Round-trip time of an empty message over this direction and back at the same latency, seconds. */
  get rttSeconds(): number {
    return (2 * this.figures.latencyMs) / 1000;
  }
}

/** @throws UsageError on negative latency, loss outside 0-100 or non-positive bandwidth. */
export function checkFigures(f: PathFigures): void {
  if (!(f.latencyMs >= 0) || !Number.isFinite(f.latencyMs)) throw new UsageError(`underlay: latencyMs ${f.latencyMs} must be 0 or more`, 'underlay');
  if (!(f.lossPercent >= 0 && f.lossPercent <= 100)) throw new UsageError(`underlay: lossPercent ${f.lossPercent} must be within 0-100`, 'underlay');
  if (!(f.bandwidthMbps > 0)) throw new UsageError(`underlay: bandwidthMbps ${f.bandwidthMbps} must be more than 0`, 'underlay');
}

/** A path entry of a scenario's `underlay`. */
export interface UnderlayEntry extends Partial<PathFigures> {
  from: string;
  to: string;
}

/** Latency within one location (one Azure region, one site), milliseconds. */
export const SAME_LOCATION_LATENCY_MS = 1;

/**
 * The underlay of one simulation: paths between locations (Azure regions,
 * sites, `internet` for clients). A pair's figures come from, in order: an
 * explicit entry in either direction; the shortest chain of explicit entries
 * by latency (graphology-shortest-path; latency adds up, loss compounds,
 * bandwidth is the minimum); within one location, 1 ms without loss; else
 * the defaults.
 */
export class Underlay {
  /** Explicit entries by {@link pairKey}, with their two ends (names are never split back out of a key). */
  private readonly entries = new Map<string, PathFigures>();
  private readonly ends = new Map<string, readonly [string, string]>();
  private readonly links = new Map<string, { readonly from: string; readonly to: string; readonly link: PathDirection }>();
  /** from -> to -> link: lookups without building a key string. */
  private readonly linkIndex = new Map<string, Map<string, PathDirection>>();
  readonly defaults: PathFigures;

  constructor(
    private readonly sim: Simulator,
    private readonly streamFor: (name: string) => RandomStream,
    def: { defaults?: Partial<PathFigures>; paths?: UnderlayEntry[] } = {},
  ) {
    this.defaults = { ...DEFAULT_PATH, ...stripUndefined(def.defaults ?? {}) };
    checkFigures(this.defaults);
    for (const p of def.paths ?? []) this.set(p);
  }

  /** Sets (or changes) the figures of a path in both directions: a `setPath` action. */
  set(entry: UnderlayEntry): void {
    const key = pairKey(entry.from, entry.to);
    const base = this.entries.get(key) ?? this.figures(entry.from, entry.to);
    const f = { ...base, ...stripUndefined({ latencyMs: entry.latencyMs, lossPercent: entry.lossPercent, bandwidthMbps: entry.bandwidthMbps }) };
    checkFigures(f);
    this.entries.set(key, f);
    this.ends.set(key, [entry.from, entry.to]);
    for (const { from, to, link } of this.links.values()) link.setFigures(this.figures(from, to));
  }

  /** Figures between two locations (symmetric). */
  figures(a: string, b: string): PathFigures {
    const direct = this.entries.get(pairKey(a, b));
    if (direct) return direct;
    if (a === b) return { ...this.defaults, latencyMs: SAME_LOCATION_LATENCY_MS, lossPercent: 0 };
    const chain = this.chain(a, b);
    return chain ?? this.defaults;
  }

  /** The link carrying messages from `a` to `b` (one per direction, created on first use). */
  link(a: string, b: string): PathDirection {
    let row = this.linkIndex.get(a);
    if (!row) this.linkIndex.set(a, (row = new Map()));
    let l = row.get(b);
    if (!l) {
      const k = `${a}->${b}`;
      l = new PathDirection(this.sim, this.streamFor(`underlay/${k}`), this.figures(a, b));
      this.links.set(pairKey(a, b) + (a <= b ? '>' : '<'), { from: a, to: b, link: l });
      row.set(b, l);
    }
    return l;
  }

  private chain(a: string, b: string): PathFigures | undefined {
    if (this.entries.size === 0) return undefined;
    // graphology keeps nodes and edges in plain objects: a location named `valueOf` or `__proto__`
    // would collide with Object.prototype there, so every location enters the graph prefixed.
    const node = (loc: string): string => `loc:${loc}`;
    const g = new UndirectedGraph();
    for (const [k, f] of this.entries) {
      const [x, y] = this.ends.get(k)!;
      if (!g.hasNode(node(x))) g.addNode(node(x), { loc: x });
      if (!g.hasNode(node(y))) g.addNode(node(y), { loc: y });
      if (x !== y && !g.hasEdge(node(x), node(y))) g.addEdge(node(x), node(y), { weight: f.latencyMs + 1e-9 });
    }
    if (!g.hasNode(node(a)) || !g.hasNode(node(b))) return undefined;
    const path = dijkstra.bidirectional(g, node(a), node(b), 'weight')?.map((n) => g.getNodeAttribute(n, 'loc') as string);
    if (!path) return undefined;
    let latencyMs = 0, keep = 1, bandwidthMbps = Infinity;
    for (let i = 1; i < path.length; i++) {
      const f = this.entries.get(pairKey(path[i - 1]!, path[i]!))!;
      latencyMs += f.latencyMs;
      keep *= 1 - f.lossPercent / 100;
      bandwidthMbps = Math.min(bandwidthMbps, f.bandwidthMbps);
    }
    return { latencyMs, lossPercent: (1 - keep) * 100, bandwidthMbps };
  }
}

/** An unambiguous key of an unordered pair of locations (JSON of the sorted pair: no separator can occur inside a name). */
function pairKey(a: string, b: string): string {
  return JSON.stringify(a <= b ? [a, b] : [b, a]);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
