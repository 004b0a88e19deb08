/**
 * Typed domain events: the state changes the engine records, as one
 * discriminated union on `type`. The field names are those of the JSON-lines
 * trace, so a record and its event are the same object; a renamed field then
 * fails to compile in every reader instead of failing silently.
 */
import type { TraceRecord } from '../trace.js';

/** A tunnel came up or went down (`reason`: `configured`, `dpdTimeout`, `idleTimeout`, ...). `t` in seconds. */
export interface TunnelEvent {
  readonly t: number;
  readonly type: 'tunnel.up' | 'tunnel.down';
  readonly connection: string;
  readonly reason: string;
}

/** A gateway instance failed over or came back (`reason`: `instanceFailure`, `standbyActive`, ...). */
export interface GatewayStateEvent {
  readonly t: number;
  readonly type: 'gateway.up' | 'gateway.down';
  readonly gateway: string;
  readonly reason: string;
}

/** A gateway changed SKU: its new aggregate capacity, Mbit/s. */
export interface GatewayResizedEvent {
  readonly t: number;
  readonly type: 'gateway.resized';
  readonly gateway: string;
  readonly sku: string;
  readonly capacityMbps: number;
}

/** A P2S client got a pool address. */
export interface ClientConnectedEvent {
  readonly t: number;
  readonly type: 'client.connected';
  readonly client: string;
  readonly address: string;
}

/** A P2S client left, or its connect failed. */
export interface ClientDownEvent {
  readonly t: number;
  readonly type: 'client.disconnected' | 'client.failed';
  readonly client: string;
  readonly reason: string;
}

/** The state events flows and reports follow, discriminated by `type`. */
export type EngineStateEvent = TunnelEvent | GatewayStateEvent | GatewayResizedEvent | ClientConnectedEvent | ClientDownEvent;

/** The `type` of every {@link EngineStateEvent}. */
export const ENGINE_STATE_EVENT_TYPES: ReadonlySet<EngineStateEvent['type']> = new Set<EngineStateEvent['type']>([
  'tunnel.up', 'tunnel.down', 'gateway.up', 'gateway.down', 'gateway.resized',
  'client.connected', 'client.disconnected', 'client.failed',
]);

/** Narrows a trace record to a {@link EngineStateEvent} by its `type`; the engine emits these records with exactly the fields above. */
export function asEngineStateEvent(r: TraceRecord): EngineStateEvent | undefined {
  return ENGINE_STATE_EVENT_TYPES.has(r.type as EngineStateEvent['type']) ? (r as unknown as EngineStateEvent) : undefined;
}
