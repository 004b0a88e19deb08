import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const layers = suite('layers point down: forbidden imports (issue 12)');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of every file under src/, resolved to a path from the repository root. */
const imports = files(join(root, 'src')).map((f) => {
  const text = readFileSync(f, 'utf8');
  const targets = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => relative(root, resolve(dirname(f), m[1]!)).replace(/\.js$/, '.ts'));
  return { file: relative(root, f), targets };
});

function offenders(from: (f: string) => boolean, to: (t: string) => boolean): string[] {
  return imports.filter((i) => from(i.file)).flatMap((i) => i.targets.filter(to).map((t) => `${i.file} -> ${t}`));
}

layers('the parser sees imports (self-check)', () => {
  assert.ok(offenders((f) => f === 'src/sim/net/forwarding.ts', () => true).length > 3);
});

layers('net does not import the flow (bandwidth) layer: packet arithmetic lives below both', () => {
  assert.equal(offenders((f) => f.startsWith('src/sim/net/'), (t) => t.startsWith('src/sim/flow/')), []);
});

layers('protocol sessions take Link from the protocols, not from the underlay', () => {
  assert.equal(offenders((f) => f.startsWith('src/protocols/'), (t) => t === 'src/sim/net/underlay.ts'), []);
});

layers('the IKE protocol owns IkeVersion: protocols do not import the scenario format', () => {
  assert.equal(offenders((f) => f.startsWith('src/protocols/'), (t) => t === 'src/sim/net/scenario.ts'), []);
});

layers('the jitter helper is generic: it imports no protocol', () => {
  assert.equal(offenders((f) => f === 'src/protocols/jitter.ts', (t) => t.startsWith('src/protocols/')), []);
});

layers('protocols import nothing of the engine or the flow layer', () => {
  assert.equal(offenders((f) => f.startsWith('src/protocols/'), (t) => t.startsWith('src/sim/engine/') || t.startsWith('src/sim/flow/')), []);
});

layers.run();
