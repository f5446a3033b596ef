import type { DigestAlgorithm } from '../spec/index.js';
import { digestFromHex, parseStorageDigest, type StorageDigest } from '../storage/index.js';

/**
 * Object keys of blobs: `<prefix>blobs/<algorithm>/<hex>`. Digests follow the
 * registry's grammar (lowercase sha256/sha512 hex only), so a digest maps to
 * exactly one key and nothing else ever reaches a key.
 */
/** A digest split for key building (the storage module's parser: DIGEST_INVALID before any request). */
export type ParsedDigest = StorageDigest;
export const parseDigest = parseStorageDigest;

const ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha512'];

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
  return digestFromHex(algorithm, rest.slice(slash + 1));
}
