/**
 * The error codes of the OCI Distribution Spec (spec.md "Error Codes") and
 * the JSON body a registry returns with them. The default HTTP status of each
 * code is the one CNCF Distribution uses (registry/api/errcode/register.go);
 * a handler passes another status where the spec asks for one (416 for an
 * out-of-order chunk, 413 for an oversized manifest, 400 for bad parameters).
 */

export const OciErrorCodes = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 404, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: {
    status: 400,
    message: 'manifest references a manifest or blob unknown to registry',
  },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
} as const;

export type OciErrorCode = keyof typeof OciErrorCodes;

/** True for the fourteen codes the spec allows in an error body. */
export function isOciErrorCode(v: unknown): v is OciErrorCode {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(OciErrorCodes, v);
}

export interface RegistryErrorOptions {
  /** Structured, JSON-serialisable data that helps the client fix the request. */
  readonly detail?: unknown;
  /** HTTP status to answer with, when it differs from the code's default. */
  readonly status?: number;
  readonly cause?: unknown;
}

/** An error the registry reports to a client with one of the spec's codes. */
export class RegistryError extends Error {
  readonly code: OciErrorCode;
  readonly status: number;
  readonly detail: unknown;

  constructor(code: OciErrorCode, message?: string, options: RegistryErrorOptions = {}) {
    super(message ?? OciErrorCodes[code].message, { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.status = options.status ?? OciErrorCodes[code].status;
    this.detail = options.detail;
  }
}

export function isRegistryError(e: unknown, code?: OciErrorCode): e is RegistryError {
  return e instanceof RegistryError && (code === undefined || e.code === code);
}

/** One entry of the spec's error body. */
export interface ErrorBodyEntry {
  readonly code: OciErrorCode;
  readonly message: string;
  readonly detail?: unknown;
}

/** The spec's JSON error body: `{"errors":[{"code","message","detail"}]}`. */
export interface ErrorBody {
  readonly errors: readonly ErrorBodyEntry[];
}

/** Builds the error body for one or more errors; `detail` is left out when there is none. */
export function errorBody(errors: RegistryError | readonly RegistryError[]): ErrorBody {
  const list: readonly RegistryError[] = errors instanceof RegistryError ? [errors] : errors;
  return {
    errors: list.map((e) =>
      e.detail === undefined
        ? { code: e.code, message: e.message }
        : { code: e.code, message: e.message, detail: e.detail },
    ),
  };
}

/** The status of a response carrying `errors`: the first error's (Distribution does the same). */
export function errorStatus(errors: RegistryError | readonly RegistryError[]): number {
  const first = errors instanceof RegistryError ? errors : errors[0];
  return first?.status ?? 500;
}
