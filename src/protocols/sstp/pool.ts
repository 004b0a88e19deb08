/**
 * The SSTP client limit of one gateway (R18): a counter shared by every SSTP
 * session of that gateway. A slot is taken when the server accepts a Call
 * Connect Request and given back when that session ends, so sessions still
 * negotiating count against the limit too.
 */
import { UsageError } from '../../errors.js';
import type { SkuSpec } from '../../sim/net/skus.js';

/** SSTP clients a gateway holds at once in the seeds' era (R18). */
export const DEFAULT_MAX_SSTP_CLIENTS = 128;

/** Server-side SSTP client counter of one gateway. O(1) per operation. */
export class SstpServerPool {
  private activeCount = 0;
  /** Connect attempts refused because the pool was full. */
  refused = 0;

  /**
   * @param maxClients SSTP clients connected at once; default 128 (R18).
   * @throws UsageError when `maxClients` is not a whole number of 0 or more.
   */
  constructor(readonly maxClients: number = DEFAULT_MAX_SSTP_CLIENTS) {
    if (!Number.isInteger(maxClients) || maxClients < 0) {
      throw new UsageError(`SstpServerPool: maxClients ${maxClients} is not a whole number of 0 or more (R18). Pass the SKU's maxSstpClients`, 'R18');
    }
  }

  /** A pool sized by a SKU's `maxSstpClients` (SKUS.md: 128 on every SKU). */
  static forSku(spec: SkuSpec): SstpServerPool {
    return new SstpServerPool(spec.maxSstpClients);
  }

  /** Slots held (sessions accepted and not yet ended). */
  get active(): number {
    return this.activeCount;
  }

  /** Takes a slot; false (and counts a refusal) when the pool is full. */
  tryAcquire(): boolean {
    if (this.activeCount >= this.maxClients) {
      this.refused++;
      return false;
    }
    this.activeCount++;
    return true;
  }

  /**
   * Gives a slot back.
   * @throws UsageError when no slot is held.
   */
  release(): void {
    if (this.activeCount === 0) throw new UsageError('SstpServerPool: release() with no slot held. Release only after a successful tryAcquire()', 'R18');
    this.activeCount--;
  }
}
