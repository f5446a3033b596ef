export type {
  PackageType,
  LayerRef,
  Location,
  PackageOwner,
  DpkgMetadata,
  ApkMetadata,
  RpmMetadata,
  NpmMetadata,
  PythonMetadata,
  GoMetadata,
  JavaMetadata,
  GemMetadata,
  RustMetadata,
  DotnetMetadata,
  PhpMetadata,
  PackageMetadata,
  Package,
  Distro,
} from './package.js';
export { ErrorCodes, MamoriError, isMamoriError, errorMessage } from './errors.js';
export type { ErrorCode } from './errors.js';
export { purl, parsePurl, decodePurlPart } from './purl.js';
export type { PurlParts, ParsedPurl } from './purl.js';
export { SEVERITIES, severityRank } from './finding.js';
export type {
  SeverityLevel,
  Finding,
  FindingPackage,
  FindingSeverity,
  MatchDetails,
  RuleFinding,
  RuleLocation,
} from './finding.js';
export { readBoundedFile, decodeUtf8 } from './files.js';
export { lruSet } from './lru.js';
export { closest, didYouMean } from './suggest.js';
export { SYSTEM_BIN_DIRS } from './paths.js';
