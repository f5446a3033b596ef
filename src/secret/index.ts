/**
 * Secret detection in image files, Dockerfiles and image configuration.
 *
 * A scanner is built once (`createSecretScanner`) and fed every regular
 * file of every layer, deleted ones included, as a stream or a buffer; it
 * keeps memory bounded per file, skips binaries (except for private keys)
 * and paths that hold only look-alikes, and reports `RuleFinding`s whose
 * evidence is redacted: a secret is never stored or printed.
 *
 * Values published by design are not reported: OpenPGP key ids and
 * fingerprints named for verifying downloads (`GPG_KEY=…`) and checksums of
 * downloads (`HTTPD_SHA256=…`); see public-values.ts for the criterion.
 * `isSecretPlaceholder` tells a stand-in (`changeme`, `${TOKEN}`,
 * `/run/secrets/db`) from a secret, for checks outside the scanner too.
 */
export { createSecretScanner } from './scanner.js';
export type { SecretScanner } from './scanner.js';
export { WINDOW_BYTES } from './file-scan.js';
export type { SecretFileScan } from './file-scan.js';
export { SECRET_RULES } from './rules.js';
export { DEFAULT_SCANNED_PATHS, DEFAULT_SKIP_PATHS, looksBinary } from './skip.js';
export { loadAllowList, parseAllowList, MAX_ALLOW_LIST_BYTES } from './allowlist.js';
export { isSecretPlaceholder, redact, secretHash, shannonEntropy } from './filters.js';
export type {
  AllowList,
  AllowListEntry,
  SecretContext,
  SecretRule,
  SecretScanLocation,
  SecretScannerOptions,
  SecretTextLocation,
} from './types.js';
