/**
 * Validation of pushed manifests: OCI image manifest and image index
 * (image-spec manifest.md, image-index.md), Docker schema 2 manifest and
 * manifest list (Distribution docs/content/spec/manifest-v2-2.md). Docker
 * schema 1 is refused. What a manifest references, for the registry's
 * "every referenced blob and manifest exists" check, and the descriptor the
 * referrers API lists for it, are derived here too.
 */
import { parseDigest } from './digest.js';
import {
  checkFieldSpelling,
  describeValue,
  isObject,
  manifestInvalid,
  optionalMediaType,
  parseAnnotations,
  parseDescriptor,
  type JsonObject,
} from './descriptor.js';
import { RegistryError } from './errors.js';
import { parseGuardedJson } from './json-guard.js';
import {
  FOREIGN_LAYER_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  MediaTypes,
  contentTypeMediaType,
  isMediaType,
} from './mediatypes.js';
import type { Descriptor, Digest, ParsedManifest } from './types.js';

/** Largest manifest accepted: the 4 MiB the spec asks registries to support, as Distribution. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Most layers or index entries one manifest may list. */
export const MAX_MANIFEST_DESCRIPTORS = 10_000;
/** Deepest JSON nesting accepted (the formats need 5 levels; extensions get room). */
export const MAX_MANIFEST_JSON_DEPTH = 64;

const TOP_FIELDS = [
  'schemaVersion',
  'mediaType',
  'artifactType',
  'config',
  'layers',
  'manifests',
  'subject',
  'annotations',
];
/** Content-Type values that say nothing about the manifest's format. */
const GENERIC_CONTENT_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/octet-stream']);

function schema1(): RegistryError {
  const reason = 'Docker schema 1 manifests are not supported; push schema 2 or OCI';
  return new RegistryError('MANIFEST_INVALID', reason, { detail: { reason } });
}

function present(o: JsonObject, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

/** The manifest's media type from the body's `mediaType`, the Content-Type and (OCI only) its fields. */
function resolveMediaType(top: JsonObject, contentType: string | undefined): string {
  const header = contentTypeMediaType(contentType);
  if (header === MediaTypes.dockerSchema1 || header === MediaTypes.dockerSchema1Signed) throw schema1();
  const raw = top.mediaType;
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw manifestInvalid('$.mediaType', `must be a string, not ${describeValue(raw)}`);
  }
  const body = raw === null || raw === '' ? undefined : raw;
  if (body === MediaTypes.dockerSchema1 || body === MediaTypes.dockerSchema1Signed) throw schema1();
  const specific = header !== undefined && !GENERIC_CONTENT_TYPES.has(header) ? header : undefined;
  if (body !== undefined && specific !== undefined && body !== specific) {
    throw manifestInvalid(
      '$.mediaType',
      `${describeValue(body)} does not match the Content-Type ${JSON.stringify(specific.slice(0, 128))}`,
    );
  }
  let type = body ?? specific;
  if (type === undefined) {
    const image = present(top, 'config') || present(top, 'layers');
    const index = present(top, 'manifests');
    if (image === index) {
      throw manifestInvalid(
        '$.mediaType',
        'is missing and neither Content-Type nor the fields tell the manifest type',
      );
    }
    type = index ? MediaTypes.ociIndex : MediaTypes.ociManifest;
  }
  if (!MANIFEST_MEDIA_TYPES.has(type)) {
    const shown = JSON.stringify(type.slice(0, 128));
    throw manifestInvalid(
      '$.mediaType',
      `unsupported manifest media type ${shown}${isMediaType(type) ? '' : ' (not a valid media type)'}`,
    );
  }
  if ((type === MediaTypes.dockerManifest || type === MediaTypes.dockerManifestList) && body !== type) {
    throw manifestInvalid('$.mediaType', `is required in a Docker schema 2 manifest and must be "${type}"`);
  }
  return type;
}

function descriptorList(top: JsonObject, key: string): Descriptor[] {
  const v = top[key];
  if (v === undefined) throw manifestInvalid(`$.${key}`, 'is required');
  if (v === null) return [];
  if (!Array.isArray(v)) throw manifestInvalid(`$.${key}`, `must be an array, not ${describeValue(v)}`);
  if (v.length > MAX_MANIFEST_DESCRIPTORS) {
    throw manifestInvalid(
      `$.${key}`,
      `lists ${v.length} descriptors, more than the limit of ${MAX_MANIFEST_DESCRIPTORS}`,
    );
  }
  return v.map((d: unknown, i) => parseDescriptor(d, `$.${key}[${i}]`));
}

function ociExtras(top: JsonObject): Pick<ParsedManifest, 'subject' | 'annotations'> & { declared?: string } {
  const subject = present(top, 'subject') ? parseDescriptor(top.subject, '$.subject') : undefined;
  const annotations = parseAnnotations(top.annotations, '$.annotations');
  const declared = optionalMediaType(top, 'artifactType', '$');
  return {
    ...(subject ? { subject } : {}),
    ...(annotations ? { annotations } : {}),
    ...(declared ? { declared } : {}),
  };
}

function parseImage(top: JsonObject, mediaType: string): ParsedManifest {
  if (present(top, 'manifests')) {
    throw manifestInvalid('$.manifests', 'an image manifest must not have "manifests" (is it an index?)');
  }
  if (top.config === undefined) throw manifestInvalid('$.config', 'is required');
  const config = parseDescriptor(top.config, '$.config');
  const layers = descriptorList(top, 'layers');
  if (mediaType === MediaTypes.dockerManifest) {
    for (const [i, l] of layers.entries()) {
      if (l.mediaType === MediaTypes.dockerForeignLayer && (l.urls ?? []).length === 0) {
        throw manifestInvalid(`$.layers[${i}].urls`, 'a foreign layer must list the URLs it is fetched from');
      }
    }
    return { kind: 'image', mediaType, config, layers, manifests: [], artifactType: config.mediaType };
  }
  const { declared, ...extras } = ociExtras(top);
  if (declared === undefined && config.mediaType === MediaTypes.ociEmpty) {
    throw manifestInvalid('$.artifactType', 'is required when config.mediaType is the empty descriptor type');
  }
  return {
    kind: 'image',
    mediaType,
    config,
    layers,
    manifests: [],
    artifactType: declared ?? config.mediaType,
    ...extras,
  };
}

function parseIndex(top: JsonObject, mediaType: string): ParsedManifest {
  for (const key of ['config', 'layers']) {
    if (present(top, key))
      throw manifestInvalid(`$.${key}`, `an index must not have "${key}" (is it an image manifest?)`);
  }
  const manifests = descriptorList(top, 'manifests');
  if (mediaType === MediaTypes.dockerManifestList) return { kind: 'index', mediaType, layers: [], manifests };
  const { declared, ...extras } = ociExtras(top);
  return {
    kind: 'index',
    mediaType,
    layers: [],
    manifests,
    ...(declared ? { artifactType: declared } : {}),
    ...extras,
  };
}

/**
 * Validates a pushed manifest. `contentType` is the request's Content-Type
 * header (parameters ignored). Throws RegistryError MANIFEST_INVALID (status
 * 413 when over MAX_MANIFEST_BYTES) with the reason and the JSON path of the
 * bad value; never another error.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  if (!(bytes instanceof Uint8Array)) throw manifestInvalid('$', 'manifest body must be bytes');
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new RegistryError('MANIFEST_INVALID', `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`, {
      status: 413,
      detail: { size: bytes.length, limit: MAX_MANIFEST_BYTES },
    });
  }
  if (contentType !== undefined && typeof contentType !== 'string') {
    throw manifestInvalid('$', 'Content-Type must be a string');
  }
  const top = parseGuardedJson(bytes, 'manifest', {
    maxDepth: MAX_MANIFEST_JSON_DEPTH,
    maxKeysPerObject: MAX_MANIFEST_DESCRIPTORS,
  });
  if (!isObject(top)) throw manifestInvalid('$', `manifest must be a JSON object, not ${describeValue(top)}`);
  checkFieldSpelling(top, TOP_FIELDS, '$');
  if (top.schemaVersion === 1) throw schema1();
  const mediaType = resolveMediaType(top, contentType);
  if (top.schemaVersion === undefined) throw manifestInvalid('$.schemaVersion', 'is required');
  if (top.schemaVersion !== 2)
    throw manifestInvalid('$.schemaVersion', `must be 2, not ${describeValue(top.schemaVersion)}`);
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList
    ? parseIndex(top, mediaType)
    : parseImage(top, mediaType);
}

function unique(descriptors: readonly Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (const d of descriptors) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    out.push(d);
  }
  return out;
}

/**
 * The blobs that must exist in the repository before the manifest is
 * accepted, each digest once: an image's config and layers, except layers of
 * a non-distributable / foreign type that list `urls` (their content lives
 * elsewhere, as in Distribution); an index's entries of a media type that is
 * not a manifest type. The `subject` is never included: the spec requires
 * accepting a manifest whose subject does not exist yet.
 */
export function referencedBlobs(m: ParsedManifest): Descriptor[] {
  if (m.kind === 'index') return unique(m.manifests.filter((d) => !MANIFEST_MEDIA_TYPES.has(d.mediaType)));
  const layers = m.layers.filter(
    (l) => !(FOREIGN_LAYER_MEDIA_TYPES.has(l.mediaType) && (l.urls ?? []).length > 0),
  );
  return unique(m.config ? [m.config, ...layers] : layers);
}

/** The manifests that must exist in the repository first: an index's entries of a manifest media type. */
export function referencedManifests(m: ParsedManifest): Descriptor[] {
  return unique(m.manifests.filter((d) => MANIFEST_MEDIA_TYPES.has(d.mediaType)));
}

/**
 * The descriptor the referrers API lists for manifest `m` stored as
 * `digest` with `size` bytes (spec.md "Listing Referrers"): its media type,
 * its artifact type (for an image manifest without one, the config's media
 * type; for an index without one, none) and all its annotations.
 */
export function referrerDescriptor(m: ParsedManifest, digest: Digest, size: number): Descriptor {
  parseDigest(digest);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RegistryError(
      'SIZE_INVALID',
      `manifest size must be a non-negative integer, not ${String(size)}`,
    );
  }
  return {
    mediaType: m.mediaType,
    digest,
    size,
    ...(m.artifactType ? { artifactType: m.artifactType } : {}),
    ...(m.annotations && Object.keys(m.annotations).length > 0 ? { annotations: m.annotations } : {}),
  };
}
