/**
 * Test support (not part of the build): images built with the OCI writer
 * and pushed into the registry's storage and state the way the HTTP layer
 * stores a push (blobs put and linked, manifest bytes in storage, a
 * manifest row).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { writeOciImage } from '../../testing/oci-writer.js';
import { digestOf, parseManifest, referencedBlobs, referencedManifests } from '../spec/index.js';
import type { StateStore } from '../state/index.js';
import type { BlobStore as Storage } from '../storage/index.js';

export const OS_RELEASE =
  'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';

const STATUS = `Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 168
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: compression library - runtime

Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6224
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.13-1~deb12u1
Description: Secure Sockets Layer toolkit - shared libraries

`;

/** A small Debian 12 image: two dpkg packages, a private key in a file, running as root. */
export async function writeDebianLikeImage(dir: string, tag = 'v1'): Promise<{ dir: string; tag: string }> {
  const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeOciImage(dir, tag, [
    {
      members: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/os-release', content: OS_RELEASE },
        { name: 'var/', type: 'directory' },
        { name: 'var/lib/', type: 'directory' },
        { name: 'var/lib/dpkg/', type: 'directory' },
        { name: 'var/lib/dpkg/status', content: STATUS },
      ],
    },
    {
      members: [
        { name: 'srv/', type: 'directory' },
        { name: 'srv/deploy.key', content: key, mode: 0o600 },
      ],
    },
  ]);
  return { dir, tag };
}

async function putBytes(
  storage: Storage,
  state: StateStore,
  repository: string,
  bytes: Buffer,
  mediaType: string,
) {
  const digest = digestOf(bytes, 'sha256');
  await storage.put(digest, Readable.from([bytes]), bytes.length);
  await state.linkBlob(repository, { digest, size: bytes.length, mediaType });
  return digest;
}

/** Stores manifest bytes as a push would (its blobs and child manifests must be stored already). */
export async function putManifestBytes(
  storage: Storage,
  state: StateStore,
  repository: string,
  bytes: Buffer,
  tag?: string,
): Promise<string> {
  const parsed = parseManifest(bytes, undefined);
  const digest = digestOf(bytes, 'sha256');
  await storage.put(digest, Readable.from([bytes]), bytes.length);
  const r = await state.putManifest(
    repository,
    {
      digest,
      mediaType: parsed.mediaType,
      size: bytes.length,
      ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
      ...(parsed.subject ? { subjectDigest: parsed.subject.digest } : {}),
      ...(parsed.config ? { configDigest: parsed.config.digest } : {}),
      blobs: referencedBlobs(parsed).map((d) => d.digest),
      children: referencedManifests(parsed).map((d) => d.digest),
    },
    tag ? { tag } : {},
  );
  if (r.status !== 'stored') throw new Error(`manifest not stored: ${JSON.stringify(r)}`);
  await state.linkBlob(repository, { digest, size: bytes.length, mediaType: parsed.mediaType });
  return digest;
}

/** Pushes the image a layout's index.json names under `tag`; returns the manifest digest. */
export async function pushLayout(
  storage: Storage,
  state: StateStore,
  repository: string,
  layout: string,
  tag: string,
): Promise<string> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`no ${tag} in ${layout}`);
  const blobPath = (d: string) => join(layout, 'blobs', 'sha256', d.slice('sha256:'.length));
  const bytes = await readFile(blobPath(entry.digest));
  for (const b of referencedBlobs(parseManifest(bytes, undefined))) {
    await storage.put(b.digest, createReadStream(blobPath(b.digest)), b.size);
    await state.linkBlob(repository, { digest: b.digest, size: b.size, mediaType: b.mediaType });
  }
  return putManifestBytes(storage, state, repository, bytes, tag);
}

/** An artifact that is not an image: a made-up config type and one layer. */
export async function pushArtifact(
  storage: Storage,
  state: StateStore,
  repository: string,
  subject?: { mediaType: string; digest: string; size: number },
): Promise<string> {
  const configType = 'application/vnd.example.thing.config.v1+json';
  const config = Buffer.from('{"thing":true}');
  const layer = Buffer.from('not an image layer\n');
  const c = await putBytes(storage, state, repository, config, configType);
  const l = await putBytes(storage, state, repository, layer, 'text/plain');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: configType, digest: c, size: config.length },
      layers: [{ mediaType: 'text/plain', digest: l, size: layer.length }],
      ...(subject ? { subject } : {}),
    }),
  );
  return putManifestBytes(storage, state, repository, manifest);
}

/** An index listing the given manifests. */
export async function pushIndex(
  storage: Storage,
  state: StateStore,
  repository: string,
  entries: readonly { digest: string; size: number; mediaType?: string }[],
): Promise<string> {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map((e) => ({
        mediaType: e.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
        digest: e.digest,
        size: e.size,
        platform: { os: 'linux', architecture: 'amd64' },
      })),
    }),
  );
  return putManifestBytes(storage, state, repository, bytes);
}
