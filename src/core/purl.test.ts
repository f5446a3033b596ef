import assert from 'node:assert/strict';
import { test } from 'node:test';
import { purl } from './purl.js';

test('builds canonical PURLs and drops empty qualifiers', () => {
  assert.equal(
    purl({
      type: 'deb',
      namespace: 'debian',
      name: 'bash',
      version: '5.2.15-2+b2',
      qualifiers: { arch: 'amd64', distro: 'debian-12', upstream: '' },
    }),
    'pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12',
  );
  assert.equal(
    purl({ type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' }),
    'pkg:npm/%40babel/core@7.0.0',
  );
});

test('falls back to plain spec encoding where the library rejects a real-world value', () => {
  const s = purl({ type: 'golang', namespace: 'example.com', name: 'mod', version: 'v1' });
  assert.equal(s, 'pkg:golang/example.com/mod@v1');
});

test('an empty name cannot form a PURL', () => {
  assert.throws(() => purl({ type: 'golang', namespace: 'example.com', name: '', version: 'v1' }));
});
