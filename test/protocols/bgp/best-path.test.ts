import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BEST_PATH_RULES, comparePaths, selectBestPath, type PathCandidate } from '../../../src/protocols/bgp/best-path.js';

// A baseline path learned over eBGP from 10.0.0.2 (AS 65010); each case changes one field of one side.
const base: PathCandidate = {
  asPath: [65010, 65020],
  origin: 'igp',
  local: false,
  ibgp: false,
  peerRouterId: '10.0.0.2',
  peerAddress: '10.0.0.2',
};
const p = (over: Partial<PathCandidate>): PathCandidate => ({ ...base, ...over });

test('the table is in RFC 4271 §9.1.2 order', () => {
  assert.equal(BEST_PATH_RULES.map((r) => r.rule), ['localPref', 'localOrigin', 'asPathLength', 'origin', 'med', 'ebgpOverIbgp', 'routerId', 'peerAddress']);
});

// Each row: the better path, the worse path, the rule expected to decide.
const rows: [string, PathCandidate, PathCandidate, string][] = [
  ['highest local pref (missing = 100)', p({ localPref: 200, asPath: [1, 2, 3, 4] }), p({}), 'localPref'],
  ['local pref 100 equals missing; a locally originated route wins next', p({ local: true, asPath: [] , localPref: 100 }), p({ asPath: [] }), 'localOrigin'],
  ['shortest AS_PATH', p({ asPath: [65010] }), p({ origin: 'igp' }), 'asPathLength'],
  ['lowest origin: IGP < EGP', p({ origin: 'igp' }), p({ origin: 'egp' }), 'origin'],
  ['lowest origin: EGP < INCOMPLETE', p({ origin: 'egp' }), p({ origin: 'incomplete' }), 'origin'],
  ['lowest MED from the same neighbor AS', p({ med: 10, peerRouterId: '10.0.0.9' }), p({ med: 20 }), 'med'],
  ['missing MED counts as 0', p({ peerRouterId: '10.0.0.9' }), p({ med: 5 }), 'med'],
  ['eBGP over iBGP', p({ peerRouterId: '10.0.0.9' }), p({ ibgp: true }), 'ebgpOverIbgp'],
  ['lowest router id', p({ peerRouterId: '10.0.0.1', peerAddress: '10.0.0.9' }), p({}), 'routerId'],
  ['lowest peer address', p({ peerAddress: '10.0.0.1' }), p({}), 'peerAddress'],
];

for (const [name, better, worse, rule] of rows) {
  test(`deciding rule ${rule}: ${name}`, () => {
    assert.equal(comparePaths(better, worse), { better: 'a', rule });
    assert.equal(comparePaths(worse, better), { better: 'b', rule });
    assert.equal(selectBestPath([worse, better]), { best: better, rule });
  });
}

test('MED is skipped between different neighbor ASes; the next rule decides', () => {
  const a = p({ asPath: [65010, 1], med: 50, peerRouterId: '10.0.0.1', peerAddress: '10.0.0.1' });
  const b = p({ asPath: [65011, 1], med: 0, peerRouterId: '10.0.0.2' });
  assert.equal(comparePaths(a, b), { better: 'a', rule: 'routerId' });
});

test('selectBestPath: empty, single, and the rule against the runner-up among three', () => {
  assert.is(selectBestPath([]), undefined);
  assert.equal(selectBestPath([base]), { best: base, rule: 'onlyPath' });
  const long = p({ asPath: [1, 2, 3], peerRouterId: '10.0.0.1' });
  const egp = p({ origin: 'egp', peerRouterId: '10.0.0.3' });
  const best = p({ peerRouterId: '10.0.0.4' });
  // best beats egp on origin; egp beats long on AS_PATH length: the deciding rule is origin.
  assert.equal(selectBestPath([long, egp, best]), { best, rule: 'origin' });
  assert.equal(selectBestPath([base, { ...base }])?.rule, 'equal');
});

test.run();
