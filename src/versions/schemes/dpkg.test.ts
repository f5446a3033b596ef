import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  assertSameSigns,
  assertTotalPreorder,
  dpkgCompare,
  neighbourPairs,
  sample,
  tokens,
} from '../testing.js';
import { dpkg } from './dpkg.js';

const TRICKY: [string, string, number][] = [
  ['1.0~rc1', '1.0', -1],
  ['1.0~~', '1.0~', -1],
  ['1.0~', '1.0', -1],
  ['1.0', '1.0a', -1],
  ['1.0a', '1.0+', -1],
  ['1.0+', '1.0.', -1],
  ['1.0-a-1', '1.0.a-1', -1],
  ['1:0.1', '2.0', 1],
  ['0:1.0', '1.0', 0],
  ['1.0-1', '1.0-1~bpo1', 1],
  ['1.01', '1.1', 0],
  ['1.0-0', '1.0', 0],
  ['2.30-1ubuntu1', '2.30-1', 1],
  ['1.2.3-1+deb12u1', '1.2.3-1', 1],
  ['1.2.3-1+deb12u1', '1.2.3-1+deb12u10', -1],
  ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1],
  ['1:2.0-1', '1:2.0-1', 0],
  ['', '0', -1],
  ['', '~', -1],
  ['<unknown>', '', 0],
];

test('dpkg: hand-picked pairs, in both directions', () => {
  for (const [a, b, want] of TRICKY) {
    assert.equal(Math.sign(dpkg.compare(a, b)), want, `${a} vs ${b}`);
    assert.equal(Math.sign(dpkg.compare(b, a)), -want || 0, `${b} vs ${a}`);
  }
});

test('dpkg: validity follows deb-version(7)', () => {
  for (const v of ['1.0', '1:2.3-4', '0.9~rc1+dfsg-2ubuntu0.1', '2.0-a.b+c~d']) assert.ok(dpkg.isValid(v), v);
  for (const v of ['', ' ', '1 0', 'a:1.0', '1:', '-1:1.0', '1.0-', 'abc', '1.0_1', '99999999999:1', '1\0']) {
    assert.ok(!dpkg.isValid(v), JSON.stringify(v));
  }
});

const upstream = fc.tuple(
  fc.constantFrom('0', '1', '2', '9', '10', '01', '00', '1.0', '2.30'),
  tokens(
    [
      '0',
      '1',
      '2',
      '9',
      '10',
      '01',
      'a',
      'b',
      'z',
      'A',
      'Z',
      '~',
      '~~',
      '+',
      '.',
      '-',
      ':',
      'rc',
      'dfsg',
      'é',
    ],
    5,
  ),
);
const version = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', '', '0:', '1:', '2:', '10:', '01:'),
        upstream.map(([h, t]) => h + t),
        fc.constantFrom('', '', '-1', '-0', '-1ubuntu1', '-2~bpo1', '-1+deb12u1', '-a', '-~', '-1.2', '-'),
      )
      .map(([e, u, r]) => e + u + r),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' 1.0',
      '1.0 ',
      '1 0',
      'a:1',
      '1:',
      '-1:1',
      ' 1:1',
      '+1:1',
      'x',
      '~1',
      ':',
      '1::2',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789ab.-+~:é '.split('')), maxLength: 8 }),
  },
);

test('dpkg: the same sign as dpkg --compare-versions on generated versions', async () => {
  const { values, label } = sample(version, 250);
  const pairs = neighbourPairs(values, 4);
  const native = await dpkgCompare(pairs);
  // Where dpkg refuses a version, mamori must call it invalid; otherwise the signs agree.
  pairs.forEach(([a, b], i) => {
    if (native[i] === 'error') assert.ok(!dpkg.isValid(a) || !dpkg.isValid(b), `${a} / ${b} (${label})`);
  });
  const checked = assertSameSigns(pairs, dpkg.compare, native, label, (n) => n === 'error');
  assert.ok(checked > pairs.length / 2, `${checked} comparable pairs (${label})`);
});

test('dpkg: a total preorder, invalid versions included', () => {
  const { values } = sample(version, 150);
  assertTotalPreorder(dpkg.compare, [...values, ...TRICKY.flat().filter((x) => typeof x === 'string')]);
});
