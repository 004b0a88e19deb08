/**
 * Byte building for the wire encoders: a growable big-endian writer and a
 * seeded filler for content the model does not carry (nonces, key exchange
 * values, ciphertext), so a capture is reproducible from the run's seed.
 */
import type { RandomStream } from '../sim/kernel/rng.js';

/**
 * A growable big-endian (network order) byte writer. Appends are amortised
 * O(1); {@link patch16} and {@link patch32} fill length fields once the
 * content after them is known.
 */
export class ByteWriter {
  private buf: Uint8Array;
  /** Bytes written so far. */
  length = 0;

  /** @param capacity initial capacity, bytes (grows by doubling). */
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Appends one octet. */
  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  /** Appends a 16-bit value, big-endian. */
  u16(v: number): this {
    this.room(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  /** Appends a 32-bit value, big-endian. */
  u32(v: number): this {
    this.room(4);
    const b = this.buf;
    b[this.length++] = (v >>> 24) & 0xff;
    b[this.length++] = (v >>> 16) & 0xff;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = v & 0xff;
    return this;
  }

  /** Appends a 64-bit value given as a non-negative safe integer, big-endian. */
  u64(v: number): this {
    return this.u32(Math.floor(v / 0x100000000)).u32(v >>> 0);
  }

  /** Appends bytes. */
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Appends a string as Latin-1 / ASCII octets. */
  ascii(s: string): this {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i) & 0xff;
    return this;
  }

  /** Appends `n` zero octets. */
  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  /** Appends `n` octets drawn from a seeded stream (see {@link fillRandom}). */
  random(n: number, stream: RandomStream): this {
    this.room(n);
    fillRandom(this.buf.subarray(this.length, this.length + n), stream);
    this.length += n;
    return this;
  }

  /** Overwrites a 16-bit value at `at`, big-endian. */
  patch16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** Overwrites a 32-bit value at `at`, big-endian. */
  patch32(at: number, v: number): void {
    this.buf[at] = (v >>> 24) & 0xff;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
  }

  /** Overwrites one octet at `at`. */
  patch8(at: number, v: number): void {
    this.buf[at] = v & 0xff;
  }

  /** The bytes written, as a view of the internal buffer (valid until the next append). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Fills `out` with octets from a seeded stream: four octets per 32-bit draw. */
export function fillRandom(out: Uint8Array, stream: RandomStream): void {
  let i = 0;
  while (i < out.length) {
    let r = Math.floor(stream.random() * 0x100000000);
    for (let k = 0; k < 4 && i < out.length; k++, r >>>= 8) out[i++] = r & 0xff;
  }
}

/** RFC 1071 Internet checksum over `data`, folded onto `initial` (a partial sum, e.g. a pseudo-header). */
export function internetChecksum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = data.length & ~1;
  for (let i = 0; i < n; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length & 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Partial (unfolded) one's-complement sum of a 32-bit value, for pseudo-headers. */
export function sum32(v: number): number {
  return (v >>> 16) + (v & 0xffff);
}

/**
 * Seeded filler for bulk ciphertext: 64 KiB drawn once from a stream, then
 * handed out from a rotating offset, so filling a packet is one copy rather
 * than a draw per four octets. The sequence of octets depends only on the
 * stream and on the order of calls, so captures stay reproducible.
 */
export class FillPool {
  private readonly pool = new Uint8Array(1 << 16);
  private at = 0;

  constructor(stream: RandomStream) {
    fillRandom(this.pool, stream);
  }

  /** Writes `n` filler octets into `out` from offset `to`. */
  fill(out: Uint8Array, to: number, n: number): void {
    const size = this.pool.length;
    while (n > 0) {
      const k = Math.min(n, size - this.at);
      out.set(this.pool.subarray(this.at, this.at + k), to);
      to += k;
      n -= k;
      this.at = (this.at + k) % size;
    }
    // Step by an odd amount so equal-sized packets do not repeat in lockstep.
    this.at = (this.at + 13) % size;
  }
}
