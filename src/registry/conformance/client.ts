/**
 * A minimal registry client for the conformance checks: one request, the
 * whole response read, the repository filled into a path's `<name>`,
 * relative upload locations resolved, and the spec's JSON error body parsed.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Query parameters added to (or replacing those of) the path's own query. */
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export interface Response {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** One entry of the spec's error body. */
export interface ErrorEntry {
  readonly code: string;
  readonly message?: string;
  readonly detail?: unknown;
}

export interface RegistryClient {
  /** `http://host:port` */
  readonly base: string;
  /** The default repository, filled into `<name>`. */
  readonly name: string;
  send(path: string, options?: SendOptions): Promise<Response>;
  /**
   * A request through `node:http`, which (unlike fetch) sends a body with
   * any method, e.g. a GET with a body.
   */
  sendRaw(path: string, options?: SendOptions): Promise<Response>;
}

function target(base: string, path: string, query: Readonly<Record<string, string>> | undefined): URL {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url;
}

/** Fills the client's repository into a path's `<name>`. */
const fill = (path: string, name: string): string => path.replace('<name>', name);

export function createClient(base: string, name: string): RegistryClient {
  return {
    base,
    name,
    async send(path, options = {}) {
      const res = await fetch(target(base, fill(path, name), options.query), {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.body !== undefined ? { body: options.body } : {}),
        redirect: 'manual',
      });
      return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
    },
    sendRaw(path, options = {}) {
      const url = target(base, fill(path, name), options.query);
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          url,
          {
            method: options.method ?? 'GET',
            headers: {
              ...(options.headers ?? {}),
              ...(options.body ? { 'content-length': String(options.body.length) } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const headers = new Headers();
              for (const [k, v] of Object.entries(res.headers)) {
                if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
              }
              resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
            });
          },
        );
        req.on('error', reject);
        req.end(options.body);
      });
    },
  };
}

/**
 * The path and query of a response's `Location` (absolute or relative), as
 * a client continuing an upload uses it; '' when there is none.
 */
export function relativeLocation(res: Response): string {
  const loc = res.headers.get('location');
  if (loc === null || loc === '') return '';
  try {
    const u = new URL(loc, 'http://location.invalid');
    return u.pathname + u.search;
  } catch {
    return '';
  }
}

/** The entries of a JSON error body; throws when the body is not one. */
export function errorEntries(res: Response): ErrorEntry[] {
  const parsed: unknown = JSON.parse(res.body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('errors' in parsed)) {
    throw new Error(`not an error body: ${res.body.toString('utf8').slice(0, 200)}`);
  }
  const { errors } = parsed as { errors: unknown };
  if (!Array.isArray(errors)) throw new Error('"errors" is not an array');
  return errors as ErrorEntry[];
}

/** The tags of a tag list body ([] when it is not one, as the reference suite reads it). */
export function tagList(res: Response): string[] {
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as { tags?: unknown };
    return Array.isArray(parsed.tags) ? parsed.tags.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/** A status in [200, 300). */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

function shown(res: Response): string {
  const text = res.body.toString('utf8').slice(0, 300);
  return `status ${res.status}${text ? `: ${text}` : ''}`;
}

/** Asserts the status is one of `allowed` ('2xx' for any success), showing the body otherwise. */
export function expectStatus(res: Response, ...allowed: readonly (number | '2xx')[]): void {
  const ok = allowed.some((a) => (a === '2xx' ? isSuccess(res.status) : a === res.status));
  assert.ok(ok, `expected ${allowed.join(' or ')}, got ${shown(res)}`);
}

/**
 * Pushes a blob as the reference suite's setup steps do: `POST` for a
 * session, then `PUT <location>?digest=` with the whole body.
 */
export async function pushBlob(
  client: RegistryClient,
  blob: { readonly content: Buffer; readonly digest: string },
  path = '/v2/<name>/blobs/uploads/',
): Promise<Response> {
  const start = await client.send(path, { method: 'POST' });
  return client.send(relativeLocation(start), {
    method: 'PUT',
    query: { digest: blob.digest },
    headers: { 'content-type': 'application/octet-stream' },
    body: blob.content,
  });
}

/** Pushes a manifest under a tag or digest. */
export function pushManifest(
  client: RegistryClient,
  reference: string,
  content: Buffer,
  contentType: string,
): Promise<Response> {
  return client.send(`/v2/<name>/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: content,
  });
}
