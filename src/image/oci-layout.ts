import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MamoriError } from '../core/index.js';

/** Blobs are read in large chunks: fewer reads and fewer hops through the decompressor. */
const BLOB_READ_CHUNK = 256 * 1024;
import { MediaTypes, parseDescriptor } from './manifest.js';
import { isDigest } from './reference.js';
import type { BlobStore, Descriptor, RawManifest } from './types.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/** Where a blob lives in an OCI layout; the digest is validated first, so no path escapes. */
export function blobPath(digest: string): string {
  if (!isDigest(digest)) throw new MamoriError('INVALID_MANIFEST', `invalid digest "${digest}"`);
  const [algo, hex] = digest.split(':') as [string, string];
  return `blobs/${algo}/${hex}`;
}

function notFound(name: string, what: string): MamoriError {
  return new MamoriError('NOT_FOUND', `${name}: ${what} not found`);
}

/** Read access to the files of a layout: a directory, or the members of an archive. */
export interface LayoutReader {
  /** Reads a small file; NOT_FOUND when absent, LIMIT_EXCEEDED when over `max`. */
  read(rel: string, max: number, what: string): Promise<Buffer>;
  open(rel: string, what: string): Promise<Readable>;
}

export function directoryReader(root: string): LayoutReader {
  return {
    read: (rel, max, what) => readSmallFile(join(root, rel), max, what),
    async open(rel, what) {
      const path = join(root, rel);
      let st;
      try {
        st = await lstat(path);
      } catch (e) {
        throw new MamoriError('NOT_FOUND', `${what} not found`, { cause: e });
      }
      if (!st.isFile()) throw new MamoriError('INVALID_MANIFEST', `${what} is not a regular file`);
      return createReadStream(path, { highWaterMark: BLOB_READ_CHUNK });
    },
  };
}

async function readSmallFile(path: string, max: number, what: string): Promise<Buffer> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MamoriError('NOT_FOUND', `${what} not found`, { cause: e });
    throw new MamoriError('IO', `${what}: ${(e as Error).message}`, { cause: e });
  }
  if (!st.isFile()) throw new MamoriError('INVALID_MANIFEST', `${what} is not a regular file`);
  if (st.size > max) throw new MamoriError('LIMIT_EXCEEDED', `${what} is larger than ${max} bytes`);
  return readFile(path);
}

/**
 * An OCI image layout directory (image-layout spec): `oci-layout`,
 * `index.json` and `blobs/ALGO/HEX`. A tag names the `index.json` entries
 * whose `org.opencontainers.image.ref.name` equals it; several entries with
 * one tag (one per platform) act as an index.
 */
export class OciLayoutStore implements BlobStore {
  constructor(
    readonly name: string,
    private readonly reader: LayoutReader,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  private async index(): Promise<{ bytes: Buffer; manifests: Descriptor[] }> {
    const layout = await this.reader
      .read('oci-layout', 4096, `${this.name}: oci-layout`)
      .catch((e: unknown) => {
        throw new MamoriError('NOT_FOUND', `${this.name} is not an OCI image layout (no oci-layout file)`, {
          cause: e,
        });
      });
    try {
      const v = JSON.parse(layout.toString('utf8')) as { imageLayoutVersion?: unknown };
      if (typeof v.imageLayoutVersion !== 'string') throw new Error('no imageLayoutVersion');
    } catch (e) {
      throw new MamoriError('INVALID_MANIFEST', `${this.name}: invalid oci-layout file`, { cause: e });
    }
    const bytes = await this.reader.read('index.json', 16 * 1024 * 1024, `${this.name}: index.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new MamoriError('INVALID_MANIFEST', `${this.name}: index.json is not valid JSON`, { cause: e });
    }
    const list = (parsed as { manifests?: unknown }).manifests;
    if (!Array.isArray(list))
      throw new MamoriError('INVALID_MANIFEST', `${this.name}: index.json has no manifests`);
    return {
      bytes,
      manifests: list.map((d, i) => parseDescriptor(d, `${this.name} index.json manifests[${i}]`)),
    };
  }

  /** Tags named in index.json. */
  async tags(): Promise<string[]> {
    const { manifests } = await this.index();
    return [...new Set(manifests.map((d) => d.annotations?.[REF_NAME]).filter((t): t is string => !!t))];
  }

  async fetchManifest(reference: string, maxBytes: number): Promise<RawManifest> {
    if (isDigest(reference)) {
      const bytes = await this.reader.read(
        blobPath(reference),
        maxBytes,
        `${this.name} manifest ${reference}`,
      );
      return { bytes, mediaType: '', digest: reference };
    }
    const { bytes, manifests } = await this.index();
    if (reference === '') {
      if (manifests.length === 1 && manifests[0]) return this.fetchDescribed(manifests[0], maxBytes);
      // The layout's own index.json acts as the image index.
      return { bytes, mediaType: MediaTypes.ociIndex };
    }
    const tagged = manifests.filter((d) => d.annotations?.[REF_NAME] === reference);
    if (tagged.length === 0) {
      const known = manifests.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
      throw notFound(this.name, `tag "${reference}"${known.length ? ` (tags: ${known.join(', ')})` : ''}`);
    }
    if (tagged.length === 1 && tagged[0]) return this.fetchDescribed(tagged[0], maxBytes);
    const synthetic = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: tagged };
    return { bytes: Buffer.from(JSON.stringify(synthetic)), mediaType: MediaTypes.ociIndex };
  }

  private async fetchDescribed(d: Descriptor, maxBytes: number): Promise<RawManifest> {
    if (d.size > maxBytes) {
      throw new MamoriError('LIMIT_EXCEEDED', `${this.name}: manifest ${d.digest} declares ${d.size} bytes`);
    }
    const raw = await this.fetchManifest(d.digest, maxBytes);
    if (raw.bytes.length !== d.size) {
      throw new MamoriError(
        'SIZE_MISMATCH',
        `${this.name}: manifest ${d.digest} has ${raw.bytes.length} bytes, index.json says ${d.size}`,
      );
    }
    return { ...raw, mediaType: d.mediaType };
  }

  openBlob(digest: string): Promise<Readable> {
    return this.reader.open(blobPath(digest), `${this.name}: blob ${digest}`);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
