/**
 * How validation reports: {@link Report} collects errors and warnings once
 * each; {@link show} prints a value safely; {@link suggest} gives "did you mean".
 */
import { distance as levenshtein } from 'fastest-levenshtein';
import { ValidationError, type ValidationIssue } from '../../../errors.js';

/** Collects the errors and warnings of one validation run; each (path, rule, message) once, in discovery order. */
export class Report {
  readonly errors: ValidationError[] = [];
  readonly warnings: ValidationIssue[] = [];
  private readonly seen = new Set<string>();

  error(path: string, rule: string, message: string, fix: string): void {
    const key = `E\u0000${path}\u0000${rule}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.errors.push(new ValidationError({ path, rule, message, fix }));
  }

  warn(path: string, rule: string, message: string, fix: string): void {
    const key = `W\u0000${path}\u0000${rule}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.warnings.push({ path, rule, message, fix });
  }
}

/** A value shown in a message: JSON, cut at 60 characters; never throws. */
export function show(value: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch {
    s = undefined;
  }
  if (s === undefined) {
    try {
      s = String(value);
    } catch {
      s = Object.prototype.toString.call(value);
    }
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Candidates a suggestion looks at, at most (a miss among 100,000 names stays cheap). */
const MAX_CANDIDATES = 2_000;

/**
 * "Did you mean ..." over candidate names (case-insensitive edit distance,
 * fastest-levenshtein), or a list of them. A case-only difference always wins.
 */
export function suggest(name: string, candidates: Iterable<string>, what: string, listPrefix = 'Use one of'): string {
  const all: string[] = [];
  for (const c of candidates) {
    all.push(c);
    if (all.length >= MAX_CANDIDATES) break;
  }
  if (all.length === 0) return `Define the ${what} first`;
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of all) {
    const d = c.toLowerCase() === lower ? 0 : levenshtein(lower, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3))) return `Did you mean "${best}"?`;
  const shown = all.slice(0, 8).map((c) => `"${c}"`).join(', ');
  return `${listPrefix} ${shown}${all.length > 8 ? ', ...' : ''}`;
}
