import assert from 'node:assert/strict';
import { test } from 'node:test';
import { npm, satisfiesNpmRange } from './npm.js';

test('npm: the semver package order, loose versions readable, junk first', () => {
  assert.ok(npm.compare('1.0.0-rc.1', '1.0.0') < 0);
  assert.equal(npm.compare('1.0.0+a', '1.0.0+b'), 0);
  assert.equal(npm.compare('v1.2.3', '1.2.3'), 0);
  assert.equal(npm.compare('=1.2.3', '1.2.3'), 0);
  assert.ok(npm.isValid('1.2.3') && npm.isValid('v1.2.3') && !npm.isValid('1.2') && !npm.isValid('01.2.3'));
  assert.ok(npm.compare('not a version', '0.0.0') < 0);
  assert.ok(npm.compare('a', 'b') < 0);
  assert.equal(npm.compare('x'.repeat(300), 'x'.repeat(300)), 0);
});

test('satisfiesNpmRange: npm range semantics, never throwing', () => {
  const yes: [string, string][] = [
    ['1.2.3', '^1.0.0'],
    ['1.2.3', '>=1.0.0 <1.4.2 || 2.x'],
    ['2.5.0', '>=1.0.0 <1.4.2 || 2.x'],
    ['1.2.3-beta.2', '>=1.2.3-beta.1 <1.2.3'],
    ['0.2.5', '~0.2.0'],
    ['1.0.0', '*'],
  ];
  const no: [string, string][] = [
    ['1.4.2', '>=1.0.0 <1.4.2'],
    ['0.3.0', '^0.2.0'],
    ['1.3.0-beta', '^1.0.0'],
    ['not a version', '*'],
    ['1.0.0', 'not a range'],
    ['1.0.0', '>=1.0.0 <'.repeat(2000)],
  ];
  for (const [v, r] of yes) assert.ok(satisfiesNpmRange(v, r), `${v} in ${r}`);
  for (const [v, r] of no) assert.ok(!satisfiesNpmRange(v, r), `${v} not in ${r.slice(0, 40)}`);
  assert.ok(satisfiesNpmRange('1.3.0-beta', '^1.0.0', { includePrerelease: true }));
});
