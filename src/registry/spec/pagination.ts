/**
 * Content discovery (spec.md "Listing Tags", "Listing Referrers") and
 * `/v2/_catalog`: the `n` / `last` query, lexical order, the RFC 5988
 * `Link: <url>; rel="next"` header, the response bodies, and the referrers
 * `artifactType` filter with its `OCI-Filters-Applied` header.
 */
import { RegistryError } from './errors.js';
import { MediaTypes, isMediaType } from './mediatypes.js';
import type { Descriptor } from './types.js';

/** Longest `last` value accepted (a repository name is at most 255 characters, a tag 128). */
export const MAX_LAST_LENGTH = 1024;

export interface PageOptions {
  /** Page size when the request has no `n`; undefined lists everything. */
  readonly defaultLimit?: number;
  /** Largest page served; a larger `n` is clamped, and the `Link` header leads on. */
  readonly maxLimit: number;
}

export interface PageQuery {
  /** Items to return at most; undefined for all. 0 means an empty list without `Link`. */
  readonly limit: number | undefined;
  /** Return only items strictly after this one. */
  readonly last: string | undefined;
}

/** Query parameters as a URLSearchParams or a parsed query object (values string or string[]). */
export type QueryInput = URLSearchParams | Readonly<Record<string, unknown>>;

function badParameter(name: string, reason: string): RegistryError {
  return new RegistryError('UNSUPPORTED', `invalid query parameter "${name}": ${reason}`, {
    status: 400,
    detail: { parameter: name, reason },
  });
}

/** The first value of query parameter `name`; undefined when absent. */
export function queryValue(query: QueryInput, name: string): string | undefined {
  if (query instanceof URLSearchParams) return query.get(name) ?? undefined;
  if (!Object.prototype.hasOwnProperty.call(query, name)) return undefined;
  const v = query[name];
  const first: unknown = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return undefined;
  if (typeof first !== 'string') throw badParameter(name, 'must be a string');
  return first;
}

/**
 * Reads `n` and `last` (an empty value counts as absent, as in Distribution).
 * `n` must be a non-negative decimal integer (else
 * UNSUPPORTED with status 400, the spec having no pagination code); above
 * `maxLimit` it is clamped, which the spec allows as long as a `Link` header
 * is sent when more items remain.
 */
export function parsePageQuery(query: QueryInput, options: PageOptions): PageQuery {
  const n = queryValue(query, 'n');
  let limit = options.defaultLimit;
  if (n !== undefined && n !== '') {
    if (!/^[0-9]{1,15}$/.test(n)) throw badParameter('n', 'must be a non-negative integer');
    limit = Number(n);
  }
  if (limit !== undefined) limit = Math.min(limit, options.maxLimit);
  const rawLast = queryValue(query, 'last');
  if (rawLast !== undefined && rawLast.length > MAX_LAST_LENGTH) {
    throw badParameter('last', `longer than ${MAX_LAST_LENGTH} characters`);
  }
  return { limit, last: rawLast === '' ? undefined : rawLast };
}

/** Maps a UTF-16 code unit so that comparing mapped units orders strings by code point (= UTF-8 bytes). */
function codePointOrder(u: number): number {
  if (u >= 0xd800 && u <= 0xdfff) return u + 0x2000;
  if (u >= 0xe000) return u - 0x800;
  return u;
}

/**
 * Byte-wise order of the UTF-8 encodings, Go's `sort.Strings` ("ASCIIbetical"),
 * which the spec allows for tags. SQLite's BINARY collation and PostgreSQL's
 * `COLLATE "C"` sort the same way.
 */
export function compareLexical(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) < codePointOrder(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** A sorted copy of `items` in lexical order. */
export function sortLexical(items: Iterable<string>): string[] {
  return [...items].sort(compareLexical);
}

export interface PageResult<T> {
  readonly items: T[];
  /** The `last` value of the next page; undefined when this page is the last. */
  readonly next: string | undefined;
}

/** One page of `sorted` (lexically sorted, unique) for `page`. */
export function paginateSorted(sorted: readonly string[], page: PageQuery): PageResult<string> {
  let lo = 0;
  if (page.last !== undefined) {
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareLexical(sorted[mid] ?? '', page.last) <= 0) lo = mid + 1;
      else hi = mid;
    }
  }
  if (page.limit === undefined) return { items: sorted.slice(lo), next: undefined };
  const items = sorted.slice(lo, lo + page.limit);
  const more = page.limit > 0 && lo + page.limit < sorted.length;
  return { items, next: more ? items[items.length - 1] : undefined };
}

/**
 * One page from rows a store fetched with `LIMIT limit + 1` after `last`:
 * the extra row, when present, only tells that another page exists.
 */
export function pageFromLookahead<T>(
  rows: readonly T[],
  limit: number | undefined,
  key: (row: T) => string,
): PageResult<T> {
  if (limit === undefined || rows.length <= limit) return { items: rows.slice(), next: undefined };
  const items = rows.slice(0, limit);
  const lastItem = items[items.length - 1];
  return { items, next: limit > 0 && lastItem !== undefined ? key(lastItem) : undefined };
}

/** Path characters allowed in a Link target: RFC 3986 pchar and "/", so no "<", ">", space or line break. */
const LINK_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

/**
 * The `Link` header for the next page, relative to the registry root as in
 * Distribution: `</v2/NAME/tags/list?n=N&last=LAST>; rel="next"`. `extra`
 * query parameters (such as a referrers `artifactType`) come after.
 */
export function nextLink(
  path: string,
  page: { readonly n: number; readonly last: string },
  extra: Readonly<Record<string, string>> = {},
): string {
  if (!LINK_PATH.test(path)) {
    throw new RegistryError('NAME_INVALID', 'the next-page path is not a plain URL path', { status: 400 });
  }
  const q = new URLSearchParams({ n: String(page.n), last: page.last });
  for (const [k, v] of Object.entries(extra)) q.append(k, v);
  return `<${path}?${q.toString()}>; rel="next"`;
}

/** The body of `GET /v2/<name>/tags/list`. */
export function tagListBody(name: string, tags: readonly string[]): { name: string; tags: string[] } {
  return { name, tags: [...tags] };
}

/** The body of `GET /v2/_catalog`. */
export function catalogBody(repositories: readonly string[]): { repositories: string[] } {
  return { repositories: [...repositories] };
}

/** The name of the one filter the referrers API defines. */
export const ARTIFACT_TYPE_FILTER = 'artifactType';

/** The `artifactType` filter of a referrers request, validated as a media type; undefined when absent. */
export function parseArtifactTypeFilter(query: QueryInput): string | undefined {
  const v = queryValue(query, ARTIFACT_TYPE_FILTER);
  if (v === undefined || v === '') return undefined;
  if (!isMediaType(v)) throw badParameter(ARTIFACT_TYPE_FILTER, 'must be a media type (RFC 6838)');
  return v;
}

export interface FilteredReferrers {
  readonly manifests: Descriptor[];
  /** Filters applied, for the `OCI-Filters-Applied` header. */
  readonly filtersApplied: string[];
}

/** Keeps the referrers whose `artifactType` equals the filter, and records that it was applied. */
export function filterReferrers(
  referrers: readonly Descriptor[],
  artifactType: string | undefined,
): FilteredReferrers {
  if (artifactType === undefined) return { manifests: [...referrers], filtersApplied: [] };
  return {
    manifests: referrers.filter((d) => d.artifactType === artifactType),
    filtersApplied: [ARTIFACT_TYPE_FILTER],
  };
}

/** The `OCI-Filters-Applied` header value (comma-separated), or undefined when no filter was applied. */
export function filtersAppliedHeader(applied: readonly string[]): string | undefined {
  return applied.length === 0 ? undefined : applied.join(',');
}

/** The referrers response: an image index listing the referrers (served as `application/vnd.oci.image.index.v1+json`). */
export function referrersIndex(manifests: readonly Descriptor[]): {
  schemaVersion: 2;
  mediaType: typeof MediaTypes.ociIndex;
  manifests: Descriptor[];
} {
  return { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [...manifests] };
}
