import { DIGEST_HEX_LENGTH, checkDigest, type DigestAlgorithm } from '../spec/index.js';
import { StorageError } from '../storage/index.js';

/**
 * Object keys of blobs: `<prefix>blobs/<algorithm>/<hex>`. Digests follow the
 * registry's grammar (lowercase sha256/sha512 hex only), so a digest maps to
 * exactly one key and nothing else ever reaches a key.
 */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  readonly digest: string;
}

const ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha512'];
const HEX_RE = /^[0-9a-f]+$/;

/** Parses a digest or throws StorageError DIGEST_INVALID, before any request is made. */
export function parseDigest(input: unknown): ParsedDigest {
  const reason = checkDigest(input);
  if (reason !== undefined || typeof input !== 'string') {
    throw new StorageError('DIGEST_INVALID', reason ?? 'malformed digest');
  }
  const colon = input.indexOf(':');
  return { algorithm: input.slice(0, colon) as DigestAlgorithm, hex: input.slice(colon + 1), digest: input };
}

export function blobsPrefix(prefix: string): string {
  return `${prefix}blobs/`;
}

export function blobKey(prefix: string, d: ParsedDigest): string {
  return `${blobsPrefix(prefix)}${d.algorithm}/${d.hex}`;
}

/** The digest stored under `key`, or undefined for any key that is not a blob of this layout. */
export function digestFromKey(prefix: string, key: string): string | undefined {
  const base = blobsPrefix(prefix);
  if (!key.startsWith(base)) return undefined;
  const rest = key.slice(base.length);
  const slash = rest.indexOf('/');
  const algorithm = ALGORITHMS.find((a) => a === rest.slice(0, slash));
  if (!algorithm) return undefined;
  const hex = rest.slice(slash + 1);
  return hex.length === DIGEST_HEX_LENGTH[algorithm] && HEX_RE.test(hex) ? `${algorithm}:${hex}` : undefined;
}
