import type { ContainerEvent, DropEvent } from '../model/index.js';

/**
 * A kill done by a protect-mode (enforcer) script. Not part of the shared
 * model: the sensor turns it into an Alert with `action: 'killed'`.
 */
export interface EnforcementEvent {
  readonly kind: 'enforce';
  readonly action: 'killed';
  readonly reason: 'exec' | 'connect';
  readonly time: number;
  readonly cgroupId: string;
  readonly pid: number;
  readonly uid: number;
  readonly comm: string;
  /** The executable that was not allowed (reason `exec`). */
  readonly exe?: string;
  /** The refused peer (reason `connect`). */
  readonly family?: 'inet' | 'inet6' | 'unix';
  readonly address?: string;
  readonly port?: number;
}

/**
 * An exec the kernel matched to a fingerprint the agent named repeatable
 * (exec compaction): the same file, uid, stdio, path and arguments, in the
 * same container, as the exec the agent judged when naming it. Everything
 * but the process's own ids and time is that exec's.
 */
export interface ExecRepeatEvent {
  readonly kind: 'exec-repeat';
  readonly time: number;
  readonly cgroupId: string;
  readonly pid: number;
  readonly uid: number;
  readonly ppid: number;
  readonly comm: string;
  /** The id the agent gave the fingerprint. */
  readonly repeatId: number;
}

/** What a running sensor delivers. */
export type SensorOutput = ContainerEvent | DropEvent | EnforcementEvent | ExecRepeatEvent;
