/**
 * What BGP contributes to routing, whoever computes it: for every speaker
 * (a BGP-enabled gateway or an on-premises device with BGP settings), the
 * best route learned per prefix and the connection it came over.
 *
 * Also Azure's advertisement rules (SPEC section 5, SKUS.md): what a gateway
 * originates, what it accepts, and which connections carry a session. The
 * real sessions (src/protocols/bgp) and the static path-vector propagation
 * below both use these rules, so they agree on the converged result.
 */
import { comparePrefixes, overlaps, type Prefix } from './prefix.js';
import type { Connection, Gateway, Network, Site } from './model.js';

/** A route a speaker learned over BGP. */
export interface LearnedRoute {
  readonly prefix: Prefix;
  /** The connection (as named on the learning side's gateway, or the site's connection) it came over. */
  readonly connection: string;
  /** AS_PATH as received: the neighbour's ASN first. */
  readonly asPath: readonly number[];
  /** Node id of the neighbour it came from. */
  readonly from: string;
}

/** Speaker node id -> prefix cidr -> best learned route. */
export type BgpRibs = Map<string, Map<string, LearnedRoute>>;

/** One BGP session: the two speakers and the connection each side names it by. */
export interface BgpSessionSpec {
  /** Stable id: the connection name(s). */
  readonly id: string;
  readonly a: string;
  readonly b: string;
  readonly aConnection: Connection;
  readonly bConnection: Connection;
  readonly aAsn: number;
  readonly bAsn: number;
}

/** Speaker id of a gateway or site. */
export const speakerOf = {
  gateway: (g: Gateway) => `gw:${g.name}`,
  site: (s: Site) => `site:${s.name}`,
};

/**
 * The BGP sessions the configuration asks for. A session runs on a
 * connection only when BGP is enabled on it (for VNet-to-VNet, on both of
 * its two connections) and on both ends' gateways or sites (SPEC section 5).
 * Ordered by connection name.
 */
export function bgpSessionSpecs(net: Network): BgpSessionSpec[] {
  const out: BgpSessionSpec[] = [];
  const seen = new Set<string>();
  const conns = [...net.connections.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const c of conns) {
    if (!c.bgp || !c.gateway.bgp || seen.has(c.name)) continue;
    if (c.type === 'Vnet2Vnet') {
      const r = net.reverseOf(c);
      if (!r || !r.bgp || !c.peerGateway?.bgp) continue;
      seen.add(c.name); seen.add(r.name);
      out.push({ id: `${c.name}|${r.name}`, a: speakerOf.gateway(c.gateway), b: speakerOf.gateway(c.peerGateway), aConnection: c, bConnection: r, aAsn: c.gateway.bgp.asn, bAsn: c.peerGateway.bgp.asn });
    } else if (c.site?.bgp) {
      seen.add(c.name);
      out.push({ id: c.name, a: speakerOf.gateway(c.gateway), b: speakerOf.site(c.site), aConnection: c, bConnection: c, aAsn: c.gateway.bgp.asn, bAsn: c.site.bgp.asn });
    }
  }
  return out;
}

/**
 * Prefixes a connection stands for on its gateway's side: peer VNet + static
 * extras, or the site's prefixes. These static prefixes are all that transit
 * without BGP carries (R13); with BGP, routes propagate.
 */
export function connectionPrefixes(c: Connection): Prefix[] {
  if (c.type === 'Vnet2Vnet') return [...(c.peerGateway?.vnet.prefixes ?? []), ...c.extraPrefixes];
  return [...(c.site?.prefixes ?? [])];
}

/**
 * What a speaker originates (SPEC section 5). Gateway: its VNet's prefixes,
 * those of VNets that use it as remote gateway, the static prefixes of its
 * connections that carry no BGP session (a BGP connection's prefixes are
 * learned over that session and re-advertised as learned routes, with their
 * AS_PATH), and its P2S pools. Site: its local network gateway's prefixes.
 * `over` (the session's own connection) is never advertised back.
 */
export function originated(net: Network, speaker: string, over: Connection | undefined): Prefix[] {
  if (speaker.startsWith('site:')) return [...net.site(speaker.slice(5)).prefixes];
  const g = net.gateway(speaker.slice(3));
  const withSession = new Set(bgpSessionSpecs(net).flatMap((s) => [s.aConnection, s.bConnection]));
  const out: Prefix[] = [...g.vnet.prefixes];
  for (const v of net.transitSpokes(g)) out.push(...v.prefixes);
  for (const c of net.connectionsOf(g)) if (c !== over && !c.adminDown && !withSession.has(c)) out.push(...connectionPrefixes(c));
  out.push(...g.pools);
  return out;
}

/**
 * Azure's import rule for a gateway: no default route, nothing overlapping
 * its own VNet. Sites accept everything but routes overlapping their own prefixes.
 */
export function acceptsRoute(net: Network, speaker: string, prefix: Prefix): boolean {
  if (speaker.startsWith('site:')) return !net.site(speaker.slice(5)).prefixes.some((p) => overlaps(p, prefix));
  const g = net.gateway(speaker.slice(3));
  if (prefix.length === 0) return false;
  return !g.vnet.prefixes.some((p) => overlaps(p, prefix));
}

/** ASN of a speaker. */
export function asnOf(net: Network, speaker: string): number {
  return speaker.startsWith('site:') ? net.site(speaker.slice(5)).bgp!.asn : net.gateway(speaker.slice(3)).bgp!.asn;
}

/** Preference between two learned routes for one prefix: shorter AS_PATH, then lower neighbour id, then connection. */
export function betterLearned(a: LearnedRoute, b: LearnedRoute): boolean {
  if (a.asPath.length !== b.asPath.length) return a.asPath.length < b.asPath.length;
  if (a.from !== b.from) return a.from < b.from;
  return a.connection < b.connection;
}

/**
 * Static path-vector propagation to a fixed point over the sessions that
 * `isUp` says are up: the converged RIBs the real BGP sessions reach, without
 * messages or time. Used to cross-check the protocol, and where no kernel runs.
 */
export function propagateStatic(net: Network, isUp: (s: BgpSessionSpec) => boolean): BgpRibs {
  const sessions = bgpSessionSpecs(net).filter(isUp);
  // What each side originates depends on the configuration only: computed once, not every round.
  const own = sessions.map((s) => ({ a: originated(net, s.a, s.aConnection), b: originated(net, s.b, s.bConnection) }));
  let ribs: BgpRibs = new Map();
  const maxRounds = 2 + 2 * net.gateways.size + net.sites.size;
  for (let round = 0; round < maxRounds; round++) {
    const next: BgpRibs = new Map();
    const offer = (to: string, route: LearnedRoute) => {
      if (!acceptsRoute(net, to, route.prefix) || route.asPath.includes(asnOf(net, to))) return;
      let m = next.get(to);
      if (!m) next.set(to, (m = new Map()));
      const cur = m.get(route.prefix.cidr);
      if (!cur || betterLearned(route, cur)) m.set(route.prefix.cidr, route);
    };
    for (const [i, s] of sessions.entries()) {
      for (const [from, to, toConn, fromAsn, mine] of [
        [s.a, s.b, s.bConnection, s.aAsn, own[i]!.a],
        [s.b, s.a, s.aConnection, s.bAsn, own[i]!.b],
      ] as const) {
        for (const p of mine) offer(to, { prefix: p, connection: toConn.name, asPath: [fromAsn], from });
        for (const r of ribs.get(from)?.values() ?? []) {
          if (r.from === to) continue; // split horizon: never back to where it came from
          offer(to, { prefix: r.prefix, connection: toConn.name, asPath: [fromAsn, ...r.asPath], from });
        }
      }
    }
    if (sameRibs(ribs, next)) return next;
    ribs = next;
  }
  return ribs;
}

function sameRibs(a: BgpRibs, b: BgpRibs): boolean {
  if (a.size !== b.size) return false;
  for (const [k, m] of a) {
    const n = b.get(k);
    if (!n || n.size !== m.size) return false;
    for (const [p, r] of m) {
      const s = n.get(p);
      if (!s || s.connection !== r.connection || s.from !== r.from || s.asPath.join() !== r.asPath.join()) return false;
    }
  }
  return true;
}

/** Learned prefixes of a speaker, sorted numerically. */
export function learnedPrefixes(ribs: BgpRibs, speaker: string): Prefix[] {
  return [...(ribs.get(speaker)?.values() ?? [])].map((r) => r.prefix).sort(comparePrefixes);
}
