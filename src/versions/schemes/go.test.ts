import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  assertSameSigns,
  assertTotalPreorder,
  goSemverCompare,
  neighbourPairs,
  sample,
  tokens,
} from '../testing.js';
import { canonicalGoVersion, compareGoSemver, go, goTagToSemver } from './go.js';

test('go: module versions, OSV forms and pseudo-versions', () => {
  const ordered = [
    'v0.0.0-20190101000000-aaaaaaaaaaaa',
    '0.0.0-20200101000000-abcdef123456',
    'v0.0.1',
    'v1.0.0-rc.1',
    'v1.0.0',
    'v1.0.1-0.20200101000000-abcdef123456',
    '1.0.1',
    'v1.2',
    'v1.10.0',
    'v2.0.0+incompatible',
    'v2.0.1+incompatible',
  ];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      assert.equal(
        Math.sign(go.compare(ordered[i]!, ordered[j]!)),
        Math.sign(i - j),
        `${ordered[i]} vs ${ordered[j]}`,
      );
    }
  }
  assert.equal(go.compare('v2.0.0+incompatible', 'v2.0.0'), 0);
  assert.equal(go.compare('v1', 'v1.0.0'), 0);
  for (const v of ['v1.0.0', '1.0.0', 'v1', 'v1.2', 'v1.0.0-alpha.1+meta', 'go1.21.9'])
    assert.ok(go.isValid(v), v);
  for (const v of ['', 'v', 'v01.0.0', 'v1.0.0-01', 'v1.0.0-', 'v1.0.0+', 'v1.2-pre', 'latest', 'go1.0']) {
    assert.ok(!go.isValid(v), v);
  }
  // Invalid versions sort first and, as in Go, equal each other.
  assert.ok(go.compare('latest', 'v0.0.0') < 0);
  assert.equal(go.compare('latest', 'master'), 0);
});

test('go: toolchain versions map to semver as govulncheck does', () => {
  const cases: [string, string][] = [
    ['go1.21.9', 'v1.21.9'],
    ['go1.21', 'v1.21.0'],
    ['go1.21rc1', 'v1.21.0-rc.1'],
    ['go1.20beta2', 'v1.20.0-beta.2'],
    ['go1.9.2rc2', 'v1.9.2-rc.2'],
    ['go1', 'v1.0.0'],
    ['go1.0', ''],
    ['go1.22.1 X:boringcrypto', 'v1.22.1'],
    ['go1.21.0-bigcorp', ''],
    ['devel go1.22', ''],
  ];
  for (const [tag, want] of cases) assert.equal(goTagToSemver(tag), want, tag);
  assert.equal(canonicalGoVersion('go1.21.9'), 'v1.21.9');
  assert.equal(canonicalGoVersion('1.21.9'), 'v1.21.9');
  // The stdlib package: installed toolchain against OSV's stdlib versions.
  assert.ok(go.compare('go1.21.9', '1.21.10') < 0);
  assert.ok(go.compare('go1.21rc1', '1.21.0') < 0);
  assert.equal(go.compare('go1.21', '1.21.0'), 0);
  assert.ok(go.compare('go1.22.0', '1.21.13') > 0);
});

const ident = fc.constantFrom(
  '0',
  '1',
  '2',
  '10',
  '01',
  'alpha',
  'beta',
  'rc',
  'A',
  'a-b',
  '-',
  '20200101000000',
  'abcdef123456',
  'x.y',
  '',
);
const version = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        fc.constantFrom('v', 'v', 'v', '', 'V'),
        fc.constantFrom('0', '1', '2', '10', '01', '99999999999999999999'),
        fc.constantFrom('', '.0', '.1', '.10', '.0.0', '.1.2', '.2.0', '.0.1', '.00', '.1.'),
        fc.option(fc.array(ident, { minLength: 1, maxLength: 3 }).map((a) => `-${a.join('.')}`)),
        fc.constantFrom('', '', '+incompatible', '+meta.1', '+', '+a..b'),
      )
      .map(([v, a, b, pre, build]) => v + a + b + (pre ?? '') + build),
  },
  { weight: 1, arbitrary: tokens(['v', '1', '0', '.', '-', '+', 'a'], 8) },
);

test('go: the same sign as golang.org/x/mod/semver.Compare', async () => {
  const { values, label } = sample(version, 500);
  const pairs = neighbourPairs(values, 6);
  assertSameSigns(pairs, compareGoSemver, await goSemverCompare(pairs), label);
});

test('go: a total preorder, toolchain and OSV forms included', () => {
  const { values } = sample(
    fc.oneof(version, fc.constantFrom('go1.21', 'go1.21rc1', 'go1.21.9', '1.21.9', 'go1.0')),
    150,
  );
  assertTotalPreorder(go.compare, values);
});
