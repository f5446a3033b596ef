/**
 * Matching semantics on small advisory fixtures in OSV's shape (as the
 * vulnerability DB returns them). The provider here is plain data: the
 * matcher is a pure function of packages and advisories.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Distro, Package } from '../core/index.js';
import type { Advisory } from '../vulndb/index.js';
import { matchPackages, type AdvisoryProvider } from './match.js';

const debian12: Distro = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };
const alpine: Distro = { id: 'alpine', versionId: '3.19.1' };

function provider(advisories: Advisory[]): AdvisoryProvider {
  return {
    advisoriesFor: (ecosystem, name) =>
      advisories.filter((a) => a.affected.some((x) => x.ecosystem === ecosystem && x.package === name)),
  };
}

function adv(
  id: string,
  ecosystem: string,
  pkg: string,
  events: Array<Record<string, string>>,
  extra: Partial<Advisory> = {},
): Advisory {
  return {
    id,
    aliases: [],
    summary: `${id} summary`,
    details: '',
    severities: [],
    references: [],
    affected: [
      {
        ecosystem,
        package: pkg,
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: events.map((e) =>
              'last_affected' in e ? { lastAffected: e.last_affected as string } : e,
            ) as never,
          },
        ],
        versions: [],
      },
    ],
    source: 'test',
    ...extra,
  } as Advisory;
}

const deb = (name: string, version: string, source: string, sourceVersion: string): Package => ({
  name,
  version,
  type: 'deb',
  purl: `pkg:deb/debian/${name}@${version}`,
  licenses: [],
  locations: [{ path: '/var/lib/dpkg/status', layer: { index: 0, diffId: 'sha256:0' } }],
  foundBy: 'dpkg',
  layer: { index: 0, diffId: 'sha256:0' },
  metadata: { kind: 'dpkg', source, sourceVersion, architecture: 'amd64', files: [] },
});

test('a Debian binary package is matched through its source package, with fix advice and provenance', () => {
  const findings = matchPackages(
    [deb('libssl3', '3.0.11-1~deb12u2', 'openssl', '3.0.11-1~deb12u2')],
    debian12,
    provider([
      adv('CVE-2024-0727', 'Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }], {
        severities: [{ type: 'Debian', score: 'low' }],
      }),
    ]),
  );
  assert.equal(findings.length, 1);
  const f = findings[0];
  assert.equal(f?.id, 'CVE-2024-0727');
  assert.equal(f?.package.name, 'libssl3');
  assert.equal(f?.status, 'fixed');
  assert.deepEqual(f?.fixedVersions, ['3.0.13-1~deb12u1']);
  assert.equal(f?.severity, 'LOW');
  assert.deepEqual(f?.match.searchedBy, {
    ecosystem: 'Debian:12',
    package: 'openssl',
    version: '3.0.11-1~deb12u2',
  });
  assert.equal(f?.match.matcher, 'dpkg');
  assert.match(f?.match.range ?? '', /fixed 3\.0\.13-1~deb12u1/);
});

test('a fix in a later Debian revision: the earlier revision is affected, the fixed one is not', () => {
  const advisories = provider([
    adv('CVE-2023-1', 'Debian:12', 'curl', [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u5' }]),
  ]);
  const older = matchPackages(
    [deb('curl', '7.88.1-10+deb12u4', 'curl', '7.88.1-10+deb12u4')],
    debian12,
    advisories,
  );
  const fixed = matchPackages(
    [deb('curl', '7.88.1-10+deb12u5', 'curl', '7.88.1-10+deb12u5')],
    debian12,
    advisories,
  );
  const newer = matchPackages(
    [deb('curl', '7.88.1-10+deb12u12', 'curl', '7.88.1-10+deb12u12')],
    debian12,
    advisories,
  );
  assert.equal(older.length, 1);
  assert.equal(fixed.length, 0);
  assert.equal(newer.length, 0);
});

test('<unfixed>: an open Debian issue matches every version and says there is no fix', () => {
  const f = matchPackages(
    [deb('libtiff6', '4.5.0-6+deb12u1', 'tiff', '4.5.0-6+deb12u1')],
    debian12,
    provider([adv('CVE-2023-3164', 'Debian:12', 'tiff', [{ introduced: '0' }])]),
  );
  assert.equal(f[0]?.status, 'unfixed');
  assert.deepEqual(f[0]?.fixedVersions, []);
});

test('an Alpine package is matched by its origin within its release', () => {
  const pkg: Package = {
    name: 'libcrypto3',
    version: '3.1.4-r1',
    type: 'apk',
    purl: 'pkg:apk/alpine/libcrypto3@3.1.4-r1',
    licenses: [],
    locations: [{ path: '/lib/apk/db/installed' }],
    foundBy: 'apk',
    metadata: { kind: 'apk', origin: 'openssl', files: [] },
  };
  const f = matchPackages(
    [pkg],
    alpine,
    provider([adv('CVE-2024-0727', 'Alpine:v3.19', 'openssl', [{ introduced: '0' }, { fixed: '3.1.4-r5' }])]),
  );
  assert.equal(f.length, 1);
  assert.deepEqual(f[0]?.match.searchedBy, {
    ecosystem: 'Alpine:v3.19',
    package: 'openssl',
    version: '3.1.4-r1',
  });
  assert.equal(
    matchPackages(
      [pkg],
      { id: 'alpine', versionId: '3.18.0' },
      provider([adv('X', 'Alpine:v3.19', 'openssl', [{ introduced: '0' }])]),
    ).length,
    0,
  );
});

const goMod = (name: string, version: string, ownedBy?: Package['ownedBy']): Package => ({
  name,
  version,
  type: 'go-module',
  purl: `pkg:golang/${name}@${version}`,
  licenses: [],
  locations: [{ path: '/usr/local/bin/app' }],
  foundBy: 'go-binary',
  ...(ownedBy ? { ownedBy } : {}),
  metadata: { kind: 'go-buildinfo', goVersion: 'go1.19.8', mainModule: 'example.com/app' },
});

test('language packages: vendored copies match the language feed, OS-owned copies never do', () => {
  const advisories = provider([
    adv(
      'GO-2022-0493',
      'Go',
      'golang.org/x/sys',
      [{ introduced: '0' }, { fixed: '0.0.0-20220412211240-33da011f77ad' }],
      {
        aliases: ['CVE-2022-29526', 'GHSA-p782-xgp4-8hr8'],
      },
    ),
    adv('GO-2023-1840', 'Go', 'stdlib', [
      { introduced: '0' },
      { fixed: '1.19.10' },
      { introduced: '1.20.0' },
      { fixed: '1.20.5' },
    ]),
  ]);
  const vendored = goMod('golang.org/x/sys', 'v0.0.0-20210124154548-22da62e12c0c');
  const owned = goMod('golang.org/x/sys', 'v0.0.0-20210124154548-22da62e12c0c', {
    type: 'deb',
    name: 'skopeo',
    version: '1.9.3+ds1-1+b9',
    purl: 'pkg:deb/debian/skopeo',
  });
  const stdlib = goMod('stdlib', 'go1.19.8');
  const f = matchPackages([vendored, owned, stdlib], debian12, advisories);
  assert.deepEqual(f.map((x) => `${x.id} ${x.package.name} ${x.package.version}`).sort(), [
    'CVE-2022-29526 golang.org/x/sys v0.0.0-20210124154548-22da62e12c0c',
    'GO-2023-1840 stdlib go1.19.8',
  ]);
  const stdlibFinding = f.find((x) => x.package.name === 'stdlib');
  assert.deepEqual(stdlibFinding?.fixedVersions, ['1.19.10']);
  assert.deepEqual(stdlibFinding?.match.searchedBy.version, '1.19.8');
});

test('one finding per vulnerability and package, every alias merged; withdrawn advisories are skipped', () => {
  const npmPkg: Package = {
    name: 'lodash',
    version: '4.17.20',
    type: 'npm',
    purl: 'pkg:npm/lodash@4.17.20',
    licenses: [],
    locations: [{ path: '/app/node_modules/lodash/package.json' }],
    foundBy: 'npm-package',
    metadata: { kind: 'npm-package-json' },
  };
  const f = matchPackages(
    [npmPkg],
    undefined,
    provider([
      adv('GHSA-35jh-r3h4-6jhm', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }], {
        aliases: ['CVE-2021-23337'],
      }),
      adv('CVE-2021-23337', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }], {
        aliases: ['GHSA-35jh-r3h4-6jhm'],
        severities: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
      }),
      adv('GHSA-old', 'npm', 'lodash', [{ introduced: '0' }], { withdrawn: '2022-01-01T00:00:00Z' }),
    ]),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]?.id, 'CVE-2021-23337');
  assert.deepEqual(f[0]?.aliases, ['GHSA-35jh-r3h4-6jhm']);
  assert.deepEqual(f[0]?.match.advisories, ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm']);
  // Rated from the CVSS vector, scored to the spec.
  assert.equal(f[0]?.severity, 'HIGH');
  assert.equal(f[0]?.severities[0]?.baseScore, 7.2);
});

test('last_affected closes a span after that version; explicit version lists match exactly', () => {
  const py: Package = {
    name: 'Jinja2',
    version: '2.10',
    type: 'python',
    purl: 'pkg:pypi/jinja2@2.10',
    licenses: [],
    locations: [{ path: '/app/site-packages/Jinja2-2.10.dist-info/METADATA' }],
    foundBy: 'python-package',
    metadata: { kind: 'python-dist-info' },
  };
  const a = adv('PYSEC-1', 'PyPI', 'Jinja2', [{ introduced: '2.0' }, { last_affected: '2.10' }]);
  assert.equal(matchPackages([py], undefined, provider([a])).length, 1);
  assert.equal(matchPackages([{ ...py, version: '2.10.1' }], undefined, provider([a])).length, 0);
  const listed = {
    ...adv('PYSEC-2', 'PyPI', 'Jinja2', []),
    affected: [{ ecosystem: 'PyPI', package: 'Jinja2', ranges: [], versions: ['2.10'] }],
  } as Advisory;
  assert.equal(matchPackages([py], undefined, provider([listed]))[0]?.match.range, 'listed version 2.10');
  // PyPI records list the versions and carry the range too (events unsorted, as
  // PYSEC-2023-192 has them): the range gives the fix advice.
  const both = {
    ...adv('PYSEC-3', 'PyPI', 'Jinja2', []),
    affected: [
      {
        ecosystem: 'PyPI',
        package: 'Jinja2',
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: '3.0.0' }, { fixed: '3.0.6' }, { introduced: '0' }, { fixed: '2.11.3' }],
          },
        ],
        versions: ['2.10', '2.11.2'],
      },
    ],
  } as Advisory;
  const f = matchPackages([py], undefined, provider([both]));
  assert.equal(f[0]?.status, 'fixed');
  assert.deepEqual(f[0]?.fixedVersions, ['2.11.3']);
  assert.equal(f[0]?.match.range, 'ECOSYSTEM introduced 0, fixed 2.11.3');
});

test('an advisory naming several packages only matches this package through its own entry', () => {
  const a = {
    ...adv('GHSA-multi', 'npm', 'other', [{ introduced: '0' }]),
    affected: [
      {
        ecosystem: 'npm',
        package: 'other',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        versions: [],
      },
      {
        ecosystem: 'npm',
        package: 'mine',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
        versions: [],
      },
    ],
  } as Advisory;
  const pkg = (version: string): Package => ({
    name: 'mine',
    version,
    type: 'npm',
    purl: `pkg:npm/mine@${version}`,
    licenses: [],
    locations: [{ path: '/n/node_modules/mine/package.json' }],
    foundBy: 'npm-package',
    metadata: { kind: 'npm-package-json' },
  });
  const p: AdvisoryProvider = { advisoriesFor: () => [a] };
  assert.equal(matchPackages([pkg('0.9.0')], undefined, p).length, 1);
  assert.equal(
    matchPackages([pkg('1.2.0')], undefined, p).length,
    0,
    'the other package is unfixed, this one is fixed',
  );
});
