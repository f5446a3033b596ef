/**
 * Kubernetes `AdmissionReview` (admission.k8s.io/v1) as the API server sends
 * it to a webhook, read defensively, and the response it expects: the
 * request's `uid` echoed, `allowed`, a `status` with code and message on a
 * denial, `warnings` (at most 120 characters each is what kubectl shows
 * well; the API server caps the total), and a base64 JSONPatch for
 * mutations. The body is bounded before it is parsed.
 */
import { MamoriError } from '../../core/index.js';

/** The API server's own limit on an admission request is ~3 MiB of object; mamori takes up to 4 MiB of JSON. */
export const MAX_REVIEW_BYTES = 4 * 1024 * 1024;
const MAX_WARNINGS = 20;
const MAX_WARNING_LENGTH = 240;
const UID_RE = /^[A-Za-z0-9-]{1,128}$/;

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace: string;
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  readonly userInfo: { readonly username?: string; readonly groups: readonly string[] };
  readonly object: unknown;
  readonly oldObject?: unknown;
  readonly dryRun: boolean;
}

export interface AdmissionResponse {
  readonly allowed: boolean;
  /** Denial message (names the rule, the field path and the fix). */
  readonly message?: string;
  readonly code?: number;
  readonly warnings?: readonly string[];
  /** JSONPatch operations (mutating webhook). */
  readonly patch?: readonly {
    readonly op: 'add' | 'replace' | 'remove';
    readonly path: string;
    readonly value?: unknown;
  }[];
}

const obj = (v: unknown): Readonly<Record<string, unknown>> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown, max = 253): string | undefined =>
  typeof v === 'string' && v.length <= max ? v : undefined;

function bad(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `invalid AdmissionReview: ${message}`);
}

/** Parses an AdmissionReview body; throws MamoriError INVALID_ARGUMENT naming the first problem. */
export function parseAdmissionReview(body: Buffer | string): AdmissionRequest {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (bytes > MAX_REVIEW_BYTES)
    throw new MamoriError('LIMIT_EXCEEDED', `AdmissionReview larger than ${MAX_REVIEW_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw bad('the body is not JSON');
  }
  const review = obj(doc);
  if (!review) throw bad('expected a JSON object');
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw bad(
      `expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got ${JSON.stringify(str(review.apiVersion, 64) ?? null)} ${JSON.stringify(str(review.kind, 64) ?? null)}`,
    );
  }
  const req = obj(review.request);
  if (!req) throw bad('request is missing');
  const uid = str(req.uid, 128);
  if (uid === undefined || !UID_RE.test(uid)) throw bad('request.uid is missing or malformed');
  const kind = obj(req.kind);
  const k = { group: str(kind?.group) ?? '', version: str(kind?.version) ?? '', kind: str(kind?.kind) ?? '' };
  if (k.kind === '' || k.version === '') throw bad('request.kind needs version and kind');
  const op = req.operation;
  if (op !== 'CREATE' && op !== 'UPDATE' && op !== 'DELETE' && op !== 'CONNECT')
    throw bad('request.operation must be CREATE, UPDATE, DELETE or CONNECT');
  const resource = obj(req.resource);
  const userInfo = obj(req.userInfo);
  const groups = Array.isArray(userInfo?.groups)
    ? userInfo.groups.filter((g): g is string => typeof g === 'string').slice(0, 100)
    : [];
  const username = str(userInfo?.username, 512);
  const namespace = str(req.namespace, 63) ?? '';
  const name = str(req.name);
  const subResource = str(req.subResource, 64);
  if (op !== 'DELETE' && obj(req.object) === undefined) throw bad('request.object is missing');
  return {
    uid,
    kind: k,
    ...(resource
      ? {
          resource: {
            group: str(resource.group) ?? '',
            version: str(resource.version) ?? '',
            resource: str(resource.resource) ?? '',
          },
        }
      : {}),
    ...(subResource ? { subResource } : {}),
    ...(name ? { name } : {}),
    namespace,
    operation: op,
    userInfo: { ...(username !== undefined ? { username } : {}), groups },
    object: req.object,
    ...(req.oldObject !== undefined && req.oldObject !== null ? { oldObject: req.oldObject } : {}),
    dryRun: req.dryRun === true,
  };
}

/** The AdmissionReview the API server expects back (uid echoed; warnings trimmed to what it shows). */
export function admissionReviewResponse(uid: string, r: AdmissionResponse): unknown {
  const warnings = (r.warnings ?? [])
    .slice(0, MAX_WARNINGS)
    .map((w) => (w.length > MAX_WARNING_LENGTH ? `${w.slice(0, MAX_WARNING_LENGTH - 1)}…` : w));
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid,
      allowed: r.allowed,
      ...(!r.allowed ? { status: { code: r.code ?? 403, message: r.message ?? 'denied by policy' } } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(r.patch && r.patch.length > 0
        ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(r.patch)).toString('base64') }
        : {}),
    },
  };
}
