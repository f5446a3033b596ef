import { MamoriError } from '../../core/index.js';
import { RegistryError, errorBody, isOciErrorCode } from '../spec/index.js';
import { StorageError } from '../storage/index.js';
import { ChallengeError } from './access.js';

/** What the registry answers for a failed request. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: { readonly errors: readonly { code: string; message: string; detail?: unknown }[] };
  readonly headers: Readonly<Record<string, string>>;
  /** True for failures of the server itself (to be logged). */
  readonly internal: boolean;
}

function internal(status = 500): ErrorResponse {
  return {
    status,
    body: { errors: [{ code: 'UNKNOWN', message: 'internal server error' }] },
    headers: {},
    internal: true,
  };
}

function fromRegistry(e: RegistryError, headers: Record<string, string> = {}): ErrorResponse {
  return { status: e.status, body: errorBody(e), headers, internal: false };
}

function fromStorage(e: StorageError): ErrorResponse {
  switch (e.reason) {
    case 'RANGE_INVALID':
      return fromRegistry(
        new RegistryError('BLOB_UNKNOWN', 'requested range not satisfiable', {
          status: 416,
          detail: { size: e.size },
        }),
        e.size === undefined ? {} : { 'content-range': `bytes */${e.size}` },
      );
    case 'BLOB_UPLOAD_INVALID':
      if (e.size !== undefined) {
        return fromRegistry(
          new RegistryError('BLOB_UPLOAD_INVALID', e.message, { status: 416, detail: { size: e.size } }),
          { range: uploadRange(e.size) },
        );
      }
      return fromRegistry(new RegistryError('BLOB_UPLOAD_INVALID', e.message, { status: 400 }));
    case 'TOO_LARGE':
      return fromRegistry(new RegistryError('SIZE_INVALID', e.message, { status: 413 }));
    case 'NO_SPACE':
      return {
        status: 507,
        body: { errors: [{ code: 'UNKNOWN', message: 'the registry has no space left to store the blob' }] },
        headers: {},
        internal: true,
      };
    case 'IO':
      return internal();
    default:
      return isOciErrorCode(e.reason)
        ? fromRegistry(new RegistryError(e.reason, e.message, { status: e.status }))
        : internal();
  }
}

/** The `Range` header of an upload holding `size` bytes: `0-<size-1>` (`0-0` when empty, as Distribution). */
export function uploadRange(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null || !('statusCode' in e)) return undefined;
  const s = (e as { statusCode: unknown }).statusCode;
  return typeof s === 'number' && Number.isInteger(s) ? s : undefined;
}

/**
 * Maps any error to the spec's JSON error body and status: RegistryError
 * as is, StorageError by its reason, argument errors of the state store as
 * 400, framework client errors (bad content type, malformed request) as
 * UNSUPPORTED with their status, anything else as 500 UNKNOWN. Messages of
 * unexpected errors and stack traces never reach the body.
 */
export function toErrorResponse(e: unknown): ErrorResponse {
  if (e instanceof ChallengeError) return fromRegistry(e, { 'www-authenticate': e.challenge });
  if (e instanceof RegistryError) return fromRegistry(e);
  if (e instanceof StorageError) return fromStorage(e);
  if (e instanceof MamoriError) {
    if (e.code === 'INVALID_ARGUMENT' || e.code === 'LIMIT_EXCEEDED') {
      return fromRegistry(new RegistryError('UNSUPPORTED', e.message, { status: 400 }));
    }
    return internal();
  }
  const status = statusOf(e);
  if (status !== undefined && status >= 400 && status < 500) {
    const message = e instanceof Error ? e.message : 'bad request';
    return fromRegistry(new RegistryError('UNSUPPORTED', message, { status }));
  }
  return internal();
}
