/**
 * What the sensor agent writes to its event stream (one JSON object per
 * line): container events (`--events all`), alerts, and drop summaries.
 */
import type { Alert, ContainerEvent } from '../model/index.js';

/**
 * Where events were lost. `kernel`, `queue` and `parse` come from the
 * bpftrace side; the agent's own stages add theirs: `drift` (execs waiting
 * for an image index beyond the bound, or whose index could not be built),
 * `stream` (the event file's write queue was full or the write failed),
 * `syslog`, `webhook`, `enforcer.*` (the protect-mode bpftrace) and
 * `enforcer` (protected containers beyond the enforcer's 64 rules).
 */
export type DropSourceName = string;

/** A drop summary: `count` records of `source` were lost since the previous summary of that source. */
export interface DropRecord {
  readonly kind: 'drop';
  readonly time: number;
  readonly source: DropSourceName;
  readonly count: number;
  /** Lost from this source since the agent started. */
  readonly total: number;
}

/** One line of the event stream. */
export type StreamRecord = ContainerEvent | Alert | DropRecord;

/** Counters the agent keeps (also exported as Prometheus metrics). */
export interface AgentStats {
  readonly startedAt: number;
  /** Events by kind (exec, exit, connect, accept, open, syscall, syscalls, enforce). */
  readonly events: Readonly<Record<string, number>>;
  /** Drops by source. */
  readonly drops: Readonly<Record<string, number>>;
  /** Alerts by rule and by severity. */
  readonly alertsByRule: Readonly<Record<string, number>>;
  readonly alertsBySeverity: Readonly<Record<string, number>>;
  /** Containers currently known. */
  readonly containers: number;
  /** Protected containers the enforcer currently covers. */
  readonly enforced: number;
  /** Execs the kernel reported compacted (see compactExecs); included in events.exec. */
  readonly execRepeats: number;
}
