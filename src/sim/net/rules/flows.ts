/**
 * Flows: `from` is a host or client, `to` a host, not the same; exactly one of
 * bytes and duration; UDP needs rateMbps, TCP ignores it (warning).
 */
import type { FlowDef } from '../scenario.js';
import { resolve, type Config, type Ctx } from './model.js';
import { suggest } from './report.js';

/** Checks one flow (configured, or started by the timeline). */
export function checkFlow(ctx: Ctx, cfg: Config, f: FlowDef, path: string): void {
  const r = ctx.report;
  const who = `flow "${f.name}"`;
  const known = cfg.hosts.has(f.from) || cfg.clients.has(f.from) || ctx.opaque.has(f.from) || ctx.brokenKinds.has('host') || ctx.brokenKinds.has('client');
  if (!known) r.error(`${path}.from`, 'ref', `${who}: no host or client named "${f.from}"`, suggest(f.from, [...cfg.hosts.keys(), ...cfg.clients.keys()], 'host or client'));
  resolve(ctx, cfg.hosts, 'host', f.to, `${path}.to`, who);
  if (f.from === f.to) r.error(`${path}.to`, 'ref', `${who}: from and to are both "${f.from}"`, 'Send the flow to another host');
  if ((f.bytes === undefined) === (f.duration === undefined)) {
    r.error(path, 'required', `${who}: set exactly one of bytes and duration`, 'Give the flow a size in bytes or a duration in seconds');
  }
  if ((f.kind ?? 'tcp') === 'udp' && f.rateMbps === undefined) {
    r.error(`${path}.rateMbps`, 'required', `${who}: a UDP flow needs rateMbps`, 'Set the sending rate in Mbit/s');
  }
  if ((f.kind ?? 'tcp') === 'tcp' && f.rateMbps !== undefined) {
    r.warn(`${path}.rateMbps`, 'field', `${who}: rateMbps applies to UDP flows only`, 'Remove rateMbps, or set kind "udp"');
  }
}
