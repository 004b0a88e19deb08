// Every draw must come from a seeded stream: no Math.random anywhere in src/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const srcDir = fileURLToPath(new URL('../../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|js|mjs|cjs|mts|cts)$/.test(name) ? [p] : [];
  });
}

/** Finds Math.random uses, including `Math['random']` and spaced forms. */
function offending(text: string): boolean {
  return /Math\s*(\.\s*random|\[\s*['"`]random['"`]\s*\])/.test(text);
}

test('the pattern catches the forms it should', () => {
  assert.ok(offending('const x = Math.random();'));
  assert.ok(offending("const f = Math['random'];"));
  assert.ok(offending('Math . random()'));
  assert.not.ok(offending('rng.stream("x").random()'));
});

test('no source file under src/ uses Math.random', () => {
  const files = sourceFiles(srcDir);
  assert.ok(files.length > 5, `expected source files under ${srcDir}`);
  const bad = files.filter((f) => offending(readFileSync(f, 'utf8')));
  assert.equal(bad, [], `Math.random found in: ${bad.join(', ')}`);
});

test.run();
