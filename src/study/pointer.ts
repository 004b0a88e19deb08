/**
 * RFC 6901 JSON Pointers into a scenario, strict: a pointer must resolve to a
 * value that exists (an own property, or an array index written in decimal
 * without leading zeros, below the length). Tokens are unescaped (`~1` is `/`,
 * `~0` is `~`) by json-pointer's parser.
 */
import pointer from 'json-pointer';

/** Where a pointer stopped resolving. */
export interface PointerMiss {
  /** The longest prefix that resolved. */
  readonly resolved: string;
  /** The token that did not. */
  readonly token: string;
  /** Why. */
  readonly reason: string;
}

/** Reference tokens of a pointer. @returns undefined when the text is not a pointer (it must be empty or start with `/`). */
export function parsePointer(text: string): string[] | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return pointer.parse(text);
  } catch {
    return undefined;
  }
}

const INDEX = /^(0|[1-9][0-9]*)$/;

/** Resolves tokens in `doc`: `{ parent, key, value }` of the target, or a {@link PointerMiss}. O(tokens). */
export function resolvePointer(doc: unknown, tokens: readonly string[]): { found: true; parent: unknown; key: string | number; value: unknown } | ({ found: false } & PointerMiss) {
  let here: unknown = doc;
  let parent: unknown = undefined;
  let key: string | number = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const resolved = pointer.compile(tokens.slice(0, i));
    if (Array.isArray(here)) {
      if (!INDEX.test(tok)) return { found: false, resolved, token: tok, reason: `"${tok}" is not an array index` };
      const n = Number(tok);
      if (n >= here.length) return { found: false, resolved, token: tok, reason: `index ${n} is past the end (length ${here.length})` };
      parent = here;
      key = n;
      here = here[n];
    } else if (here !== null && typeof here === 'object') {
      if (!Object.prototype.hasOwnProperty.call(here, tok)) return { found: false, resolved, token: tok, reason: `no field "${tok}"` };
      parent = here;
      key = tok;
      here = (here as Record<string, unknown>)[tok];
    } else {
      return { found: false, resolved, token: tok, reason: `${JSON.stringify(here)} has no fields` };
    }
  }
  return { found: true, parent, key, value: here };
}

/**
 * Replaces the value a pointer resolves to.
 * @returns false (and changes nothing) when the pointer does not resolve or is the root.
 */
export function setPointer(doc: unknown, tokens: readonly string[], value: unknown): boolean {
  if (tokens.length === 0) return false;
  const r = resolvePointer(doc, tokens);
  if (!r.found) return false;
  (r.parent as Record<string | number, unknown>)[r.key] = value;
  return true;
}
