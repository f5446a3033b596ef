/**
 * Media types of the manifests and blobs the registry handles (image-spec
 * media-types.md, Distribution docs/content/spec/manifest-v2-2.md) and the
 * RFC 6838 grammar every media type in a descriptor must follow.
 */

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The manifest media types the registry accepts, stores and serves. */
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.dockerManifestList,
]);

export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.has(mediaType);
}

/**
 * Layer media types whose blobs may live outside the registry: OCI
 * non-distributable layers and Docker foreign layers. When such a layer lists
 * `urls`, the registry does not require its blob (as Distribution).
 */
export const FOREIGN_LAYER_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaTypes.ociLayerNondistributable,
  MediaTypes.ociLayerNondistributableGzip,
  MediaTypes.ociLayerNondistributableZstd,
  MediaTypes.dockerForeignLayer,
]);

/** The empty descriptor's content `{}` (image-spec manifest.md "Guidance for an Empty Descriptor"). */
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/**
 * RFC 6838 section 4.2 `type-name "/" subtype-name`, each a restricted-name
 * of at most 127 characters: the pattern of image-spec's
 * schema/defs-descriptor.json. Parameters are not part of it.
 */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function isMediaType(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 255 && MEDIA_TYPE.test(v);
}

/**
 * The media type of a Content-Type header value: parameters dropped (the spec
 * asks registries to ignore them), lowercased, trimmed. Undefined for an
 * absent or blank header. Returns the raw lowercase text even when it is not
 * a valid media type, so the caller can report it.
 */
export function contentTypeMediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const semi = header.indexOf(';');
  const type = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  return type === '' ? undefined : type;
}
