import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertSameSigns, assertTotalPreorder, neighbourPairs, pep440Compare, sample } from '../testing.js';
import { pep440 } from './pep440.js';

const ORDERED = [
  '1.0.dev0',
  '1.0a1.dev1',
  '1.0a1',
  '1.0a2.post1.dev1',
  '1.0a2.post1',
  '1.0b1',
  '1.0rc1',
  '1.0',
  '1.0+abc',
  '1.0+abc.5',
  '1.0+1',
  '1.0+5',
  '1.0.post1.dev0',
  '1.0.post1',
  '1.1',
  '1!0.1',
];

test('pep440: a hand-ordered ladder', () => {
  for (let i = 0; i < ORDERED.length; i++) {
    for (let j = 0; j < ORDERED.length; j++) {
      assert.equal(
        Math.sign(pep440.compare(ORDERED[i]!, ORDERED[j]!)),
        Math.sign(i - j),
        `${ORDERED[i]} vs ${ORDERED[j]}`,
      );
    }
  }
});

test('pep440: normalisation', () => {
  const same: [string, string][] = [
    ['1.0-1', '1.0.post1'],
    ['1.0a', '1.0a0'],
    ['1.0.post', '1.0.post0'],
    ['v1.0', '1.0'],
    ['1.0.0', '1'],
    ['1.0ALPHA1', '1.0a1'],
    ['1.0-preview.2', '1.0rc2'],
    ['1.0c1', '1.0rc1'],
    ['1.0_r3', '1.0.post3'],
    ['  1.0\n', '1.0'],
    ['1.0+ABC', '1.0+abc'],
    ['1.0+1-2_3', '1.0+1.2.3'],
    ['0!1.0', '1.0'],
    ['1.0.dev', '1.0dev0'],
  ];
  for (const [a, b] of same) assert.equal(pep440.compare(a, b), 0, `${a} == ${b}`);
  for (const v of ['1.0.x', '1..0', 'a1', '1.0+', '1.0+a..b', '', '1.0 1', '1.0-', '0x1']) {
    assert.ok(!pep440.isValid(v), JSON.stringify(v));
  }
  // Numbers are unbounded, and a local part like 0x1 is text (packaging).
  assert.ok(pep440.compare('1.18446744073709551617', '1.18446744073709551616') > 0);
  assert.ok(pep440.compare('1.0+0x1', '1.0+1') < 0);
  assert.ok(pep440.compare('1.0+1e5', '1.0+100000') < 0);
});

const num = fc.constantFrom('0', '1', '2', '10', '00', '01', '9', '18446744073709551616');
const sep = fc.constantFrom('', '.', '-', '_');
const version = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .record({
        ws: fc.constantFrom('', '', ' ', '\t', '\n'),
        v: fc.constantFrom('', '', '', 'v', 'V'),
        epoch: fc.constantFrom('', '', '', '1!', '0!', '2!'),
        release: fc.array(num, { minLength: 1, maxLength: 4 }).map((r) => r.join('.')),
        pre: fc.option(
          fc.tuple(
            sep,
            fc.constantFrom('a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview', 'A', 'RC'),
            sep,
            fc.option(num),
          ),
        ),
        post: fc.option(
          fc.oneof(
            num.map((n) => `-${n}`),
            fc
              .tuple(sep, fc.constantFrom('post', 'rev', 'r', 'POST'), sep, fc.option(num))
              .map(([a, b, c, d]) => a + b + (d === null ? '' : c + d)),
          ),
        ),
        dev: fc.option(fc.tuple(sep, fc.constantFrom('dev', 'DEV'), sep, fc.option(num))),
        local: fc.option(
          fc.constantFrom('+abc', '+1', '+1.abc', '+0x1', '+ABC.2', '+1e5', '+01', '+a-b_c', '+', '+a..b'),
        ),
      })
      .map(
        (p) =>
          p.ws +
          p.v +
          p.epoch +
          p.release +
          (p.pre ? p.pre[0] + p.pre[1] + (p.pre[3] === null ? '' : p.pre[2] + p.pre[3]) : '') +
          (p.post ?? '') +
          (p.dev ? p.dev[0] + p.dev[1] + (p.dev[3] === null ? '' : p.dev[2] + p.dev[3]) : '') +
          (p.local ?? '') +
          p.ws,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789.abcdeprstv!+-_ '.split('')), maxLength: 10 }),
  },
);

test('pep440: the same sign and validity as packaging.version.Version', async () => {
  const { values, label } = sample(version, 500);
  // Python's IGNORECASE and \s reach a few non-ASCII characters.
  const unicode = [
    '1.0poſt1',
    '1.0post1',
    '1.0+K',
    '1.0+k',
    '1.0prevıew1',
    '1.0+İ',
    '1.0+ı',
    '1.0\u3000',
    '\u00851.0',
    '1.0\ufeff',
  ];
  const pairs = [...neighbourPairs(values, 6), ...neighbourPairs(unicode, 10)];
  const native = await pep440Compare(pairs);
  pairs.forEach(([a, b], i) => {
    const valid = pep440.isValid(a) && pep440.isValid(b);
    assert.equal(valid, native[i] !== null, `validity of ${JSON.stringify([a, b])} (${label})`);
  });
  const checked = assertSameSigns(pairs, pep440.compare, native, label, (n) => n === null);
  assert.ok(checked > pairs.length / 2, `${checked} valid pairs (${label})`);
});

test('pep440: a total preorder, invalid versions included', () => {
  const { values } = sample(version, 150);
  assertTotalPreorder(pep440.compare, [...values, ...ORDERED]);
});
