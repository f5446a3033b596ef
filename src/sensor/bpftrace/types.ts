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

/** What a running sensor delivers. */
export type SensorOutput = ContainerEvent | DropEvent | EnforcementEvent;
