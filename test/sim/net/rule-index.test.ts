import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RULE_INDEX } from '../../../src/sim/net/rules/rule-index.js';
import { readRulesDocument } from '../../../src/sim/net/rules/rules-doc.js';

/*
 * The rules index is executable: every numbered rule has an entry and a
 * section in docs/rules.md; an implemented rule names code and tests that
 * exist; every rule id the source cites can be looked up.
 */

const SPEC_IDS = [...Array.from({ length: 34 }, (_, i) => `R${i + 1}`), ...Array.from({ length: 13 }, (_, i) => `R${i + 40}`)];
const sections = readRulesDocument();
const read = (f: string): string => readFileSync(f, 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every rule R1-R34 and R40-R52 has one index entry, in order', () => {
  assert.equal(RULE_INDEX.map((r) => r.id), SPEC_IDS);
});

test('every index entry has a section in docs/rules.md with the same summary, and no numbered section is unindexed', () => {
  const doc = new Map(sections.map((s) => [s.id, s]));
  for (const r of RULE_INDEX) {
    const s = doc.get(r.id);
    assert.ok(s, `${r.id}: no "### ${r.id}: ..." section in docs/rules.md`);
    assert.is(s!.summary, r.summary, `${r.id}: summary differs between docs/rules.md and the index`);
    assert.ok(s!.body.length > 0, `${r.id}: empty section`);
    if (r.status === 'planned') assert.ok(s!.body.includes(`issue ${r.issue}`), `${r.id}: docs/rules.md does not say it is planned (issue ${r.issue})`);
  }
  const numbered = sections.filter((s) => /^R\d+$/.test(s.id)).map((s) => s.id);
  assert.equal(numbered, SPEC_IDS);
});

test('an implemented rule names code that exists and cites it, and tests that exist', () => {
  const planned: string[] = [];
  for (const r of RULE_INDEX) {
    if (r.status === 'planned') {
      assert.ok(r.issue > 0, r.id);
      planned.push(`${r.id} (issue ${r.issue})`);
      continue;
    }
    assert.ok(r.code.length > 0, `${r.id}: no implementation listed`);
    assert.ok(r.tests.length > 0, `${r.id}: no test listed`);
    let cited = false;
    for (const c of r.code) {
      let text: string;
      try {
        text = read(c.file);
      } catch {
        assert.unreachable(`${r.id}: implementation file ${c.file} does not exist`);
        return;
      }
      assert.ok(new RegExp(`\\b${c.symbol}\\b`).test(text), `${r.id}: ${c.file} has no ${c.symbol}`);
      if (new RegExp(`\\b${r.id}\\b`).test(text)) cited = true;
    }
    assert.ok(cited, `${r.id}: none of its implementation files cites "${r.id}"`);
    for (const t of r.tests) {
      let text: string;
      try {
        text = read(t.file).replace(/\\'/g, "'");
      } catch {
        assert.unreachable(`${r.id}: test file ${t.file} does not exist`);
        return;
      }
      assert.ok(text.includes(`('${t.title}'`), `${r.id}: ${t.file} has no test titled "${t.title}"`);
    }
  }
  console.log(`  planned rules: ${planned.join(', ')}`);
});

test('every rule id a validation error or warning cites, and every R-number in src/, has a section in docs/rules.md', () => {
  const known = new Set(sections.map((s) => s.id));
  const cited = new Map<string, string>();
  for (const f of files('src')) {
    const text = read(f);
    for (const m of text.matchAll(/\b(?:error|warn)\(\s*[^,]+,\s*'([A-Za-z0-9-]+)'/g)) cited.set(m[1]!, f);
    for (const m of text.matchAll(/ValidationError\(\{[^}]*?\brule: '([A-Za-z0-9-]+)'/g)) cited.set(m[1]!, f);
    for (const m of text.matchAll(/'x-rule': '([A-Za-z0-9-]+)'/g)) cited.set(m[1]!, f);
    for (const m of text.matchAll(/\b(R\d+)\b/g)) cited.set(m[1]!, f);
  }
  assert.ok(cited.size > 20, `only ${cited.size} rule ids found: the patterns no longer match the source`);
  for (const [id, f] of cited) assert.ok(known.has(id), `${f} cites rule "${id}", which docs/rules.md does not describe`);
});

test('no message cites documents the package does not ship', () => {
  for (const f of files('src')) {
    const text = read(f);
    for (const m of text.matchAll(/(['`])((?:(?!\1).)*?(?:SKUS\.md|SPEC\.md|SPEC section)(?:(?!\1).)*?)\1/g)) {
      assert.unreachable(`${f}: string ${m[0].slice(0, 80)} cites a document the package does not ship`);
    }
  }
});

test('vpnsim rules prints one rule in full, all rules as a list, and refuses an unknown id', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'rules', ...args], { encoding: 'utf8' });
  const one = run('r13');
  assert.is(one.status, 0, one.stderr);
  assert.ok(one.stdout.startsWith('R13: Transit without BGP'), one.stdout);
  const all = run('--json');
  const ids = (JSON.parse(all.stdout) as { id: string }[]).map((r) => r.id);
  for (const id of SPEC_IDS) assert.ok(ids.includes(id), id);
  const bad = run('R99');
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /no such rule/);
});

test.run();
