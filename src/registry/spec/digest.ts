/**
 * Digests (image-spec descriptor.md "Digests"). The registry verifies content
 * with SHA-256 and SHA-512 only, so a digest with any other algorithm is
 * rejected even when it matches the spec's general grammar: the registry
 * could neither verify nor store content under it.
 */
import { createHash } from 'node:crypto';
import { RegistryError } from './errors.js';
import type { Digest, DigestAlgorithm, ParsedDigest } from './types.js';

/** Hex length of the encoded part per supported algorithm. */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha512: 128 };

/** The grammar of image-spec descriptor.md: `algorithm ":" encoded`. */
const GENERAL = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const MAX_DIGEST_INPUT = 256;

function isAlgorithm(v: string): v is DigestAlgorithm {
  return v === 'sha256' || v === 'sha512';
}

function shown(v: string): string {
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/** Why `value` is not a supported digest, or undefined when it is one. */
export function checkDigest(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'digest must be a string';
  if (value.length === 0) return 'digest is empty';
  if (value.length > MAX_DIGEST_INPUT) return `digest is longer than ${MAX_DIGEST_INPUT} characters`;
  const colon = value.indexOf(':');
  if (colon < 0) return `digest ${shown(value)} has no "algorithm:" prefix`;
  const algorithm = value.slice(0, colon);
  if (/[A-Z]/.test(algorithm)) return `digest algorithm ${shown(algorithm)} must be lowercase`;
  if (!GENERAL.test(value)) return `digest ${shown(value)} does not match the digest grammar`;
  const encoded = value.slice(colon + 1);
  if (!isAlgorithm(algorithm)) {
    return `digest algorithm ${shown(algorithm)} is not supported (only sha256 and sha512)`;
  }
  const want = DIGEST_HEX_LENGTH[algorithm];
  if (/[A-F]/.test(encoded)) return `${algorithm} digest must use lowercase hex`;
  if (!/^[0-9a-f]*$/.test(encoded)) return `${algorithm} digest must be hex`;
  if (encoded.length !== want) {
    return `${algorithm} digest must have ${want} hex characters, not ${encoded.length}`;
  }
  return undefined;
}

export function isDigest(value: unknown): value is Digest {
  return checkDigest(value) === undefined;
}

/** Splits a digest; throws RegistryError DIGEST_INVALID (400) with the reason when it is not supported. */
export function parseDigest(value: unknown): ParsedDigest {
  const reason = checkDigest(value);
  if (reason !== undefined || typeof value !== 'string') {
    throw new RegistryError('DIGEST_INVALID', reason ?? 'invalid digest', {
      status: 400,
      detail: { digest: typeof value === 'string' ? value.slice(0, MAX_DIGEST_INPUT) : null, reason },
    });
  }
  const colon = value.indexOf(':');
  return {
    digest: value,
    algorithm: value.slice(0, colon) as DigestAlgorithm,
    encoded: value.slice(colon + 1),
  };
}

/** The digest of `bytes` with `algorithm`. */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** True when `bytes` hash to `digest` (with the digest's own algorithm). */
export function matchesDigest(bytes: Uint8Array, digest: Digest): boolean {
  const parsed = parseDigest(digest);
  return digestOf(bytes, parsed.algorithm) === parsed.digest;
}
