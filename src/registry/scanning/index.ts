/**
 * Scanning for the registry: scan-on-push through a persistent job queue in
 * the registry's database, rescans when the vulnerability database changes,
 * results published as OCI referrers (a CycloneDX SBOM and mamori's scan
 * report, each an artifact whose `subject` is the image) and a per-project
 * pull gate.
 *
 * ```ts
 * const scanning = await openScanService({ state, storage, vulnDbPath, cacheDir, onEvent });
 * await scanning.start();
 * // after each manifest PUT:
 * await scanning.enqueue(repository, digest, 'push');
 * // before serving a manifest GET:
 * const d = await scanning.pullDecision(repository, digest); // { allow: false, reason } → 403 DENIED
 * await scanning.stop();
 * ```
 *
 * One scanning worker (process) per database: `start` requeues every job
 * left running, assuming its worker died.
 */
export { openScanService } from './service.js';
export type { DatabaseCheck, EnqueueResult, ScanService, ScanServiceOptions } from './types.js';
export type { ScanEvent } from './context.js';
export type { JobReason, JobState, ScanJob } from './queue.js';
export type {
  ProjectPolicy,
  PullDecision,
  ScanOutcome,
  ScanStatus,
  ScanSummary,
  SeverityCounts,
} from './summary.js';
export { BLOCK_SEVERITIES } from './summary.js';
export { RegistryImageStore } from './image-store.js';
export { REPORT_ARTIFACT_TYPE, SBOM_ARTIFACT_TYPE } from './referrers.js';
export { projectOf } from './policy.js';
