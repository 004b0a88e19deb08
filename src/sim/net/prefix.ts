/**
 * IPv4 addresses and prefixes. Only canonical forms are accepted: dotted
 * quads of decimal octets without leading zeros, and CIDR whose host bits are
 * zero. netmask alone also takes octal (`010.0.0.1`) and hex forms, so every
 * string is checked here before netmask parses it.
 *
 * Addresses are unsigned 32-bit integers held in plain numbers.
 */
import { Netmask } from 'netmask';
import { ValidationError } from '../../errors.js';

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const QUAD_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const CIDR_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(3[0-2]|[12]?\\d)$`);

/** A parsed IPv4 prefix. `base` has no host bits set. */
export interface Prefix {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  /** Prefix length, 0..32. */
  readonly length: number;
  /** Canonical text, `10.1.0.0/16`. */
  readonly cidr: string;
}

/** True for a canonical dotted quad (`10.1.0.4`; not `010.1.0.4`, not `0x0a.1.0.4`). */
export function isCanonicalAddress(text: unknown): text is string {
  return typeof text === 'string' && QUAD_RE.test(text);
}

/** True for canonical CIDR with no host bits set (`10.1.0.0/16`). */
export function isCanonicalCidr(text: unknown): text is string {
  if (typeof text !== 'string' || !CIDR_RE.test(text)) return false;
  const block = new Netmask(text);
  return `${block.base}/${block.bitmask}` === text;
}

/** Address text to integer. @throws ValidationError on a non-canonical address. */
export function parseAddress(text: string, where = 'address'): number {
  if (!isCanonicalAddress(text)) {
    throw new ValidationError({ path: where, rule: 'address', message: `"${text}" is not a canonical IPv4 address`, fix: 'Write four decimal octets without leading zeros, such as 10.1.0.4' });
  }
  const p = text.split('.');
  return ((+p[0]! << 24) >>> 0) + (+p[1]! << 16) + (+p[2]! << 8) + +p[3]!;
}

/** Integer to dotted quad. */
export function formatAddress(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** Netmask of a prefix length as an unsigned integer. */
export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** CIDR text to {@link Prefix}. @throws ValidationError on non-canonical CIDR or host bits set. */
export function parsePrefix(text: string, where = 'prefix'): Prefix {
  if (typeof text !== 'string' || !CIDR_RE.test(text)) {
    throw new ValidationError({ path: where, rule: 'cidr', message: `"${String(text)}" is not canonical CIDR`, fix: 'Write an address and a length 0-32, such as 10.1.0.0/16' });
  }
  const block = new Netmask(text);
  const canonical = `${block.base}/${block.bitmask}`;
  if (canonical !== text) {
    throw new ValidationError({ path: where, rule: 'cidr', message: `"${text}" has host bits set`, fix: `Use ${canonical}` });
  }
  const length = block.bitmask;
  return { base: parseAddress(block.base), length, cidr: canonical };
}

/** Builds a prefix from an integer and a length, clearing host bits. */
export function makePrefix(addr: number, length: number): Prefix {
  const base = (addr & maskOf(length)) >>> 0;
  return { base, length, cidr: `${formatAddress(base)}/${length}` };
}

/** True when `addr` lies in `p`. */
export function contains(p: Prefix, addr: number): boolean {
  return ((addr & maskOf(p.length)) >>> 0) === p.base;
}

/** True when `inner` lies wholly inside `outer`. */
export function covers(outer: Prefix, inner: Prefix): boolean {
  return inner.length >= outer.length && contains(outer, inner.base);
}

/** True when two prefixes share any address. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.length <= b.length ? contains(a, b.base) : contains(b, a.base);
}

/** Numeric order: address, then prefix length (SPEC section 5). */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  return a.base - b.base || a.length - b.length;
}

/** Sorts CIDR strings numerically (address, then length) and removes duplicates. */
export function sortCidrs(cidrs: Iterable<string>): string[] {
  return [...new Set(cidrs)].map((c) => parsePrefix(c)).sort(comparePrefixes).map((p) => p.cidr);
}

/** Number of addresses in a prefix. */
export function sizeOf(p: Prefix): number {
  return 2 ** (32 - p.length);
}

/** The n-th address of a prefix (negative n counts from the end: -1 is the broadcast). */
export function nthAddress(p: Prefix, n: number): number {
  return n >= 0 ? p.base + n : p.base + sizeOf(p) + n;
}
