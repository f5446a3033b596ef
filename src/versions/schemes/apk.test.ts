import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertTotalPreorder, sample, tokens } from '../testing.js';
import { apk } from './apk.js';

/**
 * Vectors written for mamori from apk-tools' rules (src/version.c), not
 * copied from apk-tools' GPL test data: each row is `a op b`.
 */
const VECTORS = `
1.0 < 1.1
1.0 = 1.0
1.9 < 1.10
1.0 > 1.0_alpha
1.0_alpha < 1.0_alpha1
1.0_alpha9 < 1.0_alpha10
1.0_alpha < 1.0_beta
1.0_beta < 1.0_pre
1.0_pre < 1.0_rc
1.0_rc < 1.0
1.0 < 1.0_cvs
1.0_cvs < 1.0_svn
1.0_svn < 1.0_git
1.0_git < 1.0_hg
1.0_hg < 1.0_p
1.0_p1 < 1.0_p2
1.0_rc1 < 1.0_rc1_p1
1.0_rc1_p1 < 1.0_rc2
1.0 < 1.0a
1.0a < 1.0b
1.0b < 1.0.1
1.0z < 1.0.1
1.0-r0 > 1.0
1.0-r0 < 1.0-r1
1.0-r9 < 1.0-r10
1.0-r10 < 1.0.1-r0
1.0_alpha-r5 < 1.0-r0
1.0 < 1.0.0
1.0.0 < 1.0.0.0
8.2.0 < 8.2.001
8.2.0015 < 8.2.002
1.01 < 1.1
1.010 > 1.01
1.05 < 1.5
01 = 1
1.0~abc < 1.0~abd
1.0~abc < 1.0~abc0
1.0~abc-r1 > 1.0~abc-r0
1.0~abc > 1.0
1.0~ffff > 1.0-r0
1.0~1234-r1 < 1.0~2345-r0
2.34 > 0.1.0_alpha
1_foo = 1_bar
1_foo < 1
1_foo > 1_alpha
1.0bc > 1.0
1.0bc = 1.0bd
1.0bc < 1.0c
18446744073709551616 = 0
`;

test('apk: rule vectors, in both directions', () => {
  const flip: Record<string, string> = { '<': '>', '>': '<', '=': '=' };
  const sign: Record<string, number> = { '<': -1, '=': 0, '>': 1 };
  for (const line of VECTORS.trim().split('\n')) {
    const [a, op, b] = line.split(' ') as [string, string, string];
    assert.equal(Math.sign(apk.compare(a, b)), sign[op], line);
    assert.equal(Math.sign(apk.compare(b, a)), sign[flip[op]!], `${b} ${flip[op]} ${a}`);
  }
});

test('apk: validity as apk_version_validate', () => {
  for (const v of [
    '1.2',
    '0.1_pre2',
    '0.1_pre2~1234abcd',
    '0.1_p1_pre2',
    '0.1_alpha1_pre2',
    '1.0a',
    '1.0-r1',
    '2024a',
  ]) {
    assert.ok(apk.isValid(v), v);
  }
  const invalid = [
    '',
    '0.1bc',
    '0.1bc1',
    '0.1a1',
    '0.1a.1',
    '0.1_pre2~',
    '0.1_pre2~1234xbcd',
    '0.1_pre2~1234abcd_pre1',
    '0.1_foobar',
    '0.1-pre1.1',
    '0.1-r',
    '0.1-r2_pre1',
    '0.1-r2-r3',
    '0.1-r2.1',
    '.1',
    'a',
    '_pre1',
    '-r1',
    '0.1_',
    '0.1__alpha',
    '0.1_1_alpha',
    '1.0-R1',
    '1.0 ',
    'v1.0',
  ];
  for (const v of invalid) assert.ok(!apk.isValid(v), v);
});

const version = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('0', '1', '2', '10', '01'),
        tokens(['.0', '.1', '.2', '.10', '.01', '.001'], 3),
        fc.constantFrom('', '', 'a', 'b', 'z'),
        fc.array(
          fc.constantFrom(
            '_alpha',
            '_beta',
            '_pre',
            '_rc',
            '_cvs',
            '_svn',
            '_git',
            '_hg',
            '_p',
            '_rc1',
            '_p2',
            '_git20240101',
          ),
          {
            maxLength: 2,
          },
        ),
        fc.constantFrom('', '', '~abc', '~1234', '~f'),
        fc.constantFrom('', '-r0', '-r1', '-r10'),
      )
      .map(([a, b, c, d, e, f]) => a + b + c + d.join('') + e + f),
  },
  { weight: 1, arbitrary: tokens(['1', '0', '.', '_', 'a', 'p', 'rc', '-r', '-', '~', 'x', 'alpha'], 8) },
);

test('apk: a total preorder, invalid versions compared as apk compares them', () => {
  const { values } = sample(version, 200);
  assertTotalPreorder(apk.compare, values);
});
