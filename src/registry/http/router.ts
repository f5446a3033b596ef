import { RegistryError, parseRepositoryName } from '../spec/index.js';

/** A request path under `/v2/`, split into the endpoint and its parts. */
export type V2Route =
  | { readonly kind: 'base' }
  | { readonly kind: 'catalog' }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'upload-start'; readonly name: string }
  | { readonly kind: 'upload'; readonly name: string; readonly id: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string }
  | { readonly kind: 'referrers'; readonly name: string; readonly digest: string };

/** Longest path accepted (a 255-character name plus the longest suffix with a sha512 digest). */
export const MAX_V2_PATH_LENGTH = 1024;

const SUFFIXES: readonly [RegExp, (name: string, last: string) => V2Route][] = [
  [/^(.+)\/tags\/list$/, (name) => ({ kind: 'tags', name })],
  [/^(.+)\/blobs\/uploads\/?$/, (name) => ({ kind: 'upload-start', name })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (name, id) => ({ kind: 'upload', name, id })],
  [/^(.+)\/blobs\/([^/]+)$/, (name, digest) => ({ kind: 'blob', name, digest })],
  [/^(.+)\/manifests\/([^/]+)$/, (name, reference) => ({ kind: 'manifest', name, reference })],
  [/^(.+)\/referrers\/([^/]+)$/, (name, digest) => ({ kind: 'referrers', name, digest })],
];

function notFound(path: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', 'no registry endpoint at this path', {
    status: 404,
    detail: { path: path.slice(0, 256) },
  });
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RegistryError('NAME_INVALID', 'malformed percent-encoding in the path', { status: 400 });
  }
}

/**
 * Splits a request URL (path and optional query) under `/v2/` into its
 * endpoint. Repository names may contain "/", so the endpoint suffix is
 * matched from the end; the name is validated against the spec grammar
 * (NAME_INVALID). The last segment (digest, reference or upload id) is
 * percent-decoded but not validated here. Unknown paths throw NAME_UNKNOWN
 * with status 404.
 */
export function routeV2(url: string): V2Route {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path.length > MAX_V2_PATH_LENGTH) {
    throw new RegistryError('NAME_INVALID', `request path is longer than ${MAX_V2_PATH_LENGTH} characters`, {
      status: 400,
    });
  }
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (!path.startsWith('/v2/')) throw notFound(path);
  const rest = path.slice(4);
  if (rest === '_catalog') return { kind: 'catalog' };
  for (const [pattern, build] of SUFFIXES) {
    const m = pattern.exec(rest);
    if (!m || m[1] === undefined) continue;
    const name = parseRepositoryName(decodeSegment(m[1]));
    return build(name, decodeSegment(m[2] ?? ''));
  }
  throw notFound(path);
}
