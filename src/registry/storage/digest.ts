import { createHash, type Hash } from 'node:crypto';
import { DIGEST_HEX_LENGTH, checkDigest, type DigestAlgorithm } from '../spec/index.js';
import { StorageError } from './errors.js';

/**
 * Digests as storage takes them: the registry's grammar (spec module):
 * `sha256:<64 hex>` or `sha512:<128 hex>`, lowercase only, so a digest maps
 * to exactly one path; failures as StorageError DIGEST_INVALID.
 */
export type { DigestAlgorithm };

export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** The canonical `algorithm:hex` string. */
  readonly digest: string;
}

const HEX_RE = /^[0-9a-f]+$/;

/** Parses a digest or throws StorageError DIGEST_INVALID with the reason. Never echoes more than a short prefix. */
export function parseDigest(input: unknown): ParsedDigest {
  const reason = checkDigest(input);
  if (reason !== undefined || typeof input !== 'string') {
    throw new StorageError('DIGEST_INVALID', reason ?? 'malformed digest');
  }
  const colon = input.indexOf(':');
  const algorithm = input.slice(0, colon) as DigestAlgorithm;
  return { algorithm, hex: input.slice(colon + 1), digest: input };
}

/** Parses a bare hex file name found on disk for `algorithm`; undefined when it is not one. */
export function digestFromHex(algorithm: DigestAlgorithm, hex: string): string | undefined {
  return hex.length === DIGEST_HEX_LENGTH[algorithm] && HEX_RE.test(hex) ? `${algorithm}:${hex}` : undefined;
}

export function newHash(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}
