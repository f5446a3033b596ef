/**
 * Manifests written by real tools: umoci builds two single-layer images
 * (amd64, arm64) in an OCI layout; the test adds an image index and an SBOM
 * artifact with a `subject` (image-spec "Guidelines for Artifact Usage");
 * skopeo copies them — verifying every digest — to another OCI layout, to
 * `dir:` as Docker schema 2 (a manifest list with `--all`) and as Docker
 * schema 1. Each result is parsed and its descriptors checked against the
 * blobs the tools wrote.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  EMPTY_JSON_DIGEST,
  MediaTypes,
  RegistryError,
  digestOf,
  parseManifest,
  referencedBlobs,
  referencedManifests,
  referrerDescriptor,
  type Descriptor,
  type ParsedManifest,
} from './index.js';

const exec = promisify(execFile);
const rootless = (): string[] => (process.getuid?.() === 0 ? [] : ['--rootless']);

async function run(cmd: string, args: string[]): Promise<void> {
  await exec(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
}

interface LayoutEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

const SBOM = Buffer.from('{"spdxVersion":"SPDX-2.3","name":"hello"}');
const SBOM_TYPE = 'application/spdx+json';

let tmp = '';
let layout = '';

const blobPath = (dir: string, digest: string): string => join(dir, 'blobs', ...digest.split(':'));
const dirBlob = (dir: string, digest: string): string => join(dir, digest.split(':')[1] ?? '');

async function layoutIndex(dir: string): Promise<{ manifests: LayoutEntry[] }> {
  return JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: LayoutEntry[] };
}

async function entry(dir: string, tag: string): Promise<LayoutEntry> {
  const e = (await layoutIndex(dir)).manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  assert.ok(e, `tag ${tag} in ${dir}`);
  return e;
}

async function putBlob(bytes: Buffer): Promise<Descriptor> {
  const digest = digestOf(bytes);
  await writeFile(blobPath(layout, digest), bytes);
  return { mediaType: '', digest, size: bytes.length };
}

async function tagManifest(tag: string, mediaType: string, body: unknown): Promise<void> {
  const d = await putBlob(Buffer.from(JSON.stringify(body)));
  const index = await layoutIndex(layout);
  index.manifests.push({
    mediaType,
    digest: d.digest,
    size: d.size,
    annotations: { 'org.opencontainers.image.ref.name': tag },
  });
  await writeFile(join(layout, 'index.json'), JSON.stringify(index));
}

/** Every descriptor's bytes exist in `file(digest)` with the right size and digest. */
async function assertBlobs(
  descriptors: readonly Descriptor[],
  file: (digest: string) => string,
): Promise<void> {
  for (const d of descriptors) {
    const bytes = await readFile(file(d.digest));
    assert.equal(bytes.length, d.size, `size of ${d.digest}`);
    assert.equal(digestOf(bytes), d.digest);
  }
}

async function parseBlob(dir: string, e: { digest: string; mediaType: string }): Promise<ParsedManifest> {
  return parseManifest(await readFile(blobPath(dir, e.digest)), e.mediaType);
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mamori-spec-'));
  layout = join(tmp, 'oci');
  const files = join(tmp, 'files');
  await mkdir(files);
  await writeFile(join(files, 'hello'), 'hello from amd64\n');
  await writeFile(join(files, 'hello2'), 'hello from arm64\n');
  await run('umoci', ['init', '--layout', layout]);
  for (const [arch, file] of [
    ['amd64', 'hello'],
    ['arm64', 'hello2'],
  ] as const) {
    const image = `${layout}:${arch}`;
    await run('umoci', ['new', ...rootless(), '--image', image]);
    await run('umoci', ['config', ...rootless(), '--image', image, '--architecture', arch, '--os', 'linux']);
    await run('umoci', ['insert', ...rootless(), '--image', image, join(files, file), `/${file}`]);
  }
  const children = [];
  for (const arch of ['amd64', 'arm64']) {
    const e = await entry(layout, arch);
    children.push({
      mediaType: e.mediaType,
      digest: e.digest,
      size: e.size,
      platform: { architecture: arch, os: 'linux' },
    });
  }
  await tagManifest('multi', MediaTypes.ociIndex, {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: children,
  });
  const empty = await putBlob(Buffer.from('{}'));
  const sbom = await putBlob(SBOM);
  const subject = await entry(layout, 'amd64');
  await tagManifest('sbom', MediaTypes.ociManifest, {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: SBOM_TYPE,
    config: { mediaType: MediaTypes.ociEmpty, digest: empty.digest, size: empty.size, data: 'e30=' },
    layers: [{ mediaType: SBOM_TYPE, digest: sbom.digest, size: sbom.size }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { 'org.opencontainers.image.created': '2024-01-02T03:04:05Z' },
  });
  await run('skopeo', ['copy', '--quiet', '--all', `oci:${layout}:multi`, `oci:${join(tmp, 'copy')}:multi`]);
  await run('skopeo', ['copy', '--quiet', `oci:${layout}:sbom`, `oci:${join(tmp, 'copy')}:sbom`]);
  await run('skopeo', [
    'copy',
    '--quiet',
    '--format',
    'v2s2',
    `oci:${layout}:amd64`,
    `dir:${join(tmp, 'v2s2')}`,
  ]);
  await run('skopeo', [
    'copy',
    '--quiet',
    '--all',
    '--format',
    'v2s2',
    `oci:${layout}:multi`,
    `dir:${join(tmp, 'list')}`,
  ]);
  await run('skopeo', [
    'copy',
    '--quiet',
    '--format',
    'v2s1',
    `oci:${layout}:amd64`,
    `dir:${join(tmp, 'v2s1')}`,
  ]);
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('manifests written by umoci and skopeo', () => {
  test('umoci image manifests: config and layer descriptors match the blobs', async () => {
    for (const arch of ['amd64', 'arm64']) {
      const e = await entry(layout, arch);
      const bytes = await readFile(blobPath(layout, e.digest));
      assert.equal(digestOf(bytes), e.digest);
      const m = parseManifest(bytes, e.mediaType);
      assert.equal(m.kind, 'image');
      assert.equal(m.mediaType, MediaTypes.ociManifest);
      assert.equal(m.config?.mediaType, MediaTypes.ociConfig);
      assert.equal(m.artifactType, MediaTypes.ociConfig);
      assert.equal(m.layers.length, 1);
      assert.equal(m.layers[0]?.mediaType, MediaTypes.ociLayerGzip);
      assert.deepEqual(referencedBlobs(m), [m.config, ...m.layers]);
      await assertBlobs(referencedBlobs(m), (d) => blobPath(layout, d));
      const config = JSON.parse(await readFile(blobPath(layout, m.config?.digest ?? ''), 'utf8')) as {
        architecture: string;
      };
      assert.equal(config.architecture, arch);
    }
  });

  test("umoci's layout index.json is a valid image index (media type from its fields)", async () => {
    const bytes = await readFile(join(layout, 'index.json'));
    const m = parseManifest(bytes, undefined);
    assert.equal(m.kind, 'index');
    assert.equal(m.mediaType, MediaTypes.ociIndex);
    const tags = m.manifests.map((d) => d.annotations?.['org.opencontainers.image.ref.name']);
    assert.deepEqual(tags, ['amd64', 'arm64', 'multi', 'sbom']);
    await assertBlobs(m.manifests, (d) => blobPath(layout, d));
  });

  test('the index skopeo copied lists both platforms, and each child parses', async () => {
    const copy = join(tmp, 'copy');
    const e = await entry(copy, 'multi');
    const m = await parseBlob(copy, e);
    assert.equal(m.kind, 'index');
    assert.deepEqual(
      m.manifests.map((d) => d.platform),
      [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux' },
      ],
    );
    assert.deepEqual(referencedManifests(m), m.manifests);
    assert.deepEqual(referencedBlobs(m), []);
    await assertBlobs(m.manifests, (d) => blobPath(copy, d));
    for (const child of m.manifests) {
      const c = await parseBlob(copy, child);
      assert.equal(c.kind, 'image');
      await assertBlobs(referencedBlobs(c), (d) => blobPath(copy, d));
    }
  });

  test('Docker schema 2 from `skopeo copy --format v2s2`', async () => {
    const dir = join(tmp, 'v2s2');
    const m = parseManifest(await readFile(join(dir, 'manifest.json')), MediaTypes.dockerManifest);
    assert.equal(m.kind, 'image');
    assert.equal(m.mediaType, MediaTypes.dockerManifest);
    assert.equal(m.config?.mediaType, MediaTypes.dockerConfig);
    assert.deepEqual(
      m.layers.map((l) => l.mediaType),
      [MediaTypes.dockerLayer],
    );
    await assertBlobs(referencedBlobs(m), (d) => dirBlob(dir, d));
    // The layer is the very blob umoci wrote; only the config was converted.
    const oci = await parseBlob(layout, await entry(layout, 'amd64'));
    assert.equal(m.layers[0]?.digest, oci.layers[0]?.digest);
  });

  test('a Docker manifest list from `skopeo copy --all --format v2s2`', async () => {
    const dir = join(tmp, 'list');
    const m = parseManifest(await readFile(join(dir, 'manifest.json')), MediaTypes.dockerManifestList);
    assert.equal(m.kind, 'index');
    assert.equal(m.mediaType, MediaTypes.dockerManifestList);
    assert.deepEqual(
      m.manifests.map((d) => [d.mediaType, d.platform?.architecture]),
      [
        [MediaTypes.dockerManifest, 'amd64'],
        [MediaTypes.dockerManifest, 'arm64'],
      ],
    );
    assert.equal(referencedManifests(m).length, 2);
    for (const child of m.manifests) {
      const bytes = await readFile(join(dir, `${child.digest.split(':')[1] ?? ''}.manifest.json`));
      assert.equal(digestOf(bytes), child.digest);
      assert.equal(bytes.length, child.size);
      const c = parseManifest(bytes, child.mediaType);
      await assertBlobs(referencedBlobs(c), (d) => dirBlob(dir, d));
    }
  });

  test('Docker schema 1 from `skopeo copy --format v2s1` is refused', async () => {
    const bytes = await readFile(join(tmp, 'v2s1', 'manifest.json'));
    assert.match(bytes.toString('utf8'), /"schemaVersion":\s*1/);
    for (const ct of [MediaTypes.dockerSchema1Signed, MediaTypes.dockerSchema1, undefined]) {
      assert.throws(
        () => parseManifest(bytes, ct),
        (e: unknown) =>
          e instanceof RegistryError && e.code === 'MANIFEST_INVALID' && /schema 1/.test(e.message),
      );
    }
  });

  test('an SBOM artifact with a subject survives skopeo and yields its referrers descriptor', async () => {
    const copy = join(tmp, 'copy');
    const e = await entry(copy, 'sbom');
    const bytes = await readFile(blobPath(copy, e.digest));
    const m = parseManifest(bytes, e.mediaType);
    const subject = await entry(layout, 'amd64');
    assert.deepEqual(m.subject, { mediaType: subject.mediaType, digest: subject.digest, size: subject.size });
    assert.equal(m.artifactType, SBOM_TYPE);
    assert.deepEqual(
      referencedBlobs(m).map((d) => d.digest),
      [EMPTY_JSON_DIGEST, digestOf(SBOM)],
    );
    await assertBlobs(referencedBlobs(m), (d) => blobPath(copy, d));
    assert.deepEqual(referrerDescriptor(m, e.digest, e.size), {
      mediaType: MediaTypes.ociManifest,
      digest: e.digest,
      size: (await stat(blobPath(copy, e.digest))).size,
      artifactType: SBOM_TYPE,
      annotations: { 'org.opencontainers.image.created': '2024-01-02T03:04:05Z' },
    });
    // The subject is an image manifest of the same layout.
    const names = await readdir(join(copy, 'blobs', 'sha256'));
    assert.ok(names.includes(subject.digest.split(':')[1] ?? ''));
  });
});
