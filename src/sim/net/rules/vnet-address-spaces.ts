/**
 * A VNet's own address plan: its address spaces do not overlap each other;
 * subnet names are unique; each subnet lies inside the spaces and overlaps no
 * other subnet (rules `overlap`, `duplicate`, `prefix`).
 */
import { covers, overlaps } from '../prefix.js';
import type { VnetDef } from '../scenario.js';
import { P, type Ctx, type Item } from './model.js';

/** Checks one VNet's address spaces and subnets. */
export function checkVnetAddressSpaces(ctx: Ctx, { def: v, path }: Item<VnetDef>): void {
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
