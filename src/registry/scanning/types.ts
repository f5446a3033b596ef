/** The scan service's public contract. */
import type { ScannerName } from '../../scan/index.js';
import type { StateStore } from '../state/index.js';
import type { BlobStore as Storage } from '../storage/index.js';
import type { ScanEvent } from './context.js';
import type { JobReason, JobState, ScanJob } from './queue.js';
import type { ProjectPolicy, PullDecision, ScanSummary } from './summary.js';

export interface ScanServiceOptions {
  readonly state: StateStore;
  readonly storage: Storage;
  /** The vulnerability database; default mamori's (`$MAMORI_DB` or the user's data dir). Missing: vulnerabilities are not scanned. */
  readonly vulnDbPath?: string;
  /** The scanners to run; default all (`vuln`, `secret`, `misconfig`). */
  readonly scanners?: readonly ScannerName[];
  /** Clock (ms since the epoch); default the state store's. */
  readonly now?: () => number;
  /** Called for each event; exceptions it throws are ignored. */
  readonly onEvent?: (event: ScanEvent) => void;
  /** Scans run at once; default 1. */
  readonly concurrency?: number;
  /** Inventory layer cache (makes rescans cheap); default none. */
  readonly cacheDir?: string | false;
  /** Parent of the scanner's temp dirs; default the OS temp dir. */
  readonly tmpDir?: string;
  /** How often `start` checks the vulnerability database for changes; default 5 min, 0 never. */
  readonly dbCheckIntervalMs?: number;
  /** How often idle workers look for due jobs (retries, jobs other processes queued); default 5 s. */
  readonly pollIntervalMs?: number;
  /** Attempts before a job that keeps failing on I/O ends as failed; default 3. */
  readonly maxAttempts?: number;
  /** Delay before a retry, times the attempts made; default 30 s. */
  readonly retryDelayMs?: number;
  /** Reports up to this size are kept in the results table as well as in storage; default 1 MiB. */
  readonly maxStoredReportBytes?: number;
}

export interface EnqueueResult {
  /** Image manifests now queued (or already queued). */
  readonly queued: readonly string[];
  /** Manifests not scanned, with why. */
  readonly skipped: ReadonlyArray<{ readonly digest: string; readonly reason: string }>;
}

export interface DatabaseCheck {
  /** Whether a database exists. */
  readonly present: boolean;
  readonly dbVersion?: string;
  /** Images queued for a rescan by this check. */
  readonly enqueued: number;
}

export interface ScanService {
  /** Queues a pushed manifest: an image, or every image of an index; skips other artifacts. */
  enqueue(repository: string, digest: string, reason?: JobReason): Promise<EnqueueResult>;
  /** The image's scan status and its last outcome. */
  result(repository: string, digest: string): Promise<ScanSummary>;
  /** The full report JSON of the last scan, if any. */
  report(repository: string, digest: string): Promise<string | undefined>;
  /** Whether the project's policy lets this manifest be pulled. */
  pullDecision(repository: string, digest: string): Promise<PullDecision>;
  setPolicy(policy: ProjectPolicy): Promise<void>;
  getPolicy(project: string): Promise<ProjectPolicy | undefined>;
  deletePolicy(project: string): Promise<boolean>;
  /** Queues a rescan of every scanned image whose database fingerprint is not the current one. */
  checkDatabase(): Promise<DatabaseCheck>;
  /**
   * Forgets a deleted manifest: its result and jobs (call after a
   * manifest DELETE; the report and SBOM referrers stay, as referrers of a
   * deleted subject do, until garbage collection).
   */
  forget(repository: string, digest: string): Promise<void>;
  /** Jobs in one state, oldest first (at most `limit`, default 100). */
  jobs(state: JobState, limit?: number): Promise<ScanJob[]>;
  /** Requeues jobs a crash left running, starts the workers and the database timer. */
  start(): Promise<void>;
  /**
   * Stops the workers. By default waits for the scans under way to finish;
   * with `abort`, abandons them and puts their jobs back in the queue.
   */
  stop(options?: { readonly abort?: boolean }): Promise<void>;
  /** Resolves when the workers find no due job and none is running (for tests and shutdown). */
  idle(): Promise<void>;
}
