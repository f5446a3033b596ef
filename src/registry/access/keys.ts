/**
 * The token signing key: an ECDSA P-256 key (JWS ES256) generated on first
 * start and kept in `keyDir` as PKCS#8 PEM (`token-signing-key.pem`, mode
 * 0600) beside its public half (`token-signing-key.pub.pem`, for whoever
 * else must verify the tokens). The key never goes to the database, so a
 * database dump cannot mint tokens.
 *
 * Generation publishes the file with link(2), which never replaces an
 * existing file: two processes starting at once on a shared directory both
 * end up with the one key that won. A key file readable or writable by
 * group or others is refused, as OpenSSH refuses such a private key.
 */
import crypto from 'node:crypto';
import { chmod, link, lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { errorMessage, MamoriError } from '../../core/index.js';

export const PRIVATE_KEY_FILE = 'token-signing-key.pem';
export const PUBLIC_KEY_FILE = 'token-signing-key.pub.pem';
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface SigningKey {
  readonly privateKey: crypto.KeyObject;
  readonly publicKey: crypto.KeyObject;
  /** RFC 7638 thumbprint of the public key, the tokens' `kid`. */
  readonly kid: string;
  readonly publicKeyPem: string;
}

function isMissing(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT';
}

function isExisting(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'EEXIST';
}

async function load(path: string): Promise<SigningKey> {
  const st = await lstat(path);
  if (!st.isFile()) throw new MamoriError('IO', `${path}: the token signing key is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new MamoriError(
      'IO',
      `${path}: the token signing key is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  if (st.size > MAX_KEY_FILE_BYTES) throw new MamoriError('IO', `${path}: too large for a signing key`);
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(await readFile(path, 'utf8'));
  } catch (e) {
    throw new MamoriError('IO', `${path}: not a PEM private key: ${errorMessage(e)}`, { cause: e });
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new MamoriError('IO', `${path}: the token signing key must be an EC P-256 key (ES256)`);
  }
  const publicKey = crypto.createPublicKey(privateKey);
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKey, kid, publicKeyPem };
}

/** Loads the signing key from `keyDir`, generating it there on first use. */
export async function loadOrCreateSigningKey(keyDir: string): Promise<SigningKey> {
  if (typeof keyDir !== 'string' || keyDir === '' || keyDir.includes('\0')) {
    throw new MamoriError('INVALID_ARGUMENT', 'keyDir must be a non-empty path');
  }
  const path = join(keyDir, PRIVATE_KEY_FILE);
  try {
    return await load(path);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  try {
    await mkdir(keyDir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const temp = join(keyDir, `.${PRIVATE_KEY_FILE}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`);
    await writeFile(temp, pem, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    try {
      await link(temp, path);
    } catch (e) {
      if (!isExisting(e)) throw e;
    } finally {
      await rm(temp, { force: true });
    }
    const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const key = await load(path);
    if (key.publicKeyPem === pubPem) {
      await writeFile(join(keyDir, PUBLIC_KEY_FILE), pubPem, { mode: 0o644 });
    }
    return key;
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('IO', `${keyDir}: cannot create the token signing key: ${errorMessage(e)}`, {
      cause: e,
    });
  }
}
