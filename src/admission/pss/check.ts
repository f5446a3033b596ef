import type { PodContext, Violation } from './context.js';
import type { PssLevel } from './version.js';

/** One control of the Pod Security Standards. */
export interface Check {
  /** Stable id, also the `control` of its violations. */
  readonly id: string;
  /** Lowest level that enforces it. */
  readonly level: PssLevel;
  /** First Kubernetes minor version (1.N) whose policy includes the control. */
  readonly since: number;
  /** Baseline check this one replaces at the restricted level (it is stricter). */
  readonly overrides?: string;
  run(ctx: PodContext): Violation[];
}
