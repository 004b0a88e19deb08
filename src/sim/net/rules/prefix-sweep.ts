/**
 * Overlap and coverage among many prefixes in O(n log n), for the rules that
 * used to compare all pairs. CIDR prefixes are laminar: two either nest or are
 * disjoint. Sorted by (base, length), a prefix overlaps exactly those of its
 * ancestors still on a stack of enclosing prefixes, and that stack holds at
 * most 33 distinct prefixes (lengths strictly grow up the stack).
 */
import { covers, type Prefix } from '../prefix.js';

/** A prefix with what it belongs to; `order` breaks ties (input order). */
export interface Tagged<T> {
  readonly prefix: Prefix;
  readonly tag: T;
  readonly order: number;
}

/** Kept members per distinct prefix on the stack: enough that a relevant partner is never lost (see {@link overlapSweep}). */
const KEEP = 3;

function byPosition<T>(a: Tagged<T>, b: Tagged<T>): number {
  return a.prefix.base - b.prefix.base || a.prefix.length - b.prefix.length || a.order - b.order;
}

/**
 * Calls `found(x, partner)` for items that overlap an earlier-sorted item for
 * which `relevant(partner.tag, x.tag)` holds (at most once per item).
 *
 * Completeness: each distinct prefix keeps up to three members with distinct
 * `classKey`s; `relevant` must give the same answer for members of one class.
 * An item dropped from a full frame was itself checked against three
 * classes, so whenever some relevant pair overlaps, at least one item of it
 * is reported (with `relevant` as used here: "different owner", or "pool
 * against network or another gateway's pool"). O(n log n).
 */
export function overlapSweep<T>(items: readonly Tagged<T>[], classKey: (t: T) => string, relevant: (earlier: T, later: T) => boolean, found: (x: Tagged<T>, partner: Tagged<T>) => void): void {
  const sorted = [...items].sort(byPosition);
  const stack: { prefix: Prefix; members: Tagged<T>[]; keys: string[] }[] = [];
  for (const x of sorted) {
    while (stack.length > 0 && !covers(stack[stack.length - 1]!.prefix, x.prefix)) stack.pop();
    let partner: Tagged<T> | undefined;
    for (let f = 0; f < stack.length && !partner; f++) {
      for (const m of stack[f]!.members) {
        if (relevant(m.tag, x.tag)) { partner = m; break; }
      }
    }
    if (partner) found(x, partner);
    const top = stack[stack.length - 1];
    if (top && top.prefix.base === x.prefix.base && top.prefix.length === x.prefix.length) {
      const k = classKey(x.tag);
      if (top.members.length < KEEP && !top.keys.includes(k)) { top.members.push(x); top.keys.push(k); }
    } else {
      stack.push({ prefix: x.prefix, members: [x], keys: [classKey(x.tag)] });
    }
  }
}

/** Items of `items` that no prefix of `containers` covers, in input order. O((n + m) log(n + m)). */
export function uncovered<T>(items: readonly Tagged<T>[], containers: readonly Prefix[]): Tagged<T>[] {
  type E = { prefix: Prefix; item: Tagged<T> | undefined; order: number };
  const all: E[] = [
    ...containers.map((p, i) => ({ prefix: p, item: undefined, order: -containers.length + i })),
    ...items.map((it) => ({ prefix: it.prefix, item: it, order: it.order })),
  ];
  // Containers sort before items of the same prefix (negative order), so an equal container covers.
  all.sort((a, b) => a.prefix.base - b.prefix.base || a.prefix.length - b.prefix.length || a.order - b.order);
  const stack: Prefix[] = [];
  const out: Tagged<T>[] = [];
  for (const e of all) {
    while (stack.length > 0 && !covers(stack[stack.length - 1]!, e.prefix)) stack.pop();
    if (e.item === undefined) stack.push(e.prefix);
    else if (stack.length === 0) out.push(e.item);
  }
  return out.sort((a, b) => a.order - b.order);
}
