/** Reading one cosign layer: descriptor checks, a bounded fetch, and the digest check. */
import { isValidDigest } from '../../image/registry/index.js';
import { contentFailure, type Outcome } from './discover.js';
import { matchesDigest } from './manifest.js';
import { MAX_PAYLOAD_BYTES, type SignatureLocation, type SignatureSource } from './types.js';

export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface LayerBytes {
  readonly digest: string;
  readonly bytes: Buffer;
  readonly annotations: Readonly<Record<string, unknown>>;
}

export function failure<V>(reason: string, where: SignatureLocation, payloadDigest?: string): Outcome<V> {
  return { ok: false, f: { reason, where, ...(payloadDigest !== undefined ? { payloadDigest } : {}) } };
}

/**
 * Validates a layer descriptor of `mediaType`, then, unless `precheck`
 * refuses its annotations, fetches at most MAX_PAYLOAD_BYTES and checks the
 * bytes against the digest.
 */
export async function readLayer(
  source: SignatureSource,
  layer: unknown,
  mediaType: string,
  where: SignatureLocation,
  precheck: (annotations: Readonly<Record<string, unknown>>, digest: string) => Outcome<never> | undefined,
): Promise<Outcome<LayerBytes>> {
  if (!isRecord(layer) || typeof layer.digest !== 'string' || !isValidDigest(layer.digest)) {
    return failure('malformed layer: no valid digest', where);
  }
  const digest = layer.digest;
  if (layer.mediaType !== mediaType) {
    const shown = JSON.stringify(String(layer.mediaType)).slice(0, 200);
    return failure(`layer has media type ${shown}, not ${mediaType}`, where, digest);
  }
  const size = layer.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return failure('malformed layer: no valid size', where, digest);
  }
  if (size > MAX_PAYLOAD_BYTES) {
    return failure(`payload of ${size} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte limit`, where, digest);
  }
  const annotations = isRecord(layer.annotations) ? layer.annotations : {};
  const refused = precheck(annotations, digest);
  if (refused !== undefined) return refused;
  let bytes: Buffer;
  try {
    bytes = await source.fetchBlob(digest, size);
  } catch (e) {
    return failure(contentFailure(e, `payload ${digest}`), where, digest);
  }
  if (bytes.length !== size || !matchesDigest(bytes, digest)) {
    return failure(`payload does not match its descriptor ${digest}`, where, digest);
  }
  return { ok: true, v: { digest, bytes, annotations } };
}
