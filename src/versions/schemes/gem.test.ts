import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  assertSameSigns,
  assertTotalPreorder,
  gemCompare,
  neighbourPairs,
  sample,
  tokens,
} from '../testing.js';
import { gem } from './gem.js';

const TRICKY: [string, string, number][] = [
  ['1.0.a', '1.0', -1],
  ['1.0.a', '1.0a', 0],
  ['1.0', '1', 0],
  ['1.0.0.1', '1', 1],
  ['1.0.rc1', '1.0.beta2', 1],
  ['1.0-1', '1.0.pre.1', 0],
  ['1.0-1', '1.0', -1],
  ['1.a.0', '1.a', 0],
  ['1.A', '1.a', -1],
  ['2.0.0.rc1', '2.0.0', -1],
  ['1.10', '1.9', 1],
  ['', '0', 0],
  ['  1.2  ', '1.2', 0],
];

test('gem: hand-picked pairs, in both directions', () => {
  for (const [a, b, want] of TRICKY) {
    assert.equal(Math.sign(gem.compare(a, b)), want, `${a} vs ${b}`);
    assert.equal(Math.sign(gem.compare(b, a)), -want || 0, `${b} vs ${a}`);
  }
  for (const v of ['1.0.', 'a', '1..0', '1.0-', '1 0', '-1', '1_0']) assert.ok(!gem.isValid(v), v);
});

const version = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', '', ' ', '\n'),
        fc.constantFrom('0', '1', '2', '10', '00', '123456789012345678901234'),
        tokens(
          ['.0', '.1', '.2', '.10', '.a', '.b', '.rc', '.pre', '.0a', '.1b1', 'a', '1', '.Z', '.beta2'],
          5,
        ),
        fc.constantFrom('', '', '-1', '-a', '-rc.1', '-0', '-a-b', '-'),
      )
      .map(([w, h, t, p]) => w + h + t + p + w),
  },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'019.ab- '.split('')), maxLength: 8 }) },
);

test('gem: the same sign and validity as Gem::Version', async () => {
  const { values, label } = sample(version, 500);
  const pairs = neighbourPairs(values, 6);
  const native = await gemCompare(pairs);
  pairs.forEach(([a, b], i) => {
    assert.equal(
      gem.isValid(a) && gem.isValid(b),
      native[i] !== null,
      `validity of ${JSON.stringify([a, b])} (${label})`,
    );
  });
  const checked = assertSameSigns(pairs, gem.compare, native, label, (n) => n === null);
  assert.ok(checked > pairs.length / 3, `${checked} valid pairs (${label})`);
});

test('gem: a total preorder, invalid versions included', () => {
  const { values } = sample(version, 150);
  assertTotalPreorder(gem.compare, values);
});
