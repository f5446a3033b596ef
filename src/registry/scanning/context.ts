import type { ScannerName } from '../../scan/index.js';
import type { StateModule, StateStore } from '../state/index.js';
import type { BlobStore as Storage } from '../storage/index.js';
import type { JobReason } from './queue.js';
import type { ScanningSchema } from './schema.js';
import type { ProjectPolicy, ScanSummary } from './summary.js';
import type { DbWatcher } from './vulndb.js';

/** What the service reports as it works. */
export type ScanEvent =
  | {
      readonly type: 'scan.completed';
      readonly repository: string;
      readonly digest: string;
      readonly reason: JobReason;
      readonly status: 'scanned' | 'failed';
      readonly summary: ScanSummary;
    }
  | {
      readonly type: 'policy.violation';
      readonly repository: string;
      readonly digest: string;
      readonly project: string;
      readonly policy: ProjectPolicy;
      readonly reason: string;
      readonly summary: ScanSummary;
    }
  /** A background step failed (database check, queue access); the service carries on. */
  | { readonly type: 'scanner.error'; readonly message: string };

/** Everything a job needs, fixed when the service opens. */
export interface Ctx {
  readonly state: StateStore;
  readonly storage: Storage;
  readonly m: StateModule<ScanningSchema>;
  readonly db: DbWatcher;
  readonly scanners: readonly ScannerName[];
  readonly cacheDir: string | false;
  readonly tmpDir?: string;
  readonly maxStoredReportBytes: number;
  now(): number;
  emit(e: ScanEvent): void;
}
