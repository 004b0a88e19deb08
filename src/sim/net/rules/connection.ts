/**
 * Every rule about one connection, in a fixed order: its ends, R4, R12, R6, BGP.
 */
import type { ConnectionDef } from '../scenario.js';
import { checkConnectionBgp } from './connection-bgp.js';
import { checkConnectionEnds } from './connection-ends.js';
import type { Config, Ctx, Item } from './model.js';
import { checkSharedKey } from './r04-shared-key.js';
import { checkConnectionRouteBased } from './r06-route-based.js';
import { checkConnectionGatewayTypes } from './r12-connection-gateway-types.js';

/** Checks one connection against every per-connection rule. */
export function checkConnection(ctx: Ctx, cfg: Config, item: Item<ConnectionDef>): void {
  const ends = checkConnectionEnds(ctx, cfg, item);
  checkSharedKey(ctx, item);
  checkConnectionGatewayTypes(ctx, item, ends);
  checkConnectionRouteBased(ctx, item, ends);
  checkConnectionBgp(ctx, item, ends);
}
