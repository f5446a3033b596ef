/**
 * OCI Distribution Spec v1.1 knowledge for the registry: names, tags,
 * digests, error codes and bodies, manifest validation, referrers and
 * pagination. Pure: no I/O.
 */
export type {
  Digest,
  DigestAlgorithm,
  ParsedDigest,
  Platform,
  Descriptor,
  ManifestKind,
  ParsedManifest,
} from './types.js';
export {
  OciErrorCodes,
  RegistryError,
  isOciErrorCode,
  isRegistryError,
  errorBody,
  errorStatus,
} from './errors.js';
export type { OciErrorCode, RegistryErrorOptions, ErrorBody, ErrorBodyEntry } from './errors.js';
export { DIGEST_HEX_LENGTH, checkDigest, isDigest, parseDigest, digestOf, matchesDigest } from './digest.js';
export {
  MAX_REPOSITORY_NAME_LENGTH,
  MAX_TAG_LENGTH,
  REPOSITORY_NAME_PATTERN,
  TAG_PATTERN,
  checkRepositoryName,
  isRepositoryName,
  parseRepositoryName,
  checkTag,
  isTag,
  checkReference,
  parseReference,
  referrersTag,
  projectOfRepository,
} from './names.js';
export type { Reference } from './names.js';
export {
  MediaTypes,
  MANIFEST_MEDIA_TYPES,
  FOREIGN_LAYER_MEDIA_TYPES,
  EMPTY_JSON_DIGEST,
  isManifestMediaType,
  isMediaType,
  contentTypeMediaType,
} from './mediatypes.js';
export {
  MAX_MANIFEST_BYTES,
  MAX_MANIFEST_DESCRIPTORS,
  MAX_MANIFEST_JSON_DEPTH,
  parseManifest,
  referencedBlobs,
  referencedManifests,
  referrerDescriptor,
} from './manifest.js';
export { MAX_ANNOTATIONS, MAX_URLS } from './descriptor.js';
export {
  MAX_LAST_LENGTH,
  ARTIFACT_TYPE_FILTER,
  queryValue,
  parsePageQuery,
  compareLexical,
  sortLexical,
  paginateSorted,
  pageFromLookahead,
  nextLink,
  tagListBody,
  catalogBody,
  parseArtifactTypeFilter,
  filterReferrers,
  filtersAppliedHeader,
  referrersIndex,
} from './pagination.js';
export type { PageOptions, PageQuery, PageResult, QueryInput, FilteredReferrers } from './pagination.js';
