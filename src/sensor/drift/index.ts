/** Drift detection: executables a container runs, checked against its image's layers. */
export { buildExecutableIndex, indexFromRootfs, DEFAULT_MAX_ENTRIES } from './build.js';
export { checkDrift, resolveInIndex, MAX_SYMLINK_HOPS } from './check.js';
export { driftAlert, DRIFT_RULES } from './alert.js';
export type { DriftAlertContext } from './alert.js';
export { serializeIndex, parseIndex, readIndexCache, writeIndexCache } from './cache.js';
export { executableHasher, isExecutableCandidate, BINARY_DIRS } from './hasher.js';
export { INDEX_VERSION } from './types.js';
export type {
  BuildOptions,
  DriftResult,
  DriftStatus,
  ExecutableIndex,
  IndexSource,
  IndexedExecutable,
} from './types.js';
