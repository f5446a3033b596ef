export type {
  Platform,
  Descriptor,
  RawManifest,
  BlobStore,
  LayerDescriptor,
  ImageConfig,
  ResolvedImage,
  ImageSource,
} from './types.js';
export { parseReference, formatReference, isDigest, DIGEST_RE } from './reference.js';
export type { ImageReference } from './reference.js';
export { MediaTypes, parseManifest, parseImageConfig, sha256Digest, verifyBytes } from './manifest.js';
export type { ParsedManifest } from './manifest.js';
export { hostPlatform, parsePlatform, formatPlatform, platformMatches, selectManifest } from './platform.js';
export { resolveImage, readBlob, readBounded } from './resolve.js';
export { OciLayoutStore, directoryReader } from './oci-layout.js';
export { DockerArchiveSource, openOciArchive } from './archive.js';
export { TarIndex } from './tar-index.js';
export { StoreImageSource, openImageSource } from './source.js';
export type { OpenOptions, RegistryAccess } from './source.js';
export { readLayer, DEFAULT_MAX_LAYER_BYTES } from './layer-reader.js';
export type { LayerReadLimits } from './layer-reader.js';
export { tarEntries, safeMemberPath } from './tar-walk.js';
export type { LayerEntry, EntryKind } from './tar-walk.js';
export { dirEntries } from './dir-walk.js';
export { parseDockerReference, formatDockerReference } from './registry/index.js';
export type { DockerReference } from './registry/index.js';
export { detectLocalTarget } from './local.js';
export type { LocalKind, LocalTarget } from './local.js';
