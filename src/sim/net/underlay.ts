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

/** A message carrier from one endpoint to another, used by protocol drivers. */
export interface Link {
  /**
   * Carries a message of `bytes` bytes: `deliver` runs at the far end after
   * serialisation and latency, or never when the message is lost.
   * @returns false when the message was lost (known only to the simulator).
   */
  transmit(bytes: number, deliver: () => void, label?: string): boolean;
}

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

  transmit(bytes: number, deliver: () => void, label?: string): boolean {
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
    this.sim.scheduleAtUs(arrive, deliver, label);
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
