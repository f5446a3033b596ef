/**
 * A BlobStore over the OCI Distribution API for one repository of one
 * registry. It fetches bytes faithfully and reports errors clearly; parsing,
 * platform choice and digest verification belong to the caller.
 */
import { Transform, type Readable } from 'node:stream';
import type { ErrorCode } from '../../core/index.js';
import { MamoriError } from '../../core/index.js';
import type { BlobStore, RawManifest } from '../types.js';
import { Authenticator } from './auth.js';
import { parseWwwAuthenticate } from './challenge.js';
import type { Credentials } from './credentials.js';
import { errorFromResponse } from './errors.js';
import { isCertificateError } from './neterror.js';
import {
  HttpTransport,
  contentLength,
  firstHeader,
  readBounded,
  withRetries,
  type HttpResponse,
  type RetryPolicy,
} from './http.js';
import {
  assertValidRepository,
  isValidDigest,
  isValidTag,
  registryEndpoint,
  type DockerReference,
} from './reference.js';

export interface RegistryOptions {
  /** From resolveCredentials; absent means anonymous. */
  readonly credentials?: Credentials;
  /** Verify TLS certificates (default true). False also allows a plain-HTTP fallback. */
  readonly tlsVerify?: boolean;
  /** Allow a plain-HTTP fallback while still verifying certificates on HTTPS. */
  readonly insecure?: boolean;
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  /** Further attempts after a 429, 5xx or connection reset on a GET (default 3). */
  readonly retries?: number;
  readonly retryBaseDelayMs?: number;
  readonly userAgent?: string;
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

const SCHEMA1_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);
const GENERIC_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream']);

function schema1Error(name: string, reference: string): MamoriError {
  return new MamoriError(
    'INVALID_MANIFEST',
    `${name}: manifest ${reference} is a Docker schema 1 manifest, which is deprecated and not supported; re-push the image with a current client`,
  );
}

function isSchema1Json(bytes: Buffer): boolean {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as unknown;
    return (
      typeof doc === 'object' && doc !== null && (doc as { schemaVersion?: unknown }).schemaVersion === 1
    );
  } catch {
    return false;
  }
}

/** Cuts a blob body to its expected size: more or fewer bytes fail with SIZE_MISMATCH. */
function boundedBlob(body: Readable, size: number, what: string): Readable {
  let seen = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > size)
        cb(new MamoriError('SIZE_MISMATCH', `${what}: the registry sent more than ${size} bytes`));
      else cb(null, chunk);
    },
    flush(cb) {
      if (seen < size) cb(new MamoriError('SIZE_MISMATCH', `${what}: ended after ${seen} of ${size} bytes`));
      else cb();
    },
  });
  body.on('error', (e) => out.destroy(e));
  out.on('close', () => body.destroy());
  body.pipe(out);
  return out;
}

export class RegistryClient implements BlobStore {
  readonly name: string;
  private readonly http: HttpTransport;
  private readonly auth: Authenticator;
  private readonly retry: RetryPolicy;
  private readonly allowHttp: boolean;
  private readonly scope: string;
  private base: Promise<URL> | undefined;
  private closed = false;

  constructor(
    readonly ref: Pick<DockerReference, 'registry' | 'repository'>,
    opts: RegistryOptions = {},
  ) {
    assertValidRepository(ref.registry, ref.repository);
    this.name = `docker://${ref.registry}/${ref.repository}`;
    const tlsVerify = opts.tlsVerify ?? true;
    this.allowHttp = !tlsVerify || opts.insecure === true;
    this.http = new HttpTransport({
      tlsVerify,
      connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      readTimeoutMs: opts.readTimeoutMs ?? 60_000,
      userAgent: opts.userAgent ?? 'mamori',
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    });
    this.retry = {
      retries: opts.retries ?? 3,
      baseDelayMs: opts.retryBaseDelayMs ?? 250,
      maxDelayMs: 10_000,
    };
    this.auth = new Authenticator(this.http, {
      allowHttpRealm: this.allowHttp,
      retry: this.retry,
      clientId: opts.userAgent ?? 'mamori',
      name: this.name,
      ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
    });
    this.scope = `repository:${ref.repository}:pull`;
  }

  /** Pings `/v2/` (once) and returns the base URL in use, HTTPS or, where allowed, plain HTTP. */
  ping(): Promise<URL> {
    if (this.closed) return Promise.reject(new MamoriError('INTERNAL', `${this.name}: store is closed`));
    this.base ??= this.doPing().catch((e: unknown) => {
      this.base = undefined;
      throw this.named(e);
    });
    return this.base;
  }

  /** Network errors name the store, so that a message says which image failed. */
  private named(e: unknown): unknown {
    if (e instanceof MamoriError && e.code === 'NETWORK' && !e.message.startsWith(this.name)) {
      return new MamoriError('NETWORK', `${this.name}: ${e.message}`, { cause: e.cause });
    }
    return e;
  }

  private async doPing(): Promise<URL> {
    const host = registryEndpoint(this.ref.registry);
    const https = new URL(`https://${host}/`);
    try {
      return await this.pingAt(https, !this.allowHttp);
    } catch (e) {
      if (!this.allowHttp || (e instanceof MamoriError && e.code !== 'NETWORK')) throw e;
      try {
        return await this.pingAt(new URL(`http://${host}/`), true);
      } catch (plain) {
        // A server that speaks TLS with an untrusted certificate is best
        // described by that; one that does not speak TLS, by its HTTP answer.
        const answered = plain instanceof MamoriError && plain.code !== 'NETWORK';
        throw answered && !isCertificateError(e) ? plain : e;
      }
    }
  }

  private async pingAt(base: URL, retry: boolean): Promise<URL> {
    const url = new URL('/v2/', base);
    const send = (): Promise<HttpResponse> => this.http.request('GET', url, {});
    const res = await (retry ? withRetries(send, this.retry) : send());
    if (res.status === 200) {
      res.body.destroy();
      return base;
    }
    if (res.status === 401) {
      res.body.destroy();
      if (!this.auth.adopt(parseWwwAuthenticate(res.headers['www-authenticate']))) {
        throw new MamoriError(
          'REGISTRY',
          `${this.name}: /v2/ answered 401 without a Basic or Bearer challenge`,
        );
      }
      return base;
    }
    const err = await errorFromResponse(res, `${this.name}: GET ${url.origin}/v2/`);
    throw new MamoriError(
      res.status === 404 ? 'REGISTRY' : err.code,
      res.status === 404
        ? `${this.name}: ${url.origin} does not serve the registry API (/v2/ is 404)`
        : err.message,
    );
  }

  /** An authenticated GET under the base URL, with one re-authentication after a 401. */
  private async get(path: string, headers: Readonly<Record<string, string>>): Promise<HttpResponse> {
    const base = await this.ping();
    const url = new URL(path, base);
    for (let reauth = false; ; reauth = true) {
      const authz = await this.auth.authorization(this.scope);
      const send = (): Promise<HttpResponse> => this.http.follow('GET', url, headers, authz, base.origin);
      const res = await withRetries(send, this.retry).catch((e: unknown) => {
        throw this.named(e);
      });
      if (res.status !== 401 || reauth) return res;
      const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
      if (!(await this.auth.retryAfter401(challenges, this.scope))) return res;
      res.body.destroy();
    }
  }

  private failure(res: HttpResponse, what: string): Promise<MamoriError> {
    return errorFromResponse(res, `${this.name}: ${what}`, (code: ErrorCode) =>
      code === 'UNAUTHORIZED' || code === 'DENIED'
        ? this.auth.describeCredentials() === 'no credentials'
          ? 'no credentials were found (use --creds or log in)'
          : `access refused with ${this.auth.describeCredentials()}`
        : undefined,
    );
  }

  async fetchManifest(reference: string, maxBytes: number): Promise<RawManifest> {
    if (!isValidDigest(reference) && !isValidTag(reference)) {
      throw new MamoriError(
        'INVALID_REFERENCE',
        `${this.name}: ${JSON.stringify(reference)} is neither a tag nor a digest`,
      );
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new MamoriError('INVALID_ARGUMENT', `manifest size limit must be a positive integer`);
    }
    const what = `manifest ${reference}`;
    const res = await this.get(`/v2/${this.ref.repository}/manifests/${reference}`, {
      accept: MANIFEST_ACCEPT,
    });
    if (res.status !== 200) throw await this.failure(res, what);
    const mediaType =
      (firstHeader(res.headers['content-type']) ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (SCHEMA1_TYPES.has(mediaType)) {
      res.body.destroy();
      throw schema1Error(this.name, reference);
    }
    const bytes = await readBounded(res, maxBytes, `${this.name}: ${what}`);
    if (GENERIC_TYPES.has(mediaType) && isSchema1Json(bytes)) throw schema1Error(this.name, reference);
    const digest = firstHeader(res.headers['docker-content-digest'])?.trim();
    return {
      bytes,
      mediaType: GENERIC_TYPES.has(mediaType) ? '' : mediaType,
      ...(digest !== undefined && isValidDigest(digest) ? { digest } : {}),
    };
  }

  async openBlob(digest: string, size?: number): Promise<Readable> {
    if (!isValidDigest(digest)) {
      throw new MamoriError(
        'INVALID_REFERENCE',
        `${this.name}: ${JSON.stringify(digest)} is not a valid digest`,
      );
    }
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
      throw new MamoriError('INVALID_ARGUMENT', `blob size must be a non-negative integer`);
    }
    const what = `blob ${digest}`;
    const res = await this.get(`/v2/${this.ref.repository}/blobs/${digest}`, {});
    if (res.status !== 200) throw await this.failure(res, what);
    if (size === undefined) return res.body;
    const declared = contentLength(res.headers);
    if (declared !== undefined && declared !== size) {
      res.body.destroy();
      throw new MamoriError('SIZE_MISMATCH', `${this.name}: ${what} is ${declared} bytes, expected ${size}`);
    }
    return boundedBlob(res.body, size, `${this.name}: ${what}`);
  }

  close(): Promise<void> {
    this.closed = true;
    this.http.close();
    return Promise.resolve();
  }
}

/** A BlobStore for one repository of a registry; it connects on first use. */
export function openRegistryStore(
  ref: Pick<DockerReference, 'registry' | 'repository'>,
  opts: RegistryOptions = {},
): BlobStore {
  return new RegistryClient(ref, opts);
}
