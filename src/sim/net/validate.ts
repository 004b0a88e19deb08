/**
 * Scenario validation: structure first (the JSON Schema in scenario-schema.ts,
 * checked by ajv), then the semantic rules of SPEC.md on every part that is
 * structurally sound. Every error found is reported, not just the first.
 *
 * Granularity: an element of a top-level list (a VNet, a connection, a
 * timeline entry, ...) with any schema error is left out of the semantic
 * checks; its name is still known, so references to it raise no second error.
 *
 * The timeline is replayed in time order (ties in file order) over a copy of
 * the configuration: each entry's references must exist at its instant, and
 * every entry that changes the configuration (add/remove a connection or
 * peering, create/delete/resize a gateway) re-runs the configuration rules on
 * the result. An error is reported once even if several states show it.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ScenarioValidationError, ValidationError, type ValidationIssue } from '../../errors.js';
import { reservedAsnReason, AZURE_DEFAULT_ASN } from './asn.js';
import { contains, covers, isCanonicalAddress, isCanonicalCidr, overlaps, parseAddress, parsePrefix, type Prefix } from './prefix.js';
import type {
  ClientDef, ConnectionDef, FlowDef, GatewayDef, HostDef, LocalNetworkGatewayDef, PeeringDef, Scenario, UnderlayPathDef, VnetDef,
} from './scenario.js';
import { SCENARIO_SCHEMA } from './scenario-schema.js';
import { skuSpec, SKU_NAMES, type SkuSpec } from './skus.js';

/** What {@link validateScenario} found. */
export interface ValidationResult {
  /** Every rule broken, in discovery order (schema errors first). Empty when the scenario is valid. */
  readonly errors: ValidationError[];
  /** Things that work but are likely not meant (a /29 GatewaySubnet, an unpaired VNet-to-VNet half, ...). */
  readonly warnings: ValidationIssue[];
}

/**
 * ExpressRoute gateway SKUs the catalogue models (the runtime looks every
 * gateway's SKU up in it). Azure also has UltraPerformance and ErGw1AZ-3AZ,
 * which have no VPN figures in SKUS.md.
 */
const EXPRESSROUTE_SKUS: readonly string[] = ['Standard', 'HighPerformance'];
const GATEWAY_SUBNET = 'GatewaySubnet';
const MAX_ROOT_CERTIFICATES = 20;

// ---------------------------------------------------------------------------
// Reporting

class Report {
  readonly errors: ValidationError[] = [];
  readonly warnings: ValidationIssue[] = [];
  private readonly seen = new Set<string>();

  error(path: string, rule: string, message: string, fix: string): void {
    const key = `E\u0000${path}\u0000${rule}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.errors.push(new ValidationError({ path, rule, message, fix }));
  }

  warn(path: string, rule: string, message: string, fix: string): void {
    const key = `W\u0000${path}\u0000${rule}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.warnings.push({ path, rule, message, fix });
  }
}

/** A value shown in a message: JSON, cut at 60 characters; never throws. */
function show(value: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch {
    s = undefined;
  }
  if (s === undefined) {
    try {
      s = String(value);
    } catch {
      s = Object.prototype.toString.call(value);
    }
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Levenshtein distance, for "did you mean" hints (O(a*b), names are short). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** "Did you mean ..." over candidate names, or a list of them. */
function suggest(name: string, candidates: Iterable<string>, what: string, listPrefix = 'Use one of'): string {
  const all = [...candidates];
  if (all.length === 0) return `Define the ${what} first`;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of all) {
    const d = distance(name, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3))) return `Did you mean "${best}"?`;
  const shown = all.slice(0, 8).map((c) => `"${c}"`).join(', ');
  return `${listPrefix} ${shown}${all.length > 8 ? ', ...' : ''}`;
}

// ---------------------------------------------------------------------------
// Structure (JSON Schema)

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictTuples: false, strictNumbers: true });
  ajv.addKeyword({ keyword: 'x-rule', schemaType: 'string' });
  ajv.addFormat('ipv4-cidr', { type: 'string', validate: (s: string) => isCanonicalCidr(s) });
  ajv.addFormat('ipv4-address', { type: 'string', validate: (s: string) => isCanonicalAddress(s) });
  compiled = ajv.compile(SCENARIO_SCHEMA);
  return compiled;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function segmentsToPath(segs: readonly (string | number)[]): string {
  let out = '$';
  for (const s of segs) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

const LISTS = ['vnets', 'gateways', 'localNetworkGateways', 'connections', 'peerings', 'clients', 'hosts', 'flows', 'timeline'] as const;
type ListKey = (typeof LISTS)[number];

/** Which parts of the input the schema rejected. */
interface Broken {
  /** Lists that are not arrays at all. */
  readonly lists: Set<string>;
  /** `list/index` of rejected elements. */
  readonly items: Set<string>;
  /** Other top-level keys with errors (`underlay`, `seed`, ...). */
  readonly keys: Set<string>;
}

function schemaIssue(e: ErrorObject): { path: string; rule: string; message: string; fix: string } {
  const segs = pointerSegments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const rule = typeof parent['x-rule'] === 'string' ? parent['x-rule'] : 'schema';
  const base = segmentsToPath(segs);
  switch (e.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      return { path: segmentsToPath([...segs, field]), rule, message: `required field "${field}" is missing`, fix: `Add "${field}"` };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const props = parent.properties && typeof parent.properties === 'object' ? Object.keys(parent.properties) : [];
      return { path: segmentsToPath([...segs, field]), rule, message: `unknown field "${field}"`, fix: `Remove it or fix its spelling. ${suggest(field, props, 'field', 'Known fields:')}` };
    }
    case 'format': {
      const isCidr = params.format === 'ipv4-cidr';
      let fix = isCidr ? 'Write an address and a length 0-32 with no host bits set, such as 10.1.0.0/16' : 'Write four decimal octets without leading zeros, such as 10.1.0.4';
      if (isCidr && typeof e.data === 'string') {
        try {
          parsePrefix(e.data);
        } catch (err) {
          if (err instanceof ValidationError) fix = err.fix;
        }
      }
      return { path: base, rule: isCidr ? 'cidr' : 'address', message: `${show(e.data)} is not canonical ${isCidr ? 'IPv4 CIDR' : 'IPv4 address'}`, fix };
    }
    case 'pattern':
      if (rule === 'R4') return { path: base, rule, message: `shared key ${show(e.data)} is not 1-128 letters or digits`, fix: 'Use 1-128 letters or digits, such as abc123' };
      return { path: base, rule, message: `${show(e.data)} does not match ${String(params.pattern)}`, fix: 'Correct the value' };
    case 'enum':
      return { path: base, rule, message: `${show(e.data)} is not allowed`, fix: `Use one of ${(params.allowedValues as unknown[]).map((v) => show(v)).join(', ')}` };
    case 'type':
      return { path: base, rule, message: `${show(e.data)} is not of type ${show(params.type)}`, fix: `Write a value of type ${show(params.type)}` };
    default:
      return { path: base, rule, message: `${show(e.data)} ${e.message ?? 'is invalid'}`, fix: 'Correct the value to match the scenario schema' };
  }
}

function checkSchema(value: unknown, report: Report): Broken {
  const broken: Broken = { lists: new Set(), items: new Set(), keys: new Set() };
  const validate = schemaValidator();
  if (validate(value)) return broken;
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'if') continue; // the failing `then` branch reports the detail
    const issue = schemaIssue(e);
    report.error(issue.path, issue.rule, issue.message, issue.fix);
    const segs = pointerSegments(e.instancePath);
    const [top, index] = segs;
    if (top === undefined) {
      const field = e.keyword === 'required' ? String((e.params as Record<string, unknown>).missingProperty) : undefined;
      if (field) broken.keys.add(field);
      continue;
    }
    if ((LISTS as readonly string[]).includes(top)) {
      if (index === undefined) broken.lists.add(top);
      else broken.items.add(`${top}/${index}`);
    } else {
      broken.keys.add(top);
    }
  }
  return broken;
}

// ---------------------------------------------------------------------------
// Semantic model

type Kind = 'vnet' | 'gateway' | 'localNetworkGateway' | 'connection' | 'client' | 'host' | 'flow';

const KIND_LABEL: Record<Kind, string> = {
  vnet: 'VNet', gateway: 'gateway', localNetworkGateway: 'local network gateway', connection: 'connection',
  client: 'client', host: 'host', flow: 'flow',
};

interface Item<T> {
  readonly def: T;
  /** JSON path of the object: `$.connections[2]` or `$.timeline[5]`. */
  readonly path: string;
}

/** The configuration at one instant. */
interface Config {
  vnets: Map<string, Item<VnetDef>>;
  gateways: Map<string, Item<GatewayDef>>;
  lngs: Map<string, Item<LocalNetworkGatewayDef>>;
  connections: Map<string, Item<ConnectionDef>>;
  peerings: Item<PeeringDef>[];
  clients: Map<string, Item<ClientDef>>;
  hosts: Map<string, Item<HostDef>>;
}

interface Ctx {
  readonly report: Report;
  /** Live names of every kind (one namespace: names are `fail` targets). */
  readonly names: Map<string, { kind: Kind; path: string }>;
  /** Names of objects the schema rejected: references to them are not errors. */
  readonly opaque: Set<string>;
  /** Kinds whose whole list is unusable. */
  readonly brokenKinds: Set<Kind>;
  /** Gateways deleted by the timeline: name -> path of the deleting entry. */
  readonly deleted: Map<string, string>;
}

/** Resolves a reference; reports it when it names nothing (or the wrong kind). */
function resolve<T>(ctx: Ctx, map: Map<string, Item<T>>, kind: Kind, name: string, path: string, who: string, strictDeleted = false): Item<T> | undefined {
  const hit = map.get(name);
  if (hit) return hit;
  if (ctx.opaque.has(name) || ctx.brokenKinds.has(kind)) return undefined;
  const deletedBy = ctx.deleted.get(name);
  if (deletedBy !== undefined) {
    if (strictDeleted) ctx.report.error(path, 'ref', `${who}: ${KIND_LABEL[kind]} "${name}" was deleted by ${deletedBy}`, `Create it again first, or remove this entry`);
    return undefined;
  }
  const other = ctx.names.get(name);
  if (other) {
    ctx.report.error(path, 'ref', `${who}: "${name}" is a ${KIND_LABEL[other.kind]}, not a ${KIND_LABEL[kind]}`, `Name a ${KIND_LABEL[kind]}. ${suggest(name, map.keys(), KIND_LABEL[kind])}`);
  } else {
    ctx.report.error(path, 'ref', `${who}: no ${KIND_LABEL[kind]} named "${name}"`, suggest(name, map.keys(), KIND_LABEL[kind]));
  }
  return undefined;
}

const P = (cidr: string): Prefix => parsePrefix(cidr);

function gatewaySubnet(vnet: VnetDef): { subnet: VnetDef['subnets'][number]; index: number } | undefined {
  const index = vnet.subnets.findIndex((s) => s.name === GATEWAY_SUBNET);
  return index >= 0 ? { subnet: vnet.subnets[index]!, index } : undefined;
}

function gatewayType(gw: GatewayDef): 'Vpn' | 'ExpressRoute' {
  return gw.gatewayType ?? 'Vpn';
}

/** The SKU of a Vpn gateway, or undefined (ExpressRoute gateway, unknown SKU: reported by checkGateway). */
function vpnSku(gw: GatewayDef): SkuSpec | undefined {
  if (gatewayType(gw) !== 'Vpn') return undefined;
  try {
    return skuSpec(gw.sku, gw.vpnGatewayGeneration);
  } catch {
    return undefined;
  }
}

function gatewayAsn(gw: GatewayDef): number {
  return gw.bgpSettings?.asn ?? AZURE_DEFAULT_ASN;
}

// ---------------------------------------------------------------------------
// Configuration rules

function checkVnet(ctx: Ctx, { def: v, path }: Item<VnetDef>): void {
  const r = ctx.report;
  const who = `VNet "${v.name}"`;
  const spaces = v.addressPrefixes.map(P);
  for (let i = 0; i < spaces.length; i++) {
    for (let j = 0; j < i; j++) {
      if (overlaps(spaces[i]!, spaces[j]!)) {
        r.error(`${path}.addressPrefixes[${i}]`, 'overlap', `${who}: address space "${spaces[i]!.cidr}" overlaps "${spaces[j]!.cidr}"`, 'Give the VNet address spaces that do not overlap');
      }
    }
  }
  const seen = new Map<string, number>();
  const subnets = v.subnets.map((s) => P(s.addressPrefix));
  v.subnets.forEach((s, i) => {
    const sp = `${path}.subnets[${i}]`;
    if (seen.has(s.name)) r.error(`${sp}.name`, 'duplicate', `${who}: subnet name "${s.name}" is used twice`, 'Give each subnet of a VNet its own name');
    else seen.set(s.name, i);
    const p = subnets[i]!;
    if (!spaces.some((sp2) => covers(sp2, p))) {
      r.error(`${sp}.addressPrefix`, 'prefix', `${who}: subnet "${s.name}" ("${p.cidr}") is not inside the VNet's address spaces`, `Use a prefix inside ${v.addressPrefixes.join(', ')}`);
    }
    for (let j = 0; j < i; j++) {
      if (overlaps(p, subnets[j]!)) {
        r.error(`${sp}.addressPrefix`, 'overlap', `${who}: subnet "${s.name}" ("${p.cidr}") overlaps subnet "${v.subnets[j]!.name}" ("${subnets[j]!.cidr}")`, 'Give subnets prefixes that do not overlap');
      }
    }
  });
}

function checkLng(ctx: Ctx, { def: l, path }: Item<LocalNetworkGatewayDef>): void {
  const r = ctx.report;
  const who = `local network gateway "${l.name}"`;
  const ps = l.addressPrefixes.map(P);
  for (let i = 0; i < ps.length; i++) {
    for (let j = 0; j < i; j++) {
      if (overlaps(ps[i]!, ps[j]!)) r.error(`${path}.addressPrefixes[${i}]`, 'overlap', `${who}: prefix "${ps[i]!.cidr}" overlaps "${ps[j]!.cidr}"`, 'Remove or merge the overlapping prefix');
    }
  }
  const asn = l.bgpSettings?.asn;
  if (asn !== undefined) {
    const why = reservedAsnReason(asn, false);
    if (why) r.error(`${path}.bgpSettings.asn`, 'asn', `${who}: ASN ${asn} is ${why}`, 'Use a private ASN such as 65010 (not 65515-65520)');
  }
}

function checkGateway(ctx: Ctx, cfg: Config, { def: g, path }: Item<GatewayDef>): void {
  const r = ctx.report;
  const who = `gateway "${g.name}"`;
  const type = gatewayType(g);
  const vnetItem = resolve(ctx, cfg.vnets, 'vnet', g.vnet, `${path}.vnet`, who);
  const vnet = vnetItem?.def;
  let gwSubnet: Prefix | undefined;

  // R1: GatewaySubnet.
  if (vnetItem && vnet) {
    const gs = gatewaySubnet(vnet);
    if (!gs) {
      const near = vnet.subnets.find((s) => s.name.toLowerCase() === GATEWAY_SUBNET.toLowerCase());
      r.error(`${path}.vnet`, 'R1', `${who}: VNet "${vnet.name}" has no subnet named exactly "${GATEWAY_SUBNET}"${near ? ` (found "${near.name}")` : ''}`, near ? `Rename subnet "${near.name}" to "${GATEWAY_SUBNET}"` : `Add a subnet "${GATEWAY_SUBNET}" of /27 or /28 to VNet "${vnet.name}"`);
    } else {
      gwSubnet = P(gs.subnet.addressPrefix);
      const sp = `${vnetItem.path}.subnets[${gs.index}].addressPrefix`;
      if (gwSubnet.length > 29) {
        r.error(sp, 'R1', `VNet "${vnet.name}": GatewaySubnet "${gwSubnet.cidr}" is smaller than /29`, 'Use a /27 or /28 GatewaySubnet (/29 at the least)');
      } else if (gwSubnet.length === 29) {
        r.warn(sp, 'R1', `VNet "${vnet.name}": GatewaySubnet "${gwSubnet.cidr}" is a /29, the smallest allowed`, 'Use a /27 or /28 GatewaySubnet so that later features fit');
      }
    }
  }

  if (type === 'ExpressRoute') {
    if (!EXPRESSROUTE_SKUS.includes(g.sku)) {
      r.error(`${path}.sku`, 'sku', `${who}: "${g.sku}" is not an ExpressRoute gateway SKU vpnsim models`, `Use one of ${EXPRESSROUTE_SKUS.join(', ')}`);
    }
    if (g.vpnClientConfiguration) r.error(`${path}.vpnClientConfiguration`, 'R16', `${who}: an ExpressRoute gateway cannot take point-to-site clients`, 'Move vpnClientConfiguration to a route-based Vpn gateway');
    return;
  }

  let sku: SkuSpec | undefined;
  try {
    sku = skuSpec(g.sku, g.vpnGatewayGeneration);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const m = err.message.match(/: (.*) \(sku\)\./);
    r.error(`${path}.sku`, 'sku', `${who}: ${m ? m[1] : `SKU "${g.sku}" is unknown`}`, err.fix);
  }
  const policy = g.vpnType === 'PolicyBased';
  if (sku && !sku.vpnTypes.includes(g.vpnType)) {
    r.error(`${path}.vpnType`, 'R6', `${who}: SKU "${sku.name}" does not offer vpnType "${g.vpnType}"`, `Use vpnType ${sku.vpnTypes.join(' or ')}, or a SKU that offers ${g.vpnType} (Basic)`);
  }

  // BGP on the gateway.
  if (g.enableBgp) {
    if (policy) r.error(`${path}.enableBgp`, 'R6', `${who}: a policy-based gateway cannot run BGP`, 'Use a RouteBased gateway, or set enableBgp to false');
    else if (sku && !sku.bgp) r.error(`${path}.enableBgp`, 'bgp', `${who}: SKU "${sku.name}" does not support BGP`, `Use a SKU with BGP (${SKU_NAMES.filter((n) => n !== 'Basic').slice(0, 4).join(', ')}, ...) or set enableBgp to false`);
  } else if (g.bgpSettings) {
    r.warn(`${path}.bgpSettings`, 'bgp', `${who}: bgpSettings are set but enableBgp is not`, 'Set enableBgp to true, or remove bgpSettings');
  }
  const asn = g.bgpSettings?.asn;
  if (asn !== undefined) {
    const why = reservedAsnReason(asn, true);
    if (why) r.error(`${path}.bgpSettings.asn`, 'asn', `${who}: ASN ${asn} is ${why}`, `Use the default ${AZURE_DEFAULT_ASN} or a private ASN such as 65020`);
  }
  const peerAddr = g.bgpSettings?.bgpPeeringAddress;
  if (peerAddr !== undefined && gwSubnet && !contains(gwSubnet, parseAddress(peerAddr))) {
    r.error(`${path}.bgpSettings.bgpPeeringAddress`, 'bgp', `${who}: BGP peering address "${peerAddr}" is not in GatewaySubnet "${gwSubnet.cidr}"`, 'Use an address of GatewaySubnet, or leave it out for the default (second-to-last address)');
  }

  // R16, R17, R18: point-to-site configuration.
  const p2s = g.vpnClientConfiguration;
  if (p2s) {
    const pp = `${path}.vpnClientConfiguration`;
    if (policy) r.error(pp, 'R16', `${who}: point-to-site needs a RouteBased gateway (vpnType "${g.vpnType}")`, 'Use vpnType RouteBased, or remove vpnClientConfiguration');
    if (sku && sku.maxIkev2OpenVpnClients === 0) {
      p2s.vpnClientProtocols.forEach((proto, i) => {
        if (proto !== 'SSTP') r.error(`${pp}.vpnClientProtocols[${i}]`, 'R17', `${who}: SKU "${sku.name}" supports no ${proto} clients`, 'Use SSTP on this SKU, or a VpnGw SKU for IKEv2 and OpenVPN');
      });
    }
    const roots = p2s.vpnClientRootCertificates ?? [];
    if (roots.length > MAX_ROOT_CERTIFICATES) {
      r.error(`${pp}.vpnClientRootCertificates`, 'R18', `${who}: ${roots.length} root certificates (at most ${MAX_ROOT_CERTIFICATES})`, `Keep at most ${MAX_ROOT_CERTIFICATES} root certificates`);
    }
    const rootNames = new Set<string>();
    roots.forEach((c, i) => {
      if (rootNames.has(c.name)) r.error(`${pp}.vpnClientRootCertificates[${i}].name`, 'duplicate', `${who}: root certificate "${c.name}" is listed twice`, 'Give each root certificate its own name');
      rootNames.add(c.name);
    });
    const pools = p2s.vpnClientAddressPool.map(P);
    for (let i = 0; i < pools.length; i++) {
      for (let j = 0; j < i; j++) {
        if (overlaps(pools[i]!, pools[j]!)) r.error(`${pp}.vpnClientAddressPool[${i}]`, 'R20', `${who}: client pool "${pools[i]!.cidr}" overlaps "${pools[j]!.cidr}"`, 'Use client pools that do not overlap');
      }
    }
  }

  // R11: forced tunneling.
  if (g.gatewayDefaultSite !== undefined) {
    const site = resolve(ctx, cfg.lngs, 'localNetworkGateway', g.gatewayDefaultSite, `${path}.gatewayDefaultSite`, who);
    if (site) {
      const linked = [...cfg.connections.values()].some((c) => c.def.gateway === g.name && c.def.connectionType === 'IPsec' && c.def.localNetworkGateway === site.def.name);
      if (!linked) r.warn(`${path}.gatewayDefaultSite`, 'R11', `${who}: default site "${site.def.name}" has no IPsec connection from this gateway`, 'Add an IPsec connection to the default site, or the default route leads nowhere');
    }
  }
}

/** R1 (one gateway per type per VNet) and R12 (ExpressRoute coexistence). */
function checkGatewaysPerVnet(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const byVnet = new Map<string, Item<GatewayDef>[]>();
  for (const g of cfg.gateways.values()) {
    const list = byVnet.get(g.def.vnet) ?? [];
    list.push(g);
    byVnet.set(g.def.vnet, list);
  }
  for (const [vnet, gws] of byVnet) {
    for (const type of ['Vpn', 'ExpressRoute'] as const) {
      const same = gws.filter((g) => gatewayType(g.def) === type);
      for (const g of same.slice(1)) {
        r.error(`${g.path}.vnet`, 'R1', `gateway "${g.def.name}": VNet "${vnet}" already has a ${type} gateway ("${same[0]!.def.name}")`, `Keep one ${type} gateway per VNet`);
      }
    }
    const er = gws.find((g) => gatewayType(g.def) === 'ExpressRoute');
    if (!er) continue;
    for (const g of gws.filter((x) => gatewayType(x.def) === 'Vpn')) {
      const sku = vpnSku(g.def);
      if (sku && !sku.expressRouteCoexistence) {
        r.error(`${g.path}.sku`, 'R12', `gateway "${g.def.name}": SKU "${sku.name}" cannot coexist with ExpressRoute gateway "${er.def.name}"`, 'Use Standard, HighPerformance or a VpnGw SKU');
      }
      if (g.def.vpnType !== 'RouteBased') {
        r.error(`${g.path}.vpnType`, 'R12', `gateway "${g.def.name}": a ${g.def.vpnType} gateway cannot coexist with ExpressRoute gateway "${er.def.name}"`, 'Use vpnType RouteBased');
      }
    }
  }
}

function checkConnection(ctx: Ctx, cfg: Config, { def: c, path }: Item<ConnectionDef>): void {
  const r = ctx.report;
  const who = `connection "${c.name}"`;
  const gw = resolve(ctx, cfg.gateways, 'gateway', c.gateway, `${path}.gateway`, who)?.def;
  const type = c.connectionType;
  let peer: GatewayDef | undefined;
  let site: LocalNetworkGatewayDef | undefined;

  if (type === 'Vnet2Vnet') {
    if (c.peerGateway === undefined) r.error(`${path}.peerGateway`, 'required', `${who}: a Vnet2Vnet connection needs peerGateway`, 'Name the other VNet\'s gateway in peerGateway');
    else if (c.peerGateway === c.gateway) r.error(`${path}.peerGateway`, 'ref', `${who}: peerGateway is the connection's own gateway ("${c.gateway}")`, 'Name the other VNet\'s gateway');
    else peer = resolve(ctx, cfg.gateways, 'gateway', c.peerGateway, `${path}.peerGateway`, who)?.def;
    if (c.localNetworkGateway !== undefined) r.error(`${path}.localNetworkGateway`, 'field', `${who}: a Vnet2Vnet connection takes no localNetworkGateway`, 'Remove localNetworkGateway, or use connectionType IPsec');
  } else {
    if (c.localNetworkGateway === undefined) r.error(`${path}.localNetworkGateway`, 'required', `${who}: an ${type} connection needs localNetworkGateway`, 'Name the on-premises site in localNetworkGateway');
    else site = resolve(ctx, cfg.lngs, 'localNetworkGateway', c.localNetworkGateway, `${path}.localNetworkGateway`, who)?.def;
    if (c.peerGateway !== undefined) r.error(`${path}.peerGateway`, 'field', `${who}: an ${type} connection takes no peerGateway`, 'Remove peerGateway, or use connectionType Vnet2Vnet');
  }
  if (type !== 'Vnet2Vnet' && c.extraAddressPrefixes !== undefined) {
    r.error(`${path}.extraAddressPrefixes`, 'field', `${who}: extraAddressPrefixes apply to Vnet2Vnet connections only`, 'Remove extraAddressPrefixes, or add the prefixes to the local network gateway');
  }
  if (type !== 'IPsec' && (c.usePolicyBasedTrafficSelectors !== undefined || c.trafficSelectorPolicies !== undefined)) {
    r.error(`${path}.${c.usePolicyBasedTrafficSelectors !== undefined ? 'usePolicyBasedTrafficSelectors' : 'trafficSelectorPolicies'}`, 'field', `${who}: traffic selectors apply to IPsec connections only`, 'Remove the traffic selector fields');
  }

  // R4: pre-shared key.
  if (type !== 'ExpressRoute' && c.sharedKey === undefined) {
    r.error(`${path}.sharedKey`, 'R4', `${who}: an ${type} connection needs a sharedKey`, 'Add a sharedKey of 1-128 letters or digits (the same on both ends)');
  }

  // R12: gateway types.
  if (gw) {
    const gt = gatewayType(gw);
    if (type === 'ExpressRoute' && gt !== 'ExpressRoute') r.error(`${path}.gateway`, 'R12', `${who}: an ExpressRoute connection needs a gateway of gatewayType ExpressRoute ("${gw.name}" is ${gt})`, 'Add an ExpressRoute gateway to the VNet and name it here');
    if (type !== 'ExpressRoute' && gt !== 'Vpn') r.error(`${path}.gateway`, 'R12', `${who}: an ${type} connection needs a Vpn gateway ("${gw.name}" is ${gt})`, 'Name the VNet\'s Vpn gateway');
  }
  if (peer && gatewayType(peer) !== 'Vpn') r.error(`${path}.peerGateway`, 'R12', `${who}: peer gateway "${peer.name}" is not a Vpn gateway`, 'Name the other VNet\'s Vpn gateway');

  // R6: policy-based limits.
  if (gw && gatewayType(gw) === 'Vpn') {
    if (type === 'Vnet2Vnet' && gw.vpnType === 'PolicyBased') r.error(`${path}.gateway`, 'R6', `${who}: VNet-to-VNet needs a RouteBased gateway ("${gw.name}" is PolicyBased)`, 'Use vpnType RouteBased on both gateways');
    else if (type === 'Vnet2Vnet' && peer && gatewayType(peer) === 'Vpn' && peer.vpnType === 'PolicyBased') r.error(`${path}.peerGateway`, 'R6', `${who}: route-based gateway "${gw.name}" cannot connect to policy-based gateway "${peer.name}"`, 'Use vpnType RouteBased on both gateways');
    if (type === 'IPsec' && gw.vpnType === 'PolicyBased' && c.connectionProtocol === 'IKEv2') r.error(`${path}.connectionProtocol`, 'R6', `${who}: a policy-based gateway speaks IKEv1 only`, 'Use connectionProtocol IKEv1, or a RouteBased gateway');
  }

  // BGP on the connection.
  if (c.enableBgp && type !== 'ExpressRoute' && gw && gatewayType(gw) === 'Vpn') {
    if (gw.vpnType === 'PolicyBased') r.error(`${path}.enableBgp`, 'R6', `${who}: policy-based gateway "${gw.name}" cannot run BGP`, 'Use a RouteBased gateway, or set enableBgp to false');
    else if (!gw.enableBgp) r.error(`${path}.enableBgp`, 'bgp', `${who}: BGP is enabled on the connection but not on gateway "${gw.name}"`, `Set enableBgp on gateway "${gw.name}", or set enableBgp to false here`);
    if (type === 'Vnet2Vnet' && peer && gatewayType(peer) === 'Vpn') {
      if (!peer.enableBgp) r.error(`${path}.enableBgp`, 'bgp', `${who}: peer gateway "${peer.name}" has no BGP`, `Set enableBgp on gateway "${peer.name}", or set enableBgp to false here`);
      else if (gatewayAsn(peer) === gatewayAsn(gw)) r.error(`${path}.enableBgp`, 'asn', `${who}: both gateways use ASN ${gatewayAsn(gw)}`, 'Give one gateway another ASN in bgpSettings.asn (both ends may not share an ASN)');
    }
    if (type === 'IPsec' && site) {
      const b = site.bgpSettings;
      if (b?.asn === undefined || b.bgpPeeringAddress === undefined) {
        r.error(`${path}.enableBgp`, 'bgp', `${who}: site "${site.name}" has no bgpSettings with asn and bgpPeeringAddress`, `Add bgpSettings { asn, bgpPeeringAddress } to local network gateway "${site.name}"`);
      } else if (b.asn === gatewayAsn(gw)) {
        r.error(`${path}.enableBgp`, 'asn', `${who}: gateway "${gw.name}" and site "${site.name}" both use ASN ${b.asn}`, 'Give the site another ASN (both ends may not share an ASN)');
      }
    }
  }
}

/** R6, R7, R8 and VNet-to-VNet pairing, per gateway. */
function checkConnectionsPerGateway(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const byGw = new Map<string, Item<ConnectionDef>[]>();
  for (const c of cfg.connections.values()) {
    const list = byGw.get(c.def.gateway) ?? [];
    list.push(c);
    byGw.set(c.def.gateway, list);
  }
  for (const [gwName, conns] of byGw) {
    const gi = cfg.gateways.get(gwName);
    if (!gi || gatewayType(gi.def) !== 'Vpn') continue;
    const g = gi.def;
    const sku = vpnSku(g);
    const tunnels = conns.filter((c) => c.def.connectionType !== 'ExpressRoute');
    const ipsec = tunnels.filter((c) => c.def.connectionType === 'IPsec');
    if (g.vpnType === 'PolicyBased') {
      // A SKU without PolicyBased (max 0) is reported on vpnType already.
      const max = sku?.maxPolicyBasedTunnels || 1;
      if (ipsec.length > max) {
        r.error(gi.path, 'R6', `gateway "${gwName}": a policy-based gateway takes ${max} S2S tunnel${max === 1 ? '' : 's'}, it has ${ipsec.length} (multi-site)`, 'Use a RouteBased gateway for multi-site');
      }
    } else if (sku && tunnels.length > sku.maxTunnels) {
      r.error(gi.path, 'R7', `gateway "${gwName}": ${tunnels.length} S2S/VNet-to-VNet connections, SKU "${sku.name}" takes ${sku.maxTunnels}`, 'Remove connections or use a larger SKU');
    }
    // R8: no redundant tunnels to one site.
    const bySite = new Map<string, string>();
    const byIp = new Map<string, string>();
    const byPeer = new Map<string, string>();
    for (const c of tunnels) {
      const d = c.def;
      if (d.connectionType === 'IPsec' && d.localNetworkGateway !== undefined) {
        const prev = bySite.get(d.localNetworkGateway);
        if (prev) r.error(`${c.path}.localNetworkGateway`, 'R8', `connection "${d.name}": gateway "${gwName}" already connects to site "${d.localNetworkGateway}" (connection "${prev}")`, 'Keep one connection per site');
        else bySite.set(d.localNetworkGateway, d.name);
        const site = cfg.lngs.get(d.localNetworkGateway)?.def;
        if (site && !prev) {
          const prevIp = byIp.get(site.gatewayIpAddress);
          if (prevIp) r.error(`${c.path}.localNetworkGateway`, 'R8', `connection "${d.name}": gateway "${gwName}" already connects to device ${site.gatewayIpAddress} (connection "${prevIp}")`, 'Keep one connection per on-premises device');
          else byIp.set(site.gatewayIpAddress, d.name);
        }
      }
      if (d.connectionType === 'Vnet2Vnet' && d.peerGateway !== undefined) {
        const prev = byPeer.get(d.peerGateway);
        if (prev) r.error(`${c.path}.peerGateway`, 'R8', `connection "${d.name}": gateway "${gwName}" already connects to gateway "${d.peerGateway}" (connection "${prev}")`, 'Keep one connection per peer gateway');
        else byPeer.set(d.peerGateway, d.name);
        const peer = cfg.gateways.get(d.peerGateway);
        if (peer && !prev) {
          const back = [...cfg.connections.values()].some((x) => x.def.connectionType === 'Vnet2Vnet' && x.def.gateway === d.peerGateway && x.def.peerGateway === gwName);
          if (!back) r.warn(`${c.path}`, 'pair', `connection "${d.name}": no Vnet2Vnet connection back from "${d.peerGateway}" to "${gwName}"`, 'Add the other half with the same sharedKey, or the tunnel never comes up');
        }
      }
    }
  }
}

function checkPeerings(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const seen = new Map<string, string>();
  const usesRemote = new Map<string, string>();
  const vpnGatewayOf = (vnet: string): GatewayDef | undefined => [...cfg.gateways.values()].find((g) => g.def.vnet === vnet && gatewayType(g.def) === 'Vpn')?.def;
  const anyGatewayOf = (vnet: string): GatewayDef | undefined => [...cfg.gateways.values()].find((g) => g.def.vnet === vnet)?.def;
  // When some gateway is broken, deleted or placed in an unknown VNet, "VNet has no gateway" may be a consequence: say nothing then.
  const uncertain = ctx.brokenKinds.has('gateway') || ctx.brokenKinds.has('vnet') || ctx.deleted.size > 0
    || [...ctx.opaque].some((n) => ctx.names.get(n)?.kind === 'gateway')
    || [...cfg.gateways.values()].some((g) => !cfg.vnets.has(g.def.vnet));
  for (const { def: p, path } of cfg.peerings) {
    const who = `peering "${p.vnet}" -> "${p.remoteVnet}"`;
    const a = resolve(ctx, cfg.vnets, 'vnet', p.vnet, `${path}.vnet`, who);
    const b = resolve(ctx, cfg.vnets, 'vnet', p.remoteVnet, `${path}.remoteVnet`, who);
    if (p.vnet === p.remoteVnet) {
      r.error(`${path}.remoteVnet`, 'peering', `${who}: a VNet cannot peer with itself`, 'Name another VNet in remoteVnet');
      continue;
    }
    const key = `${p.vnet}\u0000${p.remoteVnet}`;
    const prev = seen.get(key);
    if (prev) {
      r.error(path, 'duplicate', `${who}: this direction is already defined at ${prev}`, 'Keep one peering per direction');
      continue;
    }
    seen.set(key, path);
    if (!a || !b) continue;
    if (p.allowGatewayTransit && p.useRemoteGateways) {
      r.error(`${path}.useRemoteGateways`, 'R22', `${who}: allowGatewayTransit and useRemoteGateways are both set`, 'Set only one of them on a peering');
    }
    if (p.allowGatewayTransit) {
      const own = vpnGatewayOf(p.vnet);
      if (!own) r.warn(`${path}.allowGatewayTransit`, 'R22', `${who}: VNet "${p.vnet}" has no Vpn gateway to share`, 'Add a gateway to the VNet, or remove allowGatewayTransit');
      else if (own.vpnType === 'PolicyBased') r.error(`${path}.allowGatewayTransit`, 'R6', `${who}: transit needs a RouteBased gateway ("${own.name}" is PolicyBased)`, 'Use vpnType RouteBased');
    }
    if (p.useRemoteGateways) {
      const before = usesRemote.get(p.vnet);
      if (before) r.error(`${path}.useRemoteGateways`, 'R22', `${who}: VNet "${p.vnet}" already uses remote gateways through ${before}`, 'Set useRemoteGateways on one peering of a VNet only');
      else usesRemote.set(p.vnet, path);
      const own = anyGatewayOf(p.vnet);
      if (own) r.error(`${path}.useRemoteGateways`, 'R22', `${who}: VNet "${p.vnet}" has its own gateway "${own.name}" and cannot use remote gateways`, 'Remove useRemoteGateways, or remove the VNet\'s own gateway');
      const remoteGw = vpnGatewayOf(p.remoteVnet);
      if (!remoteGw) {
        if (!uncertain) r.error(`${path}.useRemoteGateways`, 'R22', `${who}: remote VNet "${p.remoteVnet}" has no Vpn gateway`, `Add a gateway to "${p.remoteVnet}", or remove useRemoteGateways`);
      } else if (remoteGw.vpnType === 'PolicyBased') {
        r.error(`${path}.useRemoteGateways`, 'R6', `${who}: transit needs a RouteBased gateway ("${remoteGw.name}" is PolicyBased)`, 'Use vpnType RouteBased');
      }
      const back = cfg.peerings.find((q) => q.def.vnet === p.remoteVnet && q.def.remoteVnet === p.vnet);
      if (!back || !back.def.allowGatewayTransit) {
        r.error(`${path}.useRemoteGateways`, 'R22', `${who}: the peering "${p.remoteVnet}" -> "${p.vnet}" ${back ? 'does not set allowGatewayTransit' : 'does not exist'}`, `${back ? 'Set allowGatewayTransit on' : 'Add'} the peering from "${p.remoteVnet}" to "${p.vnet}"${back ? '' : ' with allowGatewayTransit'}`);
      }
    }
  }
}

function checkClients(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const counts = new Map<string, { sstp: number; ike: number; item: Item<GatewayDef> }>();
  for (const { def: c, path } of cfg.clients.values()) {
    const who = `client "${c.name}"`;
    if (c.protocol === 'SSTP' && c.os !== 'Windows') {
      r.error(`${path}.protocol`, 'R17', `${who}: SSTP runs on Windows only (os "${c.os}")`, 'Use IkeV2 or OpenVPN on this client');
    }
    const gi = resolve(ctx, cfg.gateways, 'gateway', c.gateway, `${path}.gateway`, who);
    if (!gi) continue;
    const g = gi.def;
    const p2s = g.vpnClientConfiguration;
    if (!p2s || gatewayType(g) !== 'Vpn') {
      r.error(`${path}.gateway`, 'R16', `${who}: gateway "${g.name}" has no point-to-site configuration`, `Add vpnClientConfiguration to gateway "${g.name}" (RouteBased)`);
      continue;
    }
    if (!p2s.vpnClientProtocols.includes(c.protocol)) {
      r.error(`${path}.protocol`, 'R17', `${who}: gateway "${g.name}" does not offer ${c.protocol} (it offers ${p2s.vpnClientProtocols.join(', ')})`, `Use one of ${p2s.vpnClientProtocols.join(', ')}, or add ${c.protocol} to vpnClientProtocols`);
    }
    if (c.rootCertificate !== undefined) {
      const roots = (p2s.vpnClientRootCertificates ?? []).map((x) => x.name);
      if (!roots.includes(c.rootCertificate)) {
        r.error(`${path}.rootCertificate`, 'R18', `${who}: root certificate "${c.rootCertificate}" is not one of gateway "${g.name}"'s`, roots.length > 0 ? suggest(c.rootCertificate, roots, 'root certificate') : `Add it to the gateway's vpnClientRootCertificates`);
      }
    }
    const n = counts.get(g.name) ?? { sstp: 0, ike: 0, item: gi };
    if (c.protocol === 'SSTP') n.sstp++;
    else n.ike++;
    counts.set(g.name, n);
  }
  for (const [gwName, n] of counts) {
    const sku = vpnSku(n.item.def);
    if (!sku) continue;
    const note = 'clients with connectAt null count too: this checks the configured capacity';
    if (n.sstp > sku.maxSstpClients) {
      r.error(`${n.item.path}`, 'R18', `gateway "${gwName}": ${n.sstp} SSTP clients, SKU "${sku.name}" takes ${sku.maxSstpClients}`, `Remove SSTP clients or move them to another gateway (${note})`);
    }
    if (sku.maxIkev2OpenVpnClients > 0 && n.ike > sku.maxIkev2OpenVpnClients) {
      r.error(`${n.item.path}`, 'R18', `gateway "${gwName}": ${n.ike} IKEv2/OpenVPN clients, SKU "${sku.name}" takes ${sku.maxIkev2OpenVpnClients}`, `Remove clients or use a larger SKU (${note})`);
    }
  }
}

function checkHosts(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  const used = new Map<string, string>();
  for (const { def: h, path } of cfg.hosts.values()) {
    const who = `host "${h.name}"`;
    if ((h.vnet === undefined) === (h.localNetworkGateway === undefined)) {
      r.error(path, 'required', `${who}: set exactly one of vnet and localNetworkGateway`, 'Place the host in a VNet or in a site');
      continue;
    }
    const addr = parseAddress(h.address);
    let network: string;
    if (h.vnet !== undefined) {
      network = `vnet:${h.vnet}`;
      const v = resolve(ctx, cfg.vnets, 'vnet', h.vnet, `${path}.vnet`, who)?.def;
      if (v) {
        const subnet = v.subnets.find((s) => contains(P(s.addressPrefix), addr));
        if (!subnet) {
          r.error(`${path}.address`, 'prefix', `${who}: address "${h.address}" is not in any subnet of VNet "${v.name}"`, `Use an address of a subnet of "${v.name}" (${v.subnets.filter((s) => s.name !== GATEWAY_SUBNET).map((s) => s.addressPrefix).join(', ') || 'add a subnet'})`);
        } else if (subnet.name === GATEWAY_SUBNET) {
          r.error(`${path}.address`, 'R1', `${who}: address "${h.address}" is in GatewaySubnet of VNet "${v.name}"`, 'Place hosts in another subnet; GatewaySubnet holds only the gateway');
        } else {
          const sp = P(subnet.addressPrefix);
          const offset = addr - sp.base;
          if (sp.length <= 29 && (offset < 4 || offset === 2 ** (32 - sp.length) - 1)) {
            r.warn(`${path}.address`, 'prefix', `${who}: address "${h.address}" is one Azure reserves in subnet "${subnet.name}"`, 'Use the fifth address of the subnet or later, not the last');
          }
        }
      }
    } else {
      network = `lng:${h.localNetworkGateway!}`;
      const s = resolve(ctx, cfg.lngs, 'localNetworkGateway', h.localNetworkGateway!, `${path}.localNetworkGateway`, who)?.def;
      if (s && !s.addressPrefixes.some((p) => contains(P(p), addr))) {
        r.error(`${path}.address`, 'prefix', `${who}: address "${h.address}" is not in the prefixes of site "${s.name}"`, `Use an address in ${s.addressPrefixes.join(', ') || "the site's addressPrefixes (none yet)"}`);
      }
    }
    const key = `${network}\u0000${h.address}`;
    const prev = used.get(key);
    if (prev) r.error(`${path}.address`, 'duplicate', `${who}: address "${h.address}" is already used by host "${prev}"`, 'Give each host its own address');
    else used.set(key, h.name);
  }
}

/** R9 (connected networks do not overlap) and R20 (P2S pools overlap nothing). */
function checkOverlaps(ctx: Ctx, cfg: Config): void {
  const r = ctx.report;
  interface Net { key: string; label: string; path: string; prefixes: Prefix[] }
  const nets = new Map<string, Net>();
  for (const v of cfg.vnets.values()) nets.set(`vnet:${v.def.name}`, { key: `vnet:${v.def.name}`, label: `VNet "${v.def.name}"`, path: `${v.path}.addressPrefixes`, prefixes: v.def.addressPrefixes.map(P) });
  for (const l of cfg.lngs.values()) nets.set(`lng:${l.def.name}`, { key: `lng:${l.def.name}`, label: `site "${l.def.name}"`, path: `${l.path}.addressPrefixes`, prefixes: l.def.addressPrefixes.map(P) });

  // Union-find over networks joined by connections and peerings.
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let x = k;
    while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
    parent.set(k, x);
    return x;
  };
  const join = (a: string | undefined, b: string | undefined): void => {
    if (!a || !b || !nets.has(a) || !nets.has(b)) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const vnetOfGateway = (g: string | undefined): string | undefined => {
    const gw = g === undefined ? undefined : cfg.gateways.get(g);
    return gw ? `vnet:${gw.def.vnet}` : undefined;
  };
  for (const { def: c } of cfg.connections.values()) {
    const here = vnetOfGateway(c.gateway);
    if (c.connectionType === 'Vnet2Vnet') join(here, vnetOfGateway(c.peerGateway));
    else if (c.localNetworkGateway !== undefined) join(here, `lng:${c.localNetworkGateway}`);
  }
  for (const { def: p } of cfg.peerings) join(`vnet:${p.vnet}`, `vnet:${p.remoteVnet}`);

  const list = [...nets.values()];
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (find(a.key) !== find(b.key)) continue;
      const clash = findOverlap(a.prefixes, b.prefixes);
      if (clash) {
        r.error(a.path, 'R9', `${a.label}: "${clash[0].cidr}" overlaps "${clash[1].cidr}" of ${b.label}, and the two are connected`, 'Give connected VNets and sites address spaces that do not overlap');
      }
    }
  }

  // R20: pools against each other and against every VNet and site prefix.
  const pools: { gw: string; path: string; prefix: Prefix }[] = [];
  for (const g of cfg.gateways.values()) {
    g.def.vpnClientConfiguration?.vpnClientAddressPool.forEach((c, i) => pools.push({ gw: g.def.name, path: `${g.path}.vpnClientConfiguration.vpnClientAddressPool[${i}]`, prefix: P(c) }));
  }
  for (let i = 0; i < pools.length; i++) {
    const p = pools[i]!;
    for (let j = 0; j < i; j++) {
      const q = pools[j]!;
      if (q.gw !== p.gw && overlaps(p.prefix, q.prefix)) {
        r.error(p.path, 'R20', `gateway "${p.gw}": client pool "${p.prefix.cidr}" overlaps the pool "${q.prefix.cidr}" of gateway "${q.gw}"`, 'Give every gateway a client pool of its own');
      }
    }
    for (const n of list) {
      const hit = n.prefixes.find((x) => overlaps(x, p.prefix));
      if (hit) r.error(p.path, 'R20', `gateway "${p.gw}": client pool "${p.prefix.cidr}" overlaps "${hit.cidr}" of ${n.label}`, 'Use a client pool outside every VNet and site prefix');
    }
  }
}

function findOverlap(a: readonly Prefix[], b: readonly Prefix[]): [Prefix, Prefix] | undefined {
  for (const x of a) for (const y of b) if (overlaps(x, y)) return [x, y];
  return undefined;
}

function checkConfig(ctx: Ctx, cfg: Config): void {
  for (const v of cfg.vnets.values()) checkVnet(ctx, v);
  for (const l of cfg.lngs.values()) checkLng(ctx, l);
  for (const g of cfg.gateways.values()) checkGateway(ctx, cfg, g);
  checkGatewaysPerVnet(ctx, cfg);
  for (const c of cfg.connections.values()) checkConnection(ctx, cfg, c);
  checkConnectionsPerGateway(ctx, cfg);
  checkPeerings(ctx, cfg);
  checkClients(ctx, cfg);
  checkHosts(ctx, cfg);
  checkOverlaps(ctx, cfg);
}

// ---------------------------------------------------------------------------
// Flows, underlay, timeline

function checkFlow(ctx: Ctx, cfg: Config, f: FlowDef, path: string): void {
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

function locations(cfg: Config): Set<string> {
  const out = new Set<string>(['internet']);
  for (const v of cfg.vnets.values()) out.add(v.def.location);
  for (const l of cfg.lngs.values()) {
    out.add(l.def.name);
    if (l.def.location) out.add(l.def.location);
  }
  for (const c of cfg.clients.values()) if (c.def.location) out.add(c.def.location);
  return out;
}

function checkPath(ctx: Ctx, known: Set<string>, p: UnderlayPathDef, path: string): void {
  for (const end of ['from', 'to'] as const) {
    if (!known.has(p[end])) {
      ctx.report.warn(`${path}.${end}`, 'ref', `underlay path: "${p[end]}" is no VNet location, site or client location`, suggest(p[end], known, 'location'));
    }
  }
}

function checkTimeline(ctx: Ctx, cfg: Config, entries: Item<Record<string, unknown> & { at: number; action: string }>[], flowNames: Set<string>): void {
  const r = ctx.report;
  const order = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.def.at - b.e.def.at || a.i - b.i);
  const nameFree = (name: string, path: string, who: string): boolean => {
    const live = ctx.names.get(name);
    if (live || flowNames.has(name)) {
      r.error(`${path}.name`, 'duplicate', `${who}: name "${name}" is already in use${live ? ` by a ${KIND_LABEL[live.kind]} (${live.path})` : ' by a flow'}`, 'Give every object a name of its own');
      return false;
    }
    return true;
  };
  const hostOrClient = (name: string, path: string, who: string): void => {
    if (cfg.hosts.has(name) || cfg.clients.has(name) || ctx.opaque.has(name) || ctx.brokenKinds.has('host') || ctx.brokenKinds.has('client')) return;
    r.error(path, 'ref', `${who}: no host or client named "${name}"`, suggest(name, [...cfg.hosts.keys(), ...cfg.clients.keys()], 'host or client'));
  };
  for (const { e } of order) {
    const d = e.def;
    const path = e.path;
    const who = `timeline ${d.action} at ${d.at} s`;
    switch (d.action) {
      case 'addPeering': {
        const p = d as unknown as PeeringDef;
        cfg.peerings.push({ def: { vnet: p.vnet, remoteVnet: p.remoteVnet, ...(p.allowGatewayTransit !== undefined ? { allowGatewayTransit: p.allowGatewayTransit } : {}), ...(p.useRemoteGateways !== undefined ? { useRemoteGateways: p.useRemoteGateways } : {}) }, path });
        checkConfig(ctx, cfg);
        break;
      }
      case 'removePeering': {
        const i = cfg.peerings.findIndex((p) => p.def.vnet === d.vnet && p.def.remoteVnet === d.remoteVnet);
        if (i < 0) r.error(path, 'ref', `${who}: no peering "${String(d.vnet)}" -> "${String(d.remoteVnet)}" exists then`, 'Remove a peering that exists at that time');
        else {
          cfg.peerings.splice(i, 1);
          checkConfig(ctx, cfg);
        }
        break;
      }
      case 'addConnection': {
        const { at: _at, action: _action, ...rest } = d;
        const c = rest as unknown as ConnectionDef;
        if (nameFree(c.name, path, who)) {
          cfg.connections.set(c.name, { def: c, path });
          ctx.names.set(c.name, { kind: 'connection', path });
          ctx.deleted.delete(c.name);
          checkConfig(ctx, cfg);
        }
        break;
      }
      case 'removeConnection': {
        const name = d.connection as string;
        if (resolve(ctx, cfg.connections, 'connection', name, `${path}.connection`, who, true)) {
          cfg.connections.delete(name);
          ctx.names.delete(name);
          checkConfig(ctx, cfg);
        }
        break;
      }
      case 'createGateway': {
        const { at: _at, action: _action, ...rest } = d;
        const g = rest as unknown as GatewayDef;
        if (nameFree(g.name, path, who)) {
          cfg.gateways.set(g.name, { def: g, path });
          ctx.names.set(g.name, { kind: 'gateway', path });
          ctx.deleted.delete(g.name);
          checkConfig(ctx, cfg);
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
          checkConfig(ctx, cfg);
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
        cfg.gateways.set(name, { def: { ...gi.def, sku }, path: gi.path });
        checkConfig(ctx, cfg);
        break;
      }
      case 'downloadClientPackage':
      case 'addClientRoute':
      case 'connectClient':
      case 'disconnectClient':
        resolve(ctx, cfg.clients, 'client', d.client as string, `${path}.client`, who);
        break;
      case 'ping':
        hostOrClient(d.from as string, `${path}.from`, who);
        resolve(ctx, cfg.hosts, 'host', d.to as string, `${path}.to`, who);
        if (d.every !== undefined && d.until !== undefined && (d.until as number) < d.at) {
          r.error(`${path}.until`, 'timeline', `${who}: until (${String(d.until)} s) is before at`, 'Set until at or after at');
        }
        break;
      case 'fail':
      case 'restore': {
        const target = d.target as string;
        const live = ctx.names.get(target);
        if ((!live || live.kind === 'flow') && !ctx.opaque.has(target)) {
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
        if (nameFree(f.name, path, who)) {
          flowNames.add(f.name);
          checkFlow(ctx, cfg, f, path);
        }
        break;
      }
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------------------
// Entry points

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a scenario value against the schema and every rule of SPEC.md.
 * Pure: never throws for bad input, and reports all errors at once.
 * @returns errors (each a {@link ValidationError} with path, rule and fix) and warnings; the scenario is valid when `errors` is empty.
 */
export function validateScenario(value: unknown): ValidationResult {
  const report = new Report();
  const broken = checkSchema(value, report);
  if (!isRecord(value)) return { errors: report.errors, warnings: report.warnings };

  const ctx: Ctx = { report, names: new Map(), opaque: new Set(), brokenKinds: new Set(), deleted: new Map() };
  const cfg: Config = { vnets: new Map(), gateways: new Map(), lngs: new Map(), connections: new Map(), peerings: [], clients: new Map(), hosts: new Map() };
  const flows: Item<FlowDef>[] = [];
  const flowNames = new Set<string>();
  const timeline: Item<Record<string, unknown> & { at: number; action: string }>[] = [];

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
        if (ok) timeline.push({ def: item as Record<string, unknown> & { at: number; action: string }, path });
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
  const { errors } = validateScenario(value);
  if (errors.length > 0) {
    const label = source ?? (isRecord(value) && typeof value.name === 'string' ? value.name : 'scenario');
    throw new ScenarioValidationError(label, errors);
  }
  const copy = structuredClone(value) as Scenario & { $schema?: string };
  delete copy.$schema;
  return copy;
}
