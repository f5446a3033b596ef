import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMamoriError } from '../core/index.js';
import {
  affectedByEvents,
  comparerFor,
  compareVersions,
  ECOSYSTEM_SCHEMES,
  inRange,
  SCHEMES,
  schemeOf,
} from './index.js';

test('OSV ecosystem names, release-qualified forms and case', () => {
  const want: Record<string, string> = {
    Debian: 'dpkg',
    'Debian:12': 'dpkg',
    'Ubuntu:22.04:LTS': 'dpkg',
    Alpine: 'apk',
    'Alpine:v3.19': 'apk',
    'Red Hat': 'rpm',
    'Red Hat:enterprise_linux:9': 'rpm',
    'Rocky Linux:9': 'rpm',
    AlmaLinux: 'rpm',
    'SUSE:Linux Enterprise Server 15 SP5': 'rpm',
    'openSUSE:Leap 15.5': 'rpm',
    npm: 'npm',
    PyPI: 'pep440',
    Go: 'go',
    Maven: 'maven',
    RubyGems: 'gem',
    NuGet: 'nuget',
    'crates.io': 'cargo',
    Packagist: 'composer',
    pypi: 'pep440',
  };
  for (const [eco, scheme] of Object.entries(want)) {
    assert.equal(schemeOf(eco), scheme, eco);
    assert.equal(comparerFor(eco), SCHEMES[scheme as keyof typeof SCHEMES], eco);
  }
  for (const scheme of Object.values(ECOSYSTEM_SCHEMES)) assert.ok(scheme in SCHEMES);
});

test('compareVersions dispatches by ecosystem', () => {
  assert.ok(compareVersions('Debian:12', '1.0~rc1', '1.0') < 0);
  assert.ok(compareVersions('Alpine:v3.19', '1.0_rc1', '1.0') < 0);
  assert.ok(compareVersions('Red Hat:enterprise_linux:9', '1:1.0-1.el9', '2.0-1.el9') > 0);
  assert.ok(compareVersions('PyPI', '1.0.post1', '1.0') > 0);
  assert.ok(compareVersions('Maven', '1.0-SNAPSHOT', '1.0') < 0);
  assert.ok(compareVersions('Go', 'go1.21.9', '1.21.10') < 0);
  assert.equal(compareVersions('NuGet', '1.0.0-RC', '1.0.0-rc'), 0);
  const { compare, isValid } = comparerFor('RubyGems');
  assert.ok(compare('1.0.a', '1.0') < 0 && isValid('1.0.a') && !isValid('1.0.'));
});

test('an unknown ecosystem is a clear INVALID_ARGUMENT error', () => {
  for (const eco of ['Nope', '', ':12', 'Debian12']) {
    assert.throws(
      () => compareVersions(eco, '1', '2'),
      (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && e.message.includes('unknown ecosystem'),
      eco,
    );
  }
});

test('inRange: OSV interval semantics', () => {
  assert.ok(inRange('Debian', '1.0-1', { introduced: '0', fixed: '1.0-2' }));
  assert.ok(!inRange('Debian', '1.0-2', { introduced: '0', fixed: '1.0-2' }));
  assert.ok(inRange('Debian', '0~0', {}));
  assert.ok(!inRange('PyPI', '0.9', { introduced: '1.0', fixed: '2.0' }));
  assert.ok(inRange('PyPI', '1.0', { introduced: '1.0', fixed: '2.0' }));
  assert.ok(inRange('PyPI', '2.0rc1', { introduced: '1.0', fixed: '2.0' }));
  assert.ok(inRange('npm', '1.4.2', { introduced: '1.0.0', lastAffected: '1.4.2' }));
  assert.ok(!inRange('npm', '1.4.3', { introduced: '1.0.0', lastAffected: '1.4.2' }));
  assert.ok(!inRange('Go', 'v1.5.0', { introduced: '0', limit: '1.5.0' }));
  assert.ok(inRange('Go', 'v1.5.0', { introduced: '0', limit: '*' }));
  assert.ok(inRange('Go', 'go1.21.9', { introduced: '1.21.0-0', fixed: '1.21.10' }));
  assert.ok(!inRange('Go', 'go1.22.0', { introduced: '1.21.0-0', fixed: '1.21.10' }));
  // A SEMVER range compares as SemVer whatever the ecosystem says.
  assert.ok(inRange('crates.io', '1.0.0-rc.1', { introduced: '0', fixed: '1.0.0' }, { type: 'SEMVER' }));
});

test('affectedByEvents: several introduced/fixed pairs, in any order', () => {
  const events = [{ fixed: '1.2.0' }, { introduced: '0' }, { introduced: '2.0.0' }, { fixed: '2.1.3' }];
  const affected = (v: string) => affectedByEvents('npm', v, events);
  assert.deepEqual(['0.1.0', '1.1.9', '1.2.0', '1.9.9', '2.0.0', '2.1.2', '2.1.3', '3.0.0'].map(affected), [
    true,
    true,
    false,
    false,
    true,
    true,
    false,
    false,
  ]);
  const last = [{ introduced: '1.0' }, { last_affected: '1.5' }];
  assert.deepEqual(
    ['0.9', '1.0', '1.5', '1.5.1'].map((v) => affectedByEvents('PyPI', v, last)),
    [false, true, true, false],
  );
  const limited = [{ introduced: '0' }, { limit: '2.0' }];
  assert.deepEqual(
    ['1.0', '2.0'].map((v) => affectedByEvents('PyPI', v, limited)),
    [true, false],
  );
  assert.ok(!affectedByEvents('PyPI', '1.0', []));
});
