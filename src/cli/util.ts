/** Small helpers shared by CLI commands. */
import { ScenarioValidationError, UsageError, VpnsimError } from '../errors.js';

/** Parses a seconds option. @throws UsageError when it is not a number of 0 or more. */
export function parseSeconds(text: string, what: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`${what}: "${text}" is not a number of seconds. Pass 0 or more, such as 120`, 'usage');
  return v;
}

/**
 * Parses a `--seed` option: an integer becomes a number, anything else stays a
 * string (the RNG accepts both); undefined stays undefined (the scenario's seed).
 */
export function parseSeed(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

/** Prints an error the way the CLI does and exits 1 (2 for unexpected errors). */
export function fail(err: unknown): never {
  if (err instanceof ScenarioValidationError) {
    for (const e of err.errors) console.error(`error ${e.message}`);
    process.exit(1);
  }
  if (err instanceof VpnsimError) {
    console.error(`vpnsim: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(2);
}
