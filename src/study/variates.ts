/**
 * Variates and seeds of a study. Replication r of every point runs with the
 * same seed (common random numbers), derived from the study seed and r only;
 * a variate parameter is drawn once per (point, replication) from the stream
 * `study/<parameter name>` of that seed, so the simulation's own streams never
 * see the draw and two points with the same variate get the same value.
 */
import { Rng } from '../sim/kernel/rng.js';
import { VARIATE_KINDS, type Variate } from './format.js';

/** Largest derived seed (2^31 - 1), so a seed prints and parses as a plain integer. */
const SEED_RANGE = 2147483647;

/** The seed of replication `r` (0-based) of a study with seed `studySeed`: an integer in [1, 2^31 - 1]. */
export function replicationSeed(studySeed: number | string, r: number): number {
  return new Rng(studySeed).stream(`study/replication/${r}`).int(1, SEED_RANGE - 1);
}

/** True when `v` is an object with exactly one key naming a variate kind. */
export function isVariate(v: unknown): v is Variate {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (VARIATE_KINDS as readonly string[]).includes(keys[0]!);
}

/** Draws one value of `v` from the stream `study/<parameter>` of `seed`. */
export function drawVariate(v: Variate, parameter: string, seed: number): unknown {
  const s = new Rng(seed).stream(`study/${parameter}`);
  if ('uniform' in v) return s.uniform(v.uniform[0], v.uniform[1]);
  if ('exponential' in v) return s.exponential(v.exponential);
  if ('normal' in v) return s.normal(v.normal[0], v.normal[1]);
  return v.choice[s.int(0, v.choice.length - 1)];
}

/** The values a variate can take that validation tries: its bounds, its mean, or each choice. */
export function representativeValues(v: Variate): unknown[] {
  if ('uniform' in v) return [v.uniform[0], v.uniform[1]];
  if ('exponential' in v) return [v.exponential];
  if ('normal' in v) return [v.normal[0]];
  return v.choice;
}
