import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { digestsFromSri } from './hashes.js';
import { conjoin, licenseRefFor, parseLicense, parseLicenses } from './licenses.js';
import type { Package } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { isPurl, sanitizeId, viewInventory } from './model.js';
import { displayWidth, safeText } from './text.js';
import { mamoriVersion } from './version.js';

describe('parseLicense', () => {
  test('ids, case fixed', () => {
    assert.equal(parseLicense('MIT')?.spdxId, 'MIT');
    assert.equal(parseLicense(' mit ')?.spdxId, 'MIT');
    assert.equal(parseLicense('mit')?.expression, 'MIT');
  });

  test('expressions in canonical form', () => {
    const p = parseLicense('mit or apache-2.0');
    assert.equal(p?.expression, undefined, 'case is fixed only when the whole text is one id');
    const q = parseLicense('(MIT OR Apache-2.0) and BSD-3-Clause');
    assert.equal(q?.expression, '(MIT OR Apache-2.0) AND BSD-3-Clause');
    assert.equal(q?.operator, 'AND');
    assert.equal(
      parseLicense('GPL-2.0-only WITH Classpath-exception-2.0')?.expression,
      'GPL-2.0-only WITH Classpath-exception-2.0',
    );
    assert.equal(parseLicense('GPL-2.0+')?.expression, 'GPL-2.0+');
    assert.deepEqual(parseLicense('MIT AND LicenseRef-acme')?.licenseRefs, ['LicenseRef-acme']);
  });

  test('free text, external document references and huge texts are text', () => {
    for (const t of [
      'GPL-2+',
      'Apache 2.0',
      'DocumentRef-x:LicenseRef-y',
      `MIT AND ${'MIT AND '.repeat(200)}MIT`,
    ]) {
      const p = parseLicense(t);
      assert.equal(p?.expression, undefined, t);
      assert.equal(p?.spdxId, undefined, t);
    }
  });

  test('no information is no licence', () => {
    for (const t of ['', '   ', 'NOASSERTION', 'NONE', 42, null]) assert.equal(parseLicense(t), undefined);
    assert.deepEqual(parseLicenses('MIT'), []);
    assert.deepEqual(
      parseLicenses(['MIT', 'mit', 'Apache 2.0', 'Apache 2.0']).map((p) => p.text),
      ['MIT', 'Apache 2.0'],
    );
  });

  test('licenseRefFor: valid, stable, distinct', () => {
    assert.equal(licenseRefFor('Custom-1.0'), 'LicenseRef-Custom-1.0');
    assert.match(licenseRefFor('Apache 2.0'), /^LicenseRef-Apache-2.0-[0-9a-f]{8}$/);
    assert.notEqual(licenseRefFor('Apache 2.0'), licenseRefFor('Apache_2.0'));
    assert.match(licenseRefFor('日本'), /^LicenseRef-[0-9a-f]{8}$/);
    assert.equal(licenseRefFor('x y'), licenseRefFor('x y'));
  });

  test('conjoin brackets OR terms only', () => {
    assert.equal(conjoin([{ expression: 'A OR B', operator: 'OR' }]), 'A OR B');
    assert.equal(
      conjoin([
        { expression: 'A OR B', operator: 'OR' },
        { expression: 'C AND D', operator: 'AND' },
        { expression: 'E' },
      ]),
      '(A OR B) AND C AND D AND E',
    );
  });
});

describe('digestsFromSri', () => {
  test('decodes known algorithms, drops bad entries', () => {
    const sha1 = Buffer.alloc(20, 1).toString('base64');
    const sha512 = Buffer.alloc(64, 2).toString('base64');
    assert.deepEqual(digestsFromSri(`sha512-${sha512} sha1-${sha1}`), [
      { algorithm: 'SHA512', hex: '02'.repeat(64) },
      { algorithm: 'SHA1', hex: '01'.repeat(20) },
    ]);
    assert.deepEqual(digestsFromSri(`md5-${sha1} sha512-short sha256-!!!! sha1`), []);
    assert.deepEqual(digestsFromSri(undefined), []);
  });
});

describe('text', () => {
  test('safeText escapes controls and bidi overrides', () => {
    assert.equal(safeText('a\u001b[31mb\u202ec\u0085d'), 'a\\u{1b}[31mb\\u{202e}c\\u{85}d');
    assert.equal(safeText('naïve 日本'), 'naïve 日本');
  });

  test('displayWidth counts wide characters twice and marks not at all', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('日本語'), 6);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('한국'), 4);
  });

  test('isPurl: what packageurl-js parses, else the generic grammar; printable ASCII only', () => {
    assert.ok(isPurl('pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64'));
    assert.ok(isPurl('pkg:golang/example.com/m@v1'));
    for (const bad of ['', 'not a purl', 'pkg:npm/a b@1', 'pkg:npm/\u00e9@1', 'pkg:/x', 'http://x/y', 42]) {
      assert.ok(!isPurl(bad), String(bad));
    }
  });

  test('sanitizeId keeps [A-Za-z0-9.-] only', () => {
    assert.equal(sanitizeId('@babel/core'), 'babel-core');
    assert.equal(sanitizeId('a  b//c'), 'a-b-c');
    assert.equal(sanitizeId('日本'), '');
  });
});

describe('viewInventory owner resolution', () => {
  const owner = (statusPath: string, files: string[]): Package => ({
    name: 'python3-six',
    version: '1.16.0-4',
    type: 'deb',
    purl: 'pkg:deb/debian/python3-six@1.16.0-4?arch=all',
    licenses: [],
    locations: [{ path: statusPath }],
    foundBy: 'dpkg-db-cataloger',
    metadata: { kind: 'dpkg', source: 'six', sourceVersion: '1.16.0-4', files },
  });
  const owned: Package = {
    name: 'six',
    version: '1.16.0',
    type: 'python',
    purl: 'pkg:pypi/six@1.16.0',
    licenses: [],
    locations: [{ path: '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA' }],
    foundBy: 'python-installed-cataloger',
    ownedBy: {
      type: 'deb',
      name: 'python3-six',
      version: '1.16.0-4',
      purl: 'pkg:deb/debian/python3-six@1.16.0-4?arch=all',
    },
    metadata: { kind: 'python-dist-info' },
  };
  const inv = (packages: Package[]): Inventory => ({
    schemaVersion: 1,
    source: { ref: 'x', transport: 'dir', name: 'x', layers: [] },
    packages,
    warnings: [],
  });

  test('among packages with the owner purl, the one listing the owned file wins', () => {
    // `a` sorts first, so picking the first candidate would be wrong.
    const a = owner('/opt/chroot/var/lib/dpkg/status', ['/opt/chroot/usr/lib/python3/dist-packages/six.py']);
    const b = owner('/var/lib/dpkg/status', ['/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA']);
    for (const order of [
      [a, b, owned],
      [owned, b, a],
    ]) {
      const view = viewInventory(inv(order));
      const six = view.packages.find((p) => p.name === 'six');
      const o = six?.owner === undefined ? undefined : view.packages[six.owner];
      assert.equal(o?.locations[0]?.path, '/var/lib/dpkg/status');
    }
  });

  test('an owner that is not in the inventory leaves the package unowned', () => {
    const view = viewInventory(inv([owned]));
    assert.equal(view.packages[0]?.owner, undefined);
  });

  test('packages without a usable name are dropped and counted', () => {
    const view = viewInventory(inv([owned, { ...owned, name: ' ' }]));
    assert.equal(view.packages.length, 1);
    assert.equal(view.dropped, 1);
  });
});

test('mamoriVersion is the package.json version, and the default tool version', async () => {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  assert.equal(mamoriVersion(), pkg.version);
  const { renderSpdx } = await import('./index.js');
  const { fixtureInventory } = await import('./testdata/fixture.js');
  const doc = JSON.parse(renderSpdx(fixtureInventory)) as { creationInfo: { creators: string[] } };
  assert.deepEqual(doc.creationInfo.creators, [`Tool: mamori-${pkg.version}`]);
});
