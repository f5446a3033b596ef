/**
 * Scan results as OCI artifacts that refer to the scanned image (image-spec
 * 1.1 artifacts guidance): an image manifest with an `artifactType`, the
 * empty config `{}`, one layer holding the document and the image as its
 * `subject`, stored like a pushed manifest (blobs in storage and linked,
 * manifest bytes in storage under their digest, a manifest row), so
 * `GET /v2/NAME/referrers/DIGEST` lists them.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { MamoriError } from '../../core/index.js';
import { EMPTY_JSON_DIGEST, MediaTypes } from '../spec/index.js';
import type { StateStore } from '../state/index.js';
import type { BlobStore as Storage } from '../storage/index.js';

export const SBOM_ARTIFACT_TYPE = 'application/vnd.cyclonedx+json';
export const REPORT_ARTIFACT_TYPE = 'application/vnd.mamori.scan.report.v1+json';

const EMPTY = Buffer.from('{}');

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function putBlob(
  storage: Storage,
  state: StateStore,
  repository: string,
  bytes: Buffer,
  mediaType: string,
) {
  const digest = digestOf(bytes);
  await storage.put(digest, Readable.from([bytes]), bytes.length);
  await state.linkBlob(repository, { digest, size: bytes.length, mediaType });
  return { digest, size: bytes.length };
}

export interface Subject {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** Stores `document` as an artifact of `artifactType` referring to `subject`; returns the manifest's and the document's digests. */
export async function putReferrer(
  storage: Storage,
  state: StateStore,
  repository: string,
  subject: Subject,
  artifactType: string,
  document: Buffer,
  annotations: Readonly<Record<string, string>>,
): Promise<{ manifest: string; document: string }> {
  const empty = await putBlob(storage, state, repository, EMPTY, MediaTypes.ociEmpty);
  if (empty.digest !== EMPTY_JSON_DIGEST)
    throw new MamoriError('INTERNAL', 'the empty descriptor has the wrong digest');
  const layer = await putBlob(storage, state, repository, document, artifactType);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      artifactType,
      config: { mediaType: MediaTypes.ociEmpty, digest: empty.digest, size: empty.size },
      layers: [{ mediaType: artifactType, digest: layer.digest, size: layer.size }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    }),
  );
  const digest = digestOf(bytes);
  await storage.put(digest, Readable.from([bytes]), bytes.length);
  const r = await state.putManifest(repository, {
    digest,
    mediaType: MediaTypes.ociManifest,
    size: bytes.length,
    artifactType,
    subjectDigest: subject.digest,
    configDigest: empty.digest,
    annotations,
    blobs: [empty.digest, layer.digest],
  });
  if (r.status === 'missing') {
    throw new MamoriError(
      'IO',
      `${repository}: blobs of the ${artifactType} artifact vanished while storing it`,
    );
  }
  await state.linkBlob(repository, { digest, size: bytes.length, mediaType: MediaTypes.ociManifest });
  return { manifest: digest, document: layer.digest };
}

/** Removes an artifact this module stored earlier (a replaced report); a missing one is fine. */
export async function deleteReferrer(state: StateStore, repository: string, digest: string): Promise<void> {
  await state.deleteManifest(repository, digest, { force: true });
}
