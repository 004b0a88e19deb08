/**
 * What a protocol session needs of the network: a one-way message carrier.
 * The underlay (`sim/net/underlay.ts` `PathDirection`) implements it; tests
 * can hand a session any stub. Owned by the protocols so that no session
 * imports the network model.
 */

/** A message carrier from one endpoint to another, used by protocol drivers. */
export interface Link {
  /**
   * Carries a message of `bytes` bytes: `deliver(arg)` runs at the far end
   * after serialisation and latency, or never when the message is lost.
   * @param arg handed to `deliver` (one handler can serve every message).
   * @returns false when the message was lost (known only to the simulator).
   */
  transmit<A = undefined>(bytes: number, deliver: (arg: A) => void, label?: string, arg?: A): boolean;
}
