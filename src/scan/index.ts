export { scan, filterFindings, gateViolations, parseSeverity, parseScanners, SCANNERS } from './scan.js';
export type { ScanOptions, ScanResult, ScannerName } from './scan.js';
export { secretAnalyzer, layerSecretFindings, SECRET_ANALYZER } from './secrets.js';
export { applySuppressions } from './suppress.js';
export type { ParsedPurl } from '../core/index.js';
export type {
  ImageContext,
  SuppressionContext,
  SuppressionResult,
  SuppressedFinding,
  SuppressedRuleFinding,
  VexAnnotation,
} from './suppress.js';
export { IGNORE_FILE_NAMES, findIgnoreFile, loadIgnoreFile, parseIgnoreFile } from './ignore.js';
export type { IgnoreEntry, IgnoreRules, PackageSelector } from './ignore.js';
export { loadOpenVex, parseOpenVex } from './vex.js';
export type { VexComponent, VexDocument, VexDocuments, VexProduct, VexStatement, VexStatus } from './vex.js';
