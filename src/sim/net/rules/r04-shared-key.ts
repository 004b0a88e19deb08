/**
 * R4: S2S and VNet-to-VNet tunnels authenticate by pre-shared key, so such a
 * connection needs one (its form, 1-128 letters or digits, is a schema rule
 * tagged R4).
 */
import type { ConnectionDef } from '../scenario.js';
import type { Ctx, Item } from './model.js';

/** Checks that a tunnel connection has a sharedKey. */
export function checkSharedKey(ctx: Ctx, { def: c, path }: Item<ConnectionDef>): void {
  if (c.connectionType !== 'ExpressRoute' && c.sharedKey === undefined) {
    ctx.report.error(`${path}.sharedKey`, 'R4', `connection "${c.name}": an ${c.connectionType} connection needs a sharedKey`, 'Add a sharedKey of 1-128 letters or digits (the same on both ends)');
  }
}
