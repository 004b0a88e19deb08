/**
 * The trace: one JSON record per state change, `{ "t": seconds, "type", ... }`,
 * in the order the kernel produced them. Its fingerprint (SHA-256 over the
 * JSON lines) identifies a trajectory: one seed, one fingerprint.
 */
import { createHash } from 'node:crypto';

/** A trace record. `t` is simulated time in seconds. */
export interface TraceRecord {
  readonly t: number;
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The trace of one run: records in order, a running SHA-256 and subscribers. */
export class Trace {
  private readonly hash = createHash('sha256');
  private readonly listeners: ((r: TraceRecord) => void)[] = [];
  /** Records kept in memory (all of them unless `keep` is false). */
  readonly records: TraceRecord[] = [];
  private count = 0;

  /** @param keep keep records in memory (default true); the fingerprint covers them either way. */
  constructor(private readonly keep = true) {}

  /** Number of records emitted. */
  get length(): number {
    return this.count;
  }

  /** Appends a record. Field order is kept as given, so emitters must be deterministic. */
  emit(record: TraceRecord): void {
    const line = JSON.stringify(record);
    this.hash.update(line);
    this.hash.update('\n');
    this.count++;
    if (this.keep) this.records.push(record);
    for (const l of this.listeners) l(record);
  }

  /** Calls `fn` for every later record (e.g. to stream JSON lines to a file). */
  subscribe(fn: (r: TraceRecord) => void): void {
    this.listeners.push(fn);
  }

  /** SHA-256 of the JSON lines so far, hex, first 16 characters. */
  fingerprint(): string {
    return this.hash.copy().digest('hex').slice(0, 16);
  }
}
