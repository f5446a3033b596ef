import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  EMPTY_JSON_DIGEST,
  MAX_MANIFEST_BYTES,
  MediaTypes,
  RegistryError,
  digestOf,
  parseManifest,
  referencedBlobs,
  referencedManifests,
  referrerDescriptor,
  type ParsedManifest,
} from './index.js';

const testdata = join(import.meta.dirname, 'testdata');
const fixture = (name: string): Buffer => readFileSync(join(testdata, name));
const json = (name: string): Record<string, unknown> =>
  JSON.parse(fixture(name).toString('utf8')) as Record<string, unknown>;
const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const sha = (label: string): string => digestOf(Buffer.from(label));

/** Asserts that parsing throws MANIFEST_INVALID (or `code`) whose message matches `reason`. */
function rejects(
  body: Buffer,
  contentType: string | undefined,
  reason: RegExp,
  code = 'MANIFEST_INVALID',
): RegistryError {
  let caught: unknown;
  try {
    parseManifest(body, contentType);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof RegistryError, `expected a RegistryError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.match(caught.message, reason);
  return caught;
}

function image(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha('config'), size: 2 },
    layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: sha('layer'), size: 3 }],
    ...overrides,
  };
}

describe('OCI image manifest', () => {
  test('parses the image-spec shaped example with a subject and annotations', () => {
    const m = parseManifest(fixture('oci-image-with-subject.json'), MediaTypes.ociManifest);
    assert.equal(m.kind, 'image');
    assert.equal(m.mediaType, MediaTypes.ociManifest);
    assert.deepEqual(m.config, { mediaType: MediaTypes.ociConfig, digest: sha('config'), size: 7023 });
    assert.deepEqual(
      m.layers.map((l) => [l.mediaType, l.digest, l.size]),
      [
        [MediaTypes.ociLayerGzip, sha('layer1'), 32654],
        [MediaTypes.ociLayerZstd, sha('layer2'), 16724],
        [MediaTypes.ociLayerGzip, sha('layer1'), 32654],
      ],
    );
    assert.deepEqual(m.manifests, []);
    assert.deepEqual(m.subject, { mediaType: MediaTypes.ociManifest, digest: sha('subject'), size: 7682 });
    assert.deepEqual(m.annotations, { 'com.example.key1': 'value1', 'com.example.key2': 'value2' });
    // No artifactType: the referrers API reports the config's media type.
    assert.equal(m.artifactType, MediaTypes.ociConfig);
    // A layer listed twice is required once; the subject is never required.
    assert.deepEqual(
      referencedBlobs(m).map((d) => d.digest),
      [sha('config'), sha('layer1'), sha('layer2')],
    );
    assert.deepEqual(referencedManifests(m), []);
  });

  test('Content-Type parameters and case are ignored', () => {
    const m = parseManifest(bytes(image()), 'Application/VND.oci.image.manifest.v1+json; charset=utf-8');
    assert.equal(m.mediaType, MediaTypes.ociManifest);
  });

  test('the mediaType field may be absent: Content-Type decides', () => {
    const { mediaType: _drop, ...rest } = image();
    assert.equal(parseManifest(bytes(rest), MediaTypes.ociManifest).mediaType, MediaTypes.ociManifest);
  });

  test('without mediaType or Content-Type the OCI kind comes from the fields', () => {
    const { mediaType: _drop, ...rest } = image();
    assert.equal(parseManifest(bytes(rest), undefined).kind, 'image');
    assert.equal(parseManifest(bytes(rest), 'application/json').mediaType, MediaTypes.ociManifest);
    assert.equal(
      parseManifest(bytes({ schemaVersion: 2, manifests: [] }), undefined).mediaType,
      MediaTypes.ociIndex,
    );
  });

  test('a body mediaType different from Content-Type is refused', () => {
    rejects(bytes(image()), MediaTypes.ociIndex, /does not match the Content-Type/);
    rejects(bytes(image()), MediaTypes.dockerManifest, /does not match the Content-Type/);
    rejects(bytes(image({ mediaType: MediaTypes.ociIndex })), MediaTypes.ociManifest, /does not match/);
  });

  test('unsupported manifest media types are refused', () => {
    rejects(
      bytes(image({ mediaType: undefined })),
      'application/vnd.example.manifest.v9+json',
      /unsupported manifest media type/,
    );
    rejects(
      bytes(image({ mediaType: 'application/vnd.oci.artifact.manifest.v1+json' })),
      undefined,
      /unsupported manifest media type/,
    );
    rejects(bytes(image({ mediaType: 'not a type' })), undefined, /not a valid media type/);
  });

  test('an empty layer list is accepted; a missing one is not', () => {
    assert.deepEqual(parseManifest(bytes(image({ layers: [] })), undefined).layers, []);
    assert.deepEqual(parseManifest(bytes(image({ layers: null })), undefined).layers, []);
    rejects(bytes(image({ layers: undefined })), undefined, /\$\.layers: is required/);
    rejects(bytes(image({ config: undefined })), undefined, /\$\.config: is required/);
    rejects(bytes(image({ layers: {} })), undefined, /\$\.layers: must be an array/);
  });

  test('schemaVersion must be the integer 2', () => {
    rejects(bytes(image({ schemaVersion: undefined })), undefined, /schemaVersion: is required/);
    rejects(bytes(image({ schemaVersion: 3 })), undefined, /must be 2, not number 3/);
    rejects(bytes(image({ schemaVersion: '2' })), undefined, /must be 2, not the string "2"/);
    rejects(
      Buffer.from(JSON.stringify(image()).replace('"schemaVersion":2', '"schemaVersion":2.0')),
      undefined,
      /integer literal/,
    );
  });

  test('a manifest carrying "manifests" is ambiguous and refused (CVE-2021-41190)', () => {
    rejects(bytes(image({ manifests: [] })), undefined, /must not have "manifests"/);
    rejects(
      bytes(image({ mediaType: undefined, manifests: [] })),
      undefined,
      /neither Content-Type nor the fields/,
    );
  });
});

describe('OCI artifacts and the referrers descriptor', () => {
  test('the minimal artifact of image-spec "Guidelines for Artifact Usage"', () => {
    const m = parseManifest(fixture('artifact-minimal.json'), MediaTypes.ociManifest);
    assert.equal(m.artifactType, 'application/vnd.example+type');
    assert.equal(m.config?.digest, EMPTY_JSON_DIGEST);
    // The empty blob is content like any other: it must have been pushed.
    assert.deepEqual(
      referencedBlobs(m).map((d) => d.digest),
      [EMPTY_JSON_DIGEST],
    );
  });

  test('an SBOM referrer: subject, artifactType, data of the empty config', () => {
    const body = fixture('artifact-sbom-referrer.json');
    const m = parseManifest(body, undefined);
    assert.equal(m.subject?.digest, sha('subject'));
    const d = referrerDescriptor(m, digestOf(body), body.length);
    assert.deepEqual(d, {
      mediaType: MediaTypes.ociManifest,
      digest: digestOf(body),
      size: body.length,
      artifactType: 'application/vnd.example.sbom.v1',
      annotations: {
        'org.opencontainers.image.created': '2022-01-01T14:42:55Z',
        'org.example.sbom.format': 'json',
      },
    });
  });

  test('without artifactType the referrer reports config.mediaType', () => {
    const body = fixture('artifact-config-no-artifacttype.json');
    const d = referrerDescriptor(parseManifest(body, undefined), sha('x'), body.length);
    assert.equal(d.artifactType, 'application/vnd.example.signature.config.v1+json');
    assert.equal(d.annotations, undefined);
  });

  test('an empty artifactType counts as absent', () => {
    const m = parseManifest(bytes(image({ artifactType: '' })), undefined);
    assert.equal(m.artifactType, MediaTypes.ociConfig);
  });

  test('an index referrer without artifactType has none in its descriptor', () => {
    const body = fixture('index-referrer-no-artifacttype.json');
    const m = parseManifest(body, MediaTypes.ociIndex);
    assert.equal(m.kind, 'index');
    assert.equal(m.artifactType, undefined);
    const d = referrerDescriptor(m, sha('idx'), body.length);
    assert.deepEqual(d, {
      mediaType: MediaTypes.ociIndex,
      digest: sha('idx'),
      size: body.length,
      annotations: { 'org.opencontainers.image.created': '2023-01-01T07:21:33Z' },
    });
    assert.ok(!('artifactType' in d));
  });

  test('the empty config requires an artifactType (image-spec MUST)', () => {
    const a = json('artifact-minimal.json');
    delete a.artifactType;
    rejects(bytes(a), undefined, /artifactType: is required when config.mediaType is the empty/);
  });

  test('artifactType must be a media type', () => {
    rejects(bytes(image({ artifactType: 'sbom' })), undefined, /\$\.artifactType: .* not a valid media type/);
    rejects(bytes(image({ artifactType: 5 })), undefined, /\$\.artifactType: must be a string/);
  });

  test('embedded data must be the described content', () => {
    const a = json('artifact-sbom-referrer.json');
    const config = a.config as Record<string, unknown>;
    rejects(
      bytes({ ...a, config: { ...config, data: 'e30' } }),
      undefined,
      /\$\.config\.data: must be standard base64/,
    );
    rejects(
      bytes({ ...a, config: { ...config, data: 'e3t9' } }),
      undefined,
      /decodes to 3 bytes but the descriptor's size is 2/,
    );
    rejects(
      bytes({ ...a, config: { ...config, data: 'W10=' } }),
      undefined,
      /does not match the descriptor's digest/,
    );
  });

  test('referrerDescriptor checks its digest and size', () => {
    const m = parseManifest(bytes(image()), undefined);
    assert.throws(
      () => referrerDescriptor(m, 'sha256:nope', 1),
      (e: unknown) => e instanceof RegistryError && e.code === 'DIGEST_INVALID',
    );
    assert.throws(
      () => referrerDescriptor(m, sha('x'), -1),
      (e: unknown) => e instanceof RegistryError && e.code === 'SIZE_INVALID',
    );
  });
});

describe('OCI image index', () => {
  test('platforms, nested index and an entry of unknown media type', () => {
    const m = parseManifest(fixture('oci-index-nested.json'), MediaTypes.ociIndex);
    assert.equal(m.kind, 'index');
    assert.equal(m.config, undefined);
    assert.deepEqual(m.layers, []);
    assert.equal(m.manifests.length, 5);
    assert.deepEqual(m.manifests[1]?.platform, { architecture: 'arm', os: 'linux', variant: 'v7' });
    assert.deepEqual(m.manifests[2]?.platform, {
      architecture: 'amd64',
      os: 'windows',
      'os.version': '10.0.14393.1066',
      'os.features': ['win32k'],
    });
    assert.deepEqual(
      referencedManifests(m).map((d) => d.digest),
      [sha('ppc64le'), sha('arm'), sha('win'), sha('nested')],
    );
    // An entry of a media type that is no manifest type is not an error; it must exist as a blob.
    assert.deepEqual(
      referencedBlobs(m).map((d) => d.digest),
      [sha('thing')],
    );
  });

  test('an empty index is valid; a missing manifests list is not', () => {
    assert.deepEqual(
      parseManifest(bytes({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] }), undefined)
        .manifests,
      [],
    );
    rejects(
      bytes({ schemaVersion: 2, mediaType: MediaTypes.ociIndex }),
      undefined,
      /\$\.manifests: is required/,
    );
  });

  test('an index carrying config or layers is ambiguous and refused', () => {
    const idx = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
    rejects(bytes({ ...idx, layers: [] }), undefined, /\$\.layers: an index must not have "layers"/);
    rejects(
      bytes({ ...idx, config: image().config }),
      undefined,
      /\$\.config: an index must not have "config"/,
    );
  });

  test('platform needs architecture and os as strings', () => {
    const entry = { mediaType: MediaTypes.ociManifest, digest: sha('m'), size: 1 };
    const idx = (platform: unknown): Buffer =>
      bytes({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ ...entry, platform }] });
    rejects(idx({ os: 'linux' }), undefined, /\$\.manifests\[0\]\.platform\.architecture: is required/);
    rejects(idx({ architecture: 'amd64' }), undefined, /platform\.os: is required/);
    rejects(idx({ architecture: 1, os: 'linux' }), undefined, /platform\.architecture: must be a string/);
    rejects(
      idx({ architecture: 'amd64', os: 'linux', 'os.features': 'x' }),
      undefined,
      /os\.features: must be an array of strings/,
    );
    rejects(
      idx({ architecture: 'amd64', os: 'linux', features: [1] }),
      undefined,
      /features\[0\]: must be a string/,
    );
    rejects(idx('linux/amd64'), undefined, /platform must be an object/);
  });
});

describe('Docker schema 2', () => {
  test('a foreign layer with urls is not required; a normal one is', () => {
    const m = parseManifest(fixture('docker-manifest-foreign-layer.json'), MediaTypes.dockerManifest);
    assert.equal(m.mediaType, MediaTypes.dockerManifest);
    assert.equal(m.subject, undefined);
    assert.equal(m.artifactType, MediaTypes.dockerConfig);
    assert.deepEqual(
      referencedBlobs(m).map((d) => d.digest),
      [sha('wconfig'), sha('l1')],
    );
  });

  test('a foreign layer must list urls', () => {
    const m = json('docker-manifest-foreign-layer.json');
    const layers = m.layers as Record<string, unknown>[];
    const { urls: _u, ...noUrls } = layers[0] ?? {};
    rejects(
      bytes({ ...m, layers: [noUrls] }),
      undefined,
      /\$\.layers\[0\]\.urls: a foreign layer must list the URLs/,
    );
  });

  test('mediaType is required in the body, and must match', () => {
    const m = json('docker-manifest-foreign-layer.json');
    const { mediaType: _drop, ...rest } = m;
    rejects(bytes(rest), MediaTypes.dockerManifest, /required in a Docker schema 2 manifest/);
    rejects(bytes(m), MediaTypes.dockerManifestList, /does not match the Content-Type/);
    const list = { schemaVersion: 2, manifests: [] };
    rejects(bytes(list), MediaTypes.dockerManifestList, /required in a Docker schema 2 manifest/);
    const parsed = parseManifest(
      bytes({ ...list, mediaType: MediaTypes.dockerManifestList }),
      MediaTypes.dockerManifestList,
    );
    assert.equal(parsed.kind, 'index');
  });

  test('schema 1 is refused whatever says so', () => {
    const s1 = bytes({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [], history: [] });
    rejects(s1, MediaTypes.dockerSchema1Signed, /schema 1 manifests are not supported/);
    rejects(s1, undefined, /schema 1 manifests are not supported/);
    rejects(bytes(image()), MediaTypes.dockerSchema1, /schema 1/);
    rejects(bytes(image({ mediaType: MediaTypes.dockerSchema1 })), undefined, /schema 1/);
  });
});

describe('OCI foreign (non-distributable) layers', () => {
  test('are required unless they list urls; normal layers always are', () => {
    const m = parseManifest(fixture('oci-nondistributable.json'), undefined);
    assert.deepEqual(
      referencedBlobs(m).map((d) => d.digest),
      [sha('c'), sha('nd-without-urls'), sha('normal-with-urls')],
    );
  });

  test('urls must be http(s) without a fragment', () => {
    const layer = (urls: unknown): Buffer =>
      bytes(
        image({
          layers: [{ mediaType: MediaTypes.ociLayerNondistributableGzip, digest: sha('l'), size: 1, urls }],
        }),
      );
    rejects(
      layer(['ftp://example.com/x']),
      undefined,
      /\$\.layers\[0\]\.urls\[0\]: .* not an http or https URL/,
    );
    rejects(layer(['https://example.com/x#frag']), undefined, /without a fragment/);
    rejects(layer(['/relative']), undefined, /not an http or https URL/);
    rejects(layer('https://example.com/x'), undefined, /urls: must be an array of strings/);
    rejects(
      layer(Array.from({ length: 65 }, () => 'https://example.com/')),
      undefined,
      /more than 64 entries/,
    );
  });
});

describe('descriptors', () => {
  const withLayer = (layer: unknown): Buffer => bytes(image({ layers: [layer] }));
  const good = { mediaType: MediaTypes.ociLayerGzip, digest: sha('l'), size: 1 };
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'sha256:x', /\$\.layers\[0\]: descriptor must be an object, not the string/],
    ['null', null, /descriptor must be an object, not null/],
    ['no mediaType', { ...good, mediaType: undefined }, /\$\.layers\[0\]\.mediaType: is required/],
    ['empty mediaType', { ...good, mediaType: '' }, /mediaType: is required/],
    [
      'mediaType with parameters',
      { ...good, mediaType: 'text/plain; charset=utf-8' },
      /not a valid media type/,
    ],
    ['mediaType without subtype', { ...good, mediaType: 'application' }, /not a valid media type/],
    [
      'mediaType too long',
      { ...good, mediaType: `application/${'a'.repeat(128)}` },
      /not a valid media type/,
    ],
    ['no digest', { ...good, digest: undefined }, /digest: is required/],
    [
      'bad digest',
      { ...good, digest: 'sha256:1234' },
      /\$\.layers\[0\]\.digest: sha256 digest must have 64 hex characters/,
    ],
    ['unsupported digest', { ...good, digest: `md5:${'a'.repeat(32)}` }, /"md5" is not supported/],
    ['no size', { ...good, size: undefined }, /size: is required/],
    ['negative size', { ...good, size: -1 }, /size: must be a non-negative integer/],
    ['fractional size', { ...good, size: 1.5 }, /integer literal/],
    ['string size', { ...good, size: '1' }, /size: must be a non-negative integer, not the string "1"/],
    ['unsafe size', { ...good, size: 2 ** 53 }, /size: must be a non-negative integer/],
    [
      'annotation value not a string',
      { ...good, annotations: { a: 1 } },
      /annotations\["a"\]: annotation values must be strings/,
    ],
    ['annotations an array', { ...good, annotations: ['a'] }, /annotations must be an object, not an array/],
    ['artifactType not a type', { ...good, artifactType: 'x' }, /artifactType: .* not a valid media type/],
    [
      'misspelt known field',
      { mediaType: good.mediaType, Digest: good.digest, size: 1 },
      /\$\.layers\[0\]\.Digest: field must be spelled "digest"/,
    ],
    ['a known field twice, in two cases', { ...good, Digest: good.digest }, /key "Digest" repeats a key/],
  ];
  for (const [name, layer, reason] of cases)
    test(`rejects ${name}`, () => {
      rejects(withLayer(layer), undefined, reason);
    });

  test('keeps urls, annotations, artifactType; ignores unknown fields', () => {
    const m = parseManifest(
      withLayer({
        ...good,
        urls: ['https://example.com/l'],
        annotations: { k: 'v' },
        artifactType: 'application/x.y',
        'com.example.extra': { deep: [1] },
      }),
      undefined,
    );
    assert.deepEqual(m.layers[0], {
      ...good,
      urls: ['https://example.com/l'],
      annotations: { k: 'v' },
      artifactType: 'application/x.y',
    });
  });

  test('an annotation named __proto__ is data, not a prototype', () => {
    const body = Buffer.from(
      JSON.stringify(image()).replace(/}$/, ',"annotations":{"__proto__":"x","a":"b"}}'),
    );
    const m: ParsedManifest = parseManifest(body, undefined);
    assert.deepEqual(Object.keys(m.annotations ?? {}), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(m.annotations), Object.prototype);
  });
});

describe('hostile input', () => {
  test('a body over 4 MiB is refused with 413 before parsing', () => {
    const e = rejects(Buffer.alloc(10 * 1024 * 1024, 0x20), undefined, /larger than 4194304 bytes/);
    assert.equal(e.status, 413);
    assert.deepEqual(e.detail, { size: 10 * 1024 * 1024, limit: MAX_MANIFEST_BYTES });
  });

  test('a 4 MiB manifest is accepted (the spec asks registries to support it)', () => {
    const base = JSON.stringify(image({ annotations: { pad: '' } }));
    const pad = MAX_MANIFEST_BYTES - Buffer.byteLength(base);
    const body = Buffer.from(base.replace('"pad":""', `"pad":"${'x'.repeat(pad)}"`));
    assert.equal(body.length, MAX_MANIFEST_BYTES);
    assert.equal(parseManifest(body, undefined).annotations?.pad?.length, pad);
  });

  test('deep nesting is refused before JSON.parse', () => {
    rejects(
      Buffer.from(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`),
      undefined,
      /nests deeper than 64 levels/,
    );
    const nested = `{"schemaVersion":2,"x":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}`;
    rejects(Buffer.from(nested), undefined, /nests deeper/);
  });

  test('keys repeated in an object are refused, also when they differ in case only', () => {
    const s = JSON.stringify(image());
    rejects(
      Buffer.from(s.replace('"layers":', '"layers":[],"layers":')),
      undefined,
      /key "layers" repeats a key/,
    );
    rejects(
      Buffer.from(s.replace('"layers":', '"Layers":[],"layers":')),
      undefined,
      /key "layers" repeats a key/,
    );
    // Go folds ſ (U+017F) onto s and K (U+212A) onto k.
    rejects(Buffer.from(s.replace('"size":2', '"size":2,"\\u017fize":3')), undefined, /repeats a key/);
    rejects(
      Buffer.from(s.replace('}', ',"annotations":{"\u212aey":"a","key":"b"}}')),
      undefined,
      /repeats a key/,
    );
    // A lone key spelt differently is read by Go clients as the known field.
    rejects(
      Buffer.from(s.replace('"layers":', '"LAYERS":[],"x":')),
      undefined,
      /\$\.LAYERS: field must be spelled "layers"/,
    );
  });

  test('not UTF-8, a byte order mark, not JSON, not an object', () => {
    rejects(Buffer.from([0x7b, 0xff, 0x7d]), undefined, /not valid UTF-8/);
    rejects(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(image())]), undefined, /byte order mark/);
    rejects(Buffer.from('{"schemaVersion":2,'), undefined, /not valid JSON/);
    rejects(Buffer.from('{"a":"\\x"}'), undefined, /not valid JSON/);
    rejects(Buffer.from('{"unterminated'), undefined, /unterminated string/);
    rejects(Buffer.from(''), undefined, /not valid JSON/);
    rejects(Buffer.from('[]'), undefined, /must be a JSON object, not an array/);
    rejects(Buffer.from('null'), undefined, /not null/);
    rejects(Buffer.from('"x"'), undefined, /not the string/);
  });

  test('wrong argument types from untyped callers', () => {
    rejects('{}' as unknown as Buffer, undefined, /manifest body must be bytes/);
    rejects(bytes(image()), 42 as unknown as string, /Content-Type must be a string/);
  });

  test('too many descriptors', () => {
    const layers = Array.from({ length: 10_001 }, () => ({ mediaType: 'a/b', digest: sha('x'), size: 1 }));
    rejects(bytes(image({ layers })), undefined, /lists 10001 descriptors, more than the limit of 10000/);
  });
});
