import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertSameSigns, mavenCompare, neighbourPairs, sample, tokens } from '../testing.js';
import { maven } from './maven.js';

/** Maven's own documented order (ComparableVersion's javadoc and tests). */
const ORDERED = [
  '1-alpha',
  '1-alpha2',
  '1-beta',
  '1-milestone',
  '1-rc',
  '1-snapshot',
  '1',
  '1-sp',
  '1-abc',
  '1-1',
  '1.0.1',
  '1.1',
  '1.1.1-alpha',
];

test('maven: qualifier ladder and equalities', () => {
  for (let i = 0; i < ORDERED.length; i++) {
    for (let j = 0; j < ORDERED.length; j++) {
      assert.equal(
        Math.sign(maven.compare(ORDERED[i]!, ORDERED[j]!)),
        Math.sign(i - j),
        `${ORDERED[i]} vs ${ORDERED[j]}`,
      );
    }
  }
  const same: [string, string][] = [
    ['1', '1.0.0'],
    ['1-ga', '1'],
    ['1.final', '1'],
    ['1.RELEASE', '1'],
    ['1-cr1', '1-rc1'],
    ['1a1', '1-alpha-1'],
    ['1.0.0-SNAPSHOT', '1-snapshot'],
    ['1-0', '1'],
  ];
  for (const [a, b] of same) assert.equal(maven.compare(a, b), 0, `${a} == ${b}`);
  assert.ok(maven.isValid('') && maven.isValid('anything at all'));
});

const version = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        fc.constantFrom('0', '1', '2', '10', '00', '1.0', '2.3.4'),
        tokens(
          [
            '.0',
            '.1',
            '-1',
            '.10',
            '-',
            '.',
            '1',
            '0',
            'alpha',
            'a',
            'beta',
            'b',
            'm',
            'milestone',
            'rc',
            'cr',
            'snapshot',
            'SNAPSHOT',
            'ga',
            'final',
            'release',
            'sp',
            'foo',
            'RC',
            'x',
            '1234567890',
            '12345678901234567890',
            '0000000000',
            '\u0663',
          ],
          6,
        ),
      )
      .map(([h, t]) => h + t),
  },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'01.-abmrs'.split('')), maxLength: 8 }) },
);

test('maven: the same sign as ComparableVersion', async () => {
  const { values, label } = sample(version, 500);
  const pairs = neighbourPairs([...values, ...ORDERED], 6);
  assertSameSigns(pairs, maven.compare, await mavenCompare(pairs), label);
});

test('maven: ComparableVersion itself is not transitive on odd input, and neither is this', async () => {
  const pairs: [string, string][] = [
    ['0a', '0--rc'],
    ['0--rc', '0'],
    ['0a', '0'],
  ];
  assert.deepEqual(await mavenCompare(pairs), [-1, -1, 1]);
  assert.deepEqual(
    pairs.map(([a, b]) => Math.sign(maven.compare(a, b))),
    [-1, -1, 1],
  );
});

test('maven: antisymmetric on generated versions', () => {
  const { values, label } = sample(version, 150);
  for (const a of values) {
    for (const b of values)
      assert.equal(
        Math.sign(maven.compare(a, b)),
        -Math.sign(maven.compare(b, a)) || 0,
        `${a} / ${b} (${label})`,
      );
  }
});
