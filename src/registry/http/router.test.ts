import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from '../spec/index.js';
import { parseRangeHeader } from './blobs.js';
import { routeV2 } from './router.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('routeV2', () => {
  it('splits nested repository names from the endpoint suffix', () => {
    assert.deepEqual(routeV2('/v2/'), { kind: 'base' });
    assert.deepEqual(routeV2('/v2'), { kind: 'base' });
    assert.deepEqual(routeV2('/v2/_catalog?n=1'), { kind: 'catalog' });
    assert.deepEqual(routeV2('/v2/a/b/c/tags/list?n=2'), { kind: 'tags', name: 'a/b/c' });
    assert.deepEqual(routeV2('/v2/a/blobs/uploads/'), { kind: 'upload-start', name: 'a' });
    assert.deepEqual(routeV2('/v2/a/blobs/uploads'), { kind: 'upload-start', name: 'a' });
    assert.deepEqual(routeV2('/v2/a/b/blobs/uploads/xyz'), { kind: 'upload', name: 'a/b', id: 'xyz' });
    assert.deepEqual(routeV2(`/v2/a/blobs/${D}`), { kind: 'blob', name: 'a', digest: D });
    assert.deepEqual(routeV2(`/v2/x/manifests/${encodeURIComponent(D)}`), {
      kind: 'manifest',
      name: 'x',
      reference: D,
    });
    assert.deepEqual(routeV2(`/v2/x/referrers/${D}?artifactType=a/b`), {
      kind: 'referrers',
      name: 'x',
      digest: D,
    });
    // A name may itself contain endpoint words.
    assert.deepEqual(routeV2('/v2/blobs/manifests/manifests/v1'), {
      kind: 'manifest',
      name: 'blobs/manifests',
      reference: 'v1',
    });
  });

  it('refuses names outside the grammar and unknown paths', () => {
    for (const p of [
      '/v2/A/tags/list',
      '/v2/a..b/tags/list',
      '/v2/-a/tags/list',
      `/v2/${'a'.repeat(256)}/tags/list`,
    ]) {
      assert.throws(
        () => routeV2(p),
        (e) => isRegistryError(e, 'NAME_INVALID'),
        p,
      );
    }
    assert.throws(
      () => routeV2('/v2/a/%zz/tags/list'),
      (e) => isRegistryError(e, 'NAME_INVALID'),
    );
    assert.throws(
      () => routeV2('/v2/a/b'),
      (e) => isRegistryError(e, 'NAME_UNKNOWN'),
    );
    assert.throws(
      () => routeV2('/v3/a/tags/list'),
      (e) => isRegistryError(e, 'NAME_UNKNOWN'),
    );
    assert.throws(
      () => routeV2(`/v2/${'a/'.repeat(600)}tags/list`),
      (e) => isRegistryError(e, 'NAME_INVALID'),
    );
  });
});

describe('parseRangeHeader', () => {
  it('reads single byte ranges and ignores others', () => {
    assert.deepEqual(parseRangeHeader('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRangeHeader('bytes=10-', 100), { start: 10, end: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(parseRangeHeader('bytes=-10', 100), { start: 90, end: 99 });
    assert.equal(parseRangeHeader(undefined, 100), undefined);
    assert.equal(parseRangeHeader('bytes=0-1,3-4', 100), undefined);
    assert.equal(parseRangeHeader('items=0-1', 100), undefined);
    assert.equal(parseRangeHeader('bytes=5-1', 100), undefined);
  });
});
