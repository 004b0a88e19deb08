/**
 * vpnsim: a discrete-event simulator of Azure VPN gateway topologies.
 * Named exports only.
 */
export { VpnsimError, ValidationError, ScenarioValidationError, NotFoundError, UsageError, SimulationError } from './errors.js';
export type { ValidationIssue } from './errors.js';
export { Simulator, EventQueue, Timer, Rng, RandomStream, toMicros, toSeconds, MICROS_PER_SECOND } from './sim/kernel/index.js';
export type { RunOptions, RunResult, RunStopReason, EventHandle, EventHandler } from './sim/kernel/index.js';
export { SKU_CATALOGUE, SKU_NAMES, skuSpec, defaultGeneration } from './sim/net/skus.js';
export type { SkuSpec, SkuEra, Generation, VpnType, TunnelCipher } from './sim/net/skus.js';
export { defineScenario } from './sim/net/scenario.js';
export type * from './sim/net/scenario.js';
export { parsePrefix, parseAddress, formatAddress, isCanonicalAddress, isCanonicalCidr, sortCidrs, comparePrefixes, overlaps, covers, contains } from './sim/net/prefix.js';
export type { Prefix } from './sim/net/prefix.js';
