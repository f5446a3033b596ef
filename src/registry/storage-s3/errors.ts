import { StorageError } from '../storage/index.js';

/** What an error message may name: the bucket and the endpoint's origin, never credentials. */
export interface Where {
  readonly bucket: string;
  readonly endpoint: string;
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);
const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
]);
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

function safe(v: unknown): string | undefined {
  return typeof v === 'string' && SAFE_NAME.test(v) ? v : undefined;
}

/** HTTP status of an SDK service error, if any. */
export function httpStatus(e: unknown): number | undefined {
  const status = (e as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The S3 error name (`NoSuchKey`, `AccessDenied`, …) when it is a plain identifier. */
export function errorName(e: unknown): string | undefined {
  const shape = e as SdkErrorShape | undefined;
  const name = safe(shape?.Code) ?? safe(shape?.name);
  // The SDK's names for errors without a body (HEAD responses): the status says more.
  return name === 'Unknown' || name === 'UnknownError' ? undefined : name;
}

/** An absent object (not an absent bucket, which is an error everywhere but HEAD). */
export function isNotFound(e: unknown): boolean {
  const name = errorName(e);
  return httpStatus(e) === 404 && (name === 'NotFound' || name === 'NoSuchKey');
}

/**
 * Maps an SDK or network error to StorageError IO with a message an operator
 * can act on. Only the error's name, status and network code are kept (the
 * SDK error itself can carry the access key id from the response body), so
 * neither message nor cause ever holds credentials.
 */
export function s3Error(e: unknown, what: string, where: Where): StorageError {
  if (e instanceof StorageError) return e;
  const name = errorName(e);
  const status = httpStatus(e);
  const code = safe((e as SdkErrorShape | undefined)?.code);
  const tag = [name, status === undefined ? undefined : `HTTP ${status}`, code].filter(Boolean).join(', ');
  const cause = new Error(tag || 'unknown S3 error');
  const bucket = JSON.stringify(where.bucket);
  let message: string;
  if ((code && NETWORK_CODES.has(code)) || name === 'TimeoutError' || (status === undefined && code)) {
    message = `S3 endpoint ${where.endpoint} unreachable while ${what} (${code ?? name})`;
  } else if (name === 'NoSuchBucket') {
    message = `S3 bucket ${bucket} does not exist (while ${what})`;
  } else if (status === 403 || (name && DENIED.has(name))) {
    message = `access to S3 bucket ${bucket} denied while ${what} (${name ?? 'HTTP 403'}): check the credentials and the bucket policy`;
  } else if (status === 301 || name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed') {
    message = `S3 bucket ${bucket} is not reachable with the configured region or endpoint while ${what} (${tag})`;
  } else {
    message = `S3 error while ${what}${tag ? ` (${tag})` : ''}`;
  }
  return new StorageError('IO', message, { cause });
}
