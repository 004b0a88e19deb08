/** Shared helpers of the validation tests: a valid base scenario and mutation. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../../../src/errors.js';
import { validateScenario } from '../../../src/sim/net/validate.js';

const FULL = fileURLToPath(new URL('../../fixtures/scenarios/full.json', import.meta.url));

/** A fresh copy of test/fixtures/scenarios/full.json (valid, no warnings). */
export function base(): any {
  fullText ??= readFileSync(FULL, 'utf8');
  return JSON.parse(fullText);
}
let fullText: string | undefined;

/** A minimal valid scenario: one VNet with a route-based gateway. */
export function small(): any {
  return {
    name: 'small',
    vnets: [{ name: 'V1', location: 'eastus', addressPrefixes: ['10.1.0.0/16'], subnets: [{ name: 'Front', addressPrefix: '10.1.0.0/24' }, { name: 'GatewaySubnet', addressPrefix: '10.1.255.0/27' }] }],
    gateways: [{ name: 'G1', vnet: 'V1', vpnType: 'RouteBased', sku: 'VpnGw1' }],
  };
}

/** Rule ids of every error of `value`, after checking each is a ValidationError. */
export function rules(value: unknown): string[] {
  const { errors } = validateScenario(value);
  for (const e of errors) if (!(e instanceof ValidationError)) throw new Error(`not a ValidationError: ${String(e)}`);
  return errors.map((e) => e.rule);
}

/** Rule ids of every warning of `value`. */
export function warningRules(value: unknown): string[] {
  return validateScenario(value).warnings.map((w) => w.rule);
}

/** Applies `edit` to a fresh base scenario and returns the error rule ids. */
export function rulesAfter(edit: (s: any) => void, make: () => any = base): string[] {
  const s = make();
  edit(s);
  return rules(s);
}

/** Paths of every error of `value`. */
export function paths(value: unknown): string[] {
  return validateScenario(value).errors.map((e) => e.path);
}
