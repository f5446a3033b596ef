/**
 * Bearer tokens of the Docker token authentication spec
 * (distribution/docs/spec/auth/jwt.md): compact JWS, ES256 only, with the
 * claims iss, sub, aud (the registry's service name), exp, nbf, iat, jti and
 * `access: [{type, name, actions}]`.
 *
 * Verification takes only ES256 with the server's own public key: `none`,
 * HMAC (the algorithm confusion where the public key is used as an HMAC
 * secret), RSA and every other algorithm are refused before any signature
 * is checked, and keys embedded in the header (`jwk`, `x5c`, `jku`) are
 * ignored. A token that fails any check is refused as a whole.
 */
import crypto from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { MamoriError } from '../../core/index.js';
import type { RepositoryAction } from '../http/auth.js';
import { checkRepositoryName } from '../spec/index.js';
import type { SigningKey } from './keys.js';
import { isRepositoryAction } from './names.js';

export interface RepositoryGrant {
  readonly type: 'repository';
  readonly name: string;
  readonly actions: readonly RepositoryAction[];
}

export interface CatalogGrant {
  readonly type: 'registry';
  readonly name: 'catalog';
  readonly actions: readonly '*'[];
}

/** One entry of a token's `access` claim. */
export type Grant = RepositoryGrant | CatalogGrant;

export const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_GRANTS = 64;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface SignOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly subject: string;
  readonly lifetimeSeconds: number;
  /** ms since the epoch. */
  readonly now: number;
  readonly access: readonly Grant[];
}

export interface SignedToken {
  readonly token: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export async function signToken(key: SigningKey, o: SignOptions): Promise<SignedToken> {
  const iat = Math.floor(o.now / 1000);
  const exp = iat + o.lifetimeSeconds;
  const token = await new SignJWT({ access: o.access.map((g) => ({ ...g, actions: [...g.actions] })) })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid })
    .setIssuer(o.issuer)
    .setSubject(o.subject)
    .setAudience(o.audience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomBytes(16).toString('base64url'))
    .sign(key.privateKey);
  return { token, issuedAt: iat, expiresAt: exp };
}

export interface VerifyOptions {
  readonly issuer: string;
  readonly audience: string;
  /** ms since the epoch. */
  readonly now: number;
  readonly clockSkewSeconds: number;
  /** Oldest `iat` accepted, in seconds before now: no token outlives the configured lifetime. */
  readonly maxAgeSeconds: number;
}

export interface VerifiedToken {
  readonly subject: string;
  readonly access: readonly Grant[];
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

function refused(why: string, cause?: unknown): MamoriError {
  return new MamoriError('UNAUTHORIZED', `invalid token: ${why}`, { cause });
}

function parseGrant(v: unknown): Grant {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw refused('an access entry is not an object');
  const { type, name, actions } = v as Record<string, unknown>;
  if (!Array.isArray(actions) || actions.length > 8) throw refused('an access entry has no actions list');
  if (type === 'registry' && name === 'catalog' && actions.every((a) => a === '*')) {
    return { type, name, actions: actions as '*'[] };
  }
  if (type === 'repository' && checkRepositoryName(name) === undefined && actions.every(isRepositoryAction)) {
    return { type, name: name as string, actions };
  }
  throw refused('an access entry is malformed');
}

/** Checks a token's signature and claims; throws MamoriError UNAUTHORIZED when it is not acceptable. */
export async function verifyToken(key: SigningKey, token: unknown, o: VerifyOptions): Promise<VerifiedToken> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw refused('not a compact JWS');
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key.publicKey, {
      algorithms: ['ES256'],
      issuer: o.issuer,
      audience: o.audience,
      clockTolerance: o.clockSkewSeconds,
      maxTokenAge: o.maxAgeSeconds,
      currentDate: new Date(o.now),
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'],
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw refused('expired', e);
    if (e instanceof joseErrors.JWTClaimValidationFailed) throw refused(`claim ${e.claim}: ${e.reason}`, e);
    if (e instanceof joseErrors.JOSEAlgNotAllowed) throw refused('signature algorithm not allowed', e);
    throw refused('signature or format not valid', e);
  }
  const { sub, exp, access } = payload;
  if (typeof sub !== 'string' || typeof exp !== 'number') throw refused('sub or exp missing');
  if (access !== undefined && (!Array.isArray(access) || access.length > MAX_GRANTS)) {
    throw refused('access claim malformed');
  }
  return { subject: sub, access: (access ?? []).map(parseGrant), expiresAt: exp };
}
