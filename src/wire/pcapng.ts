/**
 * A small pcapng writer (draft-ietf-opsawg-pcapng): one Section Header
 * Block, one Interface Description Block per capture point (link type
 * LINKTYPE_RAW, `if_name`, `if_tsresol` 9 so timestamps are nanoseconds),
 * then Enhanced Packet Blocks, each optionally with an `opt_comment`.
 * Blocks are written little-endian (the byte-order magic says so).
 *
 * Blocks are appended to an in-memory buffer and handed to `sink` in chunks
 * of about 64 KiB, so writing a packet is a few copies, O(packet size).
 */

/** LINKTYPE_RAW: every packet begins with its IPv4 header (tcpdump.org link types). */
export const LINKTYPE_RAW = 101;

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const CHUNK = 1 << 16;
const encoder = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Writes pcapng blocks to a byte sink (a file, an array of chunks). */
export class PcapngWriter {
  private buf = Buffer.allocUnsafe(CHUNK * 2);
  private used = 0;
  private interfaces = 0;

  /** @param sink receives the file's bytes in order; called from {@link flush} and when the buffer fills. */
  constructor(private readonly sink: (chunk: Uint8Array) => void) {
    const shb = this.begin(SHB, 16);
    this.buf.writeUInt32LE(0x1a2b3c4d, shb);
    this.buf.writeUInt16LE(1, shb + 4);
    this.buf.writeUInt16LE(0, shb + 6);
    this.buf.writeInt32LE(-1, shb + 8); // section length unknown (-1, 64 bits)
    this.buf.writeInt32LE(-1, shb + 12);
    this.end(shb - 8, 16, []);
  }

  private room(n: number): void {
    if (this.used + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(pad4(n) * 2);
  }

  /**
   * Starts a block with a fixed body of `body` bytes followed by `options`;
   * makes room for the whole block at once (so {@link end} never flushes
   * mid-block). Returns where the body begins.
   */
  private begin(type: number, body: number, options: readonly [number, Uint8Array][] = []): number {
    let optBytes = options.length ? 4 : 0;
    for (const [, v] of options) optBytes += 4 + pad4(v.length);
    this.room(12 + body + optBytes);
    this.buf.writeUInt32LE(type, this.used);
    this.used += 8; // total length patched by end()
    const at = this.used;
    this.used += body;
    return at;
  }

  /** Appends the options and the trailing length, then patches the leading one. */
  private end(start: number, _body: number, options: readonly [number, Uint8Array][]): void {
    let optBytes = 0;
    for (const [, v] of options) optBytes += 4 + pad4(v.length);
    if (options.length) optBytes += 4;
    for (const [code, v] of options) {
      this.buf.writeUInt16LE(code, this.used);
      this.buf.writeUInt16LE(v.length, this.used + 2);
      this.buf.set(v, this.used + 4);
      this.buf.fill(0, this.used + 4 + v.length, this.used + 4 + pad4(v.length));
      this.used += 4 + pad4(v.length);
    }
    if (options.length) { this.buf.writeUInt32LE(0, this.used); this.used += 4; } // opt_endofopt
    const total = this.used + 4 - start;
    this.buf.writeUInt32LE(total, this.used);
    this.used += 4;
    this.buf.writeUInt32LE(total, start + 4);
  }

  /**
   * Declares a capture point: an Interface Description Block with `if_name`
   * and `if_tsresol` 9 (nanoseconds). Returns its interface id (0, 1, ...).
   */
  addInterface(name: string, description?: string): number {
    const opts: [number, Uint8Array][] = [[2, encoder.encode(name)]];
    if (description) opts.push([3, encoder.encode(description)]);
    opts.push([9, Uint8Array.of(9)]);
    const at = this.begin(IDB, 8, opts);
    this.buf.writeUInt16LE(LINKTYPE_RAW, at);
    this.buf.writeUInt16LE(0, at + 2);
    this.buf.writeUInt32LE(0, at + 4); // snaplen: no limit
    this.end(at - 8, 8, opts);
    return this.interfaces++;
  }

  /**
   * Appends an Enhanced Packet Block: `data` (an IPv4 packet) seen on
   * interface `iface` at `timeNs` nanoseconds, with an optional comment.
   */
  packet(iface: number, timeNs: number, data: Uint8Array, comment?: string): void {
    const len = data.length;
    if (comment === undefined) {
      // Fast path: no options, so the block is 32 + padded data octets.
      const total = 32 + pad4(len);
      this.room(total);
      const b = this.buf;
      const at = this.used;
      b.writeUInt32LE(EPB, at);
      b.writeUInt32LE(total, at + 4);
      b.writeUInt32LE(iface, at + 8);
      b.writeUInt32LE(Math.floor(timeNs / 0x100000000), at + 12);
      b.writeUInt32LE(timeNs % 0x100000000, at + 16);
      b.writeUInt32LE(len, at + 20);
      b.writeUInt32LE(len, at + 24);
      b.set(data, at + 28);
      for (let i = at + 28 + len; i < at + total - 4; i++) b[i] = 0;
      b.writeUInt32LE(total, at + total - 4);
      this.used += total;
      return;
    }
    const opts: [number, Uint8Array][] = comment === undefined ? [] : [[1, encoder.encode(comment)]];
    const at = this.begin(EPB, 20 + pad4(len), opts);
    const b = this.buf;
    b.writeUInt32LE(iface, at);
    b.writeUInt32LE(Math.floor(timeNs / 0x100000000), at + 4);
    b.writeUInt32LE(timeNs % 0x100000000, at + 8);
    b.writeUInt32LE(len, at + 12);
    b.writeUInt32LE(len, at + 16);
    b.set(data, at + 20);
    b.fill(0, at + 20 + len, at + 20 + pad4(len));
    this.end(at - 8, 20 + pad4(len), opts);
  }

  /** Hands the buffered bytes to the sink. */
  flush(): void {
    if (this.used === 0) return;
    this.sink(Buffer.from(this.buf.subarray(0, this.used)));
    this.used = 0;
  }
}
