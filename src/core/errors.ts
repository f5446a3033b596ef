/**
 * Stable error codes. A code is never reused for another meaning. Every error
 * mamori raises on purpose is a MamoriError so that the CLI can print a clear
 * message instead of a stack trace and the server can map it to a status.
 */
export const ErrorCodes = {
  INVALID_REFERENCE: { status: 400, message: 'invalid image reference' },
  UNSUPPORTED_TRANSPORT: { status: 400, message: 'unsupported transport' },
  NOT_FOUND: { status: 404, message: 'not found' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'access denied' },
  NETWORK: { status: 502, message: 'network error' },
  REGISTRY: { status: 502, message: 'registry error' },
  DIGEST_MISMATCH: { status: 400, message: 'digest mismatch' },
  SIZE_MISMATCH: { status: 400, message: 'size mismatch' },
  INVALID_MANIFEST: { status: 400, message: 'invalid manifest' },
  INVALID_LAYER: { status: 400, message: 'invalid layer' },
  UNSAFE_PATH: { status: 400, message: 'unsafe path in image' },
  LIMIT_EXCEEDED: { status: 413, message: 'limit exceeded' },
  NO_MATCHING_PLATFORM: { status: 404, message: 'no manifest for the platform' },
  INVALID_ARGUMENT: { status: 400, message: 'invalid argument' },
  IO: { status: 500, message: 'I/O error' },
  INTERNAL: { status: 500, message: 'internal error' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class MamoriError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MamoriError';
    this.code = code;
    this.status = ErrorCodes[code].status;
  }
}

export function isMamoriError(e: unknown, code?: ErrorCode): e is MamoriError {
  return e instanceof MamoriError && (code === undefined || e.code === code);
}

/** Message of any thrown value, for logs and CLI output. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
