/**
 * A small client of a mamori server's REST API (`/api/v1`) for the admin
 * commands: where the server is, who is asking, and errors turned into
 * one-line messages. TLS trust follows Node's (`NODE_EXTRA_CA_CERTS` adds a
 * private CA).
 */
import { MamoriError } from '../core/index.js';

export interface ApiTarget {
  /** `http(s)://host:port` of the server. */
  readonly server: string;
  readonly username?: string;
  readonly password?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:5000';
const TIMEOUT_MS = 60_000;
const MAX_RESPONSE = 16 * 1024 * 1024;

/** `/projects/{project}` with each parameter percent-encoded (repository names keep their `/` as `%2F`). */
export function apiPath(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(/\{([a-z]+)\}/g, (_m, k: string) => {
    const v = params[k];
    if (v === undefined) throw new MamoriError('INTERNAL', `missing path parameter ${k}`);
    return encodeURIComponent(v);
  });
}

function baseUrl(server: string): string {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `--server must be a URL like http://127.0.0.1:5000, got ${JSON.stringify(server)}`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new MamoriError('INVALID_ARGUMENT', `--server must use http or https, got ${u.protocol}`);
  }
  return `${u.origin}/api/v1`;
}

/** Calls the API; returns the parsed JSON body (undefined for an empty one). */
export async function callApi(
  target: ApiTarget,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly query?: Readonly<Record<string, string | undefined>> } = {},
): Promise<unknown> {
  const url = new URL(baseUrl(target.server) + path);
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.username !== undefined) {
    const secret = `${target.username}:${target.password ?? ''}`;
    headers.authorization = `Basic ${Buffer.from(secret).toString('base64')}`;
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
    throw new MamoriError('NETWORK', `cannot reach the mamori server at ${url.origin}: ${cause}`, {
      cause: e,
    });
  }
  const text = await readLimited(res);
  let body: unknown;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (res.ok) return body;
  const message = errorText(body) ?? `${res.status} ${res.statusText}`;
  if (res.status === 401) {
    throw new MamoriError(
      'UNAUTHORIZED',
      `${message} (sign in with --user/MAMORI_USERNAME and MAMORI_PASSWORD or --password-stdin)`,
    );
  }
  if (res.status === 403) throw new MamoriError('DENIED', message);
  if (res.status === 404) throw new MamoriError('NOT_FOUND', message);
  if (res.status >= 500) throw new MamoriError('REGISTRY', `the server failed: ${message}`);
  throw new MamoriError('INVALID_ARGUMENT', message);
}

function errorText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) {
    return undefined;
  }
  const first: unknown = body.errors[0];
  if (
    typeof first === 'object' &&
    first !== null &&
    'message' in first &&
    typeof first.message === 'string'
  ) {
    return first.message;
  }
  return undefined;
}

async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += (chunk as Uint8Array).length;
    if (total > MAX_RESPONSE)
      throw new MamoriError('LIMIT_EXCEEDED', 'the server sent an oversized response');
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks).toString('utf8');
}
