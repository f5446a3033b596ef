/**
 * The cosign "simple signing" payload (containers-signature(5) JSON with
 * cosign's `critical.type`). Pure: bytes in, claim or reason out.
 */
import { isValidDigest } from '../../image/registry/index.js';
import { SIMPLE_SIGNING_TYPE } from './types.js';

export interface SimpleSigningClaim {
  readonly manifestDigest: string;
  readonly dockerReference?: string;
}

export type PayloadResult =
  { readonly ok: true; readonly claim: SimpleSigningClaim } | { readonly ok: false; readonly reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A member by name, compared without case as cosign's JSON decoding does;
 * two spellings of one name are ambiguous and rejected.
 */
function member(obj: Record<string, unknown>, name: string): { value: unknown } | 'ambiguous' | undefined {
  const keys = Object.keys(obj).filter((k) => k.toLowerCase() === name);
  if (keys.length > 1) return 'ambiguous';
  const key = keys[0];
  return key === undefined ? undefined : { value: obj[key] };
}

const bad = (reason: string): PayloadResult => ({ ok: false, reason: `malformed payload: ${reason}` });

export function parseSimpleSigning(bytes: Buffer): PayloadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return bad('not UTF-8 JSON');
  }
  if (!isObject(doc)) return bad('not a JSON object');
  const critical = member(doc, 'critical');
  if (critical === 'ambiguous' || critical === undefined || !isObject(critical.value)) {
    return bad('no "critical" object');
  }
  const type = member(critical.value, 'type');
  if (type === 'ambiguous' || type === undefined || type.value !== SIMPLE_SIGNING_TYPE) {
    return bad(`"critical.type" is not "${SIMPLE_SIGNING_TYPE}"`);
  }
  const image = member(critical.value, 'image');
  if (image === 'ambiguous' || image === undefined || !isObject(image.value)) {
    return bad('no "critical.image" object');
  }
  const digest = member(image.value, 'docker-manifest-digest');
  if (digest === 'ambiguous' || digest === undefined || typeof digest.value !== 'string') {
    return bad('no "critical.image.docker-manifest-digest" string');
  }
  if (!isValidDigest(digest.value)) return bad('"docker-manifest-digest" is not a digest');
  const identity = member(critical.value, 'identity');
  let dockerReference: string | undefined;
  if (identity !== 'ambiguous' && identity !== undefined && isObject(identity.value)) {
    const ref = member(identity.value, 'docker-reference');
    if (
      ref !== 'ambiguous' &&
      ref !== undefined &&
      typeof ref.value === 'string' &&
      ref.value.length <= 1024
    ) {
      dockerReference = ref.value;
    }
  }
  return {
    ok: true,
    claim: { manifestDigest: digest.value, ...(dockerReference !== undefined ? { dockerReference } : {}) },
  };
}
