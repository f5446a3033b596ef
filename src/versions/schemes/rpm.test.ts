import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  assertSameSigns,
  assertTotalPreorder,
  neighbourPairs,
  rpmCompare,
  sample,
  tokens,
} from '../testing.js';
import { parseEvr, rpm, rpmvercmp } from './rpm.js';

const TRICKY: [string, string, number][] = [
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0^git1', '1.0', 1],
  ['1.0^git1', '1.0.1', -1],
  ['1.0^', '1.0', 1],
  ['1.0~', '1.0^', -1],
  ['1.0a', '1.0', 1],
  ['1.0', '1.0.a', -1],
  ['1.a', '1.1', -1],
  ['1.01', '1.1', 0],
  ['1.0', '1_0', 0],
  ['2.0', '10', -1],
  ['1:1.0-1', '2.0-1', 1],
  ['0:1.0-1', '1.0-1', 0],
  ['1.0', '1.0-1', -1],
  ['1.0-1.el9', '1.0-1.el9_2', -1],
  ['3.0.7-27.el9', '3.0.7-24.el9', 1],
];

test('rpm: hand-picked EVR pairs, in both directions', () => {
  for (const [a, b, want] of TRICKY) {
    assert.equal(Math.sign(rpm.compare(a, b)), want, `${a} vs ${b}`);
    assert.equal(Math.sign(rpm.compare(b, a)), -want || 0, `${b} vs ${a}`);
  }
});

test('rpm: parseEVR splits epoch, version and release as rpm does', () => {
  assert.deepEqual(parseEvr('2:1.0-3.el9'), { epoch: '2', version: '1.0', release: '3.el9' });
  assert.deepEqual(parseEvr(':1.0'), { epoch: '0', version: '1.0', release: undefined });
  assert.deepEqual(parseEvr('a:1.0-1-2'), { epoch: undefined, version: 'a:1.0-1', release: '2' });
  assert.deepEqual(parseEvr('12-3'), { epoch: undefined, version: '12', release: '3' });
  assert.ok(!rpm.isValid('') && rpm.isValid('x') && !rpm.isValid('1\0'));
});

// No `-` or `:` in a field: rpm.vercmp parses its arguments as EVRs, so a
// field without them reaches rpmvercmp whole.
const field = tokens(
  ['0', '1', '2', '9', '10', '01', '007', 'a', 'b', 'Z', 'rc', 'git', '~', '^', '.', '_', '+', 'é', ' '],
  6,
);
const evr = fc
  .tuple(
    fc.constantFrom('', '', '', '0:', '1:', '2:', ':', '01:', 'a:'),
    fc.constantFrom('1', '1.0', '2.4.1', '0'),
    field,
    fc.constantFrom('', '-1', '-1.el9', '-2.el9_3', '-0', '-1~rc', '-1^x', '-'),
  )
  .map(([e, v, f, r]) => e + v + f + r);

test('rpm: the same sign as rpm.vercmp on generated fields', async () => {
  const { values, label } = sample(field, 400);
  const pairs = neighbourPairs(values, 6);
  assertSameSigns(pairs, rpmvercmp, await rpmCompare(pairs, 'vercmp'), label);
});

test('rpm: the same sign as rpm.ver comparison on generated EVRs', async () => {
  const { values, label } = sample(evr, 400);
  const pairs = neighbourPairs(values, 6);
  assertSameSigns(pairs, rpm.compare, await rpmCompare(pairs, 'evr'), label);
});

test('rpm: a total preorder', () => {
  const { values } = sample(fc.oneof(evr, fc.constantFrom('', '\0')), 150);
  assertTotalPreorder(rpm.compare, values);
});
