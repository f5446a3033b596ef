/** SignatureSource adapters: plain OCI Distribution HTTP, and mamori's BlobStore / RegistryClient. */
import type { Readable } from 'node:stream';
import { MamoriError, isMamoriError } from '../../core/index.js';
import { MANIFEST_ACCEPT, isValidDigest, isValidTag } from '../../image/registry/index.js';
import type { BlobStore } from '../../image/types.js';
import { isRepositoryName } from '../../registry/spec/index.js';
import type { SignatureSource, SourceManifest } from './types.js';

export interface DistributionSourceOptions {
  /** Registry base URL, `https://host[:port]` (or `http://` for a local registry). */
  readonly url: string;
  readonly repository: string;
  /** Extra request headers, e.g. `authorization`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new MamoriError('LIMIT_EXCEEDED', `${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, total);
}

function checkReference(reference: string): void {
  if (!isValidDigest(reference) && !isValidTag(reference)) {
    throw new MamoriError(
      'INVALID_REFERENCE',
      `${JSON.stringify(reference).slice(0, 200)} is neither a tag nor a digest`,
    );
  }
}

/** A SignatureSource over the OCI Distribution API with the given fetch. */
export function distributionSignatureSource(opts: DistributionSourceOptions): SignatureSource {
  let base: URL;
  try {
    base = new URL(opts.url);
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `registry URL ${JSON.stringify(opts.url)} is not a URL`, {
      cause: e,
    });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new MamoriError('INVALID_ARGUMENT', `registry URL must be http(s), not ${base.protocol}`);
  }
  if (!isRepositoryName(opts.repository)) {
    throw new MamoriError(
      'INVALID_REFERENCE',
      `${JSON.stringify(opts.repository).slice(0, 200)} is not a repository name`,
    );
  }
  const doFetch = opts.fetch ?? fetch;
  const name = `${base.host}/${opts.repository}`;
  const get = async (path: string, accept?: string): Promise<Response> => {
    const url = new URL(`/v2/${opts.repository}/${path}`, base);
    try {
      return await doFetch(url, {
        headers: { ...opts.headers, ...(accept !== undefined ? { accept } : {}) },
      });
    } catch (e) {
      throw new MamoriError(
        'NETWORK',
        `${name}: GET ${path}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  };
  const failure = async (res: Response, what: string): Promise<MamoriError> => {
    await res.body?.cancel();
    const code = res.status === 401 ? 'UNAUTHORIZED' : res.status === 403 ? 'DENIED' : 'REGISTRY';
    return new MamoriError(code, `${name}: ${what}: HTTP ${res.status}`);
  };
  return {
    async fetchManifest(reference: string, maxBytes: number): Promise<SourceManifest | undefined> {
      checkReference(reference);
      const res = await get(`manifests/${reference}`, MANIFEST_ACCEPT);
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (res.status !== 200) throw await failure(res, `manifest ${reference}`);
      const bytes = await readLimited(res.body, maxBytes, `${name}: manifest ${reference}`);
      return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '' };
    },
    async fetchBlob(digest: string, maxBytes: number): Promise<Buffer> {
      if (!isValidDigest(digest)) throw new MamoriError('INVALID_REFERENCE', `${name}: invalid blob digest`);
      const res = await get(`blobs/${digest}`);
      if (res.status === 404) {
        await res.body?.cancel();
        throw new MamoriError('NOT_FOUND', `${name}: blob ${digest} not found`);
      }
      if (res.status !== 200) throw await failure(res, `blob ${digest}`);
      return readLimited(res.body, maxBytes, `${name}: blob ${digest}`);
    },
    async listReferrers(digest: string, maxBytes: number): Promise<Buffer | undefined> {
      if (!isValidDigest(digest)) throw new MamoriError('INVALID_REFERENCE', `${name}: invalid digest`);
      const res = await get(`referrers/${digest}`, 'application/vnd.oci.image.index.v1+json');
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (res.status !== 200) throw await failure(res, `referrers of ${digest}`);
      return readLimited(res.body, maxBytes, `${name}: referrers of ${digest}`);
    },
  };
}

async function readStream(stream: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += b.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new MamoriError('LIMIT_EXCEEDED', `${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}

/**
 * A SignatureSource over mamori's BlobStore (a RegistryClient brings the
 * usual credentials and TLS settings). Referrers come from the OCI 1.1
 * referrers tag schema (`sha256-<hex>`), the fallback for registries without
 * the referrers API.
 */
export function blobStoreSignatureSource(store: BlobStore): SignatureSource {
  const manifest = async (reference: string, maxBytes: number): Promise<SourceManifest | undefined> => {
    try {
      const m = await store.fetchManifest(reference, maxBytes);
      return { bytes: m.bytes, mediaType: m.mediaType };
    } catch (e) {
      if (isMamoriError(e, 'NOT_FOUND')) return undefined;
      throw e;
    }
  };
  return {
    fetchManifest: manifest,
    async fetchBlob(digest: string, maxBytes: number): Promise<Buffer> {
      return readStream(await store.openBlob(digest), maxBytes, `${store.name}: blob ${digest}`);
    },
    async listReferrers(digest: string, maxBytes: number): Promise<Buffer | undefined> {
      if (!isValidDigest(digest)) throw new MamoriError('INVALID_REFERENCE', `${store.name}: invalid digest`);
      return (await manifest(digest.replace(':', '-'), maxBytes))?.bytes;
    },
  };
}
