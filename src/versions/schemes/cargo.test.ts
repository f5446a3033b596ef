import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import semver from 'semver';
import { assertTotalPreorder, sample } from '../testing.js';
import { cargo } from './cargo.js';

test('cargo: SemVer 2.0 precedence, strict parsing', () => {
  const ordered = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '18446744073709551615.0.0',
  ];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      assert.equal(
        Math.sign(cargo.compare(ordered[i]!, ordered[j]!)),
        Math.sign(i - j),
        `${ordered[i]} vs ${ordered[j]}`,
      );
    }
  }
  assert.equal(cargo.compare('1.0.0+build.1', '1.0.0+build.2'), 0);
  assert.ok(cargo.compare('1.0.0-99999999999999999999999', '1.0.0-99999999999999999999998') > 0);
  for (const v of [
    'v1.0.0',
    '1.0',
    '01.0.0',
    '1.0.0-01',
    '1.0.0-',
    ' 1.0.0',
    '18446744073709551616.0.0',
    '1.0.0+',
  ]) {
    assert.ok(!cargo.isValid(v), v);
  }
});

test('cargo: agrees with the semver package wherever both read a version', () => {
  const id = fc.constantFrom('0', '1', '2', '10', 'alpha', 'beta', 'rc', 'a-b', 'x1');
  const version = fc
    .tuple(
      fc.constantFrom('0', '1', '2', '10'),
      fc.constantFrom('0', '1', '12'),
      fc.constantFrom('0', '3'),
      fc.option(fc.array(id, { minLength: 1, maxLength: 3 })),
      fc.constantFrom('', '+b.1', '+exp'),
    )
    .map(([a, b, c, pre, build]) => `${a}.${b}.${c}${pre ? `-${pre.join('.')}` : ''}${build}`);
  const { values, label } = sample(version, 200);
  for (const a of values) {
    for (const b of values.slice(0, 40)) {
      assert.ok(cargo.isValid(a), a);
      assert.equal(Math.sign(cargo.compare(a, b)), semver.compare(a, b), `${a} vs ${b} (${label})`);
    }
  }
  assertTotalPreorder(cargo.compare, [...values, 'v1.0.0', '1.0', 'junk']);
});
