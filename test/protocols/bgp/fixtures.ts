/** Shared set-up for BGP session tests: speakers joined by underlay paths of given latency. */
import { Rng } from '../../../src/sim/kernel/rng.js';
import { Simulator } from '../../../src/sim/kernel/simulator.js';
import { PathDirection, type Link } from '../../../src/sim/net/underlay.js';
import { BgpSession, type BgpSessionEnd, type BgpStateEvent } from '../../../src/protocols/bgp/session.js';
import { BgpSpeaker, type BgpRoute, type BgpSpeakerOptions } from '../../../src/protocols/bgp/speaker.js';

/** A simulation with a trace of state changes, RIB changes and transmitted segments. */
export class Net {
  readonly sim = new Simulator();
  readonly rng = new Rng(7);
  readonly states: BgpStateEvent[] = [];
  readonly rib: { t: number; speaker: string; prefix: string; best: BgpRoute | undefined }[] = [];
  readonly wire: { t: number; session: string; dir: string; type: string }[] = [];

  speaker(o: BgpSpeakerOptions): BgpSpeaker {
    return new BgpSpeaker(this.sim, {
      ...o,
      onRibChange: (prefix, best) => this.rib.push({ t: this.sim.now, speaker: o.name, prefix, best }),
    });
  }

  /**
   * Joins two speakers. Bandwidth is effectively infinite so that times are
   * whole multiples of the latency. `up.ab` / `up.ba` switch a direction off.
   */
  connect(name: string, a: BgpSessionEnd, b: BgpSessionEnd, latencyMs: number, up = { ab: true, ba: true }): BgpSession {
    const dir = (d: 'ab' | 'ba'): Link => {
      const path = new PathDirection(this.sim, this.rng.stream(`loss/${name}/${d}`), { latencyMs, lossPercent: 0, bandwidthMbps: 1e9 }, () => up[d]);
      return {
        transmit: (bytes, deliver, label, arg) => {
          const label2 = label ?? '';
          this.wire.push({ t: this.sim.now, session: name, dir: d, type: label2.slice(label2.lastIndexOf(' ') + 1) });
          return path.transmit(bytes, deliver, label, arg);
        },
      };
    };
    return new BgpSession(this.sim, { name, a, b, aToB: dir('ab'), bToA: dir('ba'), onStateChange: (e) => this.states.push(e) });
  }

  /** State changes of one speaker's end of a session, as `t from->to reason`. */
  ladder(session: string, speaker: string): string[] {
    return this.states.filter((e) => e.session === session && e.speaker === speaker).map((e) => `${us(e.t)} ${e.from}->${e.to} ${e.reason}`);
  }

  /** Times (µs) at which one speaker's best route to `prefix` changed, with the AS_PATH or '-' when removed. */
  ribLog(speaker: string, prefix: string): string[] {
    return this.rib.filter((r) => r.speaker === speaker && r.prefix === prefix).map((r) => `${us(r.t)} ${r.best ? `[${r.best.asPath.join(' ')}]` : '-'}`);
  }
}

/** Seconds to whole microseconds, for exact comparisons. */
export function us(t: number): number {
  return Math.round(t * 1e6);
}
