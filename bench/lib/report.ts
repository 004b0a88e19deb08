/**
 * Shared helpers of the benchmark scripts under bench/: argument parsing and
 * the environment line every benchmark prints (seed, Node version, events),
 * so that two runs can be compared.
 */

/** Parsed command line of a benchmark script. */
export interface BenchArgs {
  /** `--json`: print exactly one JSON object. */
  readonly json: boolean;
  /** `--line`: print one `NAME events_per_s=N wall_s=N ...` line (the peers' run.sh format). */
  readonly line: boolean;
  /** `--name=value` options, as strings. */
  readonly options: ReadonlyMap<string, string>;
  /** Positional arguments, in order. */
  readonly positional: readonly string[];
}

/** Splits `process.argv.slice(2)` into flags, `--key=value` options and positionals. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const options = new Map<string, string>();
  const positional: string[] = [];
  let json = false;
  let line = false;
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--line') line = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq < 0) options.set(a.slice(2), 'true');
      else options.set(a.slice(2, eq), a.slice(eq + 1));
    } else positional.push(a);
  }
  return { json, line, options, positional };
}

/**
 * Reads a positive integer from an option, a positional or a default.
 * @throws RangeError when the value is not a positive integer.
 */
export function positiveInt(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${what}: ${JSON.stringify(value)} is not a positive integer. Pass for example 1000`);
  return n;
}

/** The Node version running the benchmark (`v20.20.2`). */
export function nodeVersion(): string {
  return process.version;
}

/** Formats events per second as `3.31 M`. */
export function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M` : `${(perSecond / 1e3).toFixed(1)} k`;
}
