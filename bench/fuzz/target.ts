/**
 * What the fuzzer runs on each input: validateScenario, parseScenario,
 * new Simulation, attachTraffic and a bounded run. An input passes when it is
 * refused with a typed validation error (ValidationError /
 * ScenarioValidationError), or validates and then runs without an exception;
 * anything else is a crash. validateScenario and parseScenario must agree.
 */
import { ScenarioValidationError, ValidationError } from '../../src/errors.js';
import { attachTraffic, defaultUntil } from '../../src/sim/engine/replay.js';
import { Simulation } from '../../src/sim/engine/simulation.js';
import { parseScenario, validateScenario } from '../../src/sim/net/validate.js';

/** Events one input may run at most (a hang guard beside the wall-clock bound). */
export const MAX_EVENTS = 20_000;

/** Simulated seconds one input runs at most. */
export const MAX_RUN_SECONDS = 3_600;

/** How one input ended. */
export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'invalid'; readonly rules: readonly string[] }
  | { readonly kind: 'crash'; readonly stage: string; readonly error: string };

function describe(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.constructor.name}: ${err.message.slice(0, 300)}\n${(err.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).join();

/** Runs one input through the whole pipeline. Never throws. */
export function runInput(value: unknown): Outcome {
  let stage = 'validateScenario';
  try {
    const result = validateScenario(value);
    for (const e of result.errors) if (!(e instanceof ValidationError)) return { kind: 'crash', stage, error: `an error that is not a ValidationError: ${String(e)}` };
    stage = 'parseScenario';
    let scenario;
    try {
      scenario = parseScenario(value);
    } catch (err) {
      if (err instanceof ScenarioValidationError) {
        if (result.errors.length === 0) return { kind: 'crash', stage, error: `parseScenario refused what validateScenario accepted: ${err.message.slice(0, 300)}` };
        return { kind: 'invalid', rules: [...new Set(err.errors.map((e) => e.rule))] };
      }
      throw err;
    }
    if (result.errors.length > 0) return { kind: 'crash', stage, error: 'parseScenario accepted what validateScenario refused' };
    stage = 'new Simulation';
    const sim = new Simulation(scenario);
    stage = 'attachTraffic';
    const until = Math.min(defaultUntil(scenario), MAX_RUN_SECONDS);
    attachTraffic(sim, { end: until });
    stage = 'run';
    sim.sim.run({ until, maxEvents: MAX_EVENTS });
    return { kind: 'ok' };
  } catch (err) {
    return { kind: 'crash', stage, error: describe(err) };
  } finally {
    if (Object.getOwnPropertyNames(Object.prototype).join() !== PROTO_KEYS) {
      // eslint-disable-next-line no-unsafe-finally
      return { kind: 'crash', stage, error: 'Object.prototype was polluted' };
    }
  }
}
