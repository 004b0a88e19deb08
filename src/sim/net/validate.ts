/**
 * Scenario validation: structure first (the JSON Schema in scenario-schema.ts,
 * checked by ajv), then the semantic rules of the rules document on every part
 * that is structurally sound. Every error found is reported, not just the first.
 * The rules live one file per rule or small family under `rules/`
 * (`rules/r09-address-overlap.ts`, ...); docs/rules.md lists them all.
 *
 * Granularity: an element of a top-level list (a VNet, a connection, a
 * timeline entry, ...) with any schema error is left out of the semantic
 * checks; its name is still known, so references to it raise no second error.
 *
 * The timeline is replayed in time order (ties in file order) over a copy of
 * the configuration (rules/timeline.ts): each entry's references must exist at
 * its instant, and every entry that changes the configuration re-runs the
 * configuration rules on the result.
 */
import { ScenarioValidationError, type ValidationError, type ValidationIssue } from '../../errors.js';
import type { ClientDef, ConnectionDef, FlowDef, GatewayDef, HostDef, LocalNetworkGatewayDef, PeeringDef, Scenario, UnderlayPathDef, VnetDef } from './scenario.js';
import { checkConfig } from './rules/config.js';
import { checkFlow } from './rules/flows.js';
import { KIND_LABEL, type Config, type Ctx, type Item, type Kind } from './rules/model.js';
import { Report } from './rules/report.js';
import { checkSchema, type ListKey } from './rules/schema.js';
import { checkTimeline } from './rules/timeline.js';
import type { TimelineEntry } from './rules/timeline-actions.js';
import { checkPath, locations } from './rules/underlay-paths.js';
import { snapshot } from './rules/snapshot.js';
import { checkBounds } from './rules/bounds.js';

/** What {@link validateScenario} found. */
export interface ValidationResult {
  /** Every rule broken, in discovery order (schema errors first). Empty when the scenario is valid. */
  readonly errors: ValidationError[];
  /** Things that work but are likely not meant (a /29 GatewaySubnet, an unpaired VNet-to-VNet half, ...). */
  readonly warnings: ValidationIssue[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a scenario value against the schema and every rule of SPEC.md.
 * Pure: never throws for bad input, and reports all errors at once. Input from
 * JavaScript is first copied into plain data (rules/snapshot.ts): a Proxy, a
 * getter, a Symbol key or a class instance is refused (rule `input`) unread.
 * @returns errors (each a {@link ValidationError} with path, rule and fix) and warnings; the scenario is valid when `errors` is empty.
 */
export function validateScenario(value: unknown): ValidationResult {
  const snap = snapshot(value);
  if (!snap.ok) return { errors: [snap.error], warnings: [] };
  return validatePlain(snap.value);
}

/** Validates plain data (a {@link snapshot} copy). */
function validatePlain(value: unknown): ValidationResult {
  const report = new Report();
  const broken = checkSchema(value, report);
  if (!isRecord(value)) return { errors: report.errors, warnings: report.warnings };

  let opaqueGw: boolean | undefined;
  const ctx: Ctx = {
    report, names: new Map(), opaque: new Set(), brokenKinds: new Set(), deleted: new Map(),
    opaqueGateways: () => (opaqueGw ??= [...ctx.opaque].some((n) => ctx.names.get(n)?.kind === 'gateway')),
  };
  const cfg: Config = { vnets: new Map(), gateways: new Map(), lngs: new Map(), connections: new Map(), peerings: [], clients: new Map(), hosts: new Map(), version: 0, opaqueLocations: new Set() };
  const flows: Item<FlowDef>[] = [];
  const flowNames = new Set<string>();
  const timeline: Item<TimelineEntry>[] = [];

  const kinds: [ListKey, Kind | 'peering' | 'timeline'][] = [
    ['vnets', 'vnet'], ['gateways', 'gateway'], ['localNetworkGateways', 'localNetworkGateway'], ['connections', 'connection'],
    ['clients', 'client'], ['hosts', 'host'], ['flows', 'flow'], ['peerings', 'peering'], ['timeline', 'timeline'],
  ];
  for (const [list, kind] of kinds) {
    const arr = value[list];
    if (broken.lists.has(list)) {
      if (kind !== 'peering' && kind !== 'timeline') ctx.brokenKinds.add(kind);
      continue;
    }
    if (!Array.isArray(arr)) continue;
    arr.forEach((item: unknown, i) => {
      const path = `$.${list}[${i}]`;
      const ok = !broken.items.has(`${list}/${i}`);
      if (kind === 'timeline') {
        if (ok) timeline.push({ def: item as TimelineEntry, path });
        else if (isRecord(item) && typeof item.name === 'string' && item.name) ctx.opaque.add(item.name);
        return;
      }
      if (kind === 'peering') {
        if (ok) cfg.peerings.push({ def: item as PeeringDef, path });
        return;
      }
      const name = isRecord(item) && typeof item.name === 'string' && item.name.length > 0 ? item.name : undefined;
      if (name !== undefined) {
        const prev = ctx.names.get(name);
        if (prev) {
          report.error(`${path}.name`, 'duplicate', `${KIND_LABEL[kind]} "${name}": the name is already used by a ${KIND_LABEL[prev.kind]} (${prev.path})`, 'Give every VNet, gateway, site, connection, client, host and flow a name of its own');
          return;
        }
        ctx.names.set(name, { kind, path });
      }
      if (!ok) {
        if (name !== undefined) ctx.opaque.add(name);
        if (isRecord(item) && (kind === 'vnet' || kind === 'localNetworkGateway' || kind === 'client')) {
          if (typeof item.location === 'string') cfg.opaqueLocations.add(item.location);
          if (kind === 'localNetworkGateway' && name !== undefined) cfg.opaqueLocations.add(name);
        }
        return;
      }
      const it = { def: item, path };
      switch (kind) {
        case 'vnet': cfg.vnets.set(name!, it as Item<VnetDef>); break;
        case 'gateway': cfg.gateways.set(name!, it as Item<GatewayDef>); break;
        case 'localNetworkGateway': cfg.lngs.set(name!, it as Item<LocalNetworkGatewayDef>); break;
        case 'connection': cfg.connections.set(name!, it as Item<ConnectionDef>); break;
        case 'client': cfg.clients.set(name!, it as Item<ClientDef>); break;
        case 'host': cfg.hosts.set(name!, it as Item<HostDef>); break;
        case 'flow': flows.push(it as Item<FlowDef>); flowNames.add(name!); break;
      }
    });
  }

  checkBounds(value, report);
  checkConfig(ctx, cfg);
  for (const f of flows) checkFlow(ctx, cfg, f.def, f.path);
  if (!broken.keys.has('underlay') && isRecord(value.underlay)) {
    const known = locations(cfg);
    const paths = (value.underlay.paths ?? []) as UnderlayPathDef[];
    const seen = new Map<string, number>();
    paths.forEach((p, i) => {
      checkPath(ctx, known, p, `$.underlay.paths[${i}]`);
      const key = `${p.from}\u0000${p.to}`;
      if (seen.has(key)) report.error(`$.underlay.paths[${i}]`, 'duplicate', `underlay path "${p.from}" -> "${p.to}" is defined twice (first at $.underlay.paths[${seen.get(key)!}])`, 'Keep one path per pair of locations');
      else seen.set(key, i);
    });
  }
  checkTimeline(ctx, cfg, timeline, flowNames);
  return { errors: report.errors, warnings: report.warnings };
}

/**
 * Validates a scenario and returns it typed (a deep copy, without `$schema`).
 * @param source where the value came from (a file name), used in the error.
 * @throws ScenarioValidationError carrying every error found.
 */
export function parseScenario(value: unknown, source?: string): Scenario {
  const snap = snapshot(value);
  const plain = snap.ok ? snap.value : undefined;
  const errors = snap.ok ? validatePlain(plain).errors : [snap.error];
  if (errors.length > 0) {
    const label = source ?? (isRecord(plain) && typeof plain.name === 'string' ? plain.name : 'scenario');
    throw new ScenarioValidationError(label, errors);
  }
  const copy = plain as Scenario & { $schema?: string };
  delete copy.$schema;
  return copy;
}
