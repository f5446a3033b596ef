import type { MamoriError } from '../../core/errors.js';
import type { RuntimeRoot } from '../containers/index.js';
import type { DetectionRules } from '../detect/index.js';
import type { Alert } from '../model/index.js';
import type { ProfileMode } from '../profile/index.js';
import type { DropRecord } from './types.js';

export interface SensorAgentOptions {
  /** Profile store directory (created, 0700). */
  readonly dataDir: string;
  /** JSON-lines event stream, appended. */
  readonly eventsOut?: string;
  /** Write every container event to the stream, or only alerts and drop summaries (default). */
  readonly events?: 'all' | 'alerts';
  /** Mode of workloads seen for the first time (default `learn`). */
  readonly defaultMode?: ProfileMode;
  /** Learn → monitor once nothing new was learned for this long (default 10 min). */
  readonly quietWindowMs?: number;
  /** …and the workload has been learning at least this long (default: the quiet window). */
  readonly minLearnMs?: number;
  /** User detection rules and exceptions (parseDetectionRules). */
  readonly rules?: DetectionRules;
  /** Image reference per container id (beats runtime annotations); drift indexes it when reachable. */
  readonly images?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** runc state directories searched (default the resolver's). */
  readonly runtimeRoots?: readonly (string | RuntimeRoot)[];
  /** Also watch host processes (the root cgroup and cgroups of no container). */
  readonly includeHost?: boolean;
  /** `HOST:PORT` for Prometheus `/metrics`. */
  readonly metricsListen?: string;
  /** `udp://HOST:PORT` or `tcp://HOST:PORT`. */
  readonly syslog?: string;
  readonly webhook?: { readonly url: string; readonly secret: string };
  /** Image index cache for drift (default mamori's cache directory; false: none). */
  readonly driftCacheDir?: string | false;
  /** Interval of the per-container syscall sets (default 1000 ms). */
  readonly syscallIntervalMs?: number;
  /** The kernel-side queue (default 10 000 events). */
  readonly queueCapacity?: number;
  /**
   * Exec compaction (default on): repeats of an exec already judged (same
   * file, uid, stdio, path and arguments in the same container, raising
   * nothing and teaching nothing) are reported by the kernel as a short
   * record and rebuilt from the judged exec. false: every exec in full.
   */
  readonly compactExecs?: boolean;
  /** Enforcer regeneration debounce (default 300 ms). */
  readonly enforcerDebounceMs?: number;
  /** How often mode requests are polled and promotions checked (default 1000 ms). */
  readonly pollMs?: number;
  readonly bpftrace?: string;
  /** Every alert, as it is emitted. */
  readonly onAlert?: (a: Alert) => void;
  readonly onDrop?: (d: DropRecord) => void;
  /** Operational messages (promotions, mode changes, enforcer state, problems). */
  readonly onLog?: (level: 'info' | 'warn', message: string) => void;
  readonly onError?: (e: MamoriError) => void;
}
