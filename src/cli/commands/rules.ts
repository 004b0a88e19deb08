import type { Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import { RULE_INDEX } from '../../sim/net/rules/rule-index.js';
import { readRulesDocument } from '../../sim/net/rules/rules-doc.js';
import { suggest } from '../../sim/net/rules/report.js';
import { fail } from '../util.js';

/**
 * `vpnsim rules [id]`: every rule an error or warning can cite, one per line
 * (`R9  summary`), or one rule in full (`vpnsim rules R9`, `vpnsim rules ref`).
 * The text is the package's docs/rules.md. `--json` prints the same as data.
 */
export function register(program: Command): void {
  program
    .command('rules')
    .description('list the rules errors cite (docs/rules.md), or print one in full: vpnsim rules R9')
    .argument('[id]', 'a rule id such as R9 or ref (case-insensitive)')
    .option('--json', 'print JSON')
    .action((id: string | undefined, opts: { json?: boolean }) => {
      try {
        const sections = readRulesDocument();
        const status = new Map(RULE_INDEX.map((r) => [r.id, r.status === 'planned' ? `planned, issue ${r.issue}` : 'implemented']));
        if (id === undefined) {
          if (opts.json) {
            console.log(JSON.stringify(sections.map((s) => ({ id: s.id, summary: s.summary, ...(status.has(s.id) ? { status: status.get(s.id) } : {}) })), null, 2));
            return;
          }
          const width = Math.max(...sections.map((s) => s.id.length));
          for (const s of sections) console.log(`${s.id.padEnd(width)}  ${s.summary}${status.get(s.id)?.startsWith('planned') ? ` (${status.get(s.id)})` : ''}`);
          return;
        }
        const hit = sections.find((s) => s.id.toLowerCase() === id.toLowerCase());
        if (!hit) {
          throw new NotFoundError(`rule "${id}": no such rule. ${suggest(id, sections.map((s) => s.id), 'rule', 'Known:')} (\`vpnsim rules\` lists them)`);
        }
        if (opts.json) {
          console.log(JSON.stringify({ id: hit.id, summary: hit.summary, body: hit.body, ...(status.has(hit.id) ? { status: status.get(hit.id) } : {}) }, null, 2));
          return;
        }
        console.log(`${hit.id}: ${hit.summary}\n\n${hit.body}`);
      } catch (err) {
        fail(err);
      }
    });
}
