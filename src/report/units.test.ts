import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { digestsFromSri } from './hashes.js';
import { conjoin, licenseRefFor, parseLicense, parseLicenses } from './licenses.js';
import { sanitizeId } from './model.js';
import { displayWidth, safeText } from './text.js';

describe('parseLicense', () => {
  test('ids, case fixed', () => {
    assert.equal(parseLicense('MIT')?.spdxId, 'MIT');
    assert.equal(parseLicense(' mit ')?.spdxId, 'MIT');
    assert.equal(parseLicense('mit')?.expression, 'MIT');
  });

  test('expressions in canonical form', () => {
    const p = parseLicense('mit or apache-2.0');
    assert.equal(p?.expression, undefined, 'operators must still parse: lower-case ids are not an expression');
    const q = parseLicense('(MIT OR Apache-2.0) and BSD-3-Clause');
    assert.equal(q?.expression, '(MIT OR Apache-2.0) AND BSD-3-Clause');
    assert.equal(q?.operator, 'AND');
    assert.equal(parseLicense('GPL-2.0-only WITH Classpath-exception-2.0')?.expression, 'GPL-2.0-only WITH Classpath-exception-2.0');
    assert.equal(parseLicense('GPL-2.0+')?.expression, 'GPL-2.0+');
    assert.deepEqual(parseLicense('MIT AND LicenseRef-acme')?.licenseRefs, ['LicenseRef-acme']);
  });

  test('free text, external document references and huge texts are text', () => {
    for (const t of ['GPL-2+', 'Apache 2.0', 'DocumentRef-x:LicenseRef-y', `MIT AND ${'MIT AND '.repeat(200)}MIT`]) {
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

  test('sanitizeId keeps [A-Za-z0-9.-] only', () => {
    assert.equal(sanitizeId('@babel/core'), 'babel-core');
    assert.equal(sanitizeId('a  b//c'), 'a-b-c');
    assert.equal(sanitizeId('日本'), '');
  });
});
