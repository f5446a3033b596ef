import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError, type ErrorCode } from '../core/index.js';
import { MediaTypes, parseImageConfig, parseManifest } from './manifest.js';
import { hostPlatform, selectManifest } from './platform.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const manifest = (layers: unknown[]) =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: d('c'), size: 10 },
      layers,
    }),
  );

test('parses an OCI manifest and a Docker list', () => {
  const m = parseManifest(
    manifest([{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('a'), size: 5 }]),
    '',
    'm',
  );
  assert.equal(m.kind, 'image');
  const list = parseManifest(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.dockerList,
        manifests: [
          {
            mediaType: MediaTypes.dockerManifest,
            digest: d('1'),
            size: 1,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: MediaTypes.dockerManifest,
            digest: d('2'),
            size: 1,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    ),
    '',
    'l',
  );
  assert.equal(list.kind, 'index');
  if (list.kind !== 'index') return;
  assert.equal(selectManifest(list.manifests, { os: 'linux', architecture: 'amd64' }, 'l').digest, d('2'));
  assert.equal(selectManifest(list.manifests, { os: 'linux', architecture: 'arm64' }, 'l').digest, d('1'));
  assert.throws(
    () => selectManifest(list.manifests, { os: 'linux', architecture: 's390x' }, 'l'),
    (e: unknown) =>
      isMamoriError(e, 'NO_MATCHING_PLATFORM') && /linux\/arm64\/v8, linux\/amd64/.test(e.message),
  );
  assert.equal(hostPlatform().os, 'linux');
});

test('refuses schema 1, bad digests, negative sizes and foreign media types', () => {
  const bad: Array<[Buffer, ErrorCode]> = [
    [Buffer.from('{"schemaVersion":1,"fsLayers":[]}'), 'INVALID_MANIFEST'],
    [Buffer.from('not json'), 'INVALID_MANIFEST'],
    [
      manifest([{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: 'sha256:xyz', size: 1 }]),
      'INVALID_MANIFEST',
    ],
    [
      manifest([{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d('a'), size: -1 }]),
      'INVALID_MANIFEST',
    ],
    [manifest([{ mediaType: 'application/x-helm-chart', digest: d('a'), size: 1 }]), 'INVALID_MANIFEST'],
  ];
  for (const [b, code] of bad)
    assert.throws(
      () => parseManifest(b, '', 'm'),
      (e: unknown) => isMamoriError(e, code),
    );
});

test('config diff_ids must match the layer count', () => {
  const cfg = Buffer.from(
    JSON.stringify({ rootfs: { type: 'layers', diff_ids: [d('a')] }, config: { User: 'app' } }),
  );
  assert.equal(parseImageConfig(cfg, 'c', 1).config?.User, 'app');
  assert.throws(
    () => parseImageConfig(cfg, 'c', 2),
    (e: unknown) => isMamoriError(e, 'INVALID_MANIFEST'),
  );
});

test('fuzz: the manifest and config parsers throw nothing but MamoriError', () => {
  const jsonish = fc.oneof(
    fc.json().map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
    fc
      .record({
        schemaVersion: fc.oneof(fc.constant(2), fc.integer()),
        mediaType: fc.constantFrom(MediaTypes.ociManifest, MediaTypes.ociIndex, '', 'x'),
        manifests: fc.anything(),
        layers: fc.anything(),
        config: fc.anything(),
      })
      .map((o) => Buffer.from(JSON.stringify(o))),
  );
  fc.assert(
    fc.property(jsonish, fc.nat(3), (b, n) => {
      for (const f of [() => parseManifest(b, '', 'fuzz'), () => parseImageConfig(b, 'fuzz', n)]) {
        try {
          f();
        } catch (e) {
          if (!isMamoriError(e)) throw e;
        }
      }
    }),
    { numRuns: 2000 },
  );
});
