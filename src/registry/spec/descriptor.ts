/**
 * Validation of the parts of a manifest: descriptors (image-spec
 * descriptor.md), platforms (image-index.md), annotations (annotations.md).
 * Every check throws RegistryError MANIFEST_INVALID with the JSON path of the
 * bad value in the message and in `detail.path`.
 */
import { checkDigest, digestOf, parseDigest } from './digest.js';
import { RegistryError } from './errors.js';
import { foldKey } from './json-guard.js';
import { isMediaType } from './mediatypes.js';
import type { Descriptor, Platform } from './types.js';

export const MAX_ANNOTATIONS = 10_000;
export const MAX_URLS = 64;
export const MAX_PLATFORM_FEATURES = 256;
const MAX_URL_LENGTH = 4096;

export type JsonObject = Record<string, unknown>;

export function manifestInvalid(path: string, reason: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `${path}: ${reason}`, { detail: { path, reason } });
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v)}`;
  return `${typeof v} ${String(v).slice(0, 32)}`;
}

/**
 * Rejects a key that Go clients would read as one of `known` but that is not
 * spelled exactly like it (`"Layers"`, `"ſize"`): such a field would be seen
 * by them and missed by this validation.
 */
export function checkFieldSpelling(o: JsonObject, known: readonly string[], path: string): void {
  const folded = new Map(known.map((k) => [foldKey(k), k]));
  for (const key of Object.keys(o)) {
    const want = folded.get(foldKey(key));
    if (want !== undefined && want !== key) {
      throw manifestInvalid(`${path}.${key}`, `field must be spelled "${want}"`);
    }
  }
}

export function optionalString(o: JsonObject, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw manifestInvalid(`${path}.${key}`, `must be a string, not ${describeValue(v)}`);
  return v;
}

/** An optional media-type field; the empty string counts as absent (Go's omitempty). */
export function optionalMediaType(o: JsonObject, key: string, path: string): string | undefined {
  const v = optionalString(o, key, path);
  if (v === undefined || v === '') return undefined;
  if (!isMediaType(v))
    throw manifestInvalid(`${path}.${key}`, `${describeValue(v)} is not a valid media type (RFC 6838)`);
  return v;
}

export function parseAnnotations(v: unknown, path: string): Readonly<Record<string, string>> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw manifestInvalid(path, `annotations must be an object, not ${describeValue(v)}`);
  const entries = Object.entries(v);
  if (entries.length > MAX_ANNOTATIONS)
    throw manifestInvalid(path, `more than ${MAX_ANNOTATIONS} annotations`);
  const out: Record<string, string> = {};
  for (const [k, val] of entries) {
    if (typeof val !== 'string') {
      throw manifestInvalid(
        `${path}[${JSON.stringify(k)}]`,
        `annotation values must be strings, not ${describeValue(val)}`,
      );
    }
    Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
  }
  return entries.length === 0 ? undefined : out;
}

function stringArray(v: unknown, path: string, max: number): readonly string[] {
  if (!Array.isArray(v)) throw manifestInvalid(path, `must be an array of strings, not ${describeValue(v)}`);
  if (v.length > max) throw manifestInvalid(path, `more than ${max} entries`);
  return v.map((s: unknown, i) => {
    if (typeof s !== 'string')
      throw manifestInvalid(`${path}[${i}]`, `must be a string, not ${describeValue(s)}`);
    return s;
  });
}

/** Validates `urls` as Distribution does: absolute http or https URLs without a fragment. */
function parseUrls(v: unknown, path: string): readonly string[] {
  const urls = stringArray(v, path, MAX_URLS);
  for (const [i, u] of urls.entries()) {
    let url: URL | undefined;
    try {
      url = u.length <= MAX_URL_LENGTH ? new URL(u) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || u.includes('#')) {
      throw manifestInvalid(
        `${path}[${i}]`,
        `${describeValue(u)} is not an http or https URL without a fragment`,
      );
    }
  }
  return urls;
}

const PLATFORM_FIELDS = ['architecture', 'os', 'os.version', 'os.features', 'variant', 'features'];

export function parsePlatform(v: unknown, path: string): Platform {
  if (!isObject(v)) throw manifestInvalid(path, `platform must be an object, not ${describeValue(v)}`);
  checkFieldSpelling(v, PLATFORM_FIELDS, path);
  const architecture = optionalString(v, 'architecture', path);
  const os = optionalString(v, 'os', path);
  if (!architecture) throw manifestInvalid(`${path}.architecture`, 'is required');
  if (!os) throw manifestInvalid(`${path}.os`, 'is required');
  const osVersion = optionalString(v, 'os.version', path);
  const variant = optionalString(v, 'variant', path);
  const osFeatures = v['os.features'];
  const features = v.features;
  return {
    architecture,
    os,
    ...(osVersion ? { 'os.version': osVersion } : {}),
    ...(osFeatures !== undefined && osFeatures !== null
      ? { 'os.features': stringArray(osFeatures, `${path}.os.features`, MAX_PLATFORM_FEATURES) }
      : {}),
    ...(variant ? { variant } : {}),
    ...(features !== undefined && features !== null
      ? { features: stringArray(features, `${path}.features`, MAX_PLATFORM_FEATURES) }
      : {}),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `data` must be standard base64 of exactly the described content (descriptor.md "Embedded Content"). */
function checkData(v: unknown, digest: string, size: number, path: string): void {
  if (typeof v !== 'string' || !BASE64.test(v))
    throw manifestInvalid(path, 'must be standard base64 (RFC 4648)');
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length !== size) {
    throw manifestInvalid(path, `decodes to ${bytes.length} bytes but the descriptor's size is ${size}`);
  }
  if (digestOf(bytes, parseDigest(digest).algorithm) !== digest) {
    throw manifestInvalid(path, "does not match the descriptor's digest");
  }
}

const DESCRIPTOR_FIELDS = [
  'mediaType',
  'digest',
  'size',
  'urls',
  'annotations',
  'data',
  'artifactType',
  'platform',
];

/** Validates one descriptor; `data` is checked, then dropped. Unknown fields are allowed and ignored. */
export function parseDescriptor(v: unknown, path: string): Descriptor {
  if (!isObject(v)) throw manifestInvalid(path, `descriptor must be an object, not ${describeValue(v)}`);
  checkFieldSpelling(v, DESCRIPTOR_FIELDS, path);
  const mediaType = v.mediaType;
  if (mediaType === undefined || mediaType === '') throw manifestInvalid(`${path}.mediaType`, 'is required');
  if (!isMediaType(mediaType)) {
    throw manifestInvalid(
      `${path}.mediaType`,
      `${describeValue(mediaType)} is not a valid media type (RFC 6838)`,
    );
  }
  if (v.digest === undefined) throw manifestInvalid(`${path}.digest`, 'is required');
  const digestProblem = checkDigest(v.digest);
  if (digestProblem !== undefined || typeof v.digest !== 'string') {
    throw manifestInvalid(`${path}.digest`, digestProblem ?? 'invalid digest');
  }
  const digest = v.digest;
  const size = v.size;
  if (size === undefined) throw manifestInvalid(`${path}.size`, 'is required');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw manifestInvalid(`${path}.size`, `must be a non-negative integer, not ${describeValue(size)}`);
  }
  const urls = v.urls === undefined || v.urls === null ? undefined : parseUrls(v.urls, `${path}.urls`);
  const annotations = parseAnnotations(v.annotations, `${path}.annotations`);
  if (v.data !== undefined && v.data !== null) checkData(v.data, digest, size, `${path}.data`);
  const artifactType = optionalMediaType(v, 'artifactType', path);
  const platform =
    v.platform === undefined || v.platform === null
      ? undefined
      : parsePlatform(v.platform, `${path}.platform`);
  return {
    mediaType,
    digest,
    // A "-0" literal is the integer 0 for Go clients too.
    size: Object.is(size, -0) ? 0 : size,
    ...(urls !== undefined && urls.length > 0 ? { urls } : {}),
    ...(annotations ? { annotations } : {}),
    ...(artifactType ? { artifactType } : {}),
    ...(platform ? { platform } : {}),
  };
}
