/**
 * mamori's library API. Everything exported here is public and typed; the
 * CLI and the server are built on the same functions.
 */
export type {
  Package,
  PackageType,
  PackageMetadata,
  PackageOwner,
  Location,
  LayerRef,
  Distro,
  ErrorCode,
} from './core/index.js';
export { MamoriError, isMamoriError, ErrorCodes, purl } from './core/index.js';
export { inventory, selectCatalogers, ALL_CATALOGERS } from './inventory/index.js';
export type {
  Inventory,
  InventoryLayer,
  InventorySource,
  InventoryOptions,
  ProgressEvent,
  Cataloger,
} from './inventory/index.js';
export { parseReference, parsePlatform, hostPlatform } from './image/index.js';
export type { ImageReference, Platform, RegistryAccess } from './image/index.js';
export {
  formats,
  formatNames,
  renderCycloneDx,
  renderSpdx,
  renderJson,
  renderTable,
  renderFindingsTable,
  renderFindingsJson,
  renderFindingsSarif,
  renderFindingsCycloneDx,
} from './report/index.js';
export type { FormatName, FindingsReport, SarifOptions } from './report/index.js';
export {
  scan,
  gateViolations,
  filterFindings,
  applySuppressions,
  loadIgnoreFile,
  parseIgnoreFile,
  loadOpenVex,
  parseOpenVex,
} from './scan/index.js';
export type { ScanOptions, ScanResult, SuppressedFinding, IgnoreRules, VexDocuments } from './scan/index.js';
export { matchPackages } from './match/index.js';
export type { AdvisoryProvider } from './match/index.js';
export { compareVersions } from './versions/index.js';
export { cvssScore, parseCvss } from './cvss/index.js';
export type { CvssScore } from './cvss/index.js';
export { openVulnDb, importFeed } from './vulndb/index.js';
export type { Advisory } from './vulndb/index.js';
export type { Finding, SeverityLevel, RuleFinding } from './core/index.js';
