/**
 * A VNet's own address plan: its address spaces do not overlap each other;
 * subnet names are unique; each subnet lies inside the spaces and overlaps no
 * other subnet (rules `overlap`, `duplicate`, `prefix`). O(n log n) in the
 * number of spaces and subnets (prefix-sweep.ts).
 */
import type { VnetDef } from '../scenario.js';
import { P, type Ctx, type Item } from './model.js';
import { overlapSweep, uncovered } from './prefix-sweep.js';

/** Checks one VNet's address spaces and subnets. */
export function checkVnetAddressSpaces(ctx: Ctx, { def: v, path }: Item<VnetDef>): void {
  const r = ctx.report;
  const who = `VNet "${v.name}"`;
  const spaces = v.addressPrefixes.map(P);
  const all = (): boolean => true;
  const own = (i: number): string => String(i);
  overlapSweep(spaces.map((prefix, i) => ({ prefix, tag: i, order: i })), own, all, (x, m) => {
    const [later, earlier] = x.order > m.order ? [x, m] : [m, x];
    r.error(`${path}.addressPrefixes[${later.tag}]`, 'overlap', `${who}: address space "${later.prefix.cidr}" overlaps "${earlier.prefix.cidr}"`, 'Give the VNet address spaces that do not overlap');
  });
  const seen = new Map<string, number>();
  const subnets = v.subnets.map((s, i) => ({ prefix: P(s.addressPrefix), tag: i, order: i }));
  v.subnets.forEach((s, i) => {
    if (seen.has(s.name)) r.error(`${path}.subnets[${i}].name`, 'duplicate', `${who}: subnet name "${s.name}" is used twice`, 'Give each subnet of a VNet its own name');
    else seen.set(s.name, i);
  });
  for (const x of uncovered(subnets, spaces)) {
    r.error(`${path}.subnets[${x.tag}].addressPrefix`, 'prefix', `${who}: subnet "${v.subnets[x.tag]!.name}" ("${x.prefix.cidr}") is not inside the VNet's address spaces`, `Use a prefix inside ${v.addressPrefixes.join(', ')}`);
  }
  overlapSweep(subnets, own, all, (x, m) => {
    const [later, earlier] = x.order > m.order ? [x, m] : [m, x];
    r.error(`${path}.subnets[${later.tag}].addressPrefix`, 'overlap', `${who}: subnet "${v.subnets[later.tag]!.name}" ("${later.prefix.cidr}") overlaps subnet "${v.subnets[earlier.tag]!.name}" ("${earlier.prefix.cidr}")`, 'Give subnets prefixes that do not overlap');
  });
}
