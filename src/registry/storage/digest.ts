import { createHash, type Hash } from 'node:crypto';
import { StorageError } from './errors.js';

/**
 * The digest grammar storage accepts: `sha256:<64 hex>` or `sha512:<128 hex>`,
 * lowercase only, so a digest maps to exactly one path. A small local parser
 * that the registry's spec module can replace.
 */
export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** The canonical `algorithm:hex` string. */
  readonly digest: string;
}

const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha512: 128 };
const HEX_RE = /^[0-9a-f]+$/;

function isAlgorithm(s: string): s is DigestAlgorithm {
  return s === 'sha256' || s === 'sha512';
}

/** Parses a digest or throws StorageError DIGEST_INVALID. Never echoes more than a short prefix. */
export function parseDigest(input: unknown): ParsedDigest {
  if (typeof input !== 'string' || input.length > 7 + 128) throw invalid(input);
  const colon = input.indexOf(':');
  const algorithm = colon > 0 ? input.slice(0, colon) : '';
  const hex = input.slice(colon + 1);
  if (!isAlgorithm(algorithm)) {
    throw new StorageError('DIGEST_INVALID', `unsupported or malformed digest ${quote(input)}`);
  }
  if (hex.length !== HEX_LENGTH[algorithm] || !HEX_RE.test(hex)) throw invalid(input);
  return { algorithm, hex, digest: `${algorithm}:${hex}` };
}

/** Parses a bare hex file name found on disk for `algorithm`; undefined when it is not one. */
export function digestFromHex(algorithm: DigestAlgorithm, hex: string): string | undefined {
  return hex.length === HEX_LENGTH[algorithm] && HEX_RE.test(hex) ? `${algorithm}:${hex}` : undefined;
}

export function newHash(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

function invalid(input: unknown): StorageError {
  return new StorageError('DIGEST_INVALID', `malformed digest ${quote(input)}`);
}

function quote(input: unknown): string {
  if (typeof input !== 'string') return `(${typeof input})`;
  return JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}…` : input);
}
