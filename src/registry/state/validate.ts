/**
 * Bounds on what the state store accepts. The server validates names, tags
 * and digests against the OCI grammar before calling the store; these checks
 * are the store's own last line: every string is bounded in length, free of
 * NUL (PostgreSQL's `text` cannot hold it) and well-formed UTF-16 (a lone
 * surrogate would not survive the UTF-8 round trip, so it would not come
 * back verbatim). Anything else is stored and returned byte for byte.
 */
import { MamoriError } from '../../core/index.js';

/** Longest values the store accepts, in UTF-16 code units. */
export const LIMITS = {
  /** Repository names (Distribution's limit; the OCI grammar allows only ASCII). */
  repository: 255,
  /** Tags: the OCI grammar's `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
  tag: 128,
  /** Digests: `sha512:` + 128 hex is 135; room for other registered algorithms. */
  digest: 256,
  /** Media types and artifact types (RFC 6838: 127 + `/` + 127). */
  mediaType: 255,
  /** Upload session ids. */
  uploadId: 128,
  /** A manifest's annotations, serialised as JSON. */
  annotationsJson: 65_536,
  /** Pagination cursors (`last`): compared, never stored, so any bounded string will do. */
  cursor: 1024,
  /** Page size of a listing. */
  pageSize: 100_000,
  /** Digests referenced by one manifest (blobs or child manifests). */
  references: 100_000,
} as const;

// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused.
const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Returns `value` when it is a non-empty string within `max`, without NUL or lone surrogates. */
export function checkString(what: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new MamoriError('INVALID_ARGUMENT', `${what} must be a string`);
  if (value.length === 0) throw new MamoriError('INVALID_ARGUMENT', `${what} must not be empty`);
  if (value.length > max) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} is longer than ${max} characters (${value.length})`);
  }
  if (NUL.test(value)) throw new MamoriError('INVALID_ARGUMENT', `${what} contains a NUL character`);
  if (LONE_SURROGATE.test(value)) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} is not well-formed Unicode (lone surrogate)`);
  }
  return value;
}

export const checkRepository = (v: unknown): string => checkString('repository name', v, LIMITS.repository);
export const checkTag = (v: unknown): string => checkString('tag', v, LIMITS.tag);
export const checkDigest = (v: unknown): string => checkString('digest', v, LIMITS.digest);
export const checkMediaType = (v: unknown): string => checkString('media type', v, LIMITS.mediaType);
export const checkUploadId = (v: unknown): string => checkString('upload id', v, LIMITS.uploadId);

/** Optional variant: `undefined` and `null` pass through as `null`. */
export function optional<T>(check: (v: unknown) => T, v: unknown): T | null {
  return v === undefined || v === null ? null : check(v);
}

/** A size in bytes: a non-negative safe integer. */
export function checkSize(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new MamoriError('INVALID_ARGUMENT', `size must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/** A page size `n`: undefined (no limit) or an integer 0…LIMITS.pageSize. */
export function checkPageSize(n: unknown): number | undefined {
  if (n === undefined) return undefined;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > LIMITS.pageSize) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `page size must be an integer from 0 to ${LIMITS.pageSize}, got ${String(n)}`,
    );
  }
  return n;
}

/** A pagination cursor (`last`): any bounded string; empty means "from the start". */
export function checkCursor(v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  return checkString('pagination cursor', v, LIMITS.cursor);
}

/** A list of digests: each checked, duplicates dropped, sorted (a fixed lock order for writers). */
export function checkDigestList(what: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new MamoriError('INVALID_ARGUMENT', `${what} must be an array of digests`);
  if (v.length > LIMITS.references) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} lists more than ${LIMITS.references} digests`);
  }
  const out = new Set<string>();
  for (const d of v) out.add(checkDigest(d));
  return [...out].sort(binaryCompare);
}

/** Annotations as stored: a JSON object of strings, or null. */
export function checkAnnotations(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new MamoriError('INVALID_ARGUMENT', 'annotations must be an object of strings');
  }
  const clean: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') {
      throw new MamoriError('INVALID_ARGUMENT', `annotation ${JSON.stringify(k)} must be a string`);
    }
    clean[k] = val;
  }
  const json = JSON.stringify(clean);
  // JSON escapes NUL as \u0000, so the text itself never holds one; lone surrogates are escaped too.
  if (json.length > LIMITS.annotationsJson) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `annotations are larger than ${LIMITS.annotationsJson} characters`,
    );
  }
  return json;
}

/**
 * Binary (code unit) order, the order both databases use for the name
 * columns (SQLite's BINARY, PostgreSQL's `COLLATE "C"`). For the ASCII the
 * OCI grammar allows, UTF-16 and UTF-8 byte order agree.
 */
export function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
