/**
 * BGP best path selection (RFC 4271 §9.1.2) as an ordered table of
 * comparators. Comparing two paths walks the table and stops at the first
 * rule that tells them apart; that rule is returned with the winner, so a
 * trace can say why a route was chosen (GoBGP's `BestPathReason`).
 *
 * Rules, in order:
 * 1. `localPref`     highest LOCAL_PREF (missing: 100)             §9.1.1, §5.1.5
 * 2. `localOrigin`   a locally originated route over a learned one (common router practice)
 * 3. `asPathLength`  shortest AS_PATH                               §9.1.2.2 a
 * 4. `origin`        lowest ORIGIN (IGP < EGP < INCOMPLETE)         §9.1.2.2 b
 * 5. `med`           lowest MED, only between paths from the same neighboring AS (missing: 0)  §9.1.2.2 c
 * 6. `ebgpOverIbgp`  a path learned from an external peer           §9.1.2.2 d
 * 7. `routerId`      lowest BGP Identifier of the advertising peer  §9.1.2.2 f
 * 8. `peerAddress`   lowest peer address                            §9.1.2.2 g
 *
 * The interior cost to the NEXT_HOP (§9.1.2.2 e) is not modelled. Pure;
 * selecting among n paths costs O(n) comparisons of O(rules).
 */
import { ORIGIN_RANK, type Origin } from './messages.js';

/** Default LOCAL_PREF (RFC 4271 leaves it to policy; 100 by common practice). */
export const DEFAULT_LOCAL_PREF = 100;

/** What best path selection looks at. */
export interface PathCandidate {
  readonly localPref?: number;
  /** Nearest AS first; empty for a locally originated route or one from an internal peer's own AS. */
  readonly asPath: readonly number[];
  readonly origin: Origin;
  readonly med?: number;
  /** Originated by this speaker. */
  readonly local: boolean;
  /** Learned from an internal peer (same ASN). */
  readonly ibgp: boolean;
  /** BGP Identifier of the peer that advertised it (this speaker's own for local routes). */
  readonly peerRouterId: string;
  /** Address of that peer, a dotted quad. */
  readonly peerAddress: string;
}

/** Names of the rules, in table order. */
export type BestPathRule = 'localPref' | 'localOrigin' | 'asPathLength' | 'origin' | 'med' | 'ebgpOverIbgp' | 'routerId' | 'peerAddress';

/** One row of the table: negative when `a` is better, positive when `b` is, 0 when this rule cannot tell. */
export interface Comparator {
  readonly rule: BestPathRule;
  /** Negative when `a` is better, positive when `b` is, 0 when this rule cannot tell them apart. */
  readonly compare: (a: PathCandidate, b: PathCandidate) => number;
}

function addressValue(text: string): number {
  const p = text.split('.');
  if (p.length !== 4) return 0;
  return ((+p[0]! << 24) >>> 0) + (+p[1]! << 16) + (+p[2]! << 8) + +p[3]!;
}

/** The first AS of the path: the neighboring AS that sent it (RFC 4271 §9.1.2.2 c). */
function neighborAs(p: PathCandidate): number | undefined {
  return p.asPath[0];
}

/** The comparator table, in decision order. */
export const BEST_PATH_RULES: readonly Comparator[] = [
  { rule: 'localPref', compare: (a, b) => (b.localPref ?? DEFAULT_LOCAL_PREF) - (a.localPref ?? DEFAULT_LOCAL_PREF) },
  { rule: 'localOrigin', compare: (a, b) => Number(b.local) - Number(a.local) },
  { rule: 'asPathLength', compare: (a, b) => a.asPath.length - b.asPath.length },
  { rule: 'origin', compare: (a, b) => ORIGIN_RANK[a.origin] - ORIGIN_RANK[b.origin] },
  {
    rule: 'med',
    compare: (a, b) => (neighborAs(a) !== undefined && neighborAs(a) === neighborAs(b) ? (a.med ?? 0) - (b.med ?? 0) : 0),
  },
  { rule: 'ebgpOverIbgp', compare: (a, b) => Number(a.ibgp) - Number(b.ibgp) },
  { rule: 'routerId', compare: (a, b) => addressValue(a.peerRouterId) - addressValue(b.peerRouterId) },
  { rule: 'peerAddress', compare: (a, b) => addressValue(a.peerAddress) - addressValue(b.peerAddress) },
];

/** Outcome of comparing two paths. */
export type PathComparison =
  | { readonly better: 'a' | 'b'; readonly rule: BestPathRule }
  | { readonly better: 'equal'; readonly rule: undefined };

/** Compares two paths through the table; reports the deciding rule. */
export function comparePaths(a: PathCandidate, b: PathCandidate, rules: readonly Comparator[] = BEST_PATH_RULES): PathComparison {
  for (const c of rules) {
    const d = c.compare(a, b);
    if (d < 0) return { better: 'a', rule: c.rule };
    if (d > 0) return { better: 'b', rule: c.rule };
  }
  return { better: 'equal', rule: undefined };
}

/** The chosen path and why: the rule that set it above the runner-up, or `onlyPath`. */
export interface BestPathResult<R extends PathCandidate> {
  readonly best: R;
  readonly rule: BestPathRule | 'onlyPath' | 'equal';
}

/**
 * Selects the best of `candidates` (RFC 4271 §9.1.2). On a full tie the
 * earlier candidate stays. Returns undefined for an empty list.
 */
export function selectBestPath<R extends PathCandidate>(candidates: readonly R[], rules: readonly Comparator[] = BEST_PATH_RULES): BestPathResult<R> | undefined {
  if (candidates.length === 0) return undefined;
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    if (comparePaths(candidates[i]!, candidates[best]!, rules).better === 'a') best = i;
  }
  if (candidates.length === 1) return { best: candidates[0]!, rule: 'onlyPath' };
  // The runner-up among the rest; the rule that separates it from the best is the deciding one.
  let runner = -1;
  for (let i = 0; i < candidates.length; i++) {
    if (i === best) continue;
    if (runner < 0 || comparePaths(candidates[i]!, candidates[runner]!, rules).better === 'a') runner = i;
  }
  const c = comparePaths(candidates[best]!, candidates[runner]!, rules);
  return { best: candidates[best]!, rule: c.rule ?? 'equal' };
}
