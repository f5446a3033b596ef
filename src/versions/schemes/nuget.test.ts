import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertTotalPreorder, sample, tokens } from '../testing.js';
import { nuget } from './nuget.js';

// Written from NuGet.Versioning's rules (NuGetVersion.TryParse,
// VersionComparer.Default); no .NET runs here.
const ORDERED = [
  '0.9',
  '1.0.0--1',
  '1.0.0-0',
  '1.0.0-2',
  '1.0.0-10',
  '1.0.0--',
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-alpha.beta',
  '1.0.0-beta',
  '1.0.0-beta.2',
  '1.0.0-beta.11',
  '1.0.0-rc.1',
  '1.0.0',
  '1.0.0.1-alpha',
  '1.0.0.1',
  '1.0.1',
  '1.10',
  '2147483647.0',
];

test('nuget: a hand-ordered ladder', () => {
  for (let i = 0; i < ORDERED.length; i++) {
    for (let j = 0; j < ORDERED.length; j++) {
      assert.equal(
        Math.sign(nuget.compare(ORDERED[i]!, ORDERED[j]!)),
        Math.sign(i - j),
        `${ORDERED[i]} vs ${ORDERED[j]}`,
      );
    }
  }
});

test('nuget: four parts, case-insensitive labels, metadata ignored', () => {
  const same: [string, string][] = [
    ['1', '1.0.0.0'],
    ['1.0', '1.0.0'],
    ['1.0.0-BETA', '1.0.0-beta'],
    ['1.0.0-Beta.1', '1.0.0-beta.1'],
    ['1.0.0+build.5', '1.0.0'],
    ['1.0.0-rc+meta', '1.0.0-RC'],
    ['01.002.0', '1.2'],
    ['  1.2.3  ', '1.2.3'],
  ];
  for (const [a, b] of same) assert.equal(nuget.compare(a, b), 0, `${a} == ${b}`);
  // A numeric label longer than Int32 compares as text, after every number.
  assert.ok(nuget.compare('1.0.0-99999999999', '1.0.0-2147483647') > 0);
  assert.ok(nuget.compare('1.0.0-99999999999', '1.0.0-a') < 0);
});

test('nuget: validity as NuGetVersion.TryParse', () => {
  for (const v of ['1', '1.0', '1.0.0', '1.0.0.0', '1.0.0-beta.1+sha.0abc', '1.0.0+01', '2147483647.0']) {
    assert.ok(nuget.isValid(v), v);
  }
  const invalid = [
    '',
    'a',
    '1.0.0.0.0',
    '1.0.0-',
    '1.0.0+',
    '1.0.0-01',
    '1.0.0-a..b',
    '1.0.0-a_b',
    '1.0.0+a..b',
    '-1.0',
    '1.-1',
    '2147483648.0',
    '1..0',
    'v1.0',
    '1.0.0-a+',
    '1.0.0-+',
    '+1.2',
  ];
  for (const v of invalid) assert.ok(!nuget.isValid(v), v);
});

test('nuget: a total preorder, invalid versions included', () => {
  const version = fc
    .tuple(
      fc.constantFrom('0', '1', '01', '2', '10', '1.0', '1.0.0', '1.0.0.0', '1.2.3.4', '1.0.0.0.0'),
      fc.option(tokens(['a', 'B', 'rc', '0', '1', '01', '-', '.', '-1', '99999999999'], 4)),
      fc.constantFrom('', '+meta', '+', '+a.b'),
    )
    .map(([v, l, m]) => v + (l === null ? '' : `-${l}`) + m);
  const { values } = sample(version, 200);
  assertTotalPreorder(nuget.compare, [...values, ...ORDERED]);
});
