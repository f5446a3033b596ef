/**
 * Maps a registry's error response (status and the distribution spec's
 * `{"errors":[{code,message,detail}]}` body) to a MamoriError that carries
 * the registry's own words.
 */
import type { ErrorCode } from '../../core/index.js';
import { MamoriError } from '../../core/index.js';
import { readPrefix, type HttpResponse } from './http.js';

const MAX_ERROR_BODY = 64 * 1024;
const MAX_ERRORS = 5;
const MAX_MESSAGE = 300;

export interface RegistryErrorEntry {
  readonly code: string;
  readonly message: string;
}

const BY_REGISTRY_CODE: Readonly<Record<string, ErrorCode>> = {
  BLOB_UNKNOWN: 'NOT_FOUND',
  MANIFEST_UNKNOWN: 'NOT_FOUND',
  NAME_UNKNOWN: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  DENIED: 'DENIED',
  NAME_INVALID: 'INVALID_REFERENCE',
  TAG_INVALID: 'INVALID_REFERENCE',
};

function byStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  return 'REGISTRY';
}

/** Makes registry-provided text safe to print: no control characters, bounded length. */
export function sanitize(s: string, max = MAX_MESSAGE): string {
  const clean = s
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Parses a distribution error body; entries without a string code are dropped. */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const errors = typeof doc === 'object' && doc !== null ? (doc as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorEntry[] = [];
  for (const e of errors.slice(0, MAX_ERRORS)) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code !== 'string') continue;
    out.push({
      code: sanitize(code, 64).toUpperCase(),
      message: typeof message === 'string' ? sanitize(message) : '',
    });
  }
  return out;
}

/** Builds the MamoriError for a non-success response, reading a bounded prefix of its body. */
export async function errorFromResponse(
  res: HttpResponse,
  context: string,
  hint?: (code: ErrorCode) => string | undefined,
): Promise<MamoriError> {
  const body = (await readPrefix(res, MAX_ERROR_BODY)).toString('utf8');
  const entries = parseErrorBody(body);
  let code: ErrorCode = byStatus(res.status);
  for (const e of entries) {
    const mapped = BY_REGISTRY_CODE[e.code];
    if (mapped !== undefined) {
      code = mapped;
      break;
    }
  }
  let detail: string;
  if (entries.length > 0) {
    detail = entries.map((e) => (e.message ? `${e.message} (${e.code})` : e.code)).join('; ');
  } else {
    const text = sanitize(body, 200);
    detail = `HTTP ${res.status}${text && !text.startsWith('<') ? `: ${text}` : ''}`;
  }
  const extra = hint?.(code);
  return new MamoriError(code, `${context}: ${detail}${extra ? `; ${extra}` : ''}`);
}
