/**
 * Bounds of every number that reaches the kernel, so that a scenario that
 * validates also runs (rules `time`, `latency`, `bandwidth`, `ping-interval`,
 * `size`). The kernel keeps time as integer microseconds up to 2^53 µs (about
 * 285 years); scenario times stop well short of that ({@link MAX_SCENARIO_SECONDS})
 * so that whatever a time sets off (provisioning, a flow, a retry) still fits.
 * Rates have a floor so that one packet's transmission time stays finite and
 * small, and a ceiling so that arithmetic on them stays exact.
 *
 * Reads the plain copy of the scenario; fields of the wrong type are the
 * schema's to report.
 */
import type { Report } from './report.js';

/** Latest time a scenario may name, seconds (about 31.7 years). */
export const MAX_SCENARIO_SECONDS = 1e9;
/** Largest one-way latency, ms (one hour). */
export const MAX_LATENCY_MS = 3_600_000;
/** Smallest bandwidth or rate, Mbit/s (10 kbit/s). */
export const MIN_RATE_MBPS = 0.01;
/** Largest bandwidth or rate, Mbit/s (1 Pbit/s: "no limit" in tests). */
export const MAX_RATE_MBPS = 1e9;
/** Shortest ping interval, seconds (1 ms). */
export const MIN_PING_EVERY_SECONDS = 0.001;
/** Largest flow size, bytes (1 TB). */
export const MAX_FLOW_BYTES = 1e12;

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function each(list: unknown, path: string, visit: (item: Rec, path: string) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => { if (isRec(item)) visit(item, `${path}[${i}]`); });
}

/** Checks every bounded number of a scenario. */
export function checkBounds(value: Rec, report: Report): void {
  const time = (o: Rec, field: string, path: string, who: string): void => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return;
    if (v > MAX_SCENARIO_SECONDS) {
      report.error(`${path}.${field}`, 'time', `${who}: ${field} ${v} s is beyond the latest time a scenario may name (${MAX_SCENARIO_SECONDS} s)`, `Use a time of at most ${MAX_SCENARIO_SECONDS} s (about 31 years)`);
    }
  };
  const rate = (o: Rec, field: string, path: string, who: string, rule: 'bandwidth'): void => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return;
    if (v < MIN_RATE_MBPS || v > MAX_RATE_MBPS) {
      report.error(`${path}.${field}`, rule, `${who}: ${field} ${v} Mbit/s is out of range`, `Use ${MIN_RATE_MBPS} to ${MAX_RATE_MBPS} Mbit/s`);
    }
  };
  const links = (o: Rec, path: string, who: string): void => {
    for (const f of ['uplinkMbps', 'downlinkMbps']) rate(o, f, path, who, 'bandwidth');
  };
  const metrics = (o: Rec, path: string, who: string): void => {
    const l = o.latencyMs;
    if (typeof l === 'number' && Number.isFinite(l) && l > MAX_LATENCY_MS) {
      report.error(`${path}.latencyMs`, 'latency', `${who}: latencyMs ${l} ms is out of range`, `Use 0 to ${MAX_LATENCY_MS} ms`);
    }
    rate(o, 'bandwidthMbps', path, who, 'bandwidth');
  };
  const flow = (f: Rec, path: string, who: string): void => {
    time(f, 'start', path, who);
    time(f, 'duration', path, who);
    rate(f, 'rateMbps', path, who, 'bandwidth');
    const b = f.bytes;
    if (typeof b === 'number' && Number.isFinite(b) && b > MAX_FLOW_BYTES) {
      report.error(`${path}.bytes`, 'size', `${who}: bytes ${b} is more than ${MAX_FLOW_BYTES}`, `Send at most ${MAX_FLOW_BYTES} bytes (1 TB), or give a duration`);
    }
  };

  each(value.gateways, '$.gateways', (g, p) => time(g, 'provisioningSeconds', p, `gateway ${JSON.stringify(g.name)}`));
  each(value.localNetworkGateways, '$.localNetworkGateways', (l, p) => links(l, p, `local network gateway ${JSON.stringify(l.name)}`));
  each(value.clients, '$.clients', (c, p) => {
    const who = `client ${JSON.stringify(c.name)}`;
    time(c, 'connectAt', p, who);
    time(c, 'packageDownloadedAt', p, who);
    links(c, p, who);
  });
  each(value.hosts, '$.hosts', (h, p) => links(h, p, `host ${JSON.stringify(h.name)}`));
  each(value.flows, '$.flows', (f, p) => flow(f, p, `flow ${JSON.stringify(f.name)}`));
  if (isRec(value.underlay)) {
    if (isRec(value.underlay.defaults)) metrics(value.underlay.defaults, '$.underlay.defaults', 'underlay defaults');
    each(value.underlay.paths, '$.underlay.paths', (u, p) => metrics(u, p, 'underlay path'));
  }
  each(value.timeline, '$.timeline', (e, p) => {
    const who = `timeline ${String(e.action)} at ${String(e.at)} s`;
    time(e, 'at', p, who);
    switch (e.action) {
      case 'ping': {
        time(e, 'until', p, who);
        const every = e.every;
        if (typeof every === 'number' && Number.isFinite(every) && every > 0 && every < MIN_PING_EVERY_SECONDS) {
          report.error(`${p}.every`, 'ping-interval', `${who}: every ${every} s is shorter than ${MIN_PING_EVERY_SECONDS} s`, `Ping at most every ${MIN_PING_EVERY_SECONDS} s (1 ms)`);
        }
        break;
      }
      case 'setPath': metrics(e, p, who); break;
      case 'startFlow': flow(e, p, who); break;
      case 'createGateway': time(e, 'provisioningSeconds', p, who); break;
      default: break;
    }
  });
}
