/**
 * Per-action checks of timeline entries: each entry's references must exist at
 * its instant; entries that change the configuration apply the change to the
 * replayed configuration and call {@link TimelineEnv.changed}, after which the
 * replay (timeline.ts) re-checks the configuration rules.
 */
import { ValidationError } from '../../../errors.js';
import type { ConnectionDef, FlowDef, GatewayDef, PeeringDef, SkuName, UnderlayPathDef } from '../scenario.js';
import { skuSpec, type SkuSpec } from '../skus.js';
import { checkFlow } from './flows.js';
import { KIND_LABEL, resolve, type Config, type Ctx, type Item } from './model.js';
import { suggest } from './report.js';
import { checkPath, locations } from './underlay-paths.js';

/** A timeline entry as the schema accepted it. */
export type TimelineEntry = Record<string, unknown> & { at: number; action: string };

/** What the replay hands each entry's check. */
export interface TimelineEnv {
  /** Names of flows (configured and started so far). */
  readonly flowNames: Set<string>;
  /** True when `name` is free; reports a duplicate otherwise. */
  nameFree(name: string, path: string, who: string): boolean;
  /** Reports `name` when it is no host or client. */
  hostOrClient(name: string, path: string, who: string): void;
  /** Says that the entry changed the configuration: the configuration rules run again. */
  changed(): void;
}

/** Checks one timeline entry at its instant, applying its configuration change to `cfg`. */
export function checkTimelineEntry(ctx: Ctx, cfg: Config, e: Item<TimelineEntry>, env: TimelineEnv): void {
  const r = ctx.report;
  const d = e.def;
  const path = e.path;
  const who = `timeline ${d.action} at ${d.at} s`;
  switch (d.action) {
    case 'addPeering': {
      const p = d as unknown as PeeringDef;
      cfg.peerings.push({ def: { vnet: p.vnet, remoteVnet: p.remoteVnet, ...(p.allowGatewayTransit !== undefined ? { allowGatewayTransit: p.allowGatewayTransit } : {}), ...(p.useRemoteGateways !== undefined ? { useRemoteGateways: p.useRemoteGateways } : {}) }, path });
      env.changed();
      break;
    }
    case 'removePeering': {
      const i = cfg.peerings.findIndex((p) => p.def.vnet === d.vnet && p.def.remoteVnet === d.remoteVnet);
      if (i < 0) r.error(path, 'ref', `${who}: no peering "${String(d.vnet)}" -> "${String(d.remoteVnet)}" exists then`, 'Remove a peering that exists at that time');
      else {
        cfg.peerings.splice(i, 1);
        env.changed();
      }
      break;
    }
    case 'addConnection': {
      const { at: _at, action: _action, ...rest } = d;
      const c = rest as unknown as ConnectionDef;
      if (env.nameFree(c.name, path, who)) {
        cfg.connections.set(c.name, { def: c, path });
        ctx.names.set(c.name, { kind: 'connection', path });
        ctx.deleted.delete(c.name);
        env.changed();
      }
      break;
    }
    case 'removeConnection': {
      const name = d.connection as string;
      if (resolve(ctx, cfg.connections, 'connection', name, `${path}.connection`, who, true)) {
        cfg.connections.delete(name);
        ctx.names.delete(name);
        env.changed();
      }
      break;
    }
    case 'createGateway': {
      const { at: _at, action: _action, ...rest } = d;
      const g = rest as unknown as GatewayDef;
      if (env.nameFree(g.name, path, who)) {
        cfg.gateways.set(g.name, { def: g, path });
        ctx.names.set(g.name, { kind: 'gateway', path });
        ctx.deleted.delete(g.name);
        env.changed();
      }
      break;
    }
    case 'deleteGateway': {
      const name = d.gateway as string;
      if (resolve(ctx, cfg.gateways, 'gateway', name, `${path}.gateway`, who, true)) {
        // Deleting a gateway deletes every connection on it (the runtime does the same).
        cfg.gateways.delete(name);
        ctx.names.delete(name);
        ctx.deleted.set(name, path);
        for (const c of [...cfg.connections.values()]) {
          if (c.def.gateway === name || c.def.peerGateway === name) {
            cfg.connections.delete(c.def.name);
            ctx.names.delete(c.def.name);
            ctx.deleted.set(c.def.name, path);
          }
        }
        env.changed();
      }
      break;
    }
    case 'resizeGateway': {
      const name = d.gateway as string;
      const gi = resolve(ctx, cfg.gateways, 'gateway', name, `${path}.gateway`, who, true);
      if (!gi) break;
      const sku = d.sku as string;
      let spec: SkuSpec | undefined;
      try {
        spec = skuSpec(sku, gi.def.vpnGatewayGeneration);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        r.error(`${path}.sku`, 'sku', `${who}: SKU "${sku}" does not exist for gateway "${name}"`, err.fix);
      }
      if (!spec) break;
      if (!spec.vpnTypes.includes(gi.def.vpnType)) {
        r.error(`${path}.sku`, 'R6', `${who}: SKU "${sku}" does not offer vpnType "${gi.def.vpnType}" of gateway "${name}"`, `Use a SKU that offers ${gi.def.vpnType}`);
        break;
      }
      cfg.gateways.set(name, { def: { ...gi.def, sku: sku as SkuName }, path: gi.path }); // checked by skuSpec above
      env.changed();
      break;
    }
    case 'downloadClientPackage':
    case 'addClientRoute':
    case 'connectClient':
    case 'disconnectClient':
      resolve(ctx, cfg.clients, 'client', d.client as string, `${path}.client`, who);
      break;
    case 'ping':
      env.hostOrClient(d.from as string, `${path}.from`, who);
      resolve(ctx, cfg.hosts, 'host', d.to as string, `${path}.to`, who);
      if (d.every !== undefined && d.until !== undefined && (d.until as number) < d.at) {
        r.error(`${path}.until`, 'timeline', `${who}: until (${String(d.until)} s) is before at`, 'Set until at or after at');
      }
      break;
    case 'fail':
    case 'restore': {
      const target = d.target as string;
      const live = ctx.names.get(target);
      // Only connections, sites and gateways can fail (the runtime refuses anything else).
      const failable = (k: string): boolean => k === 'connection' || k === 'localNetworkGateway' || k === 'gateway';
      if (live && !failable(live.kind)) {
        r.error(`${path}.target`, 'ref', `${who}: "${target}" is a ${KIND_LABEL[live.kind]}; only a connection, a local network gateway or a gateway can ${d.action === 'fail' ? 'fail' : 'be restored'}`, suggest(target, [...ctx.names.entries()].filter(([, v]) => failable(v.kind)).map(([k]) => k), 'target'));
        break;
      }
      if (!live && !ctx.opaque.has(target)) {
        const deletedBy = ctx.deleted.get(target);
        r.error(`${path}.target`, 'ref', `${who}: ${deletedBy ? `"${target}" was deleted by ${deletedBy}` : `nothing named "${target}" exists then`}`, deletedBy ? 'Create it again first' : suggest(target, [...ctx.names.entries()].filter(([, v]) => v.kind !== 'flow').map(([k]) => k), 'target'));
      }
      break;
    }
    case 'setPath':
      checkPath(ctx, locations(cfg), d as unknown as UnderlayPathDef, path);
      break;
    case 'resetBgp': {
      const c = resolve(ctx, cfg.connections, 'connection', d.connection as string, `${path}.connection`, who, true);
      if (c && !c.def.enableBgp) r.warn(`${path}.connection`, 'bgp', `${who}: connection "${c.def.name}" has no BGP`, 'Reset a connection with enableBgp');
      break;
    }
    case 'startFlow': {
      const { at: _at, action: _action, ...rest } = d;
      const f = rest as unknown as FlowDef;
      if (env.nameFree(f.name, path, who)) {
        env.flowNames.add(f.name);
        checkFlow(ctx, cfg, f, path);
      }
      break;
    }
    default:
      break;
  }

}
