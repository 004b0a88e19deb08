import type { Command } from 'commander';
import { ValidationError, VpnsimError } from '../../errors.js';
import { readScenarioFile } from '../../sim/net/load.js';
import { validateScenario } from '../../sim/net/validate.js';

function count(value: unknown, key: string): number {
  const v = (value as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.length : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `vpnsim validate <file>`: checks a scenario file (JSON, YAML or a TS/JS
 * module) and prints `ok` with a summary, or every error, one per line
 * (`path: message (rule). fix`). Exits 1 when there is any error.
 */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file (JSON, YAML, or a module exporting `scenario`) against the schema and rules')
    .argument('<file>', 'scenario file')
    .addHelpText('after', '\nA .ts, .mjs or .js scenario is code: validating it runs it, with your rights.\nValidate only modules you trust; JSON and YAML files are data only.\nEvery error names its rule: `vpnsim rules <id>` explains it (docs/rules.md).')
    .action(async (file: string) => {
      let value: unknown;
      try {
        value = await readScenarioFile(file);
      } catch (err) {
        if (!(err instanceof VpnsimError)) throw err;
        const list = 'errors' in err ? (err as { errors: readonly ValidationError[] }).errors : [err];
        for (const e of list) console.log(`error ${e.message}`);
        process.exitCode = 1;
        return;
      }
      const { errors, warnings } = validateScenario(value);
      if (errors.length > 0) {
        for (const e of errors) console.log(`error ${e.message}`);
        for (const w of warnings) console.log(`warning ${w.path}: ${w.message} (${w.rule}). ${w.fix}`);
        console.log(`${file}: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}`);
        process.exitCode = 1;
        return;
      }
      const name = (value as { name: string }).name;
      console.log(
        `ok ${file} ("${name}"): ${plural(count(value, 'vnets'), 'vnet')}, ${plural(count(value, 'gateways'), 'gateway')}, ` +
          `${plural(count(value, 'localNetworkGateways'), 'site')}, ${plural(count(value, 'connections'), 'connection')}, ` +
          `${plural(count(value, 'peerings'), 'peering')}, ${plural(count(value, 'clients'), 'client')}, ` +
          `${plural(count(value, 'hosts'), 'host')}, ${plural(warnings.length, 'warning')}`,
      );
      for (const w of warnings) console.log(`warning ${w.path}: ${w.message} (${w.rule}). ${w.fix}`);
    });
}
