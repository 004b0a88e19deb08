/**
 * The shipped rules document (docs/rules.md) read as data: one section per
 * rule, each headed `### <id>: <summary>`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One rule as the document describes it. */
export interface RuleSection {
  /** `R9`, or a name such as `ref`. */
  readonly id: string;
  /** The heading's one-line summary. */
  readonly summary: string;
  /** The paragraphs under the heading, trimmed. */
  readonly body: string;
}

/** Where docs/rules.md lies: the package root, two levels above this file's `sim/net/rules` (src or dist). */
export const RULES_DOCUMENT = fileURLToPath(new URL('../../../../docs/rules.md', import.meta.url));

/** Splits the text of a rules document into its sections, in document order. */
export function parseRulesDocument(text: string): RuleSection[] {
  const out: RuleSection[] = [];
  let cur: { id: string; summary: string; lines: string[] } | undefined;
  const flush = (): void => {
    if (cur) out.push({ id: cur.id, summary: cur.summary, body: cur.lines.join('\n').trim() });
    cur = undefined;
  };
  for (const line of text.split('\n')) {
    const m = /^### ([A-Za-z0-9-]+): (.+)$/.exec(line);
    if (m) {
      flush();
      cur = { id: m[1]!, summary: m[2]!.trim(), lines: [] };
    } else if (/^#{1,2} /.test(line)) {
      flush();
    } else if (cur) {
      cur.lines.push(line);
    }
  }
  flush();
  return out;
}

/**
 * Reads the shipped rules document.
 * @throws Error (from node:fs) when the package has no docs/rules.md.
 */
export function readRulesDocument(path: string = RULES_DOCUMENT): RuleSection[] {
  return parseRulesDocument(readFileSync(path, 'utf8'));
}
