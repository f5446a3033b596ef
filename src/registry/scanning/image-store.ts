/**
 * The registry's own content as an image BlobStore (src/image/types.ts) for
 * one repository: manifests are blobs in storage under their digest, looked
 * up in the metadata store first, so the scanner sees exactly what a client
 * pulling from this repository would see — nothing of other repositories,
 * nothing unlinked — without going through HTTP.
 */
import type { Readable } from 'node:stream';
import { MamoriError } from '../../core/index.js';
import type { BlobStore as ImageBlobStore, RawManifest } from '../../image/index.js';
import { readBounded } from '../../image/index.js';
import { isDigest, isTag } from '../spec/index.js';
import type { StateStore } from '../state/index.js';
import type { BlobStore as Storage } from '../storage/index.js';

export class RegistryImageStore implements ImageBlobStore {
  readonly name: string;

  constructor(
    private readonly storage: Storage,
    private readonly state: StateStore,
    readonly repository: string,
  ) {
    this.name = `registry:${repository}`;
  }

  async fetchManifest(reference: string, maxBytes: number): Promise<RawManifest> {
    let digest = reference;
    if (!isDigest(reference)) {
      if (!isTag(reference)) {
        throw new MamoriError(
          'INVALID_REFERENCE',
          `${this.name}: "${reference}" is neither a tag nor a digest`,
        );
      }
      const tag = await this.state.resolveTag(this.repository, reference);
      if (!tag) throw new MamoriError('NOT_FOUND', `${this.name}: tag "${reference}" not found`);
      digest = tag.digest;
    }
    const record = await this.state.getManifest(this.repository, digest);
    if (!record) throw new MamoriError('NOT_FOUND', `${this.name}: manifest ${digest} not found`);
    if (record.size > maxBytes) {
      throw new MamoriError('LIMIT_EXCEEDED', `${this.name}: manifest ${digest} has ${record.size} bytes`);
    }
    const opened = await this.storage.open(digest);
    if (!opened)
      throw new MamoriError('NOT_FOUND', `${this.name}: manifest ${digest} is missing from storage`);
    const bytes = await readBounded(opened.stream, maxBytes, `${this.name}: manifest ${digest}`);
    return { bytes, mediaType: record.mediaType, digest };
  }

  async openBlob(digest: string, size?: number): Promise<Readable> {
    if (!isDigest(digest))
      throw new MamoriError('INVALID_MANIFEST', `${this.name}: invalid digest "${digest}"`);
    if (!(await this.state.isBlobLinked(this.repository, digest))) {
      throw new MamoriError('NOT_FOUND', `${this.name}: blob ${digest} not found`);
    }
    const opened = await this.storage.open(digest);
    if (!opened) throw new MamoriError('NOT_FOUND', `${this.name}: blob ${digest} is missing from storage`);
    if (size !== undefined && opened.size !== size) {
      opened.stream.destroy();
      throw new MamoriError(
        'SIZE_MISMATCH',
        `${this.name}: blob ${digest} has ${opened.size} bytes, the manifest says ${size}`,
      );
    }
    return opened.stream;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
