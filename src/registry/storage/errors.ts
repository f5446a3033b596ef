import { MamoriError, type ErrorCode } from '../../core/index.js';

/**
 * Storage failure reasons. The first six are the OCI Distribution Spec's
 * error codes (the HTTP layer can use `reason` as the body's `code`); the
 * others have no spec equivalent and map to a plain status.
 */
export const StorageErrorReasons = {
  BLOB_UNKNOWN: { status: 404, core: 'NOT_FOUND' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, core: 'NOT_FOUND' },
  BLOB_UPLOAD_INVALID: { status: 400, core: 'INVALID_ARGUMENT' },
  DIGEST_INVALID: { status: 400, core: 'DIGEST_MISMATCH' },
  SIZE_INVALID: { status: 400, core: 'SIZE_MISMATCH' },
  TOO_LARGE: { status: 413, core: 'LIMIT_EXCEEDED' },
  RANGE_INVALID: { status: 416, core: 'INVALID_ARGUMENT' },
  NO_SPACE: { status: 507, core: 'IO' },
  IO: { status: 500, core: 'IO' },
} as const satisfies Record<string, { status: number; core: ErrorCode }>;

export type StorageErrorReason = keyof typeof StorageErrorReasons;

/**
 * A MamoriError raised by blob storage. `code` is the generic core code,
 * `reason` the precise storage reason, `status` the HTTP status to answer
 * with. `size` carries the current size where the caller needs it: the
 * upload's size on an offset mismatch (416, `Range: 0-<size-1>`), the blob's
 * size on an unsatisfiable range (416, for the `Content-Range` header).
 */
export class StorageError extends MamoriError {
  readonly reason: StorageErrorReason;
  override readonly status: number;
  readonly size: number | undefined;

  constructor(reason: StorageErrorReason, message: string, options?: { cause?: unknown; size?: number }) {
    super(StorageErrorReasons[reason].core, message, options);
    this.name = 'StorageError';
    this.reason = reason;
    this.size = options?.size;
    this.status =
      reason === 'BLOB_UPLOAD_INVALID' && options?.size !== undefined
        ? 416
        : StorageErrorReasons[reason].status;
  }
}

export function isStorageError(e: unknown, reason?: StorageErrorReason): e is StorageError {
  return e instanceof StorageError && (reason === undefined || e.reason === reason);
}

/** Maps a file-system error to a StorageError (ENOSPC/EDQUOT → NO_SPACE, the rest → IO). */
export function fsError(e: unknown, what: string): StorageError {
  if (e instanceof StorageError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StorageError('NO_SPACE', `no space left on the blob storage device while ${what}`, {
      cause: e,
    });
  }
  if (code === 'EFBIG') {
    return new StorageError('TOO_LARGE', `file too large for the blob storage device while ${what}`, {
      cause: e,
    });
  }
  return new StorageError('IO', `blob storage I/O error while ${what}${code ? ` (${code})` : ''}`, {
    cause: e,
  });
}
