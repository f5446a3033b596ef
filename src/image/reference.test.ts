import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMamoriError } from '../core/index.js';
import { formatReference, parseReference } from './reference.js';

const digest = `sha256:${'a'.repeat(64)}`;

test('parses every transport', () => {
  assert.deepEqual(parseReference('oci:/tmp/layout'), { transport: 'oci', path: '/tmp/layout' });
  assert.deepEqual(parseReference('oci:/tmp/layout:v1'), {
    transport: 'oci',
    path: '/tmp/layout',
    tag: 'v1',
  });
  assert.deepEqual(parseReference(`oci:/tmp/layout@${digest}`), {
    transport: 'oci',
    path: '/tmp/layout',
    digest,
  });
  assert.deepEqual(parseReference('oci-archive:img.tar'), { transport: 'oci-archive', path: 'img.tar' });
  assert.deepEqual(parseReference('oci-archive:img.tar:v2'), {
    transport: 'oci-archive',
    path: 'img.tar',
    tag: 'v2',
  });
  assert.deepEqual(parseReference('docker-archive:img.tar:app:1.0'), {
    transport: 'docker-archive',
    path: 'img.tar',
    tag: 'app:1.0',
  });
  assert.deepEqual(parseReference('dir:/srv/rootfs'), { transport: 'dir', path: '/srv/rootfs' });
  assert.deepEqual(parseReference('docker://127.0.0.1:5000/app:1'), {
    transport: 'docker',
    reference: '127.0.0.1:5000/app:1',
  });
  assert.deepEqual(parseReference('quay.io/org/app:1'), {
    transport: 'docker',
    reference: 'quay.io/org/app:1',
  });
  assert.deepEqual(parseReference('debian:12'), { transport: 'docker', reference: 'debian:12' });
});

test('round-trips through formatReference', () => {
  for (const s of ['oci:/a:b', `oci:/a@${digest}`, 'oci-archive:/x.tar:t', 'dir:/r', 'docker://h/r:t']) {
    assert.equal(formatReference(parseReference(s)), s);
  }
});

test('refuses bad references with a clear error', () => {
  for (const [s, code] of [
    ['', 'INVALID_REFERENCE'],
    ['oci:', 'INVALID_REFERENCE'],
    ['oci:/x@sha256:beef', 'INVALID_REFERENCE'],
    ['dir:', 'INVALID_REFERENCE'],
    ['ocii:/tmp/x', 'UNSUPPORTED_TRANSPORT'],
    ['docker://', 'INVALID_REFERENCE'],
  ] as const) {
    assert.throws(
      () => parseReference(s),
      (e: unknown) => isMamoriError(e, code),
      s,
    );
  }
});
