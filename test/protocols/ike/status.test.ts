import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IKE_FAILURE_REASONS, IKE_STATUSES, ikeStatusOf, isFailureReason } from '../../../src/protocols/ike/status.js';

test('failure reasons map to the Batfish status vocabulary', () => {
  assert.equal(IKE_FAILURE_REASONS.map((r) => `${r}:${ikeStatusOf(r)}`), [
    'authenticationFailed:ikePhase1KeyMismatch',
    'noProposalChosen:ikePhase1Failed',
    'versionMismatch:notCompatible',
    'peerUnreachable:missingEndpoint',
    'ipsecPhase2Failed:ipsecPhase2Failed',
    'trafficSelectorMismatch:ipsecPhase2Failed',
  ]);
  for (const r of IKE_FAILURE_REASONS) assert.ok(IKE_STATUSES.includes(ikeStatusOf(r)));
});

test('teardown reasons are not failures', () => {
  for (const r of ['idleTimeout', 'dpdTimeout', 'rekey', 'peerDown', 'admin']) assert.not.ok(isFailureReason(r), r);
  assert.ok(isFailureReason('authenticationFailed'));
});

test.run();
