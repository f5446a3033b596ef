import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import {
  formatDockerReference,
  parseDockerReference,
  registryEndpoint,
  type DockerReference,
} from './index.js';

const D = `sha256:${'a'.repeat(64)}`;

const GOOD: ReadonlyArray<readonly [string, DockerReference]> = [
  ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
  ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
  ['library/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
  ['bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
  ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
  ['index.docker.io/alpine:edge', { registry: 'docker.io', repository: 'library/alpine', tag: 'edge' }],
  ['docker://alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
  ['ghcr.io/owner/app:v1.2.3', { registry: 'ghcr.io', repository: 'owner/app', tag: 'v1.2.3' }],
  ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
  ['localhost:5000/a/b/c:t', { registry: 'localhost:5000', repository: 'a/b/c', tag: 't' }],
  ['127.0.0.1:5000/app', { registry: '127.0.0.1:5000', repository: 'app', tag: 'latest' }],
  ['[::1]:5000/app:x', { registry: '[::1]:5000', repository: 'app', tag: 'x' }],
  ['myhost:5000/app', { registry: 'myhost:5000', repository: 'app', tag: 'latest' }],
  // A first segment without "." or ":" is a Docker Hub namespace, not a host.
  ['myhost/app', { registry: 'docker.io', repository: 'myhost/app', tag: 'latest' }],
  ['quay.io/a/b-c_d.e__f', { registry: 'quay.io', repository: 'a/b-c_d.e__f', tag: 'latest' }],
  ['quay.io/a/b--c', { registry: 'quay.io', repository: 'a/b--c', tag: 'latest' }],
  [`alpine@${D}`, { registry: 'docker.io', repository: 'library/alpine', digest: D }],
  [`alpine:3@${D}`, { registry: 'docker.io', repository: 'library/alpine', tag: '3', digest: D }],
  [`localhost:5000/app@${D}`, { registry: 'localhost:5000', repository: 'app', digest: D }],
  [
    `x.io/app@sha512:${'b'.repeat(128)}`,
    { registry: 'x.io', repository: 'app', digest: `sha512:${'b'.repeat(128)}` },
  ],
  ['alpine:_under', { registry: 'docker.io', repository: 'library/alpine', tag: '_under' }],
  [
    `alpine:${'t'.repeat(128)}`,
    { registry: 'docker.io', repository: 'library/alpine', tag: 't'.repeat(128) },
  ],
];

const BAD: ReadonlyArray<readonly [string, RegExp]> = [
  ['', /empty/],
  ['Alpine', /lowercase/],
  ['ghcr.io/Owner/app', /lowercase/],
  ['alpine:', /tag/],
  ['alpine:-x', /tag/],
  ['alpine:.x', /tag/],
  [`alpine:${'t'.repeat(129)}`, /tag/],
  ['alpine:a/b', /registry host/],
  ['alpine@sha256:abc', /64 lowercase hex/],
  [`alpine@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
  [`alpine@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/],
  ['alpine@', /digest/],
  ['ghcr.io/', /empty/],
  ['ghcr.io//app', /empty component/],
  ['ghcr.io/app/', /empty component/],
  ['ghcr.io/-app', /component/],
  ['ghcr.io/app_', /component/],
  ['ghcr.io/a...b', /component/],
  ['-bad.io/app', /registry host/],
  ['host.io:99999/app', /out of range/],
  ['al pine', /whitespace/],
  ['alpine\n', /whitespace|control/],
  ['a'.repeat(64), /image ID/],
  [`x.io/${'a'.repeat(260)}`, /longer than 255/],
  ['x.io/app:t:u', /tag/],
];

test('parses and normalises good references like Docker', () => {
  for (const [input, want] of GOOD) {
    assert.deepEqual(parseDockerReference(input), want, input);
  }
});

test('rejects bad references with INVALID_REFERENCE and a reason', () => {
  for (const [input, why] of BAD) {
    assert.throws(
      () => parseDockerReference(input),
      (e) => isMamoriError(e, 'INVALID_REFERENCE') && why.test(e.message),
      JSON.stringify(input),
    );
  }
});

test('formats back and maps Docker Hub to its API host', () => {
  assert.equal(formatDockerReference(parseDockerReference('alpine')), 'docker.io/library/alpine:latest');
  assert.equal(formatDockerReference(parseDockerReference(`a.io/b:c@${D}`)), `a.io/b:c@${D}`);
  assert.equal(registryEndpoint('docker.io'), 'registry-1.docker.io');
  assert.equal(registryEndpoint('ghcr.io'), 'ghcr.io');
  for (const [input] of GOOD) {
    const ref = parseDockerReference(input);
    assert.deepEqual(parseDockerReference(formatDockerReference(ref)), ref, input);
  }
});
