import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../../src/errors.js';
import { ANY_TO_ANY, AZURE_IKE_PROPOSALS, giveUpAfter, ikeConfig, ikeDefaults, retransmitSchedule } from '../../../src/protocols/ike/config.js';

test('defaults per VPN type and era follow SKUS.md', () => {
  assert.equal(ikeDefaults('PolicyBased', 'legacy'), { version: 'IKEv1', ikeLifetime: 28_800, childLifetime: 3_600, dpd: null, policyBased: true });
  assert.equal(ikeDefaults('RouteBased', 'legacy'), { version: 'IKEv2', ikeLifetime: 10_800, childLifetime: 3_600, dpd: { timeout: 45, interval: 15 }, policyBased: false });
  assert.equal(ikeDefaults('RouteBased', 'current'), { version: 'IKEv2', ikeLifetime: 28_800, childLifetime: 27_000, dpd: { timeout: 45, interval: 15 }, policyBased: false });
});

test('ikeConfig fills defaults: route-based current, Azure proposals, any-to-any, strongSwan retransmits', () => {
  const c = ikeConfig({ id: 'x', sharedKey: 'abc123' });
  assert.is(c.version, 'IKEv2');
  assert.equal(c.ikeProposals, AZURE_IKE_PROPOSALS);
  assert.equal(c.trafficSelectors, ANY_TO_ANY);
  assert.equal(c.retransmit, { timeout: 4, base: 1.8, tries: 5 });
  assert.is(c.idleTimeout, 300);
  assert.is(c.processingDelay, 0);
  const p = ikeConfig({ id: 'x', sharedKey: 'abc123', vpnType: 'PolicyBased', trafficSelectors: { local: ['10.2.0.0/16', '10.1.0.0/16'], remote: ['192.168.0.0/24'] } });
  assert.is(p.dpd, null);
  assert.is(p.policyBased, true);
  assert.equal(p.trafficSelectors.local, ['10.1.0.0/16', '10.2.0.0/16']);
});

test('the retransmission schedule and its give-up time', () => {
  assert.equal(retransmitSchedule({ timeout: 1, base: 2, tries: 3 }), [1, 2, 4, 8]);
  assert.is(giveUpAfter({ timeout: 1, base: 2, tries: 3 }), 15);
  assert.is(giveUpAfter({ timeout: 4, base: 1.8, tries: 5 }), 165.06112);
});

test('ikeConfig rejects bad keys (R4), DPD on policy-based ends and out-of-range timers', () => {
  const bad = (f: () => unknown, rule: string) => {
    try { f(); assert.unreachable('should throw'); } catch (e) {
      assert.instance(e, UsageError);
      assert.is((e as UsageError).rule, rule);
    }
  };
  bad(() => ikeConfig({ id: 'x', sharedKey: 'ab c' }), 'R4');
  bad(() => ikeConfig({ id: 'x', sharedKey: '' }), 'R4');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'a'.repeat(129) }), 'R4');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'abc', vpnType: 'PolicyBased', dpd: { timeout: 45 } }), 'usage');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'abc', dpd: { timeout: 5 } }), 'range');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'abc', dpd: { timeout: 45, interval: 45 } }), 'range');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'abc', childLifetime: 0 }), 'range');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'abc', retransmit: { tries: 1.5 } }), 'range');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'abc', ikeProposals: [] }), 'range');
  bad(() => ikeConfig({ id: 'x', sharedKey: 'abc', processingDelay: -1 }), 'range');
  assert.is(ikeConfig({ id: 'x', sharedKey: 'a'.repeat(128) }).sharedKey.length, 128);
});

test.run();
