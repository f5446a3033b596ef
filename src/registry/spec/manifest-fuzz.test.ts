/**
 * Property tests: whatever the bytes and Content-Type, parseManifest returns
 * a manifest whose every descriptor is valid, or throws a RegistryError —
 * never a TypeError or another raw error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MediaTypes,
  RegistryError,
  digestOf,
  isDigest,
  isMediaType,
  parseManifest,
  referencedBlobs,
  referencedManifests,
  referrerDescriptor,
  type Descriptor,
  type ParsedManifest,
} from './index.js';

function checkDescriptor(d: Descriptor): void {
  assert.ok(isMediaType(d.mediaType), d.mediaType);
  assert.ok(isDigest(d.digest), d.digest);
  assert.ok(Number.isSafeInteger(d.size) && d.size >= 0);
  if (d.artifactType !== undefined) assert.ok(isMediaType(d.artifactType));
  for (const v of Object.values(d.annotations ?? {})) assert.equal(typeof v, 'string');
  if (d.platform) {
    assert.equal(typeof d.platform.architecture, 'string');
    assert.equal(typeof d.platform.os, 'string');
  }
}

function checkParsed(m: ParsedManifest): void {
  const isIndex = m.mediaType === MediaTypes.ociIndex || m.mediaType === MediaTypes.dockerManifestList;
  assert.equal(m.kind, isIndex ? 'index' : 'image');
  if (m.kind === 'image') assert.ok(m.config);
  else assert.equal(m.layers.length, 0);
  for (const d of [
    ...(m.config ? [m.config] : []),
    ...m.layers,
    ...m.manifests,
    ...(m.subject ? [m.subject] : []),
  ]) {
    checkDescriptor(d);
  }
  referencedBlobs(m).forEach(checkDescriptor);
  referencedManifests(m).forEach(checkDescriptor);
  checkDescriptor(referrerDescriptor(m, digestOf(Buffer.from('x')), 1));
}

/** Parses; passes when the result is valid or the error is a RegistryError. */
function parsesSafely(bytes: Buffer, contentType: string | undefined): ParsedManifest | undefined {
  try {
    const m = parseManifest(bytes, contentType);
    checkParsed(m);
    return m;
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.ok(e instanceof RegistryError, `raw ${String(e)}`);
    assert.ok(e.code === 'MANIFEST_INVALID', e.code);
    return undefined;
  }
}

const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
const digest = hex.map((h) => `sha256:${h}`);
const mediaType = fc.constantFrom(
  MediaTypes.ociLayerGzip,
  MediaTypes.ociConfig,
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.ociEmpty,
  'application/vnd.example+type',
);
// Keys from lowercase letters only: keys differing in case alone are refused on purpose.
const annotationKey = fc.string({ unit: fc.constantFrom(...'abcde.-'), maxLength: 8 });
const annotations = fc.dictionary(annotationKey, fc.string({ maxLength: 8 }), { maxKeys: 3 });
const descriptor = fc.record(
  {
    mediaType,
    digest,
    size: fc.nat(),
    annotations,
    platform: fc.record({ architecture: fc.constantFrom('amd64', 'arm64'), os: fc.constant('linux') }),
  },
  { requiredKeys: ['mediaType', 'digest', 'size'] },
);
const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(...Object.values(MediaTypes), 'application/json', ''),
    fc.string({ maxLength: 40 }),
  ),
  { nil: undefined },
);

const validImage = fc.record({
  schemaVersion: fc.constant(2),
  mediaType: fc.constant(MediaTypes.ociManifest),
  artifactType: fc.constant('application/vnd.example+type'),
  config: descriptor,
  layers: fc.array(descriptor, { maxLength: 5 }),
  subject: descriptor,
  annotations,
});
const validIndex = fc.record({
  schemaVersion: fc.constant(2),
  mediaType: fc.constant(MediaTypes.ociIndex),
  manifests: fc.array(descriptor, { maxLength: 5 }),
  annotations,
});

/** Replaces the value at a random path of `doc` with `value`. */
function mutate(doc: unknown, path: readonly number[], value: unknown): unknown {
  if (path.length === 0 || typeof doc !== 'object' || doc === null) return value;
  const [step = 0, ...rest] = path;
  if (Array.isArray(doc)) {
    if (doc.length === 0) return value;
    const i = step % doc.length;
    return doc.map((v, j) => (j === i ? mutate(v, rest, value) : v));
  }
  const keys = Object.keys(doc);
  if (keys.length === 0) return value;
  const key = keys[step % keys.length] ?? '';
  return { ...doc, [key]: mutate((doc as Record<string, unknown>)[key], rest, value) };
}

describe('parseManifest under fuzzing', () => {
  test('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), contentType, (b, ct) => {
        parsesSafely(Buffer.from(b), ct);
      }),
      { numRuns: 2000 },
    );
  });

  test('arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), contentType, (v, ct) => {
        parsesSafely(Buffer.from(JSON.stringify(v) ?? 'null'), ct);
      }),
      { numRuns: 2000 },
    );
  });

  test('valid manifests parse and keep every descriptor', () => {
    fc.assert(
      fc.property(fc.oneof(validImage, validIndex), (doc) => {
        const m = parsesSafely(Buffer.from(JSON.stringify(doc)), doc.mediaType);
        assert.ok(m, 'a valid manifest was refused');
        const listed = 'layers' in doc ? doc.layers : doc.manifests;
        const got = 'layers' in doc ? m.layers : m.manifests;
        assert.deepEqual(
          got.map((d) => [d.mediaType, d.digest, d.size]),
          listed.map((d) => [d.mediaType, d.digest, d.size]),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('valid manifests with one value replaced by anything', () => {
    const anything = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(-1, 1.5, 2 ** 53, '', 'sha256:abc', 'a/b', null, [], {}, { __proto__: 'x' }),
    );
    fc.assert(
      fc.property(
        fc.oneof(validImage, validIndex),
        fc.array(fc.nat(20), { maxLength: 5 }),
        anything,
        contentType,
        (doc, path, value, ct) => {
          parsesSafely(Buffer.from(JSON.stringify(mutate(doc, path, value)) ?? 'null'), ct);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('valid manifests with bytes flipped', () => {
    fc.assert(
      fc.property(validImage, fc.nat(), fc.integer({ min: 0, max: 255 }), (doc, at, byte) => {
        const b = Buffer.from(JSON.stringify(doc));
        b[at % b.length] = byte;
        parsesSafely(b, undefined);
      }),
      { numRuns: 2000 },
    );
  });
});
