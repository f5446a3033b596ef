/** Trusted public keys: ECDSA P-256 (SHA-256, DER signatures) and Ed25519. */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { MamoriError } from '../../core/index.js';
import { MAX_KEYS } from './types.js';

export interface TrustedKey {
  readonly kind: 'ecdsa-p256' | 'ed25519';
  readonly fingerprint: string;
  readonly key: KeyObject;
}

const MAX_PEM_CHARS = 16 * 1024;

/** Parses one PEM public key; throws INVALID_ARGUMENT for anything else. */
export function parsePublicKey(pem: string, label = 'public key'): TrustedKey {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS || !pem.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new MamoriError('INVALID_ARGUMENT', `${label}: not a PEM "PUBLIC KEY"`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `${label}: cannot be parsed as a PEM public key`, { cause: e });
  }
  const der = key.export({ type: 'spki', format: 'der' });
  const fingerprint = `sha256:${createHash('sha256').update(der).digest('hex')}`;
  if (key.asymmetricKeyType === 'ed25519') return { kind: 'ed25519', fingerprint, key };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { kind: 'ecdsa-p256', fingerprint, key };
  }
  const what =
    key.asymmetricKeyType === 'ec'
      ? `EC curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}`
      : (key.asymmetricKeyType ?? 'unknown');
  throw new MamoriError(
    'INVALID_ARGUMENT',
    `${label}: ${what} keys are not supported (use ECDSA P-256 or Ed25519)`,
  );
}

/** Parses the trusted keys, at most MAX_KEYS, at least one. */
export function parsePublicKeys(pems: readonly string[]): TrustedKey[] {
  if (!Array.isArray(pems) || pems.length === 0) {
    throw new MamoriError('INVALID_ARGUMENT', 'at least one trusted public key is required');
  }
  if (pems.length > MAX_KEYS) {
    throw new MamoriError('LIMIT_EXCEEDED', `at most ${MAX_KEYS} trusted public keys are allowed`);
  }
  return pems.map((p, i) => parsePublicKey(p, `public key ${i + 1}`));
}

/** Whether `signature` over exactly `payload` verifies with `key`; never throws. */
export function verifyWith(key: TrustedKey, payload: Buffer, signature: Buffer): boolean {
  try {
    if (key.kind === 'ed25519') return verify(null, payload, key.key, signature);
    return verify('sha256', payload, { key: key.key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** The first key `signature` verifies with, if any. */
export function findSigner(
  keys: readonly TrustedKey[],
  payload: Buffer,
  signature: Buffer,
): TrustedKey | undefined {
  return keys.find((k) => verifyWith(k, payload, signature));
}
